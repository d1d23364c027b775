from __future__ import annotations

import re
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import IntegrityError
from django.test import Client

from accounts.models import User
from accounts.roles import PlatformRole, is_program_staff
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _signup(client: Client, **overrides: str) -> Any:
    data = {
        "email": "new.person@example.org",
        "name": "New Person",
        "time_zone": "America/Chicago",
        "password1": "a-long-unusual-passphrase",
        "password2": "a-long-unusual-passphrase",
    }
    data.update(overrides)
    return client.post("/accounts/signup/", data)


def test_email_is_the_login_and_is_unique_case_insensitively(make_user: Any) -> None:
    make_user("Someone@Example.org")
    assert User.objects.filter(email="someone@example.org").exists()
    with pytest.raises(IntegrityError):
        User.objects.create(email="SOMEONE@example.org")


def test_signup_requires_verification_then_the_emailed_link_signs_in(client: Client) -> None:
    response = _signup(client)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get(email="new.person@example.org")
    assert (user.name, user.time_zone) == ("New Person", "America/Chicago")
    assert not EmailAddress.objects.get(user=user).verified
    # Not verified: signing in does not get past verification.
    client.logout()
    login = client.post(
        "/accounts/login/", {"login": user.email, "password": "a-long-unusual-passphrase"}
    )
    assert login["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session

    assert len(mail.outbox) >= 1
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+)", mail.outbox[-1].body)
    assert link, mail.outbox[-1].body
    confirm_page = client.get(link.group(1))
    assert confirm_page.status_code == 200
    confirmed = client.post(link.group(1))
    assert confirmed.status_code == 302
    assert EmailAddress.objects.get(user=user).verified


def test_signup_with_weak_password_shows_the_reason_and_keeps_the_email(client: Client) -> None:
    response = _signup(client, password1="password", password2="password")
    assert response.status_code == 200
    html = response.content.decode()
    assert "too common" in html or "too short" in html
    assert 'value="new.person@example.org"' in html
    assert not User.objects.filter(email="new.person@example.org").exists()


def test_signup_with_an_existing_email_is_refused(client: Client, member: User) -> None:
    response = _signup(client, email="MEMBER@example.org")
    assert response.status_code in (200, 302)
    assert User.objects.filter(email__iexact="member@example.org").count() == 1


def test_login_with_unknown_email_gives_a_clear_error(client: Client) -> None:
    response = client.post(
        "/accounts/login/", {"login": "nobody@example.org", "password": "whatever-123"}
    )
    assert response.status_code == 200
    assert "not correct" in response.content.decode()


def test_verified_account_signs_in_with_email_and_password(client: Client, member: User) -> None:
    response = client.post("/accounts/login/", {"login": member.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200


def test_repeated_failed_logins_are_rate_limited(client: Client, member: User) -> None:
    pages = [
        client.post("/accounts/login/", {"login": member.email, "password": "wrong"})
        for _ in range(6)
    ]
    assert "Too many failed login attempts" not in pages[0].content.decode()
    assert "Too many failed login attempts" in pages[-1].content.decode()
    # Even the right password is refused while the limit holds.
    ok = client.post("/accounts/login/", {"login": member.email, "password": PASSWORD})
    assert ok.status_code == 200
    assert "Too many failed login attempts" in ok.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_a_working_link(client: Client, member: User) -> None:
    response = client.post("/accounts/password/reset/", {"email": member.email})
    assert response.status_code == 302
    body = mail.outbox[-1].body
    path = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/[^\s]+)", body).group(1)
    form = client.get(path, follow=True)
    assert form.status_code == 200
    action = form.redirect_chain[-1][0] if form.redirect_chain else path
    done = client.post(
        action, {"password1": "brand-new-passphrase-42", "password2": "brand-new-passphrase-42"}
    )
    assert done.status_code == 302
    member.refresh_from_db()
    assert member.check_password("brand-new-passphrase-42")


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/2fa/",
        "/accounts/profile/",
        "/accounts/profile/edit/",
    ],
)
def test_account_pages_render_in_the_house_layout(member_client: Client, url: str) -> None:
    response = member_client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="skip-link"' in html
    assert 'aria-label="Account settings"' in html


