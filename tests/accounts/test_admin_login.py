"""The admin has no login of its own: /admin/login/ hands over to the site's sign-in, so the
second factor and the login rate limits apply to staff too."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client

from accounts.models import User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_staff(staff: User) -> User:
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    return staff


def test_admin_login_with_the_right_password_gives_no_session(admin_staff: User) -> None:
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/", {"username": admin_staff.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert target.path == "/accounts/login/"
    assert parse_qs(target.query)["next"] == ["/admin/"]
    assert "_auth_user_id" not in client.session


def test_admin_login_with_totp_on_lands_on_the_second_factor_step(admin_staff: User) -> None:
    TOTP.activate(admin_staff, generate_totp_secret())
    client = Client()
    handover = client.get("/admin/login/?next=/admin/")
    assert handover.status_code == 302
    first = client.post(handover["Location"], {"login": admin_staff.email, "password": PASSWORD})
    assert first.status_code == 302
    assert first["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302  # still not in


def test_repeated_wrong_passwords_through_the_admin_are_throttled(admin_staff: User) -> None:
    client = Client()
    pages = []
    for _ in range(12):
        handover = client.post(
            "/admin/login/?next=/admin/", {"username": admin_staff.email, "password": "wrong"}
        )
        assert handover.status_code == 302
        pages.append(
            client.post(handover["Location"], {"login": admin_staff.email, "password": "wrong"})
        )
    assert "Too many failed login attempts" not in pages[0].content.decode()
    assert "Too many failed login attempts" in pages[-1].content.decode()
    assert "_auth_user_id" not in client.session


def test_staff_reach_the_admin_after_the_site_sign_in(admin_staff: User) -> None:
    client = Client()
    handover = client.get("/admin/login/?next=/admin/")
    signed_in = client.post(
        handover["Location"], {"login": admin_staff.email, "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    assert signed_in["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_signed_in_non_staff_are_refused_at_the_admin_login(member_client: Client) -> None:
    assert member_client.get("/admin/login/").status_code == 403
