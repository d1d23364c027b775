"""(A) A packet's section: the editor (a plain form, enhanced with autosave and a live word
count by static/js/packet_section.js), its autosave (JSON), the read-only page a reader
sees, and "quote a passage from an entry".

The autosave answers 200 with the new version, 409 with the section as it stands when the
save was based on an older version (nothing is overwritten), 400 with the message when the
input is refused, and the same 404 body as the API for a section that is missing or not
the caller's to edit. The plain form gets the same conflict view (both texts; keep mine,
take theirs, or merge) with status 409.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from core.api import NOT_FOUND_BODY
from core.errors import ServiceError, not_found, status_for
from packets import forms
from packets.models import Packet, Section
from packets.permissions import access_packet, can_edit_packet
from packets.selectors import packets as selectors
from packets.services.sections import StaleSection, section_quote_entry, section_update


def access_section(user: Any, packet_id: int, section_id: int, need: str = "view") -> Section:
    """The section of a packet ``user`` may view (or edit); the same 404 otherwise."""
    packet = access_packet(user, packet_id=packet_id, need=need)  # type: ignore[arg-type]
    section = (
        Section.objects.select_related("framing_question")
        .filter(pk=section_id, packet=packet)
        .first()
    )
    if section is None:
        raise not_found()
    section.packet = packet
    return section


def section_json(section: Section) -> dict[str, Any]:
    """The section as the editor compares it (a 409 carries it as ``current``)."""
    return {
        "id": section.pk,
        "version": section.version,
        "body": section.body,
        "word_count": section.word_count,
        "updated_at": section.updated_at.isoformat(),
    }


def _editor(
    request: HttpRequest,
    section: Section,
    form: forms.SectionForm,
    *,
    status: int = 200,
    current: Section | None = None,
) -> HttpResponse:
    packet: Packet = section.packet
    return render(
        request,
        "packets/section_form.html",
        {
            "packet": packet,
            "section": section,
            "form": form,
            "current": current,
            "limit": selectors.section_limit(section, packet),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def section(request: HttpRequest, pk: int, section_pk: int) -> HttpResponse:
    found = access_section(request.user, pk, section_pk)
    if not can_edit_packet(request.user, found.packet):
        # A reader (a facilitator it is shared with) reads the section; only the owner edits.
        if request.method == "POST":
            raise not_found()
        return render(
            request,
            "packets/section.html",
            {
                "packet": found.packet,
                "section": found,
                "limit": selectors.section_limit(found, found.packet),
            },
        )
    if request.method != "POST":
        form = forms.SectionForm(initial={"body": found.body, "version": found.version})
        return _editor(request, found, form)
    form = forms.SectionForm(request.POST)
    if not form.is_valid():
        return _editor(request, found, form, status=400)
    try:
        saved = section_update(
            section=found,
            by=request.user,
            body=form.cleaned_data["body"],
            version=form.cleaned_data["version"],
        )
    except StaleSection as stale:
        # Both texts side by side: the saved one, and the person's kept in the form, now
        # based on the current version (saving again is a choice made with both in view).
        data = request.POST.copy()
        data["version"] = str(stale.current.version)
        form = forms.SectionForm(data)
        form.is_valid()
        form.add_error(None, stale.message)
        stale.current.packet = found.packet
        return _editor(request, found, form, status=409, current=stale.current)
    except ServiceError as error:
        form.add_error(forms.field_for_error(form, error), error.message)
        return _editor(request, found, form, status=status_for(error.code))
    messages.success(request, f"“{saved.title}” is saved ({saved.word_count} words).")
    return redirect(reverse("packets:packet", args=[found.packet_id]) + f"#section-{saved.pk}")


def _bad(detail: str, code: str = "invalid", status: int = 400, **extra: Any) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": code, **extra}, status=status)


@require_POST
def section_autosave(request: HttpRequest, pk: int, section_pk: int) -> JsonResponse:
    """Save what the editor holds (``{"body": ..., "version": N}``), based on ``version``."""
    try:
        found = access_section(request.user, pk, section_pk, need="edit")
    except Http404:
        return JsonResponse(dict(NOT_FOUND_BODY), status=404)
    try:
        data = json.loads(request.body or b"null")
    except RequestDataTooBig:
        return _bad("The section is too large to save.", code="too_large", status=413)
    except ValueError:
        return _bad("The request is not valid JSON.")
    if not isinstance(data, dict) or not isinstance(data.get("body"), str):
        return _bad("Send the section as a JSON object with its body and version.")
    version = data.get("version")
    if isinstance(version, str) and version.isdigit():
        version = int(version)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        return _bad("The editor lost track of the version it is based on: reload the page.")
    try:
        saved = section_update(section=found, by=request.user, body=data["body"], version=version)
    except StaleSection as stale:
        return JsonResponse(
            {
                "detail": stale.message,
                "code": stale.code,
                "current": section_json(stale.current),
            },
            status=409,
        )
    except ServiceError as error:
        extra = {"field": error.field} if getattr(error, "field", None) else {}  # type: ignore[attr-defined]
        return _bad(error.message, code=error.code, status=status_for(error.code), **extra)
    return JsonResponse(
        {**section_json(saved), "saved_at": saved.updated_at.isoformat()}, status=200
    )


@login_required
@require_http_methods(["GET", "POST"])
def section_quote(request: HttpRequest, pk: int, section_pk: int) -> HttpResponse:
    """Quote a passage: choose one of your entries (``?entry=``), then one of its
    paragraphs; it is added to the end of the section as a quote linking back to it."""
    found = access_section(request.user, pk, section_pk, need="edit")
    owner = found.packet.owner
    entries = selectors.quotable_entries(owner)
    source = request.POST if request.method == "POST" else request.GET
    entry = selectors.quotable_entry(owner, source.get("entry")) if source.get("entry") else None
    passages = selectors.entry_paragraphs(entry) if entry else []
    code = 200
    if request.method == "POST":
        form = forms.QuoteForm(request.POST, entries=entries, passages=passages)
        code = 400
        if form.is_valid() and entry is not None:
            try:
                saved = section_quote_entry(
                    section=found,
                    by=request.user,
                    entry=entry,
                    paragraph=form.cleaned_data["paragraph"],
                )
            except ServiceError as error:
                form.add_error(forms.field_for_error(form, error), error.message)
                code = status_for(error.code)
            else:
                messages.success(request, f"The passage from “{entry.title}” is quoted.")
                return redirect(
                    reverse("packets:section", args=[found.packet_id, saved.pk]) + "#id_body"
                )
    else:
        initial = {"entry": entry.pk} if entry else {}
        form = forms.QuoteForm(initial=initial, entries=entries, passages=passages)
        if source.get("entry") and entry is None:
            code = 404
    return render(
        request,
        "packets/section_quote.html",
        {
            "packet": found.packet,
            "section": found,
            "form": form,
            "entries": entries,
            "entry": entry,
            "passages": passages,
        },
        status=code,
    )
