from __future__ import annotations

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.conf import settings
from django.test import Client

from accounts.models import User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _code(secret: str, offset: int = 0) -> str:
    period = getattr(settings, "MFA_TOTP_PERIOD", 30)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period + offset))


def _sign_in(client: Client, user: User) -> None:
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302


def test_totp_with_recovery_codes_end_to_end(member: User) -> None:
    client = Client()
    _sign_in(client, member)
    # Turning on a second factor asks for the password again first.
    gate = client.get("/accounts/2fa/totp/activate/")
    assert gate.status_code == 302
    assert gate["Location"].startswith("/accounts/reauthenticate/")
    reauth = client.post(gate["Location"], {"password": PASSWORD})
    assert reauth.status_code == 302
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "data:image/svg+xml" in html  # the QR code, allowed by img-src data:
    secret = client.session[SECRET_SESSION_KEY]

    wrong = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})
    assert wrong.status_code == 200
    assert "Incorrect code" in wrong.content.decode()

    done = client.post("/accounts/2fa/totp/activate/", {"code": _code(secret)})
    assert done.status_code == 302
    assert Authenticator.objects.filter(user=member, type=Authenticator.Type.TOTP).exists()
    recovery = Authenticator.objects.get(user=member, type=Authenticator.Type.RECOVERY_CODES)
    codes = recovery.wrap().get_unused_codes()
    assert len(codes) >= 8

    # Signing in now asks for the second factor.
    client.post("/accounts/logout/")
    fresh = Client()
    first = fresh.post("/accounts/login/", {"login": member.email, "password": PASSWORD})
    assert first["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in fresh.session
    bad = fresh.post("/accounts/2fa/authenticate/", {"code": "123456"})
    assert bad.status_code == 200
    assert "_auth_user_id" not in fresh.session
    ok = fresh.post("/accounts/2fa/authenticate/", {"code": codes[0]})
    assert ok.status_code == 302
    assert fresh.session["_auth_user_id"] == str(member.pk)
    # A recovery code works once only.
    recovery.refresh_from_db()
    assert codes[0] not in recovery.wrap().get_unused_codes()