def test_totp_activation_page_offers_a_qr_code(member_client: Client) -> None:
    response = member_client.get("/accounts/2fa/totp/activate/", follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    # Either the activation form (with the secret) or a re-authentication step first.
    assert "Authenticator" in html or "password" in html.lower()


def test_profile_edit_saves_and_errors_keep_what_was_typed(
    member_client: Client, member: User
) -> None:
    bad = member_client.post(
        "/accounts/profile/edit/",
        {"name": "  ", "bio": "I typed a long bio", "time_zone": "Mars/Olympus"},
    )
    assert bad.status_code == 200
    html = bad.content.decode()
    assert "I typed a long bio" in html
    assert "Please give a name" in html
    assert "Select a valid choice" in html
    member.refresh_from_db()
    assert member.bio == ""

    good = member_client.post(
        "/accounts/profile/edit/",
        {
            "name": "Mei Lin",
            "pronouns": "she/they",
            "institution": "Harbor CC",
            "position": "Coordinator",
            "time_zone": "America/Los_Angeles",
            "bio": "Hello **all**",
            "identities": "Daughter of fishers; I know the tides.",
            "show_identities": "on",
        },
    )
    assert good.status_code == 302
    member.refresh_from_db()
    assert (member.name, member.institution, member.show_identities) == (
        "Mei Lin",
        "Harbor CC",
        True,
    )
    page = member_client.get("/accounts/profile/").content.decode()
    assert "<strong>all</strong>" in page
    assert "I know the tides" in page


def test_identities_are_private_unless_the_person_shows_them(
    signed_in: Any, member: User, outsider: User
) -> None:
    member.identities = "Quaker; first-generation"
    member.save()
    viewer = signed_in(outsider)
    assert "Quaker" not in viewer.get(f"/people/{member.pk}/").content.decode()
    member.show_identities = True
    member.save()
    assert "Quaker" in viewer.get(f"/people/{member.pk}/").content.decode()


def test_profiles_need_sign_in(client: Client, member: User) -> None:
    response = client.get(f"/people/{member.pk}/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_bio_markdown_is_sanitised_on_the_profile(
    signed_in: Any, member: User, outsider: User
) -> None:
    member.bio = "<script>alert(1)</script> [x](javascript:alert(1))"
    member.save()
    html = signed_in(outsider).get(f"/people/{member.pk}/").content.decode()
    assert "<script>alert" not in html
    assert 'href="javascript' not in html


def test_platform_roles_are_groups(make_user: Any) -> None:
    staff = make_user(role=PlatformRole.PROGRAM_STAFF)
    plain = make_user()
    assert is_program_staff(staff)
    assert not is_program_staff(plain)
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= {r.value for r in PlatformRole}


def test_program_staff_may_edit_the_framework_in_the_admin(staff: User, framework: Any) -> None:
    staff.is_staff = True
    staff.save()
    assert staff.has_perm("competencies.change_competency")
    client = Client()
    client.force_login(staff)
    assert client.get("/admin/competencies/competency/").status_code == 200


def test_api_token_can_be_created_and_replaced(member_client: Client, member: User) -> None:
    first = member_client.post("/accounts/api-token/")
    key1 = re.search(r'value="([0-9a-f]{40})"', first.content.decode()).group(1)
    second = member_client.post("/accounts/api-token/")
    key2 = re.search(r'value="([0-9a-f]{40})"', second.content.decode()).group(1)
    assert key1 != key2
    api = Client()
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key1}").status_code == 401
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key2}").status_code == 200


def test_changing_email_takes_effect_after_the_new_address_is_verified(
    member_client: Client, member: User
) -> None:
    response = member_client.post(
        "/accounts/email/", {"action_add": "", "email": "mei.new@example.org"}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.email == "member@example.org"  # not yet: the new address is unverified
    page = member_client.get("/accounts/email/").content.decode()
    assert "mei.new@example.org" in page
    path = re.search(
        r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+)", mail.outbox[-1].body
    ).group(1)
    assert member_client.post(path).status_code == 302
    member.refresh_from_db()
    assert member.email == "mei.new@example.org"
