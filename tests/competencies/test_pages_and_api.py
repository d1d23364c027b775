from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from competencies.services import framework_import

pytestmark = pytest.mark.django_db


def test_competencies_index_redirects_to_the_default_framework(client: Client, framework) -> None:
    response = client.get("/competencies/")
    assert response.status_code == 302
    assert response["Location"] == "/competencies/cep/"


def test_framework_page_lists_areas_and_framing_questions(client: Client, framework) -> None:
    html = client.get("/competencies/cep/").content.decode()
    for name in ("Community Engagement Fundamentals", "Community Partnerships"):
        assert name in html
    assert "Critical self-reflection" in html
    assert "Not yet · Emerging" in html


def test_area_page_lists_its_competencies_in_order(client: Client, framework) -> None:
    html = client.get("/competencies/cep/partnerships/").content.decode()
    codes = [c for c in ("PAR-1", "PAR-2", "PAR-3", "PAR-4", "PAR-5") if c in html]
    assert codes == ["PAR-1", "PAR-2", "PAR-3", "PAR-4", "PAR-5"]
    assert html.index("PAR-1") < html.index("PAR-5")


def test_unknown_framework_or_area_is_404(client: Client, framework) -> None:
    assert client.get("/competencies/nope/").status_code == 404
    assert client.get("/competencies/cep/nope/").status_code == 404


def test_competency_api_serves_the_tree_publicly(client: Client, framework) -> None:
    data = client.get("/api/v1/competencies/").json()
    assert data["count"] == 1
    fw = data["results"][0]
    assert fw["slug"] == "cep" and fw["is_default"] is True
    assert len(fw["areas"]) == 6
    assert sum(len(a["competencies"]) for a in fw["areas"]) == 51
    assert [q["slug"] for q in fw["framing_questions"]] == [
        "knowledge-ethics",
        "experience",
        "critical-reflection",
        "growth",
    ]
    assert fw["areas"][1]["competencies"][0] == {
        "code": "PAR-1",
        "kind": fw["areas"][1]["competencies"][0]["kind"],
        "title": fw["areas"][1]["competencies"][0]["title"],
    }


def _extra_framework(n: int) -> dict[str, Any]:
    return {
        "framework": {
            "slug": f"extra-{n}",
            "name": f"Extra {n}",
            "framing_questions": [{"slug": "q", "title": "Q", "prompt": "Why?"}],
            "areas": [
                {
                    "slug": f"a{i}",
                    "name": f"Area {i}",
                    "competencies": [
                        {"code": f"X{n}-{i}-{j}", "kind": "skill", "title": "t"} for j in range(5)
                    ],
                }
                for i in range(4)
            ],
        }
    }


def test_competency_api_query_count_does_not_grow_with_data(
    client: Client, framework, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(6):
        client.get("/api/v1/competencies/")
    for n in range(8):
        framework_import(document=_extra_framework(n))
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/competencies/")
    assert response.json()["count"] == 9


def test_framework_page_query_count_is_constant(
    client: Client, framework, django_assert_max_num_queries
) -> None:
    for n in range(5):
        framework_import(document=_extra_framework(n))
    with django_assert_max_num_queries(7):
        assert client.get("/competencies/cep/").status_code == 200


def test_home_page_says_what_commonplace_is_and_links_onward(client: Client, framework) -> None:
    html = client.get("/").content.decode()
    assert "communities of practice" in html.lower()
    assert 'href="/cohorts/"' in html
    # the trainings app brings the header's link to its catalog
    assert 'href="/trainings/"' in html
    assert "Community Partnerships" in html


def test_signed_in_home_goes_to_the_dashboard_frame(member_client: Client) -> None:
    response = member_client.get("/", follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/dashboard/"
    for panel in ("My cohorts", "Next session", "Unread threads"):
        assert panel in html
    # no always-empty panel for the journals that do not exist yet
    assert "Reflection prompts" not in html


def test_dashboard_needs_sign_in(client: Client) -> None:
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_api_list_is_paginated(client: Client, framework) -> None:
    for n in range(3):
        framework_import(document=_extra_framework(n))
    data = client.get("/api/v1/competencies/?page_size=2").json()
    assert set(data) == {"count", "next", "previous", "results"}
    assert data["count"] == 4 and len(data["results"]) == 2 and data["next"]
