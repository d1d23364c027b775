"""One resource: its page, editing, versions, useful marks, comments and moderation.

Every view fetches through :mod:`resources.permissions` (the same 404 for a resource that
does not exist and one the person may not act on); the services decide the rest."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods, require_POST

from cohorts.permissions import can_view_content
from core.errors import ServiceError
from files.views import download
from resources import evidence, permissions, previews, selectors, services
from resources.forms_detail import CommentForm, EditForm, UsefulForm, VersionForm
from resources.models import RESTORE_DAYS, Collection, Resource

# --- the page -------------------------------------------------------------------------------


def _page(
    request: HttpRequest,
    resource_id: int,
    *,
    useful_form: UsefulForm | None = None,
    comment_form: CommentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    access = permissions.access_resource(user, resource_id=resource_id)
    resource = selectors.resource_for_page(access.pk)
    if resource is None:  # deleted between the two reads
        raise Http404
    cohort = resource.cohort
    can_edit = permissions.can_edit_resource(user, resource)
    can_moderate = permissions.can_moderate_resource(user, resource)
    can_discuss = permissions.can_discuss_resource(user, resource)
    can_mark = permissions.can_mark_useful(user, resource)
    mark = selectors.my_mark(user, resource) if can_mark else None
    if useful_form is None and can_mark:
        useful_form = UsefulForm(initial={"note": mark.note if mark else ""})
    if comment_form is None and can_discuss:
        comment_form = CommentForm()
    current = resource.current_version
    versions = selectors.versions_of(resource) if resource.kind == Resource.Kind.FILE else []
    curate: dict[str, Any] = {}
    if can_moderate:
        curate = {
            "collections": selectors.collections_of(cohort),
            "sessions": list(
                cohort.sessions.filter(
                    starts_at__gte=timezone.now(), cancelled_at__isnull=True
                ).order_by("starts_at", "pk")[:20]
            ),
        }
    areas = getattr(resource, "area_list", [])
    framework_slug = cohort.framework.slug if areas else ""
    context = {
        "resource": resource,
        "cohort": cohort,
        "contributor_name": (
            resource.contributor.display_name if resource.contributor else "A former member"
        ),
        "current": current,
        "preview": {
            "icon": previews.icon_for(current.file.content_type) if current else "",
            "type_label": previews.type_label(current.file.content_type) if current else "",
            "thumbnail": previews.has_thumbnail(current.file) if current else False,
        },
        "versions": versions,
        "areas": areas,
        "framework_slug": framework_slug,
        "useful_notes": selectors.useful_notes(resource),
        "mark": mark,
        "useful_form": useful_form,
        "comment_form": comment_form,
        "can_edit": can_edit,
        "can_delete": permissions.can_delete_resource(user, resource),
        "can_moderate": can_moderate,
        "can_discuss": can_discuss,
        "can_mark": can_mark,
        "can_new_version": resource.kind == Resource.Kind.FILE and (can_edit or can_moderate),
        "member_of_home": can_view_content(user, cohort),
        "evidence_actions": evidence.actions_for(user, resource),
        **curate,
    }
    return render(request, "resources/detail.html", context, status=status)


def detail(request: HttpRequest, resource_id: int) -> HttpResponse:
    return _page(request, resource_id)


# --- editing --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, resource_id: int) -> HttpResponse:
    resource = permissions.access_resource(request.user, resource_id=resource_id, need="edit")
    current: Resource | None = None
    if request.method == "POST":
        form = EditForm(request.POST, resource=resource)
        if form.is_valid():
            try:
                services.resource_edit(
                    resource=resource,
                    by=request.user,  # type: ignore[arg-type]
                    data=form.to_input(),
                    version=form.cleaned_data["version"],
                )
            except ServiceError as error:
                if error.code == "stale":
                    # Show what is saved now beside what they typed; saving again is based
                    # on the current version (they have seen it), nothing was overwritten.
                    current = Resource.objects.prefetch_related("tags").get(pk=resource.pk)
                    data = request.POST.copy()
                    data["version"] = str(current.version)
                    form = EditForm(data, resource=resource)
                    form.is_valid()
                form.add_error(None, error.message)
            else:
                messages.success(request, "Your changes are saved.")
                return redirect(resource.get_absolute_url())
    else:
        form = EditForm(initial=EditForm.initial_for(resource), resource=resource)
    return render(
        request,
        "resources/edit.html",
        {"resource": resource, "cohort": resource.cohort, "form": form, "current": current},
        status=409 if current is not None else 200,
    )


@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, resource_id: int) -> HttpResponse:
    resource = permissions.access_resource(request.user, resource_id=resource_id, need="delete")
    if request.method == "POST":
        try:
            services.resource_delete(resource=resource, by=request.user)  # type: ignore[arg-type]
        except ServiceError as error:
            messages.error(request, error.message)
            return redirect(resource.get_absolute_url())
        messages.success(
            request,
            format_html(
                "“{}” was deleted. It is restorable for {} days from "
                '<a href="{}">the cohort\'s deleted resources</a>.',
                resource.title,
                RESTORE_DAYS,
                reverse("resources:deleted", args=[resource.cohort.slug]),
            ),
        )
        return redirect("resources:repertoire", slug=resource.cohort.slug)
    return render(
        request,
        "resources/delete.html",
        {"resource": resource, "cohort": resource.cohort, "restore_days": RESTORE_DAYS},
    )


@require_POST
def restore(request: HttpRequest, resource_id: int) -> HttpResponse:
    resource = permissions.access_resource(request.user, resource_id=resource_id, need="restore")
    try:
        services.resource_restore(resource=resource, by=request.user)  # type: ignore[arg-type]
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("resources:deleted", slug=resource.cohort.slug)
    messages.success(request, f"“{resource.title}” is restored.")
    return redirect(resource.get_absolute_url())


# --- versions -------------------------------------------------------------------------------


def _versionable(request: HttpRequest, resource_id: int) -> Resource:
    resource = permissions.access_resource(request.user, resource_id=resource_id)
    if resource.kind != Resource.Kind.FILE or not (
        permissions.can_edit_resource(request.user, resource)
        or permissions.can_moderate_resource(request.user, resource)
    ):
        raise Http404
    return resource


@require_http_methods(["GET", "POST"])
def version_new(request: HttpRequest, resource_id: int) -> HttpResponse:
    resource = _versionable(request, resource_id)
    if request.method == "POST":
        form = VersionForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                version = services.resource_add_version(
                    resource=resource,
                    by=request.user,  # type: ignore[arg-type]
                    upload=form.cleaned_data["file"],
                    note=form.cleaned_data["note"],
                )
            except ServiceError as error:
                form.add_error("file", error.message)
            else:
                messages.success(request, f"Version {version.number} is now the current one.")
                return redirect(resource.get_absolute_url())
    else:
        form = VersionForm()
    return render(
        request,
        "resources/version_new.html",
        {"resource": resource, "cohort": resource.cohort, "form": form},
        status=400 if form.errors else 200,
    )


def version_download(request: HttpRequest, resource_id: int, number: int) -> FileResponse:
    """A stable address for one version; the bytes are served by the upload module's own
    download view (which asks the same permission again through the download check)."""
    version = permissions.access_version(request.user, resource_id=resource_id, number=number)
    return download(request, version.file_id)


def version_thumbnail(request: HttpRequest, resource_id: int, number: int) -> FileResponse:
    version = permissions.access_version(request.user, resource_id=resource_id, number=number)
    path = previews.thumbnail(version.file)
    if path is None:
        raise Http404
    response = FileResponse(path.open("rb"), content_type="image/png")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- useful, comments, moderation, collections ----------------------------------------------


@require_POST
def useful(request: HttpRequest, resource_id: int) -> HttpResponse:
    resource = permissions.access_resource(request.user, resource_id=resource_id, need="useful")
    if request.POST.get("action") == "unmark":
        services.useful_unmark(resource=resource, user=request.user)  # type: ignore[arg-type]
        messages.success(request, "You no longer mark it as useful.")
        return redirect(resource.get_absolute_url() + "#useful")
    form = UsefulForm(request.POST)
    if form.is_valid():
        try:
            services.useful_mark(
                resource=resource,
                user=request.user,  # type: ignore[arg-type]
                note=form.cleaned_data["note"],
            )
        except ServiceError as error:
            form.add_error("note", error.message)
        else:
            messages.success(request, "Marked as useful. Thank you for saying so.")
            return redirect(resource.get_absolute_url() + "#useful")
    return _page(request, resource.pk, useful_form=form, status=400)


@require_POST
def discuss(request: HttpRequest, resource_id: int) -> HttpResponse:
    resource = permissions.access_resource(request.user, resource_id=resource_id, need="discuss")
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            thread = services.resource_discuss(
                resource=resource,
                by=request.user,  # type: ignore[arg-type]
                body=form.cleaned_data["body"],
            )
        except ServiceError as error:
            form.add_error("body", error.message)
        else:
            post = thread.posts.filter(author=request.user).order_by("-pk").first()
            anchor = f"#post-{post.pk}" if post is not None else ""
            return redirect(thread.get_absolute_url() + anchor)
    return _page(request, resource.pk, comment_form=form, status=400)


MODERATION = {
    "feature": ("featured", True, "It is featured in the cohort's repertoire."),
    "unfeature": ("featured", False, "It is no longer featured."),
    "hide": ("hidden", True, "It is hidden from the cohort; its contributor still sees it."),
    "unhide": ("hidden", False, "It is shown to the cohort again."),
}


@require_POST
def moderate(request: HttpRequest, resource_id: int) -> HttpResponse:
    resource = permissions.access_resource(request.user, resource_id=resource_id, need="moderate")
    rule = MODERATION.get(request.POST.get("action", ""))
    if rule is None:
        messages.error(request, "Choose feature, unfeature, hide or unhide.")
        return redirect(resource.get_absolute_url())
    what, value, done = rule
    try:
        if what == "featured":
            services.resource_set_featured(resource=resource, by=request.user, featured=value)  # type: ignore[arg-type]
        else:
            services.resource_set_hidden(resource=resource, by=request.user, hidden=value)  # type: ignore[arg-type]
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect(resource.get_absolute_url())


@require_POST
def collect(request: HttpRequest, resource_id: int) -> HttpResponse:
    """Facilitators add the resource to a collection of its cohort or to a session's
    materials."""
    resource = permissions.access_resource(request.user, resource_id=resource_id, need="moderate")
    cohort = resource.cohort
    user: Any = request.user
    try:
        if request.POST.get("collection"):
            collection = Collection.objects.filter(
                cohort=cohort, pk=_int(request.POST["collection"])
            ).first()
            if collection is None:
                raise services.ResourceError("Choose one of the cohort's collections.")
            services.collection_add(collection=collection, by=user, resource=resource)
            messages.success(
                request,
                format_html(
                    'Added to <a href="{}">{}</a>.', collection.get_absolute_url(), collection
                ),
            )
        elif request.POST.get("session"):
            session = cohort.sessions.filter(pk=_int(request.POST["session"])).first()
            if session is None:
                raise services.ResourceError("Choose one of the cohort's sessions.")
            services.session_material_add(session=session, by=user, resource=resource)
            messages.success(
                request,
                format_html(
                    'Added to <a href="{}">the materials of {}</a>.',
                    reverse("resources:session_materials", args=[cohort.slug, session.pk]),
                    session.title,
                ),
            )
        else:
            raise services.ResourceError("Choose a collection or a session.")
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect(resource.get_absolute_url())


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
