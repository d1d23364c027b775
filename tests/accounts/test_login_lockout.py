"""Wrong passwords for someone's e-mail do not lock them out from everywhere: failures are
limited per (account, client address), with a looser cap per account that only a guess
spread over many addresses can reach; the refusal points to the password reset link, which
still works."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from accounts.models import User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

REFUSED = "Too many failed login attempts"


def _login(client: Client, email: str, password: str) -> str:
    return client.post("/accounts/login/", {"login": email, "password": password}).content.decode()


def test_failures_from_one_address_leave_the_owner_free_elsewhere(member: User) -> None:
    attacker = Client(REMOTE_ADDR="203.0.113.66")
    pages = [_login(attacker, member.email, "wrong-password") for _ in range(5)]
    assert all(REFUSED not in page for page in pages)
    refused = _login(attacker, member.email, "wrong-password")
    assert REFUSED in refused
    assert 'href="/accounts/password/reset/"' in refused
    owner = Client(REMOTE_ADDR="198.51.100.20")
    response = owner.post("/accounts/login/", {"login": member.email, "password": PASSWORD})
    assert response.status_code == 302
    assert owner.session["_auth_user_id"] == str(member.pk)


def test_a_guess_spread_over_many_addresses_hits_the_account_cap(member: User) -> None:
    for n in range(60):
        page = _login(Client(REMOTE_ADDR=f"203.0.113.{n // 4}"), member.email, "wrong-password")
        assert REFUSED not in page, n
    fresh = Client(REMOTE_ADDR="198.51.100.99")
    refused = _login(fresh, member.email, "wrong-password")
    assert REFUSED in refused
    assert 'href="/accounts/password/reset/"' in refused
    # The cap holds for the right password too, until the owner resets it.
    assert REFUSED in _login(fresh, member.email, PASSWORD)
    assert "_auth_user_id" not in fresh.session


def test_the_password_reset_link_lifts_the_account_cap(member: User) -> None:
    for n in range(61):
        _login(Client(REMOTE_ADDR=f"203.0.113.{n // 4}"), member.email, "wrong-password")
    owner = Client(REMOTE_ADDR="198.51.100.20")
    assert REFUSED in _login(owner, member.email, PASSWORD)
    owner.post("/accounts/password/reset/", {"email": member.email})
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/[^\s]+)", mail.outbox[-1].body)
    assert link, mail.outbox[-1].body
    form = owner.get(link.group(1), follow=True)
    new_password = "a-brand-new-long-passphrase"
    done = owner.post(
        form.redirect_chain[-1][0] if form.redirect_chain else link.group(1),
        {"password1": new_password, "password2": new_password},
    )
    assert done.status_code == 302
    response = owner.post("/accounts/login/", {"login": member.email, "password": new_password})
    assert response.status_code == 302
    assert owner.session["_auth_user_id"] == str(member.pk)
