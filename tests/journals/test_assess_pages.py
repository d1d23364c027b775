"""Self-assessment pages: my sittings per area, taking one (bad input re-renders keeping
every choice), taking it again (each sitting kept), one sitting with the change since the
one before as an SVG chart with a table alternative, only ever for its owner, and fixed
query counts."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from competencies.models import Area
from journals.models import SelfAssessment, SelfRating
from journals.selectors.assessments import change_text
from journals.services import RatingInput, self_assessment_take

pytestmark = pytest.mark.django_db

LIST = reverse("journals:assessments")
TAKE = reverse("journals:assessment_take")
LEVELS = ["Not yet", "Emerging", "Developing", "Proficient", "Exemplary"]
SVG = "{http://www.w3.org/2000/svg}"


def take(user: User, area: Area, levels: list[int], *, days_ago: int = 0) -> SelfAssessment:
    competencies = list(area.competencies.order_by("order"))
    taken = self_assessment_take(
        user=user,
        area=area,
        ratings=[
            RatingInput(competency=c, level=n) for c, n in zip(competencies, levels, strict=True)
        ],
    )
    SelfAssessment.objects.filter(pk=taken.pk).update(
        taken_at=timezone.now() - dt.timedelta(days=days_ago)
    )
    return SelfAssessment.objects.select_related("area__framework").get(pk=taken.pk)


def form_data(area: Area, levels: list[int | None], **extra: str) -> dict[str, str]:
    data: dict[str, str] = dict(extra)
    for competency, level in zip(area.competencies.order_by("order"), levels, strict=True):
        if level is not None:
            data[f"level_{competency.pk}"] = str(level)
    return data


def html_of(response: Any, status: int = 200) -> str:
    assert response.status_code == status, response.status_code
    return response.content.decode()


def test_list_offers_every_area_and_take_it(member_client: Client, framework: Any) -> None:
    html = html_of(member_client.get(LIST))
    assert html.count(">Take it<") == framework.areas.count()
    assert f'href="{TAKE}?area=partnerships"' in html
    assert ">Take it again<" not in html


def test_form_has_a_fieldset_per_competency_with_the_levels(
    member_client: Client, partnerships: Area
) -> None:
    html = html_of(member_client.get(TAKE, {"area": "partnerships"}))
    form = html[html.index('class="form assess-form"') :]
    form = form[: form.index("</form>")]
    assert form.count('class="assess-competency') == 5
    assert '<legend><span class="mono">PAR-1</span>' in form
    for name in LEVELS:
        assert form.count(f">{name}</label>") == 5
    assert form.count('type="radio"') == 25
    assert "Note on PAR-1 (optional)" in form


def test_taking_it_saves_a_dated_sitting_and_shows_it(
    member: User, member_client: Client, partnerships: Area
) -> None:
    data = form_data(partnerships, [0, 1, 2, 3, 4], note="After the spring term")
    first = partnerships.competencies.order_by("order").first()
    data[f"note_{first.pk}"] = "Still learning who our partners are."
    response = member_client.post(f"{TAKE}?area=partnerships", data)
    sitting = SelfAssessment.objects.get(user=member)
    assert response.status_code == 302
    assert response["Location"] == sitting.get_absolute_url()
    assert sitting.note == "After the spring term"
    assert dict(sitting.ratings.values_list("competency__code", "level")) == {
        "PAR-1": 0, "PAR-2": 1, "PAR-3": 2, "PAR-4": 3, "PAR-5": 4,
    }  # fmt: skip
    html = html_of(member_client.get(sitting.get_absolute_url()))
    assert "Still learning who our partners are." in html
    assert "Your first sitting of this area." in html
    listing = html_of(member_client.get(LIST))
    assert ">Take it again<" in listing and "First sitting" in listing


def test_bad_input_re_renders_keeping_every_choice(
    member: User, member_client: Client, partnerships: Area
) -> None:
    data = form_data(partnerships, [2, None, 3, None, 1], note="Keep this note")
    third = list(partnerships.competencies.order_by("order"))[2]
    data[f"note_{third.pk}"] = "My note on PAR-3"
    html = html_of(member_client.post(f"{TAKE}?area=partnerships", data), 400)
    assert not SelfAssessment.objects.filter(user=member).exists()
    assert "Choose a level for PAR-2." in html and "Choose a level for PAR-4." in html
    checked = re.findall(r'<input type="radio" name="level_(\d+)" value="(\d)"[^>]*checked', html)
    by_code = {c.pk: c.code for c in partnerships.competencies.all()}
    assert {(by_code[int(pk)], int(v)) for pk, v in checked} == {
        ("PAR-1", 2), ("PAR-3", 3), ("PAR-5", 1),
    }  # fmt: skip
    assert "My note on PAR-3" in html and "Keep this note" in html
    # A level outside the scale is refused the same way.
    data = form_data(partnerships, [2, 9, 3, 3, 1])
    html = html_of(member_client.post(f"{TAKE}?area=partnerships", data), 400)
    assert "Select a valid choice" in html


def test_taking_it_again_keeps_the_earlier_sitting(
    member: User, member_client: Client, partnerships: Area
) -> None:
    first = take(member, partnerships, [1, 1, 1, 1, 1], days_ago=90)
    html = html_of(member_client.get(TAKE, {"area": "partnerships"}))
    assert html.count("Last time: Emerging") == 5
    member_client.post(f"{TAKE}?area=partnerships", form_data(partnerships, [2, 1, 0, 1, 1]))
    assert SelfAssessment.objects.filter(user=member).count() == 2
    assert set(SelfRating.objects.filter(assessment=first).values_list("level", flat=True)) == {1}
    listing = html_of(member_client.get(LIST))
    assert "1 up, 1 down, 3 unchanged" in listing


def test_change_text() -> None:
    assert change_text(LEVELS, 2, 3) == "Developing → Proficient (+1)"
    assert change_text(LEVELS, 4, 1) == "Exemplary → Emerging (-3)"
    assert change_text(LEVELS, 2, 2) == "Developing (unchanged)"
    assert change_text(LEVELS, None, 2) == "Developing (first rating)"
    assert change_text(LEVELS, 2, None) == "Not rated"


def test_sitting_shows_change_with_a_chart_and_a_table(
    member: User, member_client: Client, partnerships: Area
) -> None:
    take(member, partnerships, [0, 1, 2, 2, 4], days_ago=200)
    take(member, partnerships, [1, 1, 2, 3, 4], days_ago=100)
    latest = take(member, partnerships, [1, 2, 3, 2, 4], days_ago=1)
    html = html_of(member_client.get(latest.get_absolute_url()))
    ratings = html[html.index('class="table assess-ratings"') :]
    ratings = ratings[: ratings.index("</table>")]
    assert "Emerging → Developing (+1)" in ratings
    assert "Developing → Proficient (+1)" in ratings
    assert "Proficient → Developing (-1)" in ratings
    assert "Exemplary (unchanged)" in ratings
    assert "2 up, 1 down, 2 unchanged" in html

    svg = re.search(r"<svg.*?</svg>", html, re.S)
    assert svg is not None
    root = ET.fromstring(svg.group(0))  # noqa: S314  (our own page)
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text.startswith("Self-assessments of Community Partnerships")
    desc = root.find(f"{SVG}desc").text
    assert "as solid" in desc and "as diagonal stripes" in desc and "as dots" in desc
    assert len(root.findall(f".//{SVG}pattern")) == 3
    assert all(el.get("style") is None for el in root.iter())
    assert "Proficient" in [t.text for t in root.iter(f"{SVG}text")]

    history = html[html.index('id="assessment-history"') :]
    history = history[: history.index("</table>")]
    assert "<caption>Levels in your last 3 sittings" in history
    assert history.count('<th scope="col">') == 4
    row = re.search(r"PAR-4.*?</tr>", history, re.S).group(0)
    assert re.findall(r"<td>(.*?)</td>", row) == [
        "Developing",
        "Developing → Proficient (+1)",
        "Proficient → Developing (-1)",
    ]


def test_chart_shows_at_most_four_sittings(
    member: User, member_client: Client, partnerships: Area
) -> None:
    for n in range(6):
        last = take(member, partnerships, [n % 5] * 5, days_ago=60 - n)
    html = html_of(member_client.get(last.get_absolute_url()))
    assert html.count("<pattern ") == 4
    history = html[html.index('id="assessment-history"') :]
    assert history[: history.index("</thead>")].count('<th scope="col">') == 5


def test_an_earlier_sitting_links_to_the_later_one(
    member: User, member_client: Client, partnerships: Area
) -> None:
    first = take(member, partnerships, [0] * 5, days_ago=10)
    later = take(member, partnerships, [1] * 5, days_ago=1)
    html = html_of(member_client.get(first.get_absolute_url()))
    assert f'href="{later.get_absolute_url()}"' in html
    assert "Your first sitting of this area." in html


def test_only_the_owner_sees_a_sitting(
    member: User,
    member2: User,
    staff: User,
    make_user: Callable[..., User],
    signed_in: Callable[..., Client],
    anon: Client,
    partnerships: Area,
) -> None:
    sitting = take(member, partnerships, [1] * 5)
    admin = make_user("admin@example.org", name="Ada Admin")
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    for other in (member2, staff, admin):
        assert signed_in(other).get(sitting.get_absolute_url()).status_code == 404
        listing = html_of(signed_in(other).get(LIST))
        assert sitting.get_absolute_url() not in listing
    response = anon.get(sitting.get_absolute_url())
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert anon.get(LIST).status_code == 302


def test_unknown_or_missing_area(member_client: Client, framework: Any) -> None:
    assert member_client.get(TAKE, {"area": "nope"}).status_code == 404
    assert member_client.post(f"{TAKE}?area=nope", {}).status_code == 404
    response = member_client.get(TAKE)
    assert response.status_code == 302 and response["Location"] == LIST


def test_pages_keep_a_fixed_number_of_queries(
    member: User, member_client: Client, partnerships: Area, framework: Any
) -> None:
    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert member_client.get(url).status_code == 200
        return len(queries)

    fundamentals = framework.areas.get(slug="fundamentals")
    take(member, fundamentals, [1] * 10, days_ago=50)
    first = take(member, partnerships, [1] * 5, days_ago=40)
    second = take(member, partnerships, [2] * 5, days_ago=30)
    count(LIST)
    small = (count(LIST), count(second.get_absolute_url()), count(f"{TAKE}?area=partnerships"))
    for n in range(8):
        take(member, partnerships, [n % 5] * 5, days_ago=29 - n)
        take(member, fundamentals, [n % 5] * 10, days_ago=29 - n)
    assert (
        count(LIST),
        count(second.get_absolute_url()),
        count(f"{TAKE}?area=partnerships"),
    ) == small
    assert first.pk  # the earliest sitting is still there
