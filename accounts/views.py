from __future__ import annotations

from typing import Any

from allauth.account.internal.flows.email_verification import (
    get_address_for_login,
    send_verification_email_at_login,
)
from allauth.account.internal.stagekit import unstash_login
from allauth.account.views import ConfirmEmailView as AllauthConfirmEmailView
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from accounts import notifications as notification_kinds
from accounts import permissions, services
from accounts.forms import ProfileForm
from accounts.models import Delivery, Notification, NotificationPreference, User


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    token = Token.objects.filter(user=request.user).first()
    return render(
        request,
        "accounts/profile.html",
        {"person": request.user, "is_self": True, "has_token": token is not None},
    )


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST if request.method == "POST" else None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.profile_update(
            user=request.user, **{f: form.cleaned_data[f] for f in form.Meta.fields}
        )
        messages.success(request, "Your profile is saved.")
        return redirect("accounts:profile")
    return render(request, "accounts/profile_edit.html", {"form": form})


@login_required
def person(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(permissions.people_visible_to(request.user), pk=pk)
    if person.pk == request.user.pk:
        return redirect("accounts:profile")
    return render(request, "accounts/person.html", {"person": person, "is_self": False})


@login_required
@require_POST
def api_token(request: HttpRequest) -> HttpResponse:
    token = services.api_token_reset(user=request.user)
    # Shown once, on this response only; it is never displayed again.
    return render(request, "accounts/api_token.html", {"token": token.key})


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    items = list(request.user.notifications.all()[:100])
    return render(request, "accounts/notifications.html", {"items": items})


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_read(user=request.user)
    messages.success(request, "All notifications marked as read.")
    return redirect("accounts:notifications")


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a notification from the inbox: mark it read, then go where it points. A POST,
    so no page on another site can mark someone's notifications read."""
    try:
        note = services.notification_set_read(user=request.user, notification_id=pk, read=True)
    except Notification.DoesNotExist:
        raise Http404 from None
    target = note.url
    if not target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("accounts:notifications")
    return HttpResponseRedirect(target, status=303)


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int, read: bool) -> HttpResponse:
    """Mark one notification read (``read``) or unread again, back to its place in the inbox."""
    try:
        services.notification_set_read(user=request.user, notification_id=pk, read=read)
    except Notification.DoesNotExist:
        raise Http404 from None
    return redirect(f"{reverse('accounts:notifications')}#notification-{pk}")


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    """Per kind, how the person hears by e-mail: at once, in the daily digest, or not."""
    chosen = dict(
        NotificationPreference.objects.filter(user=request.user).values_list("kind", "delivery")
    )
    kinds = notification_kinds.kinds()
    if request.method == "POST":
        for kind in kinds:
            value = request.POST.get(kind.kind)
            if value in Delivery.values and value != chosen.get(kind.kind, kind.default):
                services.notification_preference_set(
                    user=request.user, kind=kind.kind, delivery=value
                )
        messages.success(request, "Your notification settings are saved.")
        return redirect("accounts:notification_settings")
    rows = [
        {
            "kind": kind,
            "current": chosen.get(kind.kind, kind.default),
            "choices": [
                {"value": value, "label": label, "default": value == kind.default}
                for value, label in Delivery.choices
            ],
        }
        for kind in kinds
    ]
    return render(
        request,
        "accounts/notification_settings.html",
        {"rows": rows, "choices": Delivery.choices},
    )


@csrf_exempt  # the signed token is the credential; mail clients POST without a CSRF token
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One-click unsubscribe from a notification e-mail, without signing in. GET asks to
    confirm (link scanners must not unsubscribe anyone); POST applies, including the
    RFC 8058 ``List-Unsubscribe=One-Click`` POST that mail clients send."""
    try:
        person, kinds = services.unsubscribe_read(token)
    except signing.BadSignature:
        return render(request, "accounts/unsubscribe.html", {"invalid": True}, status=400)
    except User.DoesNotExist:
        raise Http404 from None
    labels = [notification_kinds.label(k) for k in kinds]
    done = False
    if request.method == "POST":
        services.notifications_unsubscribe(user=person, kinds=kinds)
        done = True
    # The link may have been forwarded: the page names the kinds of e-mail, never the address.
    return render(request, "accounts/unsubscribe.html", {"labels": labels, "done": done})


@require_POST
def verification_resend(request: HttpRequest) -> HttpResponse:
    """The "Send the link again" button of the "verify your e-mail" page.

    It re-sends the confirmation of the sign-up (or sign-in) this browser is in the middle
    of, as allauth stashed it in the session, within allauth's ``confirm_email`` rate limit
    (one message per address every few minutes). A sign-up with an address that already has
    an account goes through the same steps (allauth mails that address a note instead), so
    the answer never tells whether an address is registered.
    """
    if request.user.is_authenticated:
        return redirect("account_email")  # signed in: that page re-sends for any address
    login = unstash_login(request, peek=True)
    if login is None or (login.user is None and not login.email):
        messages.info(
            request,
            "There is no sign-up waiting in this browser any more. Sign in with your e-mail "
            "address and password: if the address is not confirmed yet, we send a new link.",
        )
        return redirect("account_login")
    if login.user is not None:
        address = get_address_for_login(login)
        if address is not None and address.verified:
            messages.info(request, "Your e-mail address is already confirmed: please sign in.")
            return redirect("account_login")
    # On success allauth adds its own message ("Confirmation email sent to …").
    if not send_verification_email_at_login(request, login):
        messages.warning(
            request,
            "We sent you a link only a few minutes ago, so no new one went out yet. It can "
            "take a few minutes to arrive: look in your spam folder too, then ask again.",
        )
    return redirect("account_email_verification_sent")


class ConfirmEmailView(AllauthConfirmEmailView):
    """allauth's e-mail confirmation page, naming the address only to its signed-in owner:
    whoever holds a forwarded or leaked link learns nothing about whose address it is."""

    def _shows_address(self) -> bool:
        user = self.request.user
        return bool(
            self.object and user.is_authenticated and user.pk == self.object.email_address.user_id
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["show_email"] = self._shows_address()
        if not ctx["show_email"]:
            ctx.pop("email", None)
        return ctx

    def get_ajax_data(self) -> dict[str, Any]:
        data = super().get_ajax_data()
        if not self._shows_address():
            data.pop("email", None)
            data.pop("user", None)
        return data
