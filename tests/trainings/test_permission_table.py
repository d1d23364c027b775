"""Every trainings URL, page and API, against every kind of person: anonymous, member,
provider (the training's own), another provider, reviewer, a reviewer conflicted by
e-mail domain, and program staff. Anything not allowed is the same 404 as a missing
object (pages that need a sign-in send anonymous visitors to log in)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from trainings import services

from .conftest import TODAY

pytestmark = pytest.mark.django_db

ROLES = ["anon", "member", "provider", "other_provider", "reviewer", "conflicted", "staff"]
LOGIN = 302  # to the login page


@pytest.fixture
def world(make_training, member, provider, other_provider, other_org, reviewer,
          conflicted_reviewer, staff) -> dict[str, Any]:  # fmt: skip
    approved = make_training("approved", title="Approved")
    completion = services.completion_record(
        user=member, training=approved, completed_on=TODAY(), hours=2
    )
    return {
        "people": {
            "anon": None, "member": member, "provider": provider,
            "other_provider": other_provider, "reviewer": reviewer,
            "conflicted": conflicted_reviewer, "staff": staff,
        },
        "approved": approved,
        "submitted": make_training("submitted", title="Submitted"),
        "draft": make_training("draft", title="Draft"),
        "changes": make_training("changes_requested", title="Changes"),
        "completion": completion,
    }  # fmt: skip


def everyone(code: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, code)


def signed_in(code: int, *, anon: int = LOGIN, **overrides: int) -> dict[str, int]:
    return {**dict.fromkeys(ROLES, code), "anon": anon, **overrides}


def only(allowed: dict[str, int], *, anon: int = LOGIN) -> dict[str, int]:
    return {**dict.fromkeys(ROLES, 404), "anon": anon, **allowed}


# Who sees a training that is not (or no longer) public: its provider, reviewers without
# a conflict, and staff.
NOT_PUBLIC = only({"provider": 200, "reviewer": 200, "staff": 200}, anon=404)
PROVIDERS = only({"provider": 200, "other_provider": 200})
REVIEWERS = only({"reviewer": 200, "conflicted": 200})

PAGES: list[tuple[str, str, Callable[[dict[str, Any]], str], dict[str, int]]] = [
    ("catalog", "get", lambda w: reverse("trainings:catalog"), everyone(200)),
    ("calendar", "get", lambda w: reverse("trainings:calendar"), everyone(200)),
    ("detail approved", "get", lambda w: w["approved"].get_absolute_url(), everyone(200)),
    ("detail submitted", "get", lambda w: w["submitted"].get_absolute_url(), NOT_PUBLIC),
    ("detail draft", "get", lambda w: w["draft"].get_absolute_url(),
     only({"provider": 200}, anon=404)),
    ("mine", "get", lambda w: reverse("trainings:mine"), PROVIDERS),
    ("provider request", "get", lambda w: reverse("trainings:provider_request"),
     signed_in(200, provider=302, other_provider=302)),
    ("organisation new", "get", lambda w: reverse("trainings:organisation_new"), PROVIDERS),
    ("create", "get", lambda w: reverse("trainings:create"), PROVIDERS),
    ("edit draft", "get", lambda w: reverse("trainings:edit", args=[w["draft"].pk]),
     only({"provider": 200})),
    ("edit changes requested", "get",
     lambda w: reverse("trainings:edit", args=[w["changes"].pk]), only({"provider": 200})),
    ("edit submitted", "get", lambda w: reverse("trainings:edit", args=[w["submitted"].pk]),
     only({})),
    ("submit draft", "post", lambda w: reverse("trainings:submit", args=[w["draft"].pk]),
     only({"provider": 302})),
    ("manage", "get", lambda w: reverse("trainings:manage", args=[w["submitted"].pk]),
     only({"provider": 200})),
    ("renew", "post", lambda w: reverse("trainings:renew", args=[w["approved"].pk]),
     only({"provider": 302})),
    ("confirm completions", "post",
     lambda w: reverse("trainings:confirm", args=[w["approved"].pk]), only({"provider": 400})),
    ("queue", "get", lambda w: reverse("trainings:queue"), REVIEWERS),
    ("conflicts", "get", lambda w: reverse("trainings:conflicts"), REVIEWERS),
    ("review", "get", lambda w: reverse("trainings:review", args=[w["submitted"].pk]),
     only({"reviewer": 200})),
    ("review approved", "get", lambda w: reverse("trainings:review", args=[w["approved"].pk]),
     only({})),
    ("recuse", "post", lambda w: reverse("trainings:recuse", args=[w["submitted"].pk]),
     only({"reviewer": 302})),
    ("completions", "get", lambda w: reverse("trainings:completions"), signed_in(200)),
    ("complete approved", "get",
     lambda w: reverse("trainings:complete", args=[w["approved"].pk]), signed_in(200)),
    ("complete submitted", "get",
     lambda w: reverse("trainings:complete", args=[w["submitted"].pk]), only({})),
    ("delete completion", "post",
     lambda w: reverse("trainings:completion_delete", args=[w["completion"].pk]),
     only({"member": 302})),
]  # fmt: skip

API_ANON = 401
API: list[tuple[str, str, Callable[[dict[str, Any]], str], Any, dict[str, int]]] = [
    ("list", "get", lambda w: "/api/v1/trainings/", None, everyone(200)),
    ("list mine", "get", lambda w: "/api/v1/trainings/?mine=1", None, everyone(200)),
    ("detail approved", "get", lambda w: f"/api/v1/trainings/{w['approved'].pk}/", None,
     everyone(200)),
    ("detail submitted", "get", lambda w: f"/api/v1/trainings/{w['submitted'].pk}/", None,
     NOT_PUBLIC),
    ("patch draft", "patch", lambda w: f"/api/v1/trainings/{w['draft'].pk}/",
     {"title": "Renamed"}, only({"provider": 200}, anon=API_ANON)),
    ("submit draft", "post", lambda w: f"/api/v1/trainings/{w['draft'].pk}/submit/", None,
     only({"provider": 200}, anon=API_ANON)),
    ("review submitted", "post", lambda w: f"/api/v1/trainings/{w['submitted'].pk}/review/",
     {"decision": "decline", "guided_instruction": {"judgement": "not"},
      "curriculum": {"judgement": "not"}, "learning_goals": {"judgement": "not"},
      "message": "No curriculum."},
     only({"reviewer": 201}, anon=API_ANON)),
    ("my completions", "get", lambda w: "/api/v1/me/trainings/completions/", None,
     signed_in(200, anon=API_ANON)),
]  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method, url, expected", [p[1:] for p in PAGES], ids=[p[0] for p in PAGES])
def test_page_permissions(world, client_for, role, method, url, expected) -> None:
    client = client_for(world["people"][role])
    response = getattr(client, method)(url(world))
    assert response.status_code == expected[role], response.content.decode()[:500]
    if expected[role] == LOGIN and role == "anon":
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "method, url, body, expected", [a[1:] for a in API], ids=[a[0] for a in API]
)
def test_api_permissions(world, api, role, method, url, body, expected) -> None:
    response = getattr(api(world["people"][role]), method)(url(world), body, format="json")
    assert response.status_code == expected[role], response.content.decode()[:500]
    if expected[role] == 404:
        assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_a_conflicted_reviewer_sees_an_approved_training_only_as_the_public_does(
    world, signed_in, conflicted_reviewer
) -> None:
    page = signed_in(conflicted_reviewer).get(world["approved"].get_absolute_url())
    assert page.status_code == 200
    text = page.content.decode()
    assert reverse("trainings:review", args=[world["approved"].pk]) not in text
    assert "Bea Board" not in text


def test_expired_training_is_404_to_the_public_but_not_its_provider(
    make_training, client_for, provider, member, monkeypatch
) -> None:
    from trainings import permissions

    until = TODAY() + dt.timedelta(days=2)
    training = make_training("approved", approved_until=until)
    monkeypatch.setattr(permissions, "today", lambda: until + dt.timedelta(days=1))
    assert client_for(None).get(training.get_absolute_url()).status_code == 404
    assert client_for(member).get(training.get_absolute_url()).status_code == 404
    assert client_for(provider).get(training.get_absolute_url()).status_code == 200
