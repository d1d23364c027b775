"""The journal home, the entry editor (a plain form, enhanced with autosave), one entry's
page, who may read it, delete and restore.

Every entry is fetched through :func:`journals.permissions.access_entry` (the same 404 for
an entry that does not exist and one the person may not see or act on); the services
decide the rest, and a refusal is shown at the field it is about with everything typed
kept. The editor's autosave speaks JSON: 200 with the new version, 409 with the entry as
it stands when the save was based on an older version (nothing is overwritten), 400 with
the messages when the input is refused.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import search
from core.api import NOT_FOUND_BODY
from core.errors import ServiceError, not_found, status_for
from journals import permissions, services
from journals.forms import (
    NOT_CITABLE,
    EntryForm,
    EvidenceRef,
    EvidenceSummary,
    VisibilityForm,
    describe_evidence,
    field_for_error,
)
from journals.models import RESTORE_DAYS, Entry, Prompt
from journals.selectors import coverage, prompts
from journals.selectors import entries as selectors
from journals.selectors.evidence import evidence_for
from journals.services.entries import StaleEntry

PER_PAGE = 20
DELETED_PER_PAGE = 50
# How long the key of a new draft is remembered, so a retried first autosave (its answer
# lost on the way back) finds the draft it made instead of making a second one.
DRAFT_KEY_SECONDS = 24 * 60 * 60


def _page(request: HttpRequest, rows: Any, per_page: int) -> Page:
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    last = page.paginator.num_pages
    window: list[int | None] = []
    for n in sorted({1, last, *range(max(1, page.number - 2), min(last, page.number + 2) + 1)}):
        if window and window[-1] is not None and n - window[-1] > 1:
            window.append(None)
        window.append(n)
    page.window = window  # type: ignore[attr-defined]
    return page


# --- the journal home -----------------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    filters = selectors.EntryFilters.from_query(request.GET)
    page = _page(request, selectors.my_entries(user, filters), PER_PAGE)
    offered = search.kinds()
    return render(
        request,
        "journals/home.html",
        {
            "filters": filters,
            "options": selectors.filter_options(user),
            "page_obj": page,
            "entries": list(page.object_list),
            # The site-wide search, narrowed to the journal when its provider offers that.
            "search_kind": next((k for k in offered if k.startswith("journal")), ""),
            "areas": coverage.coverage_summary(user),
            "prompts": prompts.open_prompts_for(user),
            "feedback": prompts.recent_feedback_for(user),
        },
    )


# --- the editor ---------------------------------------------------------------------------


def _int(value: Any) -> int | None:
    if isinstance(value, str) and value.isdigit() and 0 < int(value) < 2**31:
        return int(value)
    return None


class Prefill:
    """What the address of a new entry fills in: ``?prompt=``, ``?session=``, ``?goal=``,
    ``?cohort=`` and ``?evidence=``. Something the person may not see is left out and said
    so (the same words whether it exists or not)."""

    def __init__(self, request: HttpRequest) -> None:
        from cohorts.models import LearningGoal, Session

        user = request.user
        query = request.GET
        member = permissions.member_cohort_ids(user)
        self.initial: dict[str, Any] = {}
        self.notices: list[str] = []
        self.prompt: Prompt | None = None
        self.evidence: EvidenceRef | None = None
        self.evidence_summary: EvidenceSummary | None = None
        self.evidence_error = ""
        if "cohort" in query:
            from cohorts.models import Cohort

            cohort = Cohort.objects.filter(pk__in=member, slug=query["cohort"][:64]).first()
            if cohort is None:
                self.notices.append("That cohort is not one of yours; choose one below.")
            else:
                self.initial["cohort"] = cohort.pk
        if "session" in query:
            session = Session.objects.filter(pk=_int(query["session"]) or 0).first()
            if session is None or session.cohort_id not in member:
                self.notices.append("That session is not one of your cohorts'.")
            else:
                self.initial.update(session=session.pk, cohort=session.cohort_id)
        if "goal" in query:
            goal = LearningGoal.objects.filter(pk=_int(query["goal"]) or 0).first()
            if goal is None or goal.cohort_id not in member:
                self.notices.append("That learning goal is not one of your cohorts'.")
            else:
                self.initial.update(goal=goal.pk, cohort=goal.cohort_id)
        if "prompt" in query:
            try:
                prompt = permissions.access_prompt(user, prompt_id=query["prompt"])
            except Http404:
                self.notices.append("That prompt is not one of your cohorts'.")
            else:
                self.prompt = prompt
                self.initial.update(
                    prompt=prompt.pk,
                    cohort=prompt.cohort_id,
                    competencies=[str(c.pk) for c in prompt.competencies.all()],
                    framing_questions=[str(q.pk) for q in prompt.framing_questions.all()],
                )
                if prompt.session_id:
                    self.initial["session"] = prompt.session_id
                if not prompt.is_open:
                    self.notices.append("This prompt is closed; you can still answer it.")
        if "evidence" in query:
            self.evidence = EvidenceRef.parse(query["evidence"])
            self.evidence_summary = (
                describe_evidence(user, self.evidence) if self.evidence else None
            )
            if self.evidence_summary is None:
                self.evidence = None
                self.evidence_error = NOT_CITABLE
            else:
                self.initial.update(evidence=str(self.evidence), attach_evidence=True)


def _described(request: HttpRequest, form: EntryForm) -> EvidenceSummary | None:
    ref = form.evidence_ref()
    return describe_evidence(request.user, ref) if ref is not None else None


def _editor(
    request: HttpRequest,
    form: EntryForm,
    *,
    entry: Entry | None,
    status: int = 200,
    current: Entry | None = None,
    prefill: Prefill | None = None,
) -> HttpResponse:
    user = request.user
    context: dict[str, Any] = {
        "form": form,
        "entry": entry,
        "current": current,
        "prompt_fixed": form.prompt_fixed,
        "evidence_summary": _described(request, form),
        "evidence_error": prefill.evidence_error if prefill else "",
        "notices": prefill.notices if prefill else [],
        "form_action": request.get_full_path() if entry is None else entry_edit_url(entry),
    }
    if entry is not None:
        context["evidence"] = evidence_for(user, entry)
        context["can_edit"] = True
    return render(request, "journals/entry_form.html", context, status=status)


def entry_edit_url(entry: Entry) -> str:
    return reverse("journals:entry_edit", args=[entry.pk])


def _create(form: EntryForm, user: Any, *, visibility: str) -> tuple[Entry, Any]:
    """The entry and, in the same transaction, the evidence named in the address: if it
    cannot be cited, nothing is saved."""
    with transaction.atomic():
        entry = services.entry_create(author=user, data=form.to_input(), visibility=visibility)
        pending = form.evidence_to_attach()
        attached = services.evidence_add(entry=entry, by=user, data=pending) if pending else None
    return entry, attached


def _save_annotation(form: EntryForm, entry: Entry, user: Any) -> Entry:
    """The annotation of evidence the editor attached when it made the draft, still on the
    form: saved with the entry (in the caller's transaction)."""
    evidence_id = form.cleaned_data.get("evidence_id")
    if not evidence_id:
        return entry
    found = entry.evidence.filter(pk=evidence_id).first()
    annotation = (form.cleaned_data.get("annotation") or "").strip()
    if found is None or found.annotation == annotation:
        return entry  # removed meanwhile, or unchanged
    services.evidence_update(
        evidence=found, by=user, annotation=annotation, competency=found.competency_id
    )
    entry.refresh_from_db(fields=["version", "updated_at"])
    return entry


@login_required
@require_http_methods(["GET", "POST"])
def entry_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and request.content_type == "application/json":
        return _autosave_create(request)
    prefill = Prefill(request)
    if request.method == "POST":
        form = EntryForm(request.POST, user=request.user, prompt_fixed=prefill.prompt)
        if not form.is_valid():
            return _editor(request, form, entry=None, status=400, prefill=prefill)
        try:
            entry, attached = _create(
                form, request.user, visibility=form.cleaned_data["visibility"]
            )
        except ServiceError as error:
            form.add_error(field_for_error(form, error), error.message)
            return _editor(request, form, entry=None, status=400, prefill=prefill)
        messages.success(
            request,
            f"“{entry.title}” is saved"
            + (" with its evidence." if attached else ".")
            + ("" if entry.is_shared else " Only you can read it."),
        )
        return redirect(entry.get_absolute_url())
    form = EntryForm(initial=prefill.initial, user=request.user, prompt_fixed=prefill.prompt)
    return _editor(request, form, entry=None, prefill=prefill)


@login_required
@require_http_methods(["GET", "POST"])
def entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    entry = permissions.access_entry(request.user, entry_id=pk, need="edit")
    if request.method != "POST":
        form = EntryForm(initial=EntryForm.initial_for(entry), user=request.user, entry=entry)
        return _editor(request, form, entry=entry)
    form = EntryForm(request.POST, user=request.user, entry=entry)
    if not form.is_valid():
        return _editor(request, form, entry=entry, status=400)
    try:
        with transaction.atomic():
            saved = services.entry_update(
                entry=entry,
                by=request.user,  # type: ignore[arg-type]
                data=form.to_input(),
                version=form.cleaned_data["version"],
                visibility=form.cleaned_data["visibility"],
            )
            _save_annotation(form, saved, request.user)
    except StaleEntry as stale:
        # Both texts side by side: theirs as saved, the person's kept in the form, now
        # based on the current version (saving again is a choice made with both in view).
        data = request.POST.copy()
        data["version"] = str(stale.current.version)
        form = EntryForm(data, user=request.user, entry=entry)
        form.is_valid()
        form.add_error(None, stale.message)
        return _editor(request, form, entry=entry, status=409, current=stale.current)
    except ServiceError as error:
        form.add_error(field_for_error(form, error), error.message)
        return _editor(request, form, entry=entry, status=400)
    messages.success(request, f"“{saved.title}” is saved.")
    return redirect(saved.get_absolute_url())


# --- autosave (JSON) ------------------------------------------------------------------------


class BadJson(services.JournalError):
    """An autosave body that is not a JSON object of the entry's fields (answered 400)."""


def _json_data(request: HttpRequest) -> QueryDict:
    """The editor's JSON object as form data: each value a string, a number, a boolean or
    a list of them (a group of checkboxes)."""
    try:
        decoded = json.loads(request.body or b"null")
    except RequestDataTooBig:
        raise BadJson("The entry is too large to save.") from None
    except ValueError:
        raise BadJson("The request is not valid JSON.") from None
    if not isinstance(decoded, dict):
        raise BadJson("Send the entry's fields as a JSON object.")
    data = QueryDict(mutable=True)
    for name, value in decoded.items():
        values = value if isinstance(value, list) else [value]
        cleaned = []
        for item in values:
            if isinstance(item, bool):
                cleaned.append("on" if item else "")
            elif isinstance(item, str | int) and not isinstance(item, bool):
                cleaned.append(str(item))
            elif item is None:
                cleaned.append("")
            else:
                raise BadJson(f"The field {str(name)[:40]!r} has a value of the wrong type.")
        data.setlist(str(name), cleaned)
    return data


def _bad_request(detail: str, *, errors: dict[str, Any] | None = None) -> JsonResponse:
    body: dict[str, Any] = {"detail": detail, "code": "invalid"}
    if errors is not None:
        body["errors"] = errors
    return JsonResponse(body, status=400)


def _invalid(form: EntryForm) -> JsonResponse:
    errors = {name: [str(m) for m in msgs] for name, msgs in form.errors.items()}
    first = next(iter(errors.values()))[0] if errors else "The entry could not be saved."
    return _bad_request(first, errors=errors)


def _refused(form: EntryForm, error: ServiceError) -> JsonResponse:
    """A service's refusal; one about a field of the form is bad input (400), whatever
    the reason (e.g. evidence the person may not see)."""
    body: dict[str, Any] = {"detail": error.message, "code": error.code}
    field = field_for_error(form, error)
    if field:
        body["field"] = field
        body["errors"] = {field: [error.message]}
        return JsonResponse(body, status=400)
    return JsonResponse(body, status=status_for(error.code))


def entry_json(entry: Entry) -> dict[str, Any]:
    """The entry as the editor compares it (a 409 carries it as ``current``)."""
    return {
        "id": entry.pk,
        "version": entry.version,
        "title": entry.title,
        "body": entry.body,
        "written_on": entry.written_on.isoformat(),
        "status": entry.status,
        "visibility": entry.visibility,
        "updated_at": entry.updated_at.isoformat(),
    }


def _saved(entry: Entry, *, status: int = 200, **extra: Any) -> JsonResponse:
    return JsonResponse(
        {
            "id": entry.pk,
            "version": entry.version,
            "saved_at": entry.updated_at.isoformat(),
            "status": entry.status,
            "visibility": entry.visibility,
            "url": entry.get_absolute_url(),
            "edit_url": entry_edit_url(entry),
            "autosave_url": reverse("journals:entry_autosave", args=[entry.pk]),
            **extra,
        },
        status=status,
    )


def _stale(stale: StaleEntry) -> JsonResponse:
    return JsonResponse(
        {"detail": stale.message, "code": stale.code, "current": entry_json(stale.current)},
        status=409,
    )


def _draft_cache_key(user: Any, key: str) -> str:
    return f"journals:draft:{user.pk}:{key}"


def _autosave_create(request: HttpRequest) -> JsonResponse:
    """The editor's first save of a new entry: a private draft (an autosave never shares),
    with the evidence named in the address attached in the same transaction."""
    try:
        data = _json_data(request)
    except BadJson as bad:
        return _bad_request(bad.message)
    user = request.user
    key = data.get("draft_key", "")
    made = cache.get(_draft_cache_key(user, key)) if key else None
    if isinstance(made, dict) and isinstance(made.get("id"), int):
        entry = Entry.objects.filter(
            pk=made["id"], author_id=user.pk, deleted_at__isnull=True
        ).first()
        if entry is not None:
            # The first answer was lost on its way back: save onto the draft it made (based
            # on the version it was made with, so a change since is a conflict, as ever).
            data["version"] = str(made.get("version") or 1)
            evidence_id = made.get("evidence_id")
            if evidence_id:
                data["evidence_id"] = str(evidence_id)
            return _autosave(request, entry, data, evidence_id=evidence_id)
    # A prompt named in the address stays a valid choice even once it is closed.
    form = EntryForm(data, user=user, autosave=True, prompt_fixed=Prefill(request).prompt)
    if not form.is_valid():
        return _invalid(form)
    try:
        entry, attached = _create(form, user, visibility=Entry.Visibility.PRIVATE)
    except ServiceError as error:
        return _refused(form, error)
    entry.refresh_from_db(fields=["version", "updated_at"])
    evidence_id = attached.pk if attached else None
    if key:
        cache.set(
            _draft_cache_key(user, key),
            {"id": entry.pk, "version": entry.version, "evidence_id": evidence_id},
            DRAFT_KEY_SECONDS,
        )
    return _saved(entry, status=201, evidence_id=evidence_id)


def _autosave(request: HttpRequest, entry: Entry, data: QueryDict, **extra: Any) -> JsonResponse:
    form = EntryForm(data, user=request.user, entry=entry, autosave=True)
    if not form.is_valid():
        return _invalid(form)
    try:
        with transaction.atomic():
            saved = services.entry_update(
                entry=entry,
                by=request.user,  # type: ignore[arg-type]
                data=form.to_input(),
                version=form.cleaned_data["version"],
                visibility=None,
            )
            saved = _save_annotation(form, saved, request.user)
    except StaleEntry as stale:
        return _stale(stale)
    except ServiceError as error:
        return _refused(form, error)
    return _saved(saved, **extra)


@require_POST
def entry_autosave(request: HttpRequest, pk: int) -> JsonResponse:
    """Save what the editor holds, based on ``version``; never changes who reads it."""
    try:
        entry = permissions.access_entry(request.user, entry_id=pk, need="edit")
    except Http404:
        # The editor reads JSON: the same body as the API's not-found, missing or not theirs.
        return JsonResponse(dict(NOT_FOUND_BODY), status=404)
    try:
        data = _json_data(request)
    except BadJson as bad:
        return _bad_request(bad.message)
    return _autosave(request, entry, data)


# --- one entry ------------------------------------------------------------------------------


def _entry_page(
    request: HttpRequest,
    pk: int,
    *,
    visibility_form: VisibilityForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    access = permissions.access_entry(user, entry_id=pk)
    entry = selectors.entry_for_page(access.pk)
    if entry is None:  # deleted between the two reads
        raise not_found()
    is_author = permissions.is_author(user, entry)
    if is_author and visibility_form is None:
        visibility_form = VisibilityForm(entry=entry)
    prompt = entry.prompt
    context = {
        "entry": entry,
        "is_author": is_author,
        "can_edit": permissions.can_edit_entry(user, entry),
        "visibility_form": visibility_form if is_author else None,
        "evidence": evidence_for(user, entry),
        "can_see_feedback": permissions.can_see_feedback(user, entry),
        "comments": list(permissions.comments_visible_to(user, entry)),
        "can_comment": permissions.can_comment(user, entry),
        "prompt_link": prompt is not None and permissions.can_view_prompt(user, prompt),
        "restore_days": RESTORE_DAYS,
    }
    return render(request, "journals/entry.html", context, status=status)


@login_required
@require_GET
def entry(request: HttpRequest, pk: int) -> HttpResponse:
    return _entry_page(request, pk)


@login_required
@require_POST
def entry_visibility(request: HttpRequest, pk: int) -> HttpResponse:
    """Who can read the entry: narrowing takes effect at once (open pages of those who lose
    it are told); widening needs the author to confirm."""
    entry = permissions.access_entry(request.user, entry_id=pk, need="edit")
    form = VisibilityForm(request.POST, entry=entry)
    if form.is_valid():
        try:
            saved = services.entry_set_visibility(
                entry=entry,
                by=request.user,  # type: ignore[arg-type]
                visibility=form.cleaned_data["visibility"],
            )
        except ServiceError as error:
            form.add_error("visibility", error.message)
        else:
            if saved.visibility == Entry.Visibility.PRIVATE:
                messages.success(request, "Only you can read it now.")
            else:
                messages.success(request, f"Done: {saved.get_visibility_display().lower()}.")
            return redirect(saved.get_absolute_url() + "#visibility")
    return _entry_page(request, entry.pk, visibility_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def entry_delete(request: HttpRequest, pk: int) -> HttpResponse:
    entry = permissions.access_entry(request.user, entry_id=pk, need="delete")
    if request.method == "POST":
        try:
            services.entry_delete(entry=entry, by=request.user)  # type: ignore[arg-type]
        except ServiceError as error:
            messages.error(request, error.message)
            return redirect(entry.get_absolute_url())
        messages.success(
            request,
            format_html(
                "“{}” was deleted. You can restore it for {} days from "
                '<a href="{}">recently deleted entries</a>.',
                entry.title,
                RESTORE_DAYS,
                reverse("journals:deleted"),
            ),
        )
        return redirect("journals:home")
    return render(
        request, "journals/entry_delete.html", {"entry": entry, "restore_days": RESTORE_DAYS}
    )


@login_required
@require_POST
def entry_restore(request: HttpRequest, pk: int) -> HttpResponse:
    entry = permissions.access_entry(request.user, entry_id=pk, need="restore")
    try:
        services.entry_restore(entry=entry, by=request.user)  # type: ignore[arg-type]
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("journals:deleted")
    messages.success(request, f"“{entry.title}” is restored.")
    return redirect(entry.get_absolute_url())


@login_required
@require_GET
def deleted(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.deleted_entries(request.user), DELETED_PER_PAGE)
    return render(
        request,
        "journals/deleted.html",
        {"page_obj": page, "entries": list(page.object_list), "restore_days": RESTORE_DAYS},
    )
