"""Coverage and self-assessments over the REST API: the same numbers as the page, only
ever the caller's own, JSON errors, fixed query counts, and the published schema."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from competencies.models import Area
from journals.models import Entry, SelfAssessment
from journals.selectors.coverage import coverage_for
from tests.journals.test_assess_pages import take
from tests.journals.test_coverage import bulk_journal, link

pytestmark = pytest.mark.django_db

COVERAGE = "/api/v1/journal/coverage/"
ASSESSMENTS = "/api/v1/journal/self-assessments/"


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    user = make_user("admin@example.org", name="Ada Admin")
    user.is_staff = user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    return user


@pytest.fixture
def journal(write: Callable[..., Entry], member: User, partnerships: Area) -> None:
    first = write(
        title="Listening first", status="final", competencies=["PAR-1", "PAR-2"],
        framing_questions=["knowledge-ethics", "experience"],
    )  # fmt: skip
    second = write(title="Agreements", competencies=["PAR-1"])
    write(title="Site visit", competencies=["PAR-1"], framing_questions=["growth"])
    link(first, member, "PAR-1")
    link(second, member, "PAR-3")
    take(member, partnerships, [1, 2, 0, 0, 4], days_ago=3)


# --- coverage --------------------------------------------------------------------------------


def test_coverage_of_one_area(api, journal: None, member: User) -> None:
    response = api(member).get(COVERAGE, {"area": "partnerships"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["levels"] == ["Not yet", "Emerging", "Developing", "Proficient", "Exemplary"]
    [area] = body["areas"]
    assert (area["slug"], area["name"]) == ("partnerships", "Community Partnerships")
    assert area["counts"] == {"strong": 1, "some": 0, "thin": 2, "none": 2}
    cells = {c["code"]: c for c in area["competencies"]}
    assert list(cells) == ["PAR-1", "PAR-2", "PAR-3", "PAR-4", "PAR-5"]
    par1 = cells["PAR-1"]
    today = timezone.localdate().isoformat()
    assert {k: par1[k] for k in ("strength", "entries", "drafts", "evidence", "latest")} == {
        "strength": "strong", "entries": 3, "drafts": 2, "evidence": 1, "latest": today,
    }  # fmt: skip
    assert par1["summary"] == "Strong — 3 entries, 1 piece of evidence"
    assert par1["framing_questions"] == ["knowledge-ethics", "experience", "growth"]
    assert par1["self_rating"]["level"] == 1 and par1["self_rating"]["name"] == "Emerging"
    assert par1["html_url"].endswith("/journal/coverage/PAR-1/")
    assert cells["PAR-3"]["strength"] == "thin" and cells["PAR-3"]["entries"] == 0
    assert cells["PAR-5"]["self_rating"]["name"] == "Exemplary"
    assert cells["PAR-5"]["latest"] is None and cells["PAR-5"]["strength"] == "none"


def test_coverage_numbers_are_the_pages(api, journal: None, member: User, partnerships) -> None:
    page = coverage_for(member, Area.objects.select_related("framework").get(pk=partnerships.pk))
    body = api(member).get(COVERAGE, {"area": "partnerships"}).json()
    assert [
        (c["code"], c["strength"], c["entries"], c["evidence"], c["summary"])
        for c in body["areas"][0]["competencies"]
    ] == [(c.competency.code, c.strength, c.entries, c.evidence, c.summary) for c in page.cells]


def test_coverage_of_every_area(api, journal: None, member: User, framework: Any) -> None:
    body = api(member).get(COVERAGE).json()
    assert [a["slug"] for a in body["areas"]] == list(
        framework.areas.order_by("order").values_list("slug", flat=True)
    )
    fundamentals = body["areas"][0]
    assert fundamentals["counts"]["none"] == len(fundamentals["competencies"]) == 10


def test_coverage_is_only_ever_my_own(
    api, journal: None, facilitator: User, staff: User, admin: User
) -> None:
    for other in (facilitator, staff, admin):
        body = api(other).get(COVERAGE, {"area": "partnerships"}).json()
        cells = body["areas"][0]["competencies"]
        assert {c["strength"] for c in cells} == {"none"}
        assert all(c["self_rating"] is None for c in cells)
    assert api(None).get(COVERAGE).status_code == 401


def test_unknown_area_is_a_json_400(api, member: User, framework: Any) -> None:
    response = api(member).get(COVERAGE, {"area": "nope"})
    assert response.status_code == 400
    assert response.json() == {"detail": "There is no such credential area.", "code": "invalid"}


def test_coverage_queries_do_not_grow(api, member: User, framework: Any) -> None:
    client = api(member)

    def count(**params: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(COVERAGE, params).status_code == 200
        return len(queries)

    bulk_journal(member, 10)
    count()
    small = (count(), count(area="partnerships"))
    bulk_journal(member, 990, start=10)
    assert (count(), count(area="partnerships")) == small
    body = client.get(COVERAGE, {"area": "partnerships"}).json()
    assert sum(c["entries"] for c in body["areas"][0]["competencies"]) == 1000


# --- self-assessments ------------------------------------------------------------------------


def ratings(
    levels: list[int], codes: tuple[str, ...] = ("PAR-1", "PAR-2", "PAR-3", "PAR-4", "PAR-5")
) -> list[dict]:
    return [{"competency": code, "level": level} for code, level in zip(codes, levels, strict=True)]


def test_take_a_self_assessment(api, member: User, partnerships: Area) -> None:
    payload = {"area": "partnerships", "ratings": ratings([0, 1, 2, 3, 4]), "note": "Spring"}
    payload["ratings"][0]["note"] = "Just starting"
    response = api(member).post(ASSESSMENTS, payload, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    sitting = SelfAssessment.objects.get(user=member)
    assert body["id"] == sitting.pk and body["area"] == "partnerships"
    assert body["note"] == "Spring" and body["previous"] is None
    assert body["ratings"][0] == {
        "competency": "PAR-1", "title": body["ratings"][0]["title"], "level": 0,
        "level_name": "Not yet", "note": "Just starting", "previous_level": None, "change": None,
    }  # fmt: skip
    assert body["html_url"].endswith(sitting.get_absolute_url())


def test_taking_it_again_shows_the_change(api, member: User, partnerships: Area) -> None:
    first = take(member, partnerships, [1, 1, 1, 1, 1], days_ago=30)
    response = api(member).post(
        ASSESSMENTS, {"area": "partnerships", "ratings": ratings([2, 1, 0, 1, 3])}, format="json"
    )
    body = response.json()
    assert body["previous"] == first.pk
    assert [(r["competency"], r["previous_level"], r["change"]) for r in body["ratings"]] == [
        ("PAR-1", 1, 1), ("PAR-2", 1, 0), ("PAR-3", 1, -1), ("PAR-4", 1, 0), ("PAR-5", 1, 2),
    ]  # fmt: skip
    assert SelfAssessment.objects.filter(user=member).count() == 2
    again = api(member).get(f"{ASSESSMENTS}{body['id']}/").json()
    assert again == body


FOUR = ("PAR-1", "PAR-2", "PAR-3", "PAR-4")
BAD_ASSESSMENTS = [
    (
        {"area": "partnerships", "ratings": ratings([1, 1, 1, 1], FOUR)},
        "Rate every competency of the area (missing: PAR-5).",
    ),
    (
        {"area": "partnerships", "ratings": ratings([1, 1, 1, 1, 5])},
        "Choose a level for PAR-5 from the list.",
    ),
    (
        {"area": "partnerships", "ratings": ratings([1, 1, 1, 1, 1], (*FOUR, "FUN-1"))},
        "Rate only the competencies of this area.",
    ),
    (
        {"area": "nope", "ratings": ratings([1, 1, 1, 1, 1])},
        "Choose a credential area of the framework.",
    ),
    ({"area": "partnerships", "ratings": [{"competency": "PAR-1", "level": -1}]}, None),
    ({"area": "partnerships"}, None),
]


@pytest.mark.parametrize(("payload", "message"), BAD_ASSESSMENTS)
def test_bad_self_assessments_answer_json_400(
    api, member: User, partnerships: Area, payload: dict, message: str | None
) -> None:
    response = api(member).post(ASSESSMENTS, payload, format="json")
    assert response.status_code == 400, response.content
    if message:
        assert response.json() == {"detail": message, "code": "invalid"}
    assert not SelfAssessment.objects.exists()


def test_list_is_mine_latest_first_with_an_area_filter(
    api, member: User, member2: User, partnerships: Area, framework: Any
) -> None:
    fundamentals = framework.areas.get(slug="fundamentals")
    old = take(member, partnerships, [0] * 5, days_ago=20)
    mid = take(member, fundamentals, [1] * 10, days_ago=10)
    new = take(member, partnerships, [2] * 5, days_ago=1)
    take(member2, partnerships, [4] * 5)
    body = api(member).get(ASSESSMENTS).json()
    assert [r["id"] for r in body["results"]] == [new.pk, mid.pk, old.pk]
    assert body["results"][0]["ratings"][0]["level_name"] == "Developing"
    only = api(member).get(ASSESSMENTS, {"area": "partnerships"}).json()
    assert [r["id"] for r in only["results"]] == [new.pk, old.pk]
    assert api(member).get(ASSESSMENTS, {"area": "nope"}).json()["count"] == 0


def test_only_the_owner_reads_a_sitting(
    api, member: User, member2: User, staff: User, admin: User, partnerships: Area
) -> None:
    sitting = take(member, partnerships, [1] * 5)
    for other in (member2, staff, admin):
        response = api(other).get(f"{ASSESSMENTS}{sitting.pk}/")
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found.", "code": "not_found"}
        assert api(other).get(ASSESSMENTS).json()["count"] == 0
    assert api(None).get(f"{ASSESSMENTS}{sitting.pk}/").status_code == 401
    assert api(None).post(ASSESSMENTS, {}).status_code == 401


def test_list_queries_do_not_grow(api, member: User, partnerships: Area) -> None:
    client = api(member)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(ASSESSMENTS).status_code == 200
        return len(queries)

    take(member, partnerships, [1] * 5, days_ago=40)
    count()
    small = count()
    for n in range(12):
        take(member, partnerships, [n % 5] * 5, days_ago=39 - n)
    assert count() == small


def test_detail_queries_do_not_grow(api, member: User, partnerships: Area) -> None:
    client = api(member)
    first = take(member, partnerships, [1] * 5, days_ago=40)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{ASSESSMENTS}{first.pk}/").status_code == 200
        return len(queries)

    take(member, partnerships, [2] * 5, days_ago=39)
    count()
    small = count()
    for n in range(8):
        take(member, partnerships, [n % 5] * 5, days_ago=38 - n)
    assert count() == small


def test_assessment_endpoints_are_in_the_schema(api) -> None:
    schema = api(None).get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in (
        "/api/v1/journal/coverage/",
        "/api/v1/journal/self-assessments/",
        "/api/v1/journal/self-assessments/{id}/",
    ):
        assert path in schema


def test_entries_written_long_ago_make_a_cell_thin(
    api, write: Callable[..., Entry], member: User, framework: Any
) -> None:
    long_ago = timezone.localdate() - dt.timedelta(days=400)
    for n in range(5):
        write(title=f"Old {n}", written_on=long_ago, competencies=["FUN-1"])
    body = api(member).get(COVERAGE, {"area": "fundamentals"}).json()
    fun1 = body["areas"][0]["competencies"][0]
    assert (fun1["code"], fun1["entries"], fun1["strength"]) == ("FUN-1", 5, "thin")
