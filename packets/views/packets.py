"""(A) The packet list, "new packet", and the packet page with its own forms (status,
sharing with a confirm step, the self-assessment shown, feedback). Each other part of the
packet page (artifacts, development list, readiness, letters, exports) gets its context
from its own selector.

Every packet is fetched through :func:`packets.permissions.access_packet` (the same 404 for
one that does not exist and one the person may not see or change); the services decide
the rest, and a refusal is shown at its field with what was typed kept (status 400, or 409
for a change based on an older version of the packet)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import ServiceError, status_for
from journals.models import SelfAssessment
from packets import forms
from packets.models import Packet
from packets.permissions import access_packet, can_comment_packet, can_edit_packet
from packets.selectors import packets as selectors
from packets.selectors.artifacts import artifacts_context
from packets.selectors.development import development_context
from packets.selectors.exports import exports_context
from packets.selectors.letters import letters_context
from packets.selectors.readiness import readiness_context
from packets.services import packets as services
from packets.services.comments import packet_comment_create
from packets.services.packets import StalePacket

PARTS = (
    readiness_context,
    artifacts_context,
    development_context,
    letters_context,
    exports_context,
)


def part_contexts(packet: Any, viewer: Any) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for part in PARTS:
        context.update(part(packet, viewer))
    return context


# --- the list and a new packet ----------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "packets/home.html",
        {
            "mine": selectors.my_packets(request.user),
            "shared": selectors.packets_shared_with(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        form = forms.NewPacketForm(initial={"area": request.GET.get("area")})
        return render(request, "packets/new.html", {"form": form})
    form = forms.NewPacketForm(request.POST)
    if form.is_valid():
        try:
            made = services.packet_create(
                owner=request.user,
                area=form.cleaned_data["area"],
                period=form.cleaned_data["period"],
            )
        except ServiceError as error:
            form.add_error(forms.field_for_error(form, error), error.message)
        else:
            messages.success(
                request, f"Your {made.area.name} packet is ready to fill in. Only you can read it."
            )
            return redirect(made.get_absolute_url())
    return render(request, "packets/new.html", {"form": form}, status=400)


# --- the packet page --------------------------------------------------------------------------


def _page(
    request: HttpRequest,
    found: Packet,
    *,
    status: int = 200,
    status_form: forms.StatusForm | None = None,
    assessment_form: forms.AssessmentForm | None = None,
    comment_form: forms.CommentForm | None = None,
    stale: str = "",
) -> HttpResponse:
    user = request.user
    packet = selectors.packet_for_page(found.pk)
    is_owner = can_edit_packet(user, packet)
    context: dict[str, Any] = {
        "packet": packet,
        "is_owner": is_owner,
        "can_comment": can_comment_packet(user, packet),
        "stale": stale,
        **selectors.core_context(packet, user),
    }
    if is_owner:
        context["status_form"] = status_form or forms.StatusForm(
            initial={
                "status": packet.status,
                "submitted_on": packet.submitted_on,
                "version": packet.version,
            }
        )
        context["assessment_form"] = assessment_form or forms.AssessmentForm(
            initial={"assessment": packet.assessment_id or "", "version": packet.version},
            choices=context["assessment_choices"],
        )
    if context["can_comment"]:
        context["comment_form"] = comment_form or forms.CommentForm()
    context.update(part_contexts(packet, user))
    return render(request, "packets/packet.html", context, status=status)


@login_required
@require_GET
def packet(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, access_packet(request.user, packet_id=pk))


def _refused(request: HttpRequest, found: Packet, error: ServiceError, **forms_: Any) -> Any:
    if isinstance(error, StalePacket):
        return _page(request, found, status=409, stale=error.message)
    for form in forms_.values():
        form.add_error(forms.field_for_error(form, error), error.message)
    return _page(request, found, status=status_for(error.code), **forms_)


@login_required
@require_POST
def status(request: HttpRequest, pk: int) -> HttpResponse:
    found = access_packet(request.user, packet_id=pk, need="edit")
    form = forms.StatusForm(request.POST)
    if not form.is_valid():
        return _page(request, found, status=400, status_form=form)
    try:
        saved = services.packet_set_status(
            packet=found,
            by=request.user,
            status=form.cleaned_data["status"],
            submitted_on=form.cleaned_data["submitted_on"],
            version=form.cleaned_data["version"],
        )
    except ServiceError as error:
        return _refused(request, found, error, status_form=form)
    messages.success(request, f"Status: {saved.get_status_display().lower()}.")
    return redirect(saved.get_absolute_url() + "#status")


@login_required
@require_POST
def assessment(request: HttpRequest, pk: int) -> HttpResponse:
    found = access_packet(request.user, packet_id=pk, need="edit")
    choices = selectors.assessment_choices(found)
    form = forms.AssessmentForm(request.POST, choices=choices)
    if not form.is_valid():
        return _page(request, found, status=400, assessment_form=form)
    chosen_id = form.cleaned_data["assessment"]
    chosen = SelfAssessment.objects.filter(pk=chosen_id).first() if chosen_id else None
    try:
        saved = services.packet_choose_assessment(
            packet=found, by=request.user, assessment=chosen, version=form.cleaned_data["version"]
        )
    except ServiceError as error:
        return _refused(request, found, error, assessment_form=form)
    messages.success(request, "The self-assessment shown is updated.")
    return redirect(saved.get_absolute_url() + "#self-assessment")


@login_required
@require_POST
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    found = access_packet(request.user, packet_id=pk, need="comment")
    form = forms.CommentForm(request.POST)
    if not form.is_valid():
        return _page(request, found, status=400, comment_form=form)
    try:
        packet_comment_create(packet=found, by=request.user, body=form.cleaned_data["body"])
    except ServiceError as error:
        return _refused(request, found, error, comment_form=form)
    messages.success(request, "Your comment is posted.")
    return redirect(found.get_absolute_url() + "#feedback")


# --- sharing ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def share(request: HttpRequest, pk: int) -> HttpResponse:
    """Share for feedback: choose one of your cohorts, see who will read it, confirm."""
    found = access_packet(request.user, packet_id=pk, need="edit")
    cohorts = selectors.share_choices(found)
    code = 200
    if request.method == "POST":
        form = forms.ShareForm(request.POST, cohorts=cohorts)
        code = 400
        if form.is_valid():
            try:
                saved = services.packet_share(
                    packet=found,
                    by=request.user,
                    cohort=form.cleaned_data["cohort"],
                    version=form.cleaned_data["version"],
                )
            except StalePacket as stale:
                # Based on the packet as it stands now: confirming again is a fresh choice.
                found = stale.current
                data = request.POST.copy()
                data["version"] = str(found.version)
                form = forms.ShareForm(data, cohorts=cohorts)
                form.is_valid()
                form.add_error(None, stale.message)
                code = 409
            except ServiceError as error:
                form.add_error(forms.field_for_error(form, error), error.message)
                code = status_for(error.code)
            else:
                messages.success(
                    request,
                    f"Shared with the facilitators of {saved.shared_with.title}. "  # type: ignore[union-attr]
                    "They can read it and comment; only you can change it.",
                )
                return redirect(saved.get_absolute_url() + "#sharing")
    else:
        form = forms.ShareForm(
            initial={"cohort": found.shared_with_id, "version": found.version}, cohorts=cohorts
        )
    return render(
        request,
        "packets/share.html",
        {"packet": found, "form": form, "cohorts": cohorts},
        status=code,
    )


@login_required
@require_http_methods(["GET", "POST"])
def unshare(request: HttpRequest, pk: int) -> HttpResponse:
    found = access_packet(request.user, packet_id=pk, need="edit")
    if found.shared_with_id is None:
        messages.info(request, "This packet is not shared: only you can read it.")
        return redirect(found.get_absolute_url() + "#sharing")
    found = selectors.packet_for_page(found.pk)
    code = 200
    if request.method == "POST":
        form = forms.UnshareForm(request.POST)
        code = 400
        if form.is_valid():
            try:
                services.packet_unshare(
                    packet=found, by=request.user, version=form.cleaned_data["version"]
                )
            except StalePacket as stale:
                found = selectors.packet_for_page(found.pk)
                form = forms.UnshareForm({"version": str(stale.current.version)})
                form.is_valid()
                form.add_error(None, stale.message)
                code = 409
            except ServiceError as error:
                form.add_error(None, error.message)
                code = status_for(error.code)
            else:
                messages.success(request, "Unshared: only you can read it now.")
                return redirect(found.get_absolute_url() + "#sharing")
    else:
        form = forms.UnshareForm(initial={"version": found.version})
    return render(request, "packets/unshare.html", {"packet": found, "form": form}, status=code)
