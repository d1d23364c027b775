"""The facilitator console: requests, the waitlist, invitations, members and sessions on one
page. Every view here answers 404 to anyone who does not facilitate the cohort."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cohorts import selectors, services
from cohorts.forms_console import DecisionForm, InviteForm, RemoveForm, TemplateForm
from cohorts.models import Cohort, Invitation, Membership
from cohorts.permissions import access_cohort
from cohorts.services import CohortError
from cohorts.services.membership import places_left

M = Membership


def _console_context(cohort: Cohort, **extra: Any) -> dict[str, Any]:
    now = timezone.now()
    sessions = list(selectors.sessions_of(cohort))
    members = list(selectors.members_of(cohort))
    rhythm = selectors.rhythm_of(cohort, sessions)
    context = {
        "cohort": cohort,
        "requests": list(selectors.pending_requests(cohort)),
        "waitlist": list(selectors.waitlist(cohort)),
        "invitations": list(selectors.open_invitations(cohort)),
        "facilitators": [m for m in members if m.role == M.Role.FACILITATOR],
        "members": [m for m in members if m.role == M.Role.MEMBER],
        "upcoming": [s for s in sessions if s.ends_at >= now],
        "past": [s for s in sessions if s.ends_at < now][::-1],
        "has_sessions": bool(sessions),
        "places_left": places_left(cohort),
        "now": now,
        "invite_form": InviteForm(),
        "template_form": TemplateForm(initial=TemplateForm.initial_for(cohort)),
        "rhythm": rhythm,
        "cadence_disagrees": selectors.cadence_disagrees(cohort.cadence, rhythm),
    }
    context.update(extra)
    return context


@login_required
def console(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = access_cohort(request.user, slug=slug, need="facilitate")
    return render(request, "cohorts/console/console.html", _console_context(cohort))


@login_required
@require_POST
def request_decide(request: HttpRequest, slug: str, pk: int, decision: str) -> HttpResponse:
    cohort = access_cohort(request.user, slug=slug, need="facilitate")
    membership = get_object_or_404(
        M.objects.select_related("user"),
        pk=pk,
        cohort=cohort,
        status__in=[M.Status.REQUESTED, M.Status.WAITLISTED],
    )
    form = DecisionForm(request.POST)
    if not form.is_valid():
        # Don't decide without the message the facilitator wrote.
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("cohorts:console", slug=cohort.slug)
    message = form.cleaned_data["message"]
    name = membership.user.display_name
    try:
        if decision == "accept":
            membership = services.membership_accept(
                membership=membership, by=request.user, message=message
            )
            if membership.status == M.Status.ACTIVE:
                messages.success(request, f"{name} is now a member.")
            else:
                messages.warning(
                    request, f"The cohort is full: {name} is on the waitlist and was told so."
                )
        elif decision == "decline":
            services.membership_decline(membership=membership, by=request.user, message=message)
            messages.success(request, f"{name} was told you could not offer a place.")
        else:  # the URL pattern allows only the two
            raise Http404
    except CohortError as exc:
        messages.error(request, exc.message)
    # Keyboard and screen-reader users land on the next request, not the top of the page.
    following = selectors.pending_requests(cohort).exclude(pk=membership.pk).first()
    where = f"request-{following.pk}" if following else "requests-h"
    return redirect(f"{reverse('cohorts:console', args=[cohort.slug])}#{where}")


@login_required
def member_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST removes."""
    cohort = access_cohort(request.user, slug=slug, need="facilitate")
    membership = get_object_or_404(
        M.objects.select_related("user"),
        pk=pk,
        cohort=cohort,
        status__in=[M.Status.ACTIVE, M.Status.WAITLISTED, M.Status.REQUESTED],
    )
    form = RemoveForm(request.POST if request.method == "POST" else None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_remove(
                membership=membership, by=request.user, message=form.cleaned_data["message"]
            )
        except CohortError as exc:
            error = exc.message
        else:
            messages.success(
                request, f"{membership.user.display_name} is no longer in “{cohort.title}”."
            )
            return redirect("cohorts:console", cohort.slug)
    return render(
        request,
        "cohorts/console/remove.html",
        {"cohort": cohort, "membership": membership, "form": form, "error": error},
        status=400 if error else 200,
    )


@login_required
@require_POST
def invite(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = access_cohort(request.user, slug=slug, need="facilitate")
    form = InviteForm(request.POST)
    if form.is_valid():
        emails = form.cleaned_data["emails"]
        try:
            # All or nothing: one refused address sends no invitation at all, so the
            # facilitator can fix the list and send it again without duplicates.
            services.invitations_create(
                cohort=cohort,
                by=request.user,
                emails=emails,
                role=form.cleaned_data["role"],
                message=form.cleaned_data["message"],
            )
        except CohortError as exc:
            form.add_error("emails", exc.message)
        else:
            count = len(emails)
            who = emails[0] if count == 1 else f"{count} people"
            messages.success(request, f"Invitation sent to {who}.")
            return redirect("cohorts:console", cohort.slug)
    context = _console_context(cohort, invite_form=form)
    return render(request, "cohorts/console/console.html", context, status=400)


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    cohort = access_cohort(request.user, slug=slug, need="facilitate")
    invitation = get_object_or_404(Invitation, pk=pk, cohort=cohort)
    try:
        services.invitation_revoke(invitation=invitation, by=request.user)
    except CohortError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"The invitation to {invitation.email} no longer works.")
    return redirect("cohorts:console", cohort.slug)
