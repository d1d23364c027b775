"""The page an invitation link opens.

The link is the secret: whoever holds a valid one may see which cohort it is for and accept
it. People without an account sign up (or sign in) with ``?next=`` pointing back here, so
after verifying their address they land on this page again and accept.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from cohorts import services
from cohorts.models import Membership
from cohorts.services import CohortError
from core.errors import status_for


def _refused(request: HttpRequest, token: str, error: CohortError) -> HttpResponse:
    # An unknown link is simply not found; a real one that can no longer be used is gone.
    return render(
        request,
        "cohorts/invitations/invalid.html",
        {"reason": error.message},
        status=status_for(error.code),
    )


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invite = services.invitation_for_token(token)
    except CohortError as exc:
        return _refused(request, token, exc)
    here = request.path
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?{urlencode({REDIRECT_FIELD_NAME: here})}")
        try:
            membership = services.invitation_accept(token=token, user=request.user)
        except CohortError as exc:
            return _refused(request, token, exc)
        cohort = invite.cohort
        if membership.status == Membership.Status.WAITLISTED:
            messages.warning(
                request,
                f"“{cohort.title}” is full right now: you are on its waitlist and will get "
                "the next free place.",
            )
        else:
            messages.success(request, f"Welcome to “{cohort.title}”!")
        return redirect("cohorts:detail", cohort.slug)
    next_query = urlencode({REDIRECT_FIELD_NAME: here})
    context = {
        "invitation": invite,
        "cohort": invite.cohort,
        "as_facilitator": invite.role == Membership.Role.FACILITATOR,
        "signup_url": f"{reverse('account_signup')}?{next_query}",
        "login_url": f"{reverse('account_login')}?{next_query}",
        "other_address": request.user.is_authenticated
        and request.user.email.lower() != invite.email.lower(),
    }
    return render(request, "cohorts/invitations/invitation.html", context)
