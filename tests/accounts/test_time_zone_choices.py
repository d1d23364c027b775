"""The time zone lists: curated, grouped by region, the same on every form, and a zone set
before the list was curated stays valid where it is set."""

from __future__ import annotations

import re
import zoneinfo

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.time_zones import curated_time_zones, time_zone_choices
from cohorts.models import Cohort

pytestmark = pytest.mark.django_db

REGIONS = [
    "Americas",
    "Europe",
    "Africa",
    "Asia",
    "Australia & Pacific",
    "Atlantic islands",
    "Indian Ocean",
    "Antarctica & Arctic",
    "Universal",
]


def _time_zone_select(html: str) -> str:
    select = re.search(r'<select name="time_zone".*?</select>', html, re.S)
    assert select, html
    return select.group(0)


def _option_values(select: str) -> list[str]:
    return re.findall(r'<option value="([^"]*)"', select)


def test_signup_lists_time_zones_grouped_by_region_without_technical_entries() -> None:
    select = _time_zone_select(Client().get("/accounts/signup/").content.decode())
    assert re.findall(r'<optgroup label="([^"]*)"', select) == [
        r.replace("&", "&amp;") for r in REGIONS
    ]
    values = _option_values(select)
    assert len(values) == len(set(values))
    for technical in ("Factory", "localtime", "UTC", "GMT"):
        assert values.count(technical) <= (1 if technical == "UTC" else 0)
    assert not [v for v in values if v.startswith(("Etc/", "SystemV/", "posix/", "right/"))]
    # Deprecated aliases are gone; the zones they stand for are there.
    for alias, zone in [
        ("US/Eastern", "America/New_York"),
        ("Asia/Calcutta", "Asia/Kolkata"),
        ("Europe/Kiev", "Europe/Kyiv"),
        ("GB", "Europe/London"),
        ("Asia/Saigon", "Asia/Ho_Chi_Minh"),
    ]:
        assert alias not in values
        assert zone in values
    # Every zone a person might live in: each country's own zones stay (Norway is not
    # folded into Berlin, Indiana keeps its counties).
    for zone in ("Europe/Oslo", "America/Indiana/Knox", "Pacific/Chatham", "Asia/Kathmandu"):
        assert zone in values
    # Labels say the country and the place.
    assert '<option value="Europe/Berlin">Germany \N{EN DASH} Berlin</option>' in select


def test_every_listed_zone_is_a_real_zone_in_its_region() -> None:
    known = zoneinfo.available_timezones()
    prefixes = {
        "Americas": ("America/",),
        "Europe": ("Europe/",),
        "Africa": ("Africa/",),
        "Asia": ("Asia/",),
        "Australia & Pacific": ("Australia/", "Pacific/"),
        "Atlantic islands": ("Atlantic/",),
        "Indian Ocean": ("Indian/",),
        "Antarctica & Arctic": ("Antarctica/", "Arctic/"),
        "Universal": ("UTC",),
    }
    groups = curated_time_zones()
    assert [region for region, _ in groups] == REGIONS
    for region, zones in groups:
        assert zones
        for name, _label in zones:
            assert name in known and name.startswith(prefixes[region])
    assert sum(len(zones) for _, zones in groups) > 400


@pytest.mark.parametrize(
    "url",
    ["/accounts/profile/edit/", "/cohorts/propose/", "session_create"],
)
def test_every_form_lists_the_same_curated_zones(
    url: str, fac_client: Client, active_cohort: Cohort
) -> None:
    signup = _option_values(_time_zone_select(Client().get("/accounts/signup/").content.decode()))
    if url == "session_create":
        url = reverse("cohorts:session_create", args=[active_cohort.slug])
    response = fac_client.get(url)
    assert response.status_code == 200
    select = _time_zone_select(response.content.decode())
    assert '<optgroup label="Europe">' in select
    assert _option_values(select) == signup
    assert "Factory" not in signup and "Europe/Berlin" in signup


def test_profile_keeps_a_zone_set_before_the_list_was_curated(
    member: User, member_client: Client
) -> None:
    member.time_zone = "US/Eastern"
    member.save(update_fields=["time_zone"])
    select = _time_zone_select(member_client.get("/accounts/profile/edit/").content.decode())
    assert '<option value="US/Eastern" selected>' in select

    saved = member_client.post(
        "/accounts/profile/edit/", {"name": "Mei Member", "time_zone": "US/Eastern"}
    )
    assert saved.status_code == 302
    member.refresh_from_db()
    assert member.time_zone == "US/Eastern"


def test_a_zone_outside_the_list_is_refused_unless_already_set(member_client: Client) -> None:
    refused = member_client.post(
        "/accounts/profile/edit/", {"name": "Mei Member", "time_zone": "Etc/GMT+5"}
    )
    assert refused.status_code == 200
    assert "Select a valid choice" in refused.content.decode()


def test_session_form_keeps_a_cohort_zone_set_before_the_list_was_curated(
    active_cohort: Cohort, fac_client: Client
) -> None:
    Cohort.objects.filter(pk=active_cohort.pk).update(time_zone="US/Central")
    page = fac_client.get(reverse("cohorts:session_create", args=[active_cohort.slug]))
    assert '<option value="US/Central" selected>' in page.content.decode()


def test_choices_keep_only_known_zones_as_the_current_one() -> None:
    assert time_zone_choices("Europe/Berlin") == time_zone_choices()
    assert time_zone_choices("Nowhere/Town") == time_zone_choices()
    assert time_zone_choices("US/Pacific")[0] == ("Currently set", [("US/Pacific", "US/Pacific")])


def test_a_fresh_signup_form_asks_the_browser_for_its_zone_a_returned_one_does_not() -> None:
    client = Client()
    fresh = client.get("/accounts/signup/").content.decode()
    assert "data-detect-time-zone" in _time_zone_select(fresh)
    assert re.search(r'<script type="module" src="[^"]*js/time_zone\.js"', fresh)
    returned = client.post(
        "/accounts/signup/", {"email": "x@example.org", "time_zone": "Asia/Tokyo"}
    ).content.decode()
    select = _time_zone_select(returned)
    assert "data-detect-time-zone" not in select
    assert '<option value="Asia/Tokyo" selected>' in select
