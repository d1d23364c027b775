"""Who sees and changes a packet, over every transport of the packet core. Mei (``member``)
shares her packet with the facilitators of ``home`` (Fay). Olu facilitates another cohort;
Mateo is Mei's co-member in ``home``; staff are not readers by their role. Anything one may
not see is the same 404 as what does not exist; anonymous pages go to sign in and the API
answers 401/403."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from packets.models import Packet
from packets.services.packets import packet_share

pytestmark = pytest.mark.django_db

ROLES = ("owner", "reader", "other_facilitator", "co_member", "staff", "anonymous")

#                      read   comment   edit
TABLE = {
    "owner":             ("yes", "yes",    "yes"),
    "reader":            ("yes", "yes",    "-"),
    "other_facilitator": ("-",   "-",      "-"),
    "co_member":         ("-",   "-",      "-"),
    "staff":             ("-",   "-",      "-"),
    "anonymous":         ("-",   "-",      "-"),
}  # fmt: skip


@pytest.fixture
def world(
    packet: Packet,
    member: Any,
    member2: Any,
    home: Any,
    facilitator: Any,
    other_cohort: Any,
    other_facilitator: Any,
    staff: Any,
) -> dict[str, Any]:
    packet_share(packet=packet, by=member, cohort=home)
    packet.refresh_from_db()
    return {
        "packet": packet,
        "section": packet.sections.first(),
        "people": {
            "owner": member,
            "reader": facilitator,
            "other_facilitator": other_facilitator,
            "co_member": member2,
            "staff": staff,
            "anonymous": None,
        },
    }


def page_client(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def api_client(user: Any) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_the_table_names_every_role_once() -> None:
    assert tuple(TABLE) == ROLES


@pytest.mark.parametrize("role", ROLES)
def test_reading(world: dict[str, Any], role: str) -> None:
    packet, section = world["packet"], world["section"]
    user = world["people"][role]
    expected = TABLE[role][0] == "yes"
    pages = page_client(user)
    api = api_client(user)
    for url in (packet.get_absolute_url(), section.get_absolute_url()):
        response = pages.get(url)
        if role == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        else:
            assert response.status_code == (200 if expected else 404), url
    for url in (
        reverse("api:packet", args=[packet.pk]),
        reverse("api:packet-section", args=[packet.pk, section.pk]),
    ):
        response = api.get(url)
        if role == "anonymous":
            assert response.status_code in (401, 403)
        else:
            assert response.status_code == (200 if expected else 404), url
            if not expected:
                assert response.json() == {"detail": "Not found.", "code": "not_found"}
    listing = pages.get(reverse("packets:home"))
    if role != "anonymous":
        assert (packet.get_absolute_url() in listing.content.decode()) == expected


@pytest.mark.parametrize("role", ROLES)
def test_commenting(world: dict[str, Any], role: str) -> None:
    packet = world["packet"]
    response = page_client(world["people"][role]).post(
        reverse("packets:comment", args=[packet.pk]), {"body": f"From {role}"}
    )
    if role == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == (302 if TABLE[role][1] == "yes" else 404)
    assert packet.comments.filter(body=f"From {role}").exists() == (TABLE[role][1] == "yes")


@pytest.mark.parametrize("role", ROLES)
def test_editing(world: dict[str, Any], role: str) -> None:
    packet, section = world["packet"], world["section"]
    user = world["people"][role]
    allowed = TABLE[role][2] == "yes"
    pages = page_client(user)
    api = api_client(user)
    answers = [
        pages.post(section.get_absolute_url(), {"body": f"By {role}", "version": 1}),
        pages.post(reverse("packets:status", args=[packet.pk]), {"status": "ready", "version": 2}),
        pages.get(reverse("packets:share", args=[packet.pk])),
        pages.get(reverse("packets:unshare", args=[packet.pk])),
        pages.get(reverse("packets:section_quote", args=[packet.pk, section.pk])),
        pages.post(
            reverse("packets:section_autosave", args=[packet.pk, section.pk]),
            data={"body": f"Autosaved by {role}", "version": 1},
            content_type="application/json",
        ),
    ]
    for response in answers[:5]:
        if role == "anonymous":
            assert response.status_code == 302
        else:
            assert response.status_code in ((200, 302) if allowed else (404,))
    assert answers[5].status_code == (409 if allowed else 404)  # version 1 is stale by then
    patched = api.patch(
        reverse("api:packet", args=[packet.pk]), {"status": "submitted"}, format="json"
    )
    section_patch = api.patch(
        reverse("api:packet-section", args=[packet.pk, section.pk]),
        {"body": "API", "version": 1},
        format="json",
    )
    if role == "anonymous":
        assert patched.status_code in (401, 403)
        assert section_patch.status_code in (401, 403)
    elif allowed:
        assert patched.status_code == 400  # no version: bad input, not a refusal
        assert section_patch.status_code == 409
    else:
        assert patched.status_code == 404
        assert section_patch.status_code == 404
    section.refresh_from_db()
    packet.refresh_from_db()
    assert (section.body == f"By {role}") == allowed
    assert (packet.status == "ready") == allowed


def test_missing_and_malformed_ids_are_the_same_404(world: dict[str, Any]) -> None:
    owner = world["people"]["owner"]
    pages = page_client(owner)
    api = api_client(owner)
    assert pages.get("/journal/packets/999999/").status_code == 404
    assert api.get("/api/v1/journal/packets/999999/").json() == {
        "detail": "Not found.",
        "code": "not_found",
    }
    packet = world["packet"]
    assert pages.get(f"/journal/packets/{packet.pk}/sections/999999/").status_code == 404


def test_unsharing_blanks_the_readers_access_over_the_api_too(world: dict[str, Any]) -> None:
    packet = world["packet"]
    owner = api_client(world["people"]["owner"])
    reader = api_client(world["people"]["reader"])
    url = reverse("api:packet", args=[packet.pk])
    assert reader.get(url).status_code == 200
    owner.patch(url, {"shared_with": None, "version": packet.version}, format="json")
    assert reader.get(url).status_code == 404
