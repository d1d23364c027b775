"""The coverage pages: the heat map (a real table with text in every cell, caption and
scoped headers, area tabs), one competency's cell with suggestions when thin, the home's
summary include, who sees what, and fixed query counts."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from cohorts.models import Cohort
from competencies.models import Area
from journals.models import Entry
from journals.selectors.coverage import coverage_summary
from tests.journals.test_coverage import bulk_journal, link
from tests.trainings.conftest import board, make_training, org  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

MAP = reverse("journals:coverage")


def cell_url(code: str) -> str:
    return reverse("journals:coverage_cell", args=[code])


@pytest.fixture
def journal(write: Callable[..., Entry], member: User, partnerships: Area) -> None:
    first = write(
        title="Listening first", status="final", competencies=["PAR-1", "PAR-2"],
        framing_questions=["knowledge-ethics", "experience"],
    )  # fmt: skip
    second = write(title="Agreements", competencies=["PAR-1"], notes={"PAR-1": "Drafted it"})
    write(title="Site visit", competencies=["PAR-1"], framing_questions=["growth"])
    link(first, member, "PAR-1")
    link(second, member, "PAR-3")


def body(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_heat_map_is_a_table_with_text_in_every_cell(journal: None, member_client: Client) -> None:
    html = body(member_client.get(MAP, {"area": "partnerships"}))
    assert "<caption>Coverage of Community Partnerships" in html
    table = html[html.index('id="coverage-map"') : html.index("</table>")]
    assert table.count('<th scope="col">') == 7
    assert table.count('<th scope="row">') == 5
    assert (
        'class="coverage-cell coverage--strong">Strong — 3 entries, 1 piece of evidence<' in table
    )
    assert 'class="coverage-cell coverage--thin">Thin — 1 piece of evidence<' in table
    assert 'class="coverage-cell coverage--none">None — nothing yet<' in table
    assert "Knowledge and critical commitments; Experience and evidence" in table
    assert "3 entries (2 drafts)" in table
    assert f'href="{cell_url("PAR-1")}"' in table


def test_area_tabs_mark_the_current_area(journal: None, member_client: Client) -> None:
    html = body(member_client.get(MAP, {"area": "partnerships"}))
    current = re.findall(r'<a href="[^"]*\?area=([\w-]+)" aria-current="page">', html)
    assert current == ["partnerships"]
    assert html.count("?area=") >= 6
    # Without an area: the one the member wrote most about (this journal is partnerships).
    first = body(member_client.get(MAP))
    assert re.findall(r'\?area=([\w-]+)" aria-current="page"', first) == ["partnerships"]


def test_unknown_area_is_not_found(member_client: Client, framework: Any) -> None:
    assert member_client.get(MAP, {"area": "nope"}).status_code == 404
    assert member_client.get(cell_url("NOPE-9")).status_code == 404


def test_anonymous_is_sent_to_sign_in(anon: Client, framework: Any) -> None:
    for url in (MAP, cell_url("PAR-1")):
        response = anon.get(url)
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


def test_others_see_their_own_empty_map_not_the_members(
    journal: None, member: User, facilitator: User, staff: User, signed_in: Callable[..., Client]
) -> None:
    for person in (facilitator, staff):
        html = body(signed_in(person).get(MAP, {"area": "partnerships"}))
        table = html[html.index('id="coverage-map"') : html.index("</table>")]
        assert "coverage--strong" not in table
        assert html.count("None — nothing yet") == 5
        cell = body(signed_in(person).get(cell_url("PAR-1")))
        assert "Listening first" not in cell


def test_cell_lists_entries_and_evidence(journal: None, member_client: Client) -> None:
    html = body(member_client.get(cell_url("PAR-1")))
    for title in ("Listening first", "Agreements", "Site visit"):
        assert title in html
    assert "Drafted it" in html
    assert "Strong — 3 entries, 1 piece of evidence" in html
    assert "Ways to build it" not in html  # strong: no suggestions


def test_thin_cell_suggests_trainings_and_cohorts(
    journal: None,
    member_client: Client,
    make_training: Callable[..., Any],  # noqa: F811
    active_cohort: Cohort,
) -> None:
    make_training("approved", title="Evaluating partnerships", codes=("PAR-3",))
    make_training("approved", title="About something else", codes=("FUN-1",))
    html = body(member_client.get(cell_url("PAR-3")))
    assert "Thin — 1 piece of evidence" in html
    assert "Holds evidence for PAR-3; not mapped to it." in html
    assert "Ways to build it" in html
    assert "Evaluating partnerships" in html
    assert "About something else" not in html
    assert active_cohort.title in html  # it focuses on the Partnerships area


def test_coverage_summary_include(journal: None, member: User, rf: Any) -> None:
    request = rf.get("/")
    request.user = member
    html = render_to_string(
        "journals/_coverage_summary.html", {"areas": coverage_summary(member)}, request=request
    )
    assert "<caption" in html
    row = re.search(r"Community Partnerships.*?</tr>", html, re.S)
    assert row is not None
    assert re.findall(r"<td>(\d+)</td>", row.group(0)) == ["1", "0", "2", "2"]
    assert f'href="{MAP}?area=partnerships"' in html
    assert render_to_string("journals/_coverage_summary.html", {"areas": []}).strip() == ""


def test_pages_keep_a_fixed_number_of_queries(
    member: User, member_client: Client, partnerships: Area
) -> None:
    def count(url: str, **params: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert member_client.get(url, params).status_code == 200
        return len(queries)

    bulk_journal(member, 10)
    count(MAP)
    small = (count(MAP, area="partnerships"), count(cell_url("PAR-1")))
    bulk_journal(member, 990, start=10)
    assert (count(MAP, area="partnerships"), count(cell_url("PAR-1"))) == small


def test_the_coverage_page_opens_on_the_area_written_about_most(
    write: Any, member_client: Any, framework: Any
) -> None:
    write(competencies=["PAR-1", "PAR-2"])
    write(competencies=["PAR-3", "FUN-1"])
    page = member_client.get("/journal/coverage/")
    assert page.status_code == 200
    assert page.context["area"].slug == "partnerships"
