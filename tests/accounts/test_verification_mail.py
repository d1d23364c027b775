"""The sign-up verification e-mail speaks as Commonplace, and the "verify your e-mail" page
sends it again on request, within allauth's confirm_email limit."""

from __future__ import annotations

import re
import time
import types
from typing import Any

import pytest
from allauth.core.internal import ratelimit
from django.core import mail
from django.test import Client

from accounts.models import User

pytestmark = pytest.mark.django_db

SITE_URL = "http://127.0.0.1:8765"
RESEND = "/accounts/verification/resend/"


@pytest.fixture(autouse=True)
def _site_url(settings: Any) -> None:
    settings.SITE_URL = SITE_URL
    settings.ALLOWED_HOSTS = ["*"]


def _signup(client: Client, email: str = "new.person@example.org") -> Any:
    return client.post(
        "/accounts/signup/",
        {
            "email": email,
            "name": "New Person",
            "time_zone": "America/Chicago",
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
        },
    )


def _later(monkeypatch: pytest.MonkeyPatch, seconds: int) -> None:
    """allauth's rate-limit clock moved ``seconds`` ahead."""
    now = time.time() + seconds
    clock = types.SimpleNamespace(time=lambda: now, monotonic=time.monotonic, sleep=time.sleep)
    monkeypatch.setattr(ratelimit, "time", clock)


def _messages(response: Any) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_verification_mail_names_commonplace_and_its_address_not_the_host() -> None:
    client = Client(HTTP_HOST="127.0.0.1:8765")
    assert _signup(client).status_code == 302
    [message] = mail.outbox
    assert message.subject == "[Commonplace] Confirm your e-mail address to finish signing up"
    body = message.body
    assert body.startswith("Hello New Person,")
    assert "Welcome to Commonplace." in body
    assert "Hello from" not in body and "Thank you for using" not in body
    # The link and the signature use the address the site is served on.
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", body)
    assert link and link.group(0).startswith(SITE_URL + "/")
    assert body.rstrip().endswith(f"— Commonplace\n{SITE_URL}")


def test_verification_mail_never_names_the_site_after_the_request_host() -> None:
    client = Client(HTTP_HOST="commonplace.internal:9000")
    _signup(client)
    body = mail.outbox[-1].body
    # Only the link itself carries the host the request came to.
    assert body.count("commonplace.internal") == 1
    assert f"— Commonplace\n{SITE_URL}" in body


def test_verify_page_offers_to_send_the_link_again() -> None:
    client = Client()
    page = client.get(_signup(client)["Location"]).content.decode()
    assert f'<form method="post" action="{RESEND}"' in page
    assert "Send the link again" in page
    assert client.get(RESEND).status_code == 405


def test_resend_is_limited_then_sends_the_link_again(monkeypatch: pytest.MonkeyPatch) -> None:
    client = Client()
    _signup(client)
    assert len(mail.outbox) == 1

    # Right after signing up, the limit (one message per address per 3 minutes) holds.
    too_soon = client.post(RESEND, follow=True)
    assert too_soon.redirect_chain[-1][0] == "/accounts/confirm-email/"
    assert "no new one went out yet" in _messages(too_soon)
    assert len(mail.outbox) == 1

    _later(monkeypatch, 181)
    again = client.post(RESEND, follow=True)
    assert again.redirect_chain[-1][0] == "/accounts/confirm-email/"
    assert "Confirmation email sent to new.person@example.org" in _messages(again)
    assert len(mail.outbox) == 2
    first, second = (re.search(r"confirm-email/\S+/", m.body) for m in mail.outbox)
    assert first and second
    assert mail.outbox[1].to == ["new.person@example.org"]
    assert mail.outbox[1].subject.startswith("[Commonplace] Confirm your e-mail address")

    # And limited again.
    client.post(RESEND)
    assert len(mail.outbox) == 2


def test_resend_for_an_address_with_an_account_answers_the_same(
    member: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = Client()
    assert _signup(client, email=member.email)["Location"] == "/accounts/confirm-email/"
    _later(monkeypatch, 181)
    again = client.post(RESEND, follow=True)
    assert again.redirect_chain[-1][0] == "/accounts/confirm-email/"
    assert f"Confirmation email sent to {member.email}" in _messages(again)
    # The owner is told someone tried to sign up with their address; nothing else changes.
    assert mail.outbox[-1].to == [member.email]
    assert "Commonplace" in mail.outbox[-1].subject


def test_resend_without_a_sign_up_waiting_says_how_to_get_a_link() -> None:
    response = Client().post(RESEND, follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/"
    assert "There is no sign-up waiting in this browser" in _messages(response)
    assert mail.outbox == []


def test_resend_after_confirming_elsewhere_says_to_sign_in(monkeypatch: pytest.MonkeyPatch) -> None:
    client = Client()
    _signup(client)
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", mail.outbox[0].body)
    assert link
    assert Client().post(link.group(1)).status_code == 302  # opened on another device
    _later(monkeypatch, 181)
    response = client.post(RESEND, follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/"
    assert "already confirmed" in _messages(response)
    assert len(mail.outbox) == 1
