from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from accounts import permissions, services
from accounts.forms import ProfileForm


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
