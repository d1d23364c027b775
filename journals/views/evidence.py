"""Evidence on an entry (add, edit, remove, reorder) and "use as evidence".

Only an entry's author changes its evidence: every view fetches the entry through
``permissions.access_entry(need="edit")`` (the same 404 for an entry that does not exist
and one that is not theirs); the evidence services decide the rest. Refusals re-render the
form with what was typed, or answer JSON (``{"detail", "code"}`` and the refusal's status)
to a script that asked for it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import ServiceError, not_found, status_for
from core.pages import refusal_json, refuse, wants_json
from journals import permissions
from journals.forms_evidence import (
    KIND_HELP,
    EvidenceEditForm,
    EvidenceForm,
    UseAsEvidenceForm,
)
from journals.models import Entry, Evidence
from journals.selectors.evidence import (
    EvidenceRef,
    Target,
    describe_target,
    evidence_targets,
    evidence_view,
    mapped_competencies_first,
    parse_ref,
)
from journals.services import evidence_add, evidence_move, evidence_remove, evidence_update
from journals.services.evidence import EvidenceInput, evidence_target

Kind = Evidence.Kind
# How many of the person's entries "add it to one of my entries" offers.
RECENT_ENTRIES = 20


def _back(request: HttpRequest, entry: Entry) -> str:
    """Where an evidence action returns: the edit page when it came from there (the
    ``next=edit`` the evidence list sends), otherwise the entry's page."""
    if (request.POST.get("next") or request.GET.get("next")) == "edit":
        return reverse("journals:entry_edit", args=[entry.pk])
    return entry.get_absolute_url()


def _editable(request: HttpRequest, pk: int) -> Entry:
    return permissions.access_entry(request.user, entry_id=pk, need="edit")


def _evidence_of(entry: Entry, evidence_id: int) -> Evidence:
    found = Evidence.objects.filter(entry_id=entry.pk, pk=evidence_id).first()
    if found is None:
        raise not_found()
    return found


def _error_field(form: Any, error: ServiceError) -> str | None:
    field = getattr(error, "field", None)
    if field is None and error.code in ("too_large", "unsupported_type", "infected"):
        field = "file"
    if field == "target" and "target" not in form.fields and "url" in form.fields:
        field = "url"
    return field if field in form.fields else None


def _form_json(form: Any) -> JsonResponse:
    errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
    first = next(iter(errors.values()), ["Please correct the form."])[0]
    return JsonResponse({"detail": first, "code": "invalid", "fields": errors}, status=400)


def _ref_target(user: Any, ref: EvidenceRef | None) -> tuple[Target | None, str]:
    """The picker choice a "use as evidence" link names (when the person may cite it),
    or the reason it cannot be cited."""
    if ref is None:
        return None, ""
    try:
        values = evidence_target(
            by=user, data=EvidenceInput(kind=ref.kind, target=ref.target, version=ref.version)
        )
    except ServiceError as error:
        return None, error.message
    shown = describe_target(values)
    return Target(ref.target, shown.title, shown.detail), ""


