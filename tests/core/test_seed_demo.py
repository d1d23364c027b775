import io

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.test import Client

from accounts.models import User
from accounts.roles import PlatformRole, has_role

pytestmark = pytest.mark.django_db

CONTRACT_ACCOUNTS = {
    "staff@example.org": PlatformRole.PROGRAM_STAFF,
    "reviewer@example.org": PlatformRole.REVIEW_BOARD,
    "provider@example.org": PlatformRole.TRAINING_PROVIDER,
    "facilitator@example.org": None,
    "cofacilitator@example.org": None,
    "member@example.org": None,
    "member2@example.org": None,
    "outsider@example.org": None,
}


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_seed_demo_refuses_without_debug_unless_forced(settings) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        seed()
    assert not User.objects.exists()


def test_seed_demo_creates_the_contract_accounts_idempotently(settings) -> None:
    settings.DEBUG = True
    assert "8 created" in seed()
    assert "0 created, 8 already there" in seed()
    assert User.objects.count() == 8
    for email, role in CONTRACT_ACCOUNTS.items():
        user = User.objects.get(email=email)
        assert EmailAddress.objects.get(user=user).verified
        assert user.check_password("commonplace-demo")
        if role is not None:
            assert has_role(user, role)
    assert User.objects.get(email="staff@example.org").is_staff


def test_demo_account_signs_in_through_the_login_form(settings) -> None:
    seed("--force")
    client = Client()
    response = client.post(
        "/accounts/login/", {"login": "member@example.org", "password": "commonplace-demo"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"


def test_seed_demo_scale_adds_synthetic_volume(settings) -> None:
    settings.DEBUG = True
    seed("--scale", "2")
    assert User.objects.filter(email__startswith="synthetic-").count() == 100
    seed("--scale", "1")
    assert User.objects.filter(email__startswith="synthetic-").count() == 150
