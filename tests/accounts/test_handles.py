"""@handles are unique (whatever the case) and stable: assigned once when an account is
made, first come, first served; changed only by their owner, to a free, valid one."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError
from django.test import Client

from accounts.models import User
from accounts.services import profile_update

pytestmark = pytest.mark.django_db


def test_two_people_with_the_same_name_get_different_handles(make_user: Any) -> None:
    first = make_user("zz@example.org", name="Ann Lee")
    second = make_user("aa@example.org", name="Ann Lee")
    third = make_user(name="ann lee")
    assert (first.handle, second.handle, third.handle) == ("ann-lee", "ann-lee-2", "ann-lee-3")


def test_a_handle_comes_from_the_email_when_the_name_gives_none(make_user: Any) -> None:
    assert make_user("jo.smith@example.org", name="").handle == "josmith"
    assert make_user("x@example.org", name="李").handle == "x-2"  # too short alone
    assert make_user("admin@example.org", name="Admin").handle == "admin-2"  # reserved


def test_handle_uniqueness_ignores_case_in_the_database(make_user: Any) -> None:
    make_user(name="Ann Lee")
    other = make_user(name="Bob Stone")
    with pytest.raises(IntegrityError):
        User.objects.filter(pk=other.pk).update(handle="ANN-Lee")


def test_changing_the_name_keeps_the_handle(make_user: Any) -> None:
    make_user(name="Ann Lee")
    copier = make_user(name="Bob Stone")
    profile_update(user=copier, name="Ann Lee")
    copier.refresh_from_db()
    assert copier.handle == "bob-stone"


def test_signup_takes_the_handle_from_the_name(client: Client, make_user: Any) -> None:
    make_user(name="New Person")
    response = client.post(
        "/accounts/signup/",
        {
            "email": "someone.else@example.org",
            "name": "New Person",
            "time_zone": "America/Chicago",
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(email="someone.else@example.org").handle == "new-person-2"


def test_a_person_changes_their_handle_on_the_profile_page(
    member_client: Client, member: User, make_user: Any
) -> None:
    make_user(name="Ann Lee")
    form = {"name": "Mei Member", "time_zone": "America/New_York"}
    page = member_client.get("/accounts/profile/edit/").content.decode()
    assert 'value="mei-member"' in page
    for handle, error in [
        ("ANN-LEE", "That handle is taken; choose another."),
        ("admin", "“admin” is reserved; choose another handle."),
        ("ab", "A handle has 3 to 30 characters."),
        ("x" * 31, "Ensure this value has at most 30 characters"),
        ("mei lin", "A handle uses letters, digits"),
        ("-mei", "A handle uses letters, digits"),
        ("méi", "A handle uses letters, digits"),
    ]:
        response = member_client.post("/accounts/profile/edit/", {**form, "handle": handle})
        assert response.status_code == 200, handle
        assert error in response.content.decode(), handle
        member.refresh_from_db()
        assert member.handle == "mei-member"
    # Left empty: the handle stays as it is.
    assert member_client.post("/accounts/profile/edit/", form).status_code == 302
    member.refresh_from_db()
    assert member.handle == "mei-member"
    response = member_client.post("/accounts/profile/edit/", {**form, "handle": "@Mei_L"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.handle == "Mei_L"
    assert "@Mei_L" in member_client.get("/accounts/profile/").content.decode()


def test_the_api_refuses_a_taken_handle_with_a_message(
    member_client: Client, member: User, make_user: Any
) -> None:
    make_user(name="Ann Lee")
    response = member_client.patch(
        "/api/v1/me/", {"handle": "Ann-Lee"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["handle"] == ["That handle is taken; choose another."]
    response = member_client.patch(
        "/api/v1/me/", {"handle": "mei-m"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["handle"] == "mei-m"
