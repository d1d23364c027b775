"""A cohort's collections (ordered lists curated by its facilitators) and a session's
materials. Whoever may read the cohort's content reads them; facilitators curate."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cohorts.models import Cohort, Session
from cohorts.permissions import access_cohort
from core.errors import ServiceError
from resources import permissions, selectors, services
from resources.forms_detail import CollectionForm
from resources.models import Collection, CollectionItem, Resource

PICK_LIMIT = 300


def _cohort(request: HttpRequest, slug: str, *, curate: bool = False) -> Cohort:
    cohort = access_cohort(request.user, slug=slug, need="content")
    if curate and not permissions.can_curate(request.user, cohort):
        raise Http404
    return cohort


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _pickable(user: Any, cohort: Cohort, *, exclude: Any = None) -> list[Resource]:
    """The cohort's resources a curator may add (newest first)."""
    rows = permissions.resources_visible_to(user).filter(cohort=cohort)
    if exclude is not None:
        rows = rows.exclude(pk__in=exclude)
    return list(rows.only("pk", "title", "kind").order_by("title", "pk")[:PICK_LIMIT])


def collections(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = _cohort(request, slug)
    return render(
        request,
        "resources/collections.html",
        {
            "cohort": cohort,
            "collections": selectors.collections_of(cohort),
            "can_curate": permissions.can_curate(request.user, cohort),
        },
    )


@require_http_methods(["GET", "POST"])
def collection_new(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = _cohort(request, slug, curate=True)
    form = CollectionForm(request.POST or None, cohort=cohort)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.collection_create(
                cohort=cohort,
                by=request.user,  # type: ignore[arg-type]
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                session=form.chosen_session(),
            )
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "The collection is made. Add resources to it below.")
            return redirect(made.get_absolute_url())
    return render(
        request,
        "resources/collection_form.html",
        {"cohort": cohort, "form": form, "collection": None},
        status=400 if form.errors else 200,
    )


def _curate(request: HttpRequest, collection: Collection) -> None:
    """One curator action posted from the collection page."""
    user: Any = request.user
    action = request.POST.get("action", "")
    if action == "attach":
        pk = _int(request.POST.get("session"))
        session = collection.cohort.sessions.filter(pk=pk).first() if pk else None
        services.collection_edit(
            collection=collection,
            by=user,
            title=collection.title,
            description=collection.description,
            session=session,
        )
        messages.success(
            request,
            f"Listed as the materials of {session.title}."
            if session
            else "Detached from the session.",
        )
        return
    resource = Resource.objects.filter(pk=_int(request.POST.get("resource"))).first()
    if resource is None:
        raise services.ResourceError("Choose a resource.")
    if action == "add":
        if resource.cohort_id != collection.cohort_id or not permissions.can_view_resource(
            user, resource
        ):
            raise services.ResourceError("Choose one of the cohort's resources.")
        services.collection_add(collection=collection, by=user, resource=resource)
        messages.success(request, f"Added “{resource.title}”.")
    elif action in {"up", "down"}:
        services.collection_move(
            collection=collection, by=user, resource=resource, offset=-1 if action == "up" else 1
        )
    elif action == "remove":
        services.collection_remove(collection=collection, by=user, resource=resource)
        messages.success(request, "Removed from the collection (the resource itself stays).")
    else:
        raise services.ResourceError("Unknown action.")


@require_http_methods(["GET", "POST"])
def collection(request: HttpRequest, slug: str, collection_id: int) -> HttpResponse:
    cohort = _cohort(request, slug)
    can_curate = permissions.can_curate(request.user, cohort)
    if request.method == "POST" and not can_curate:
        raise Http404
    found = permissions.access_collection(
        request.user, cohort=cohort, collection_id=collection_id, curate=request.method == "POST"
    )
    found.cohort = cohort
    if request.method == "POST":
        try:
            _curate(request, found)
        except ServiceError as error:
            messages.error(request, error.message)
        return redirect(found.get_absolute_url())
    items = selectors.collection_items(request.user, found)
    context: dict[str, Any] = {
        "cohort": cohort,
        "collection": found,
        "items": items,
        "can_curate": can_curate,
    }
    if can_curate:
        context["pickable"] = _pickable(
            request.user,
            cohort,
            exclude=CollectionItem.objects.filter(collection=found).values("resource_id"),
        )
        context["sessions"] = list(cohort.sessions.order_by("starts_at", "pk"))
    return render(request, "resources/collection.html", context)


@require_http_methods(["GET", "POST"])
def collection_edit(request: HttpRequest, slug: str, collection_id: int) -> HttpResponse:
    cohort = _cohort(request, slug, curate=True)
    found = permissions.access_collection(
        request.user, cohort=cohort, collection_id=collection_id, curate=True
    )
    found.cohort = cohort
    user: Any = request.user
    if request.method == "POST" and request.POST.get("action") == "delete":
        services.collection_delete(collection=found, by=user)
        messages.success(request, f"The collection “{found.title}” is deleted; its resources stay.")
        return redirect("resources:collections", slug=cohort.slug)
    initial = {
        "title": found.title,
        "description": found.description,
        "session": found.session_id or "",
    }
    form = CollectionForm(request.POST or None, cohort=cohort, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.collection_edit(
                collection=found,
                by=user,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                session=form.chosen_session(),
            )
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "The collection is saved.")
            return redirect(found.get_absolute_url())
    return render(
        request,
        "resources/collection_form.html",
        {"cohort": cohort, "form": form, "collection": found},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def session_materials(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    cohort = _cohort(request, slug)
    session: Session | None = cohort.sessions.filter(pk=_int(session_id)).first()
    if session is None:
        raise Http404
    can_curate = permissions.can_curate(request.user, cohort)
    if request.method == "POST":
        if not can_curate:
            raise Http404
        resource = Resource.objects.filter(
            pk=_int(request.POST.get("resource")), cohort=cohort
        ).first()
        try:
            if resource is None or not permissions.can_view_resource(request.user, resource):
                raise services.ResourceError("Choose one of the cohort's resources.")
            services.session_material_add(
                session=session,
                by=request.user,  # type: ignore[arg-type]
                resource=resource,
            )
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"“{resource.title}” is listed in the session's materials.")
        return redirect("resources:session_materials", slug=cohort.slug, session_id=session.pk)
    materials = selectors.session_materials(request.user, session)
    context: dict[str, Any] = {
        "cohort": cohort,
        "session": session,
        "materials": materials,
        "can_curate": can_curate,
        "collections": list(Collection.objects.filter(session=session).order_by("title", "pk")),
    }
    if can_curate:
        context["pickable"] = _pickable(
            request.user,
            cohort,
            exclude=CollectionItem.objects.filter(collection__session=session).values(
                "resource_id"
            ),
        )
    return render(request, "resources/session_materials.html", context)