# --- adding -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def add(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose a kind, then what to cite (the picker of that kind), with an annotation and
    the competency it supports. ``?evidence=KIND:ID[:VERSION]`` fills the choice in."""
    entry = _editable(request, pk)
    user = request.user
    source = request.POST if request.method == "POST" else request.GET
    ref = parse_ref(request.GET.get("evidence"))
    kind = source.get("kind") or (ref.kind if ref else "")
    query = request.GET.get("q", "").strip()[:200]
    back = _back(request, entry)
    context: dict[str, Any] = {
        "entry": entry,
        "back": back,
        "next": "edit" if source.get("next") == "edit" else "",
        "kinds": [(value, label, KIND_HELP[Kind(value)]) for value, label in Kind.choices],
    }
    if kind not in Kind.values:
        if request.method == "POST":
            if wants_json(request):
                return JsonResponse(
                    {"detail": "Choose what kind of evidence it is.", "code": "invalid"},
                    status=400,
                )
            context["kind_error"] = "Choose what kind of evidence it is."
            return render(request, "journals/evidence_add.html", context, status=400)
        return render(request, "journals/evidence_add.html", context)
    extra, ref_problem = _ref_target(user, ref if ref and ref.kind == kind else None)
    form_args: dict[str, Any] = {
        "kind": kind,
        "targets": evidence_targets(user, kind, query=query),
        "extra_target": extra,
        "competencies": mapped_competencies_first(entry),
    }
    status = 200
    if request.method == "POST":
        form = EvidenceForm(request.POST, request.FILES, **form_args)
        if form.is_valid():
            try:
                evidence = evidence_add(
                    entry=entry,
                    by=user,  # type: ignore[arg-type]
                    data=form.to_input(),
                    upload=form.cleaned_data.get("file"),
                )
            except ServiceError as error:
                if wants_json(request):
                    return refusal_json(error)
                form.add_error(_error_field(form, error), error.message)
                status = status_for(error.code)
            else:
                if wants_json(request):
                    return JsonResponse(
                        {"id": evidence.pk, "entry": entry.pk, "kind": evidence.kind}, status=201
                    )
                messages.success(request, "Evidence added.")
                return redirect(f"{back}#evidence-{evidence.pk}")
        else:
            if wants_json(request):
                return _form_json(form)
            status = 400
    else:
        initial: dict[str, Any] = {"kind": kind}
        if extra is not None and ref is not None:
            initial.update(target=ref.target, version=ref.version)
        form = EvidenceForm(initial=initial, **form_args)
    context.update(
        kind=kind,
        kind_label=Kind(kind).label,
        form=form,
        query=query,
        ref_problem=ref_problem,
        no_targets=kind in (Kind.RESOURCE, Kind.POST, Kind.SESSION, Kind.GOAL, Kind.TRAINING)
        and not form_args["targets"]
        and extra is None,
    )
    return render(request, "journals/evidence_add.html", context, status=status)


# --- editing, removing, reordering --------------------------------------------------------


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int, evidence_id: int) -> HttpResponse:
    entry = _editable(request, pk)
    evidence = _evidence_of(entry, evidence_id)
    competencies = mapped_competencies_first(entry)
    status = 200
    if request.method == "POST":
        form = EvidenceEditForm(request.POST, kind=evidence.kind, competencies=competencies)
        if form.is_valid():
            data = form.cleaned_data
            try:
                evidence_update(
                    evidence=evidence,
                    by=request.user,  # type: ignore[arg-type]
                    annotation=data.get("annotation") or "",
                    competency=data.get("competency"),
                    label=data.get("label") if "label" in form.fields else None,
                )
            except ServiceError as error:
                if wants_json(request):
                    return refusal_json(error)
                form.add_error(_error_field(form, error), error.message)
                status = status_for(error.code)
            else:
                if wants_json(request):
                    return JsonResponse({"id": evidence.pk, "entry": entry.pk})
                messages.success(request, "Evidence saved.")
                return redirect(f"{_back(request, entry)}#evidence-{evidence.pk}")
        else:
            if wants_json(request):
                return _form_json(form)
            status = 400
    else:
        form = EvidenceEditForm(
            initial={
                "label": evidence.label,
                "annotation": evidence.annotation,
                "competency": evidence.competency_id,
            },
            kind=evidence.kind,
            competencies=competencies,
        )
    return render(
        request,
        "journals/evidence_edit.html",
        {
            "entry": entry,
            "item": evidence_view(request.user, evidence),
            "form": form,
            "back": _back(request, entry),
            "next": "edit" if (request.POST or request.GET).get("next") == "edit" else "",
        },
        status=status,
    )


@require_POST
def remove(request: HttpRequest, pk: int, evidence_id: int) -> HttpResponse:
    entry = _editable(request, pk)
    evidence = _evidence_of(entry, evidence_id)
    back = _back(request, entry)
    try:
        evidence_remove(evidence=evidence, by=request.user)  # type: ignore[arg-type]
    except ServiceError as error:
        return refuse(request, error, back_to=back)
    if wants_json(request):
        return JsonResponse({"removed": evidence_id, "entry": entry.pk})
    messages.success(request, "Evidence removed from the entry.")
    return redirect(f"{back}#evidence")


@require_POST
def move(request: HttpRequest, pk: int, evidence_id: int) -> HttpResponse:
    entry = _editable(request, pk)
    evidence = _evidence_of(entry, evidence_id)
    back = _back(request, entry)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        return refuse(request, ServiceError("Move it up or down.", code="invalid"), back_to=back)
    try:
        evidence_move(
            evidence=evidence,
            by=request.user,  # type: ignore[arg-type]
            offset=-1 if direction == "up" else 1,
        )
    except ServiceError as error:
        return refuse(request, error, back_to=back)
    if wants_json(request):
        order = list(entry.evidence.order_by("order", "pk").values_list("pk", flat=True))
        return JsonResponse({"entry": entry.pk, "order": order})
    return redirect(f"{back}#evidence-{evidence.pk}")


# --- "use as evidence" --------------------------------------------------------------------


def _my_entries(user: Any) -> list[Entry]:
    return list(
        Entry.objects.filter(author_id=user.pk, deleted_at__isnull=True)
        .only("pk", "title", "written_on", "updated_at")
        .order_by("-updated_at", "-pk")[:RECENT_ENTRIES]
    )


def _citing(entries: list[Entry], ref: EvidenceRef) -> set[int]:
    """Which of ``entries`` already cite what ``ref`` names (one query)."""
    column = {
        Kind.RESOURCE: "resource_id",
        Kind.POST: "post_id",
        Kind.SESSION: "session_id",
        Kind.GOAL: "goal_id",
        Kind.TRAINING: "completion_id",
    }[Kind(ref.kind)]
    return set(
        Evidence.objects.filter(Q(**{column: ref.target}), entry__in=[e.pk for e in entries])
        .values_list("entry_id", flat=True)
        .distinct()
    )


@login_required
@require_http_methods(["GET", "POST"])
def use_as_evidence(request: HttpRequest) -> HttpResponse:
    """``/journal/use/?evidence=KIND:ID[:VERSION]``: start a new entry citing it, or add it
    to one of the person's latest entries. What they may not cite is a 404 (whether it
    does not exist or is not theirs to see); what they see but may not cite (someone
    else's post, a session they missed) says why."""
    user = request.user
    raw = request.GET.get("evidence") or request.POST.get("evidence") or ""
    ref = parse_ref(raw)
    if ref is None:
        raise Http404("No such page.")
    data = EvidenceInput(kind=ref.kind, target=ref.target, version=ref.version)
    try:
        values = evidence_target(by=user, data=data)  # type: ignore[arg-type]
    except ServiceError as error:
        if error.code == "not_found":
            raise not_found() from None
        if wants_json(request):
            return refusal_json(error)
        return render(
            request,
            "journals/use_as_evidence.html",
            {"problem": error.message, "ref": ref},
            status=status_for(error.code),
        )
    entries = _my_entries(user)
    citing = _citing(entries, ref)
    choices = [
        (e.pk, f"{e.title} ({e.written_on:%d %b %Y})" + (" — cites it already" * (e.pk in citing)))
        for e in entries
    ]
    form_args: dict[str, Any] = {
        "entries": choices,
        "competencies": mapped_competencies_first(None),
    }
    status = 200
    if request.method == "POST":
        form = UseAsEvidenceForm(request.POST, **form_args)
        if form.is_valid():
            entry = permissions.access_entry(user, entry_id=form.cleaned_data["entry"], need="edit")
            data.annotation = form.cleaned_data.get("annotation") or ""
            data.competency = form.cleaned_data.get("competency")
            try:
                evidence = evidence_add(entry=entry, by=user, data=data)  # type: ignore[arg-type]
            except ServiceError as error:
                if wants_json(request):
                    return refusal_json(error)
                form.add_error(_error_field(form, error), error.message)
                status = status_for(error.code)
            else:
                if wants_json(request):
                    return JsonResponse(
                        {"id": evidence.pk, "entry": entry.pk, "kind": evidence.kind}, status=201
                    )
                messages.success(request, f"Added to “{entry.title}” as evidence.")
                return redirect(f"{entry.get_absolute_url()}#evidence-{evidence.pk}")
        else:
            if wants_json(request):
                return _form_json(form)
            status = 400
    else:
        form = UseAsEvidenceForm(**form_args)
    shown = describe_target(values)
    query = urlencode({"evidence": str(ref)})
    return render(
        request,
        "journals/use_as_evidence.html",
        {
            "ref": ref,
            "target": shown,
            "kind_label": Kind(ref.kind).label,
            "form": form,
            "has_entries": bool(entries),
            "new_entry_url": f"{reverse('journals:entry_new')}?{query}",
        },
        status=status,
    )
