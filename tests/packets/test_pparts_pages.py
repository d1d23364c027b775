"""(B) The artifact and development pages and the packet page's parts: the owner's
journeys without JavaScript, what a reader (a facilitator it is shared with) sees, the
same 404 for anyone else, refusals that keep what was typed, and query counts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from cohorts.models import Cohort
from journals.models import Entry
from packets.models import Artifact, DevelopmentItem, Packet
from packets.services.artifacts import artifact_add
from packets.services.development import DevelopmentInput, development_add
from tests.packets.pparts_support import cite, held, joined_long_ago, words

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(write: Callable[..., Entry]) -> Entry:
    return write(title="Listening first", competencies=["PAR-2"])


def url(name: str, *args: Any) -> str:
    return reverse(f"packets:{name}", args=args)


def test_owner_picks_evidence_and_it_shows_on_the_packet_page(
    packet: Packet, member: User, member_client: Client, entry: Entry
) -> None:
    evidence = cite(entry, member, competency="PAR-1", annotation="Our partner chaired")
    page = member_client.get(url("artifacts_pick", packet.pk))
    assert page.status_code == 200
    assert "Link 1" in page.content.decode() and "Add to the packet" in page.content.decode()
    added = member_client.post(
        url("artifact_add", packet.pk), {"evidence": evidence.pk, "competency": "PAR-1"}
    )
    assert added.status_code == 302
    assert added["Location"].startswith(url("artifacts_pick", packet.pk) + "?competency=PAR-1")
    assert "In the packet" in member_client.get(added["Location"]).content.decode()
    packet_page = member_client.get(packet.get_absolute_url()).content.decode()
    assert (
        "Our partner chaired" in packet_page and "PAR-1" in packet_page and "PAR-2" in packet_page
    )
    assert "Move up" not in packet_page  # only one artifact
    assert "Readiness" in packet_page


def test_adding_the_same_evidence_twice_says_so(
    packet: Packet, member: User, member_client: Client, entry: Entry
) -> None:
    evidence = cite(entry, member)
    member_client.post(url("artifact_add", packet.pk), {"evidence": evidence.pk})
    again = member_client.post(
        url("artifact_add", packet.pk), {"evidence": evidence.pk}, follow=True
    )
    assert "already in the packet" in again.content.decode()
    refused = member_client.post(
        url("artifact_add", packet.pk), {"evidence": evidence.pk}, HTTP_ACCEPT="application/json"
    )
    assert refused.status_code == 409 and refused.json()["code"] == "conflict"
    assert packet.artifacts.count() == 1


def test_edit_reorder_and_remove_without_javascript(
    packet: Packet, member: User, member_client: Client, entry: Entry, partnerships: Any
) -> None:
    a = artifact_add(packet=packet, by=member, evidence=cite(entry, member))
    b = artifact_add(packet=packet, by=member, evidence=cite(entry, member))
    par4 = partnerships.competencies.get(code="PAR-4")
    form = member_client.get(url("artifact_edit", packet.pk, a.pk))
    assert form.status_code == 200
    saved = member_client.post(
        url("artifact_edit", packet.pk, a.pk),
        {"annotation": "Shows shared planning", "competencies": [str(par4.pk)]},
    )
    assert saved.status_code == 302
    a.refresh_from_db()
    assert a.annotation == "Shows shared planning"
    assert list(a.competencies.values_list("code", flat=True)) == ["PAR-4"]
    member_client.post(url("artifact_move", packet.pk, b.pk), {"direction": "up"})
    assert list(packet.artifacts.values_list("pk", flat=True)) == [b.pk, a.pk]
    member_client.post(url("artifact_remove", packet.pk, b.pk))
    assert list(packet.artifacts.values_list("pk", flat=True)) == [a.pk]


def test_a_refused_edit_keeps_what_was_typed(
    packet: Packet, member: User, member_client: Client, entry: Entry
) -> None:
    a = artifact_add(packet=packet, by=member, evidence=cite(entry, member, annotation="Before"))
    typed = "My new words " + "x" * 2001
    page = member_client.post(
        url("artifact_edit", packet.pk, a.pk), {"annotation": typed, "competencies": ["999999"]}
    )
    assert page.status_code == 400
    body = page.content.decode()
    assert "My new words" in body and "errorlist" in body
    a.refresh_from_db()
    assert a.annotation == "Before"


def test_a_reader_sees_the_parts_without_owner_controls_and_cannot_reach_the_pages(
    packet: Packet, member: User, home: Cohort, fac_client: Client, entry: Entry
) -> None:
    artifact = artifact_add(
        packet=packet, by=member, evidence=cite(entry, member, annotation="Seen")
    )
    development_add(packet=packet, by=member, data=DevelopmentInput(title="Conference talk"))
    Packet.objects.filter(pk=packet.pk).update(shared_with=home)
    page = fac_client.get(packet.get_absolute_url())
    assert page.status_code == 200
    body = page.content.decode()
    assert "Seen" in body and "Conference talk" in body and "Readiness" in body
    assert url("artifacts_pick", packet.pk) not in body
    assert url("artifact_edit", packet.pk, artifact.pk) not in body
    assert ">Fix<" not in body
    for name, args in [
        ("artifacts_pick", ()),
        ("artifact_edit", (artifact.pk,)),
        ("development", ()),
        ("development_add", ()),
    ]:
        assert fac_client.get(url(name, packet.pk, *args)).status_code == 404
    assert fac_client.post(url("artifact_remove", packet.pk, artifact.pk)).status_code == 404
    assert Artifact.objects.filter(pk=artifact.pk).exists()


@pytest.mark.parametrize("who", ["member2", "outsider"])
def test_anyone_else_gets_the_same_404(
    packet: Packet, member: User, entry: Entry, who: str, request: Any, client_for: Any
) -> None:
    artifact = artifact_add(packet=packet, by=member, evidence=cite(entry, member))
    client = client_for(request.getfixturevalue(who))
    assert client.get(url("artifacts_pick", packet.pk)).status_code == 404
    assert client.get(url("artifacts_pick", 999999)).status_code == 404
    assert (
        client.post(url("artifact_move", packet.pk, artifact.pk), {"direction": "up"}).status_code
        == 404
    )
    assert client.post(url("development_refresh", packet.pk)).status_code == 404
    assert not DevelopmentItem.objects.exists()


def test_anonymous_is_sent_to_sign_in(packet: Packet, anon: Client) -> None:
    response = anon.get(url("artifacts_pick", packet.pk))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_development_page_assembles_edits_and_adds_lines(
    packet: Packet, member: User, member_client: Client, home: Cohort, facilitator: User
) -> None:
    joined_long_ago(home, member)
    held(home, facilitator, {member.pk: "present"}, days=-9)
    held(home, facilitator, {member.pk: "absent"}, days=-2)
    member_client.post(url("development_refresh", packet.pk))
    page = member_client.get(url("development", packet.pk)).content.decode()
    assert home.title in page and "1 of 2 sessions attended" in page
    line = DevelopmentItem.objects.get(packet=packet)
    edited = member_client.post(
        url("development_edit", packet.pk, line.pk),
        {"title": "CoP on partnerships", "detail": "1 of 2; hosted one", "included": "on"},
    )
    assert edited.status_code == 302
    added = member_client.post(
        url("development_add", packet.pk),
        {"title": "Conference talk", "started_on": "2031-03-02", "included": "on"},
    )
    assert added.status_code == 302
    member_client.post(url("development_refresh", packet.pk))
    page = member_client.get(url("development", packet.pk)).content.decode()
    assert "CoP on partnerships" in page and "1 of 2; hosted one" in page and "(edited)" in page
    assert "Conference talk" in page and "2 Mar 2031" in page
    manual = DevelopmentItem.objects.get(packet=packet, source="manual")
    member_client.post(url("development_move", packet.pk, manual.pk), {"direction": "up"})
    assert list(DevelopmentItem.objects.filter(packet=packet).values_list("source", flat=True)) == [
        "manual",
        "cohort",
    ]
    refused = member_client.post(url("development_remove", packet.pk, line.pk), follow=True)
    assert "untick" in refused.content.decode()
    member_client.post(url("development_remove", packet.pk, manual.pk))
    assert DevelopmentItem.objects.filter(packet=packet).count() == 1


def test_a_bad_development_line_re_renders_with_what_was_typed(
    packet: Packet, member_client: Client
) -> None:
    page = member_client.post(
        url("development_add", packet.pk),
        {
            "title": "Backwards",
            "organiser": "Tove",
            "started_on": "2031-05-02",
            "ended_on": "2031-05-01",
        },
    )
    assert page.status_code == 400
    body = page.content.decode()
    assert 'value="Backwards"' in body and "end date comes before" in body
    bad_date = member_client.post(
        url("development_add", packet.pk), {"title": "T", "started_on": "soon"}
    )
    assert bad_date.status_code == 400 and "YYYY-MM-DD" in bad_date.content.decode()
    assert not DevelopmentItem.objects.exists()


def test_packet_page_and_picker_take_the_same_queries_for_3_and_30_artifacts(
    packet: Packet,
    member: User,
    member_client: Client,
    write: Callable[..., Entry],
    django_assert_max_num_queries: Any,
) -> None:
    words(packet, [200, 10])
    counts = []
    for n in (3, 30):
        while packet.artifacts.count() < n:
            entry = write(title=f"Entry {packet.artifacts.count()}", competencies=["PAR-1"])
            artifact_add(packet=packet, by=member, evidence=cite(entry, member, competency="PAR-3"))
            development_add(packet=packet, by=member, data=DevelopmentInput(title="Line"))
        with django_assert_max_num_queries(40) as page_queries:
            page = member_client.get(packet.get_absolute_url())
        assert page.status_code == 200
        assert page.content.decode().count('id="artifact-') == n
        with django_assert_max_num_queries(40) as pick_queries:
            pick = member_client.get(url("artifacts_pick", packet.pk))
        assert pick.content.decode().count("In the packet") == n
        with django_assert_max_num_queries(40) as dev_queries:
            member_client.get(url("development", packet.pk))
        counts.append((len(page_queries), len(pick_queries), len(dev_queries)))
    assert counts[0] == counts[1]
