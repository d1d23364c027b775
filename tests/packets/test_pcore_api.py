"""The packets' REST API: list and create, the packet with its sections, versioned PATCH
(409 with the current packet or section), bad input as JSON 400s, and the schema."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from packets.models import Packet
from packets.services.packets import packet_share
from packets.services.sections import section_update

pytestmark = pytest.mark.django_db


def detail_url(packet: Packet) -> str:
    return reverse("api:packet", args=[packet.pk])


def section_url(section: Any) -> str:
    return reverse("api:packet-section", args=[section.packet_id, section.pk])


def test_the_list_is_my_own_packets(
    packet: Packet,
    member: Any,
    member2: Any,
    home: Any,
    facilitator: Any,
    make_packet: Callable[..., Packet],
    api: Callable[..., Any],
) -> None:
    theirs = make_packet(member2)
    packet_share(packet=theirs, by=member2, cohort=home)
    body = api(member).get(reverse("api:packets")).json()
    assert [p["id"] for p in body["results"]] == [packet.pk]
    first = body["results"][0]
    assert first["area"] == "partnerships"
    assert first["period"] == "fall-2031"
    assert first["status"] == "in_progress"
    assert first["version"] == 1
    assert api(facilitator).get(reverse("api:packets")).json()["results"] == []


@pytest.mark.parametrize("rows", [3, 30])
def test_the_list_runs_the_same_queries_for_3_or_30_packets(
    rows: int,
    member: Any,
    framework: Any,
    make_packet: Callable[..., Packet],
    api: Callable[..., Any],
    django_assert_max_num_queries: Any,
) -> None:
    from cohorts.models import EnrollmentPeriod

    area = framework.areas.first()
    for i in range(rows):
        period = EnrollmentPeriod.objects.create(
            slug=f"p-{i}", name=f"P {i}", opens_on="2031-01-01", closes_on="2031-02-01"
        )
        make_packet(member, area=area, period=period)
    client = api(member)
    with django_assert_max_num_queries(3):
        response = client.get(reverse("api:packets"))
    assert response.json()["count"] == rows


def test_creating_a_packet_answers_it_with_its_sections(
    member: Any, partnerships: Any, enrollment_period: Any, api: Callable[..., Any]
) -> None:
    response = api(member).post(
        reverse("api:packets"), {"area": "partnerships", "period": "fall-2031"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["area"] == "partnerships"
    assert [s["kind"] for s in body["sections"]][:4] == ["framing"] * 4
    assert body["sections"][0]["word_limit"] == 1000
    assert Packet.objects.filter(owner=member).count() == 1


def test_a_second_packet_for_the_same_area_and_period_is_409(
    packet: Packet, member: Any, api: Callable[..., Any]
) -> None:
    response = api(member).post(
        reverse("api:packets"), {"area": "partnerships", "period": "fall-2031"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"


@pytest.mark.parametrize(
    "payload",
    [{}, {"area": "no-such-area"}, {"area": "partnerships", "period": "never"}, {"area": 5}],
)
def test_bad_input_to_create_is_a_json_400(
    payload: dict[str, Any], member: Any, partnerships: Any, api: Callable[..., Any]
) -> None:
    response = api(member).post(reverse("api:packets"), payload, format="json")
    assert response.status_code == 400
    assert response.json()["detail"]
    assert not Packet.objects.exists()


def test_patching_status_and_sharing(
    packet: Packet, member: Any, home: Any, api: Callable[..., Any]
) -> None:
    client = api(member)
    response = client.patch(
        detail_url(packet),
        {"status": "submitted", "submitted_on": "2026-11-02", "version": 1},
        format="json",
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["submitted_on"]) == (
        "submitted",
        "2026-11-02",
    )
    response = client.patch(
        detail_url(packet), {"shared_with": home.slug, "version": 2}, format="json"
    )
    assert response.json()["shared_with"] == home.slug
    response = client.patch(detail_url(packet), {"shared_with": None, "version": 3}, format="json")
    assert response.json()["shared_with"] is None
    assert response.json()["version"] == 4


def test_a_stale_packet_patch_is_409_with_the_current_packet(
    packet: Packet, member: Any, api: Callable[..., Any]
) -> None:
    client = api(member)
    client.patch(detail_url(packet), {"status": "ready", "version": 1}, format="json")
    response = client.patch(
        detail_url(packet), {"status": "submitted", "version": 1}, format="json"
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "stale"
    assert body["current"]["status"] == "ready"
    assert body["current"]["version"] == 2
    assert len(body["current"]["sections"]) == packet.sections.count()


@pytest.mark.parametrize(
    "payload",
    [
        {"status": "won", "version": 1},
        {"status": "ready"},
        {"shared_with": "not-a-cohort", "version": 1},
        {"assessment": 999999, "version": 1},
        {"submitted_on": "yesterday", "version": 1},
    ],
)
def test_bad_patches_are_json_400s_and_change_nothing(
    payload: dict[str, Any], packet: Packet, member: Any, api: Callable[..., Any]
) -> None:
    response = api(member).patch(detail_url(packet), payload, format="json")
    assert response.status_code == 400
    assert response.json()["detail"]
    packet.refresh_from_db()
    assert (packet.status, packet.version, packet.shared_with_id) == ("in_progress", 1, None)


def test_sharing_with_a_cohort_i_am_not_in_is_a_400(
    packet: Packet, member: Any, other_cohort: Any, api: Callable[..., Any]
) -> None:
    response = api(member).patch(
        detail_url(packet), {"shared_with": other_cohort.slug, "version": 1}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "Choose one of your cohorts."


def test_choosing_a_self_assessment(packet: Packet, member: Any, api: Callable[..., Any]) -> None:
    from journals.services import RatingInput, self_assessment_take

    area = packet.area
    sitting = self_assessment_take(
        user=member,
        area=area,
        ratings=[RatingInput(competency=c, level=1) for c in area.competencies.all()],
    )
    response = api(member).patch(
        detail_url(packet), {"assessment": sitting.pk, "version": 1}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["assessment"] == sitting.pk


def test_a_section_is_read_and_patched_with_its_version(
    packet: Packet, member: Any, api: Callable[..., Any]
) -> None:
    section = packet.sections.first()
    client = api(member)
    assert client.get(section_url(section)).json()["body"] == ""
    response = client.patch(
        section_url(section), {"body": "We *listened*.", "version": 1}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["version"], body["word_count"]) == (2, 2)
    assert "<em>listened</em>" in body["body_html"]


def test_a_stale_section_patch_is_409_with_the_current_body(
    packet: Packet, member: Any, api: Callable[..., Any]
) -> None:
    section = packet.sections.first()
    section_update(section=section, by=member, body="Theirs", version=1)
    response = api(member).patch(
        section_url(section), {"body": "Mine", "version": 1}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["current"]["body"] == "Theirs"
    section.refresh_from_db()
    assert section.body == "Theirs"


def test_a_section_of_another_packet_is_404(
    packet: Packet,
    member: Any,
    member2: Any,
    make_packet: Callable[..., Packet],
    api: Callable[..., Any],
) -> None:
    theirs = make_packet(member2).sections.first()
    url = reverse("api:packet-section", args=[packet.pk, theirs.pk])
    assert api(member).get(url).status_code == 404


def test_the_packets_endpoints_are_in_the_openapi_schema(api: Callable[..., Any], db: Any) -> None:
    response = api(None).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/journal/packets/" in paths
    detail = paths["/api/v1/journal/packets/{id}/"]
    assert "409" in detail["patch"]["responses"]
    section = paths["/api/v1/journal/packets/{id}/sections/{section_id}/"]
    assert "409" in section["patch"]["responses"]
