"""The packet core's pages: list, new packet, packet page with its forms, sharing with a
confirm step, the section editor (plain form and autosave, with the conflict view), quoting
an entry, and feedback. Query counts of the list and the packet page stay constant."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from packets.models import Comment, Packet
from packets.services.comments import packet_comment_create
from packets.services.packets import packet_share, packet_unshare
from packets.services.sections import section_update

pytestmark = pytest.mark.django_db


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- the list and a new packet -------------------------------------------------------------


def test_the_list_shows_my_packets_and_those_shared_with_me(
    packet: Packet,
    member: Any,
    member2: Any,
    home: Any,
    facilitator: Any,
    make_packet: Callable[..., Packet],
    client_for: Callable[..., Client],
) -> None:
    theirs = make_packet(member2)
    packet_share(packet=theirs, by=member2, cohort=home)
    mine = page(client_for(member), reverse("packets:home"))
    assert packet.get_absolute_url() in mine
    assert theirs.get_absolute_url() not in mine
    assert "Only you can read it" in mine
    facilitating = page(client_for(facilitator), reverse("packets:home"))
    assert theirs.get_absolute_url() in facilitating
    assert "Mateo Member" in facilitating
    assert packet.get_absolute_url() not in facilitating


def count_queries(client: Client, url: str, bound: Any, most: int) -> int:
    """The queries of one page view (after a warming one), at most ``most``."""
    client.get(url)  # warm: the session, caches
    with bound(most) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_list_runs_the_same_queries_for_3_or_30_packets(
    member: Any,
    home: Any,
    facilitator: Any,
    make_user: Callable[..., Any],
    seat: Callable[..., Any],
    make_packet: Callable[..., Packet],
    framework: Any,
    client_for: Callable[..., Client],
    django_assert_max_num_queries: Any,
) -> None:
    """The count is measured at 3 and at 30 rows in one test, so it holds whatever the
    packet list's other part (lane B's readiness summary) costs. The core alone runs 6
    queries; with the readiness summary, 13."""
    from cohorts.models import EnrollmentPeriod

    areas = list(framework.areas.all())
    url = reverse("packets:home")
    owner, reader = client_for(member), client_for(facilitator)
    made = 0
    counts: dict[int, tuple[int, int]] = {}
    for rows in (3, 30):
        while made < rows:
            period = EnrollmentPeriod.objects.create(
                slug=f"p-{made}", name=f"P {made}", opens_on="2031-01-01", closes_on="2031-02-01"
            )
            make_packet(member, area=areas[made % len(areas)], period=period)
            if made < 10:  # the cohort seats 12: Mei, Mateo and ten applicants
                person = make_user(name=f"Applicant {made}")
                seat(home, person)
                packet_share(packet=make_packet(person), by=person, cohort=home)
            made += 1
        bound = django_assert_max_num_queries
        counts[rows] = (count_queries(owner, url, bound, 16), count_queries(reader, url, bound, 16))
        html = owner.get(url).content.decode()
        assert html.count('class="packet-line card"') == rows
        shared = reader.get(url).content.decode().count('class="packet-line card"')
        assert shared == min(rows, 10)
    assert counts[3] == counts[30]


def test_starting_a_packet_makes_it_and_opens_it(
    member: Any, partnerships: Any, enrollment_period: Any, client_for: Callable[..., Client]
) -> None:
    client = client_for(member)
    assert "Partnerships" in page(client, reverse("packets:new"))
    response = client.post(
        reverse("packets:new"), {"area": partnerships.pk, "period": enrollment_period.pk}
    )
    made = Packet.objects.get(owner=member)
    assert response.status_code == 302
    assert response["Location"] == made.get_absolute_url()
    assert made.sections.count() > 0


def test_a_duplicate_packet_is_refused_at_the_area_field(
    packet: Packet, member: Any, client_for: Callable[..., Client]
) -> None:
    response = client_for(member).post(
        reverse("packets:new"), {"area": packet.area_id, "period": packet.period_id}
    )
    assert response.status_code == 400
    assert "You already have a packet for this area" in response.content.decode()
    assert Packet.objects.count() == 1


def test_a_new_packet_without_an_area_is_refused(
    member: Any, framework: Any, client_for: Callable[..., Client]
) -> None:
    response = client_for(member).post(reverse("packets:new"), {})
    assert response.status_code == 400
    assert "Choose the credential area" in response.content.decode()


# --- the packet page -----------------------------------------------------------------------


def test_the_owner_sees_the_header_forms_and_the_sections_with_their_limits(
    packet: Packet, member: Any, client_for: Callable[..., Client]
) -> None:
    first = packet.sections.first()
    section_update(section=first, by=member, body="word " * 1005, version=1)
    html = page(client_for(member), packet.get_absolute_url())
    assert "Partnerships application packet" in html
    assert "Fall 2031" in html
    assert reverse("packets:status", args=[packet.pk]) in html
    assert reverse("packets:share", args=[packet.pk]) in html
    assert "1005 words of 1000" in html
    assert "5 over the limit" in html
    assert first.get_absolute_url() in html


def test_a_reader_sees_the_packet_without_the_owners_controls(
    packet: Packet, member: Any, home: Any, facilitator: Any, client_for: Callable[..., Client]
) -> None:
    packet_share(packet=packet, by=member, cohort=home)
    html = page(client_for(facilitator), packet.get_absolute_url())
    assert "Partnerships application packet" in html
    assert reverse("packets:status", args=[packet.pk]) not in html
    assert reverse("packets:share", args=[packet.pk]) not in html
    assert 'name="version"' not in html
    assert reverse("packets:comment", args=[packet.pk]) in html
    section = packet.sections.first()
    reading = page(client_for(facilitator), section.get_absolute_url())
    assert 'id="section-form"' not in reading
    response = client_for(facilitator).post(
        section.get_absolute_url(), {"body": "Mine now", "version": 1}
    )
    assert response.status_code == 404


def test_recording_submission_with_a_date(
    packet: Packet, member: Any, client_for: Callable[..., Client]
) -> None:
    response = client_for(member).post(
        reverse("packets:status", args=[packet.pk]),
        {"status": "submitted", "submitted_on": "2026-11-20", "version": 1},
    )
    assert response.status_code == 302
    packet.refresh_from_db()
    assert (packet.status, str(packet.submitted_on), packet.version) == (
        "submitted",
        "2026-11-20",
        2,
    )


def test_a_stale_status_change_answers_409_showing_the_packet_as_it_stands(
    packet: Packet, member: Any, client_for: Callable[..., Client]
) -> None:
    client = client_for(member)
    url = reverse("packets:status", args=[packet.pk])
    client.post(url, {"status": "ready", "version": 1})
    response = client.post(url, {"status": "submitted", "version": 1})
    assert response.status_code == 409
    html = response.content.decode()
    assert "changed elsewhere" in html
    assert 'name="version" value="2"' in html
    packet.refresh_from_db()
    assert packet.status == "ready"


def test_a_bad_submission_date_is_shown_at_its_field(
    packet: Packet, member: Any, client_for: Callable[..., Client]
) -> None:
    response = client_for(member).post(
        reverse("packets:status", args=[packet.pk]),
        {"status": "submitted", "submitted_on": "2999-01-01", "version": 1},
    )
    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()


def test_the_self_assessment_shows_the_latest_sitting_or_the_chosen_one(
    packet: Packet, member: Any, client_for: Callable[..., Client]
) -> None:
    from journals.services import RatingInput, self_assessment_take

    area = packet.area
    first = self_assessment_take(
        user=member,
        area=area,
        ratings=[RatingInput(competency=c, level=0) for c in area.competencies.all()],
    )
    self_assessment_take(
        user=member,
        area=area,
        ratings=[RatingInput(competency=c, level=2) for c in area.competencies.all()],
    )
    levels = list(area.framework.levels)
    client = client_for(member)
    html = page(client, packet.get_absolute_url())
    assert f"<td>{levels[2]}</td>" in html
    assert f"(the latest for {area.name})" in html
    response = client.post(
        reverse("packets:assessment", args=[packet.pk]), {"assessment": first.pk, "version": 1}
    )
    assert response.status_code == 302
    html = page(client, packet.get_absolute_url())
    assert f"<td>{levels[0]}</td>" in html
    assert f"<td>{levels[2]}</td>" not in html


def test_the_packet_page_runs_the_same_queries_for_3_or_30_comments(
    packet: Packet,
    member: Any,
    home: Any,
    facilitator: Any,
    client_for: Callable[..., Client],
    django_assert_max_num_queries: Any,
) -> None:
    """Measured at 3 and at 30 comments in one test: the page's own parts (header,
    sections, self-assessment, feedback) and the other parts' selectors stay constant. The
    core alone runs 9 queries for its owner; with every part of the page, 20."""
    packet_share(packet=packet, by=member, cohort=home)
    url = packet.get_absolute_url()
    owner, reader = client_for(member), client_for(facilitator)
    counts = {}
    made = 0
    for rows in (3, 30):
        while made < rows:
            packet_comment_create(
                packet=packet, by=facilitator if made % 2 else member, body=f"c {made}"
            )
            made += 1
        bound = django_assert_max_num_queries
        counts[rows] = (count_queries(owner, url, bound, 30), count_queries(reader, url, bound, 30))
        assert owner.get(url).content.decode().count('class="feedback__item') == rows
    assert counts[3] == counts[30]


# --- sharing -------------------------------------------------------------------------------


def test_sharing_names_who_will_read_it_and_needs_a_confirmation(
    packet: Packet, member: Any, home: Any, client_for: Callable[..., Client]
) -> None:
    client = client_for(member)
    url = reverse("packets:share", args=[packet.pk])
    html = page(client, url)
    assert home.title in html
    assert "Fay Facilitator" in html
    response = client.post(url, {"cohort": home.pk, "version": 1})
    assert response.status_code == 400
    assert "Tick the box to confirm" in response.content.decode()
    packet.refresh_from_db()
    assert packet.shared_with_id is None
    response = client.post(url, {"cohort": home.pk, "version": 1, "confirm": "on"})
    assert response.status_code == 302
    packet.refresh_from_db()
    assert packet.shared_with_id == home.pk


def test_sharing_with_someone_elses_cohort_is_refused(
    packet: Packet, member: Any, home: Any, other_cohort: Any, client_for: Callable[..., Client]
) -> None:
    response = client_for(member).post(
        reverse("packets:share", args=[packet.pk]),
        {"cohort": other_cohort.pk, "version": 1, "confirm": "on"},
    )
    assert response.status_code == 400
    packet.refresh_from_db()
    assert packet.shared_with_id is None


def test_unsharing_after_confirming_blanks_the_readers_access_at_once(
    packet: Packet, member: Any, home: Any, facilitator: Any, client_for: Callable[..., Client]
) -> None:
    packet_share(packet=packet, by=member, cohort=home)
    reader = client_for(facilitator)
    assert reader.get(packet.get_absolute_url()).status_code == 200
    owner = client_for(member)
    url = reverse("packets:unshare", args=[packet.pk])
    assert f"Stop sharing your {packet.area.name} packet?" in page(owner, url)
    assert owner.post(url, {"version": 2}).status_code == 302
    assert reader.get(packet.get_absolute_url()).status_code == 404
    assert reader.get(packet.sections.first().get_absolute_url()).status_code == 404
    assert "Only you can read it." in page(owner, packet.get_absolute_url())
    comment_url = reverse("packets:comment", args=[packet.pk])
    assert reader.post(comment_url, {"body": "x"}).status_code == 404


# --- feedback ------------------------------------------------------------------------------


def test_a_reader_comments_and_a_blank_comment_is_refused(
    packet: Packet, member: Any, home: Any, facilitator: Any, client_for: Callable[..., Client]
) -> None:
    packet_share(packet=packet, by=member, cohort=home)
    client = client_for(facilitator)
    url = reverse("packets:comment", args=[packet.pk])
    assert client.post(url, {"body": "   "}).status_code == 400
    assert client.post(url, {"body": "Tell us *more*."}).status_code == 302
    assert "<em>more</em>" in page(client_for(member), packet.get_absolute_url())
    assert Comment.objects.count() == 1
    # Unshared, the owner keeps the conversation (without a form to add to it).
    packet_unshare(packet=packet, by=member)
    kept = page(client_for(member), packet.get_absolute_url())
    assert "<em>more</em>" in kept
    assert reverse("packets:comment", args=[packet.pk]) not in kept


# --- the section editor --------------------------------------------------------------------


def test_the_editor_shows_the_text_word_count_and_limit(
    packet: Packet, member: Any, client_for: Callable[..., Client]
) -> None:
    section = packet.sections.first()
    section_update(section=section, by=member, body="Three words here.", version=1)
    html = page(client_for(member), section.get_absolute_url())
    assert "Three words here." in html
    assert "3 words of 1000" in html
    assert 'data-limit="1000"' in html
    assert reverse("packets:section_autosave", args=[packet.pk, section.pk]) in html


def test_the_plain_form_saves_and_goes_back_to_the_packet(
    packet: Packet, member: Any, client_for: Callable[..., Client]
) -> None:
    section = packet.sections.first()
    response = client_for(member).post(
        section.get_absolute_url(), {"body": "We *listened*.", "version": 1}
    )
    assert response.status_code == 302
    section.refresh_from_db()
    assert (section.body, section.word_count, section.version) == ("We *listened*.", 2, 2)


def test_the_plain_form_shows_both_texts_on_a_conflict_and_keeps_mine_in_the_form(
    packet: Packet, member: Any, client_for: Callable[..., Client]
) -> None:
    section = packet.sections.first()
    section_update(section=section, by=member, body="Saved in the other tab.", version=1)
    client = client_for(member)
    response = client.post(section.get_absolute_url(), {"body": "Typed here.", "version": 1})
    assert response.status_code == 409
    html = response.content.decode()
    assert 'id="conflict"' in html
    assert '<pre class="entry-conflict__pre" id="conflict-yours">Typed here.</pre>' in html
    assert (
        '<pre class="entry-conflict__pre" id="conflict-theirs">Saved in the other tab.</pre>'
        in html
    )
    assert 'name="version" value="2"' in html
    assert "Keep mine" in html and "Take theirs" in html
    section.refresh_from_db()
    assert section.body == "Saved in the other tab."
    # Keep mine: the form, now based on the current version, saves on top.
    kept = client.post(section.get_absolute_url(), {"body": "Typed here.", "version": 2})
    assert kept.status_code == 302
    section.refresh_from_db()
    assert section.body == "Typed here."


def autosave(client: Client, section: Any, payload: Any) -> Any:
    return client.post(
        reverse("packets:section_autosave", args=[section.packet_id, section.pk]),
        data=json.dumps(payload),
        content_type="application/json",
    )


def test_autosave_saves_and_answers_the_new_version_and_count(
    packet: Packet, member: Any, client_for: Callable[..., Client]
) -> None:
    section = packet.sections.first()
    response = autosave(client_for(member), section, {"body": "One two three", "version": 1})
    assert response.status_code == 200
    assert response.json()["version"] == 2
    assert response.json()["word_count"] == 3


def test_a_stale_autosave_answers_409_with_the_current_text(
    packet: Packet, member: Any, client_for: Callable[..., Client]
) -> None:
    section = packet.sections.first()
    section_update(section=section, by=member, body="Theirs", version=1)
    response = autosave(client_for(member), section, {"body": "Mine", "version": 1})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "stale"
    assert body["current"]["body"] == "Theirs"
    assert body["current"]["version"] == 2


@pytest.mark.parametrize(
    "payload",
    [b"not json", b"[]", json.dumps({"body": "x"}).encode(), json.dumps({"body": 5}).encode()],
)
def test_a_malformed_autosave_is_a_400_with_a_message(
    payload: bytes, packet: Packet, member: Any, client_for: Callable[..., Client]
) -> None:
    section = packet.sections.first()
    response = client_for(member).post(
        reverse("packets:section_autosave", args=[packet.pk, section.pk]),
        data=payload,
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["detail"]


def test_an_autosave_over_the_size_limit_is_refused_and_nothing_lost(
    packet: Packet, member: Any, client_for: Callable[..., Client]
) -> None:
    section = packet.sections.first()
    section_update(section=section, by=member, body="Kept", version=1)
    response = autosave(client_for(member), section, {"body": "x" * 100_001, "version": 2})
    assert response.status_code == 400
    assert response.json()["field"] == "body"
    section.refresh_from_db()
    assert section.body == "Kept"


def test_autosave_of_someone_elses_section_is_the_json_404(
    packet: Packet, member2: Any, client_for: Callable[..., Client]
) -> None:
    section = packet.sections.first()
    for client in (client_for(member2), Client()):
        response = autosave(client, section, {"body": "x", "version": 1})
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found.", "code": "not_found"}


# --- quoting an entry ----------------------------------------------------------------------


def test_quoting_a_passage_without_javascript(
    packet: Packet, member: Any, write: Callable[..., Any], client_for: Callable[..., Client]
) -> None:
    entry = write(title="Reciprocity", body="First thought.\n\nWe listened before we planned.")
    section = packet.sections.first()
    client = client_for(member)
    url = reverse("packets:section_quote", args=[packet.pk, section.pk])
    html = page(client, url)
    assert "Reciprocity" in html
    html = page(client, f"{url}?entry={entry.pk}")
    assert "We listened before we planned." in html
    response = client.post(url, {"entry": entry.pk, "paragraph": 1})
    assert response.status_code == 302
    section.refresh_from_db()
    assert "> We listened before we planned." in section.body
    assert f"(/journal/entries/{entry.pk}/)" in section.body


def test_quoting_someone_elses_entry_is_not_offered(
    packet: Packet,
    member: Any,
    member2: Any,
    write: Callable[..., Any],
    client_for: Callable[..., Client],
) -> None:
    theirs = write(author=member2, title="Theirs", body="Private words.")
    section = packet.sections.first()
    client = client_for(member)
    url = reverse("packets:section_quote", args=[packet.pk, section.pk])
    response = client.get(f"{url}?entry={theirs.pk}")
    assert response.status_code == 404
    assert "Private words." not in response.content.decode()
    assert client.post(url, {"entry": theirs.pk, "paragraph": 0}).status_code == 400
    section.refresh_from_db()
    assert section.body == ""


def test_the_dashboard_panel_leads_to_the_packets(
    packet: Packet, member: Any, client_for: Callable[..., Client]
) -> None:
    html = page(client_for(member), reverse("dashboard:home"))
    assert "You have 1 application packet under way." in html
    assert f'href="{reverse("packets:home")}"' in html
