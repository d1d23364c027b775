"""The trainings API: the public catalog with filters, providers' and reviewers' work
through the same endpoints, completions under /api/v1/me/, and the schema."""

from __future__ import annotations

import datetime as dt

import pytest

from trainings.models import Training

from .conftest import TODAY
from .test_pages import services_bulk_copy

pytestmark = pytest.mark.django_db
LIST = "/api/v1/trainings/"


def test_public_list_shows_current_trainings_with_filters(api, make_training):
    make_training("approved", title="Partners", codes=("PAR-1",))
    make_training("approved", title="Basics", codes=("FUN-1",), format="workshop")
    make_training("submitted", title="Waiting")
    body = api(None).get(LIST).json()
    assert sorted(t["title"] for t in body["results"]) == ["Basics", "Partners"]
    assert [t["title"] for t in api(None).get(LIST, {"competency": "FUN-1"}).json()["results"]] == [
        "Basics"
    ]
    assert [
        t["title"] for t in api(None).get(LIST, {"area": "partnerships"}).json()["results"]
    ] == ["Partners"]
    assert [t["title"] for t in api(None).get(LIST, {"format": "workshop"}).json()["results"]] == [
        "Basics"
    ]
    assert api(None).get(LIST, {"free": "1"}).json()["count"] == 2


def test_detail_has_no_reviewer_and_404s_for_unapproved(api, make_training, reviewer):
    approved = make_training("approved")
    waiting = make_training("submitted", title="Waiting")
    body = api(None).get(f"{LIST}{approved.pk}/").json()
    assert body["competencies"] == ["PAR-1", "PAR-2"]
    assert body["current"] is True
    assert "reviewer" not in str(body).lower()
    missing = api(None).get(f"{LIST}{waiting.pk}/")
    assert missing.status_code == 404
    assert missing.json() == api(None).get(f"{LIST}999999/").json()


def test_provider_sees_their_own_with_mine_and_creates_and_submits(api, provider, framework, org):
    client = api(provider)
    start = (TODAY() + dt.timedelta(days=9)).isoformat()
    created = client.post(
        LIST,
        {
            "title": "API made", "format": "course", "description": "Made over the API.",
            "curriculum": "Step one.", "learning_goals": ["Learn"], "delivery": "online",
            "duration_hours": "4", "competencies": ["PAR-1"],
            "runs": [{"starts_on": start, "ends_on": start}],
        },
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["status"] == "draft"
    assert [t["id"] for t in client.get(LIST, {"mine": "1"}).json()["results"]] == [pk]
    assert client.get(LIST).json()["count"] == 0
    assert client.post(f"{LIST}{pk}/submit/").json()["status"] == "submitted"
    edit = client.patch(f"{LIST}{pk}/", {"title": "Too late"}, format="json")
    assert edit.status_code == 409


def test_bad_values_answer_400_with_the_message(api, provider, framework, org):
    bad = api(provider).post(
        LIST,
        {"title": "x", "format": "course", "description": "d", "delivery": "online",
         "duration_hours": "0"},
        format="json",
    )  # fmt: skip
    assert bad.status_code == 400
    assert "more than zero" in bad.json()["detail"]


def test_reviewer_queue_and_decision_through_the_api(
    api, make_training, reviewer, conflicted_reviewer
):
    training = make_training("submitted")
    assert [t["id"] for t in api(reviewer).get(LIST, {"queue": "1"}).json()["results"]] == [
        training.pk
    ]
    assert api(conflicted_reviewer).get(LIST, {"queue": "1"}).json()["count"] == 0
    decision = {
        "decision": "approve",
        "guided_instruction": {"judgement": "meets"},
        "curriculum": {"judgement": "meets", "note": "Good."},
        "learning_goals": {"judgement": "partly"},
        "approved_until": (TODAY() + dt.timedelta(days=100)).isoformat(),
    }
    assert (
        api(conflicted_reviewer)
        .post(f"{LIST}{training.pk}/review/", decision, format="json")
        .status_code
        == 404
    )
    answer = api(reviewer).post(f"{LIST}{training.pk}/review/", decision, format="json")
    assert answer.status_code == 201
    assert Training.objects.get(pk=training.pk).status == "approved"


def test_completions_under_me(api, member, approved):
    client = api(member)
    created = client.post(
        "/api/v1/me/trainings/completions/",
        {"training": approved.pk, "completed_on": TODAY().isoformat(), "hours": "12"},
        format="json",
    )
    assert created.status_code == 201
    listed = client.get("/api/v1/me/trainings/completions/").json()
    assert [c["training"] for c in listed["results"]] == [approved.pk]
    assert listed["results"][0]["competencies"] == ["PAR-1", "PAR-2"]
    assert api(None).get("/api/v1/me/trainings/completions/").status_code in (401, 403)


def test_api_endpoints_are_in_the_schema(api):
    schema = api(None).get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in (
        "/api/v1/trainings/",
        "/api/v1/trainings/{id}/",
        "/api/v1/me/trainings/completions/",
    ):
        assert path in schema


@pytest.mark.parametrize("n", [10, 1000])
def test_api_list_query_count_is_constant(api, make_training, django_assert_max_num_queries, n):
    services_bulk_copy(make_training("approved"), n - 1)
    with django_assert_max_num_queries(8):
        body = api(None).get(LIST).json()
    assert body["count"] == n
