"""(C) The community partner's page: a letter link, opened without an account.

The token in the URL is the only key: it shows the applicant's name, the area and the
request text, and takes one letter. Nothing else of the packet or the site is reachable
through it. Every request counts against a daily allowance per client address (guessing
links is pointless with 256-bit tokens, but it should also be expensive), and the page is
never cached or indexed, and its address (the token) is never sent as a referrer.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from core import quota
from core.errors import ServiceError, status_for
from core.http import client_address
from packets.forms_letters import PartnerLetterForm
from packets.services.common import PacketError
from packets.services.letters import letter_for_token, letter_submit

# Opening and sending, per client address and day.
VISITS_PER_DAY = 200
SENDS_PER_DAY = 20


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    # The origin only, never the path that holds the token ("no-referrer" would make the
    # browser send "Origin: null" with the form, which the CSRF check rightly refuses).
    response["Referrer-Policy"] = "strict-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _refused(request: HttpRequest, error: PacketError) -> HttpResponse:
    return _private(
        render(
            request,
            "packets/partner_gone.html",
            {"reason": error.message, "code": error.code},
            status=status_for(error.code),
        )
    )


def _limited(request: HttpRequest, name: str, limit: int) -> bool:
    return not quota.take(name, client_address(request) or "unknown", limit=limit)


@require_http_methods(["GET", "POST"])
def partner_letter(request: HttpRequest, token: str) -> HttpResponse:
    if _limited(request, "packets.partner_visit", VISITS_PER_DAY) or (
        request.method == "POST" and _limited(request, "packets.partner_send", SENDS_PER_DAY)
    ):
        return _refused(
            request,
            PacketError(
                "Too many attempts from your network today. Please try again tomorrow.",
                code="rate_limited",
            ),
        )
    try:
        letter = letter_for_token(token)
    except PacketError as exc:
        return _refused(request, exc)
    form = PartnerLetterForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                letter_submit(
                    token=token,
                    signed_by=form.cleaned_data["signed_by"],
                    text=form.cleaned_data["letter_text"],
                    upload=form.cleaned_data["letter_file"],
                )
            except PacketError as exc:
                if exc.code in {"not_found", "expired"}:
                    return _refused(request, exc)
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = status_for(exc.code)
            except ServiceError as exc:  # the upload module's refusals (FileError)
                form.add_error("letter_file", exc.message)
                status = status_for(exc.code)
            else:
                return _private(redirect("packets:partner_thanks"))
        else:
            status = 400
    context = {
        "applicant": letter.packet.owner.display_name,
        "area": letter.packet.area.name,
        "request_text": letter.message,
        "partner_name": letter.partner_name,
        "expires_at": letter.expires_at,
        "form": form,
    }
    return _private(render(request, "packets/partner_letter.html", context, status=status))


@require_GET
def thanks(request: HttpRequest) -> HttpResponse:
    return _private(render(request, "packets/partner_thanks.html"))
