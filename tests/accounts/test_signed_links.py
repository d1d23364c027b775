"""Signed links (one-click unsubscribe, e-mail confirmation) cannot be forged with the key
that used to be published in config/settings.py, and their pages never show the address
they speak for."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.core import signing
from django.test import Client

from accounts.models import NotificationPreference, User
from accounts.services import UNSUBSCRIBE_SALT, unsubscribe_token

pytestmark = pytest.mark.django_db

PUBLISHED_KEY = "django-insecure-development-only-key-never-use-in-production"


def _unsubscribe(token: str) -> str:
    return f"/accounts/notifications/unsubscribe/{token}/"


@pytest.fixture
def unverified(make_user) -> EmailAddress:
    person = make_user("newcomer@example.org")
    address = EmailAddress.objects.get(user=person)
    address.verified = False
    address.save(update_fields=["verified"])
    return address


def test_unsubscribe_link_forged_with_the_published_key_is_refused(member: User) -> None:
    forged = signing.dumps(
        {"u": member.pk, "k": ["discussions.reply"]}, salt=UNSUBSCRIBE_SALT, key=PUBLISHED_KEY
    )
    page = Client().get(_unsubscribe(forged))
    assert page.status_code == 400
    assert member.email not in page.content.decode()
    assert Client().post(_unsubscribe(forged)).status_code == 400
    assert not NotificationPreference.objects.exists()


def test_unsubscribe_pages_do_not_show_the_address(member: User) -> None:
    token = unsubscribe_token(user=member, kinds=["discussions.reply"])
    ask = Client().get(_unsubscribe(token)).content.decode()
    done = Client().post(_unsubscribe(token)).content.decode()
    for html in (ask, done):
        assert "New posts in threads you follow" in html
        assert member.email not in html
        assert "member@" not in html


def test_confirmation_key_forged_with_the_published_key_is_refused(
    unverified: EmailAddress,
) -> None:
    forged = signing.dumps(obj=unverified.pk, salt="account", key=PUBLISHED_KEY)
    client = Client()
    page = client.get(f"/accounts/confirm-email/{forged}/")
    html = page.content.decode()
    assert "expired or is invalid" in html
    assert unverified.email not in html
    client.post(f"/accounts/confirm-email/{forged}/")
    unverified.refresh_from_db()
    assert not unverified.verified


def test_confirmation_page_does_not_show_the_address_to_an_anonymous_visitor(
    unverified: EmailAddress,
) -> None:
    key = EmailConfirmationHMAC(unverified).key
    client = Client()
    page = client.get(f"/accounts/confirm-email/{key}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Confirm" in html
    assert unverified.email not in html
    as_json = client.get(f"/accounts/confirm-email/{key}/", HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert unverified.email not in as_json.content.decode()
    # Confirming still works from the page.
    client.post(f"/accounts/confirm-email/{key}/")
    unverified.refresh_from_db()
    assert unverified.verified


def test_confirmation_page_shows_the_address_to_its_signed_in_owner(
    unverified: EmailAddress,
) -> None:
    client = Client()
    client.force_login(unverified.user)
    key = EmailConfirmationHMAC(unverified).key
    html = client.get(f"/accounts/confirm-email/{key}/").content.decode()
    assert unverified.email in html
