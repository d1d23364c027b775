"""The packet core's services: the packet's own versioned fields, sharing, sections with
their version check and word count, quoting an entry, and feedback with its notices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Notification
from journals.services import RatingInput, self_assessment_take
from packets.models import Packet
from packets.permissions import can_view_packet
from packets.services.comments import packet_comment_create
from packets.services.common import PacketError
from packets.services.packets import (
    PacketChanges,
    StalePacket,
    packet_choose_assessment,
    packet_set_status,
    packet_share,
    packet_unshare,
    packet_update,
)
from packets.services.sections import (
    StaleSection,
    count_words,
    paragraphs,
    section_quote_entry,
    section_update,
)

pytestmark = pytest.mark.django_db


def take(user: Any, area: Any) -> Any:
    ratings = [RatingInput(competency=c, level=1) for c in area.competencies.all()]
    return self_assessment_take(user=user, area=area, ratings=ratings)


# --- status and versions -------------------------------------------------------------------


def test_recording_submission_without_a_date_records_today(packet: Packet, member: Any) -> None:
    saved = packet_set_status(
        packet=packet, by=member, status="submitted", submitted_on=None, version=1
    )
    assert saved.status == "submitted"
    assert saved.submitted_on == timezone.localdate()
    assert saved.version == 2


def test_going_back_to_in_progress_clears_the_submission_date(packet: Packet, member: Any) -> None:
    day = timezone.localdate() - dt.timedelta(days=3)
    packet_set_status(packet=packet, by=member, status="submitted", submitted_on=day, version=1)
    saved = packet_set_status(
        packet=packet, by=member, status="in_progress", submitted_on=day, version=2
    )
    assert saved.submitted_on is None


def test_a_submission_date_in_the_future_is_refused(packet: Packet, member: Any) -> None:
    with pytest.raises(PacketError) as refused:
        packet_set_status(
            packet=packet,
            by=member,
            status="submitted",
            submitted_on=timezone.localdate() + dt.timedelta(days=1),
            version=1,
        )
    assert refused.value.field == "submitted_on"
    packet.refresh_from_db()
    assert packet.status == "in_progress"


def test_an_unknown_status_is_refused(packet: Packet, member: Any) -> None:
    with pytest.raises(PacketError) as refused:
        packet_update(packet=packet, by=member, changes=PacketChanges(status="won"), version=1)
    assert refused.value.field == "status"


def test_a_stale_version_changes_nothing_and_carries_the_packet_as_it_stands(
    packet: Packet, member: Any
) -> None:
    packet_set_status(packet=packet, by=member, status="ready", submitted_on=None, version=1)
    with pytest.raises(StalePacket) as stale:
        packet_set_status(
            packet=packet, by=member, status="submitted", submitted_on=None, version=1
        )
    assert stale.value.code == "stale"
    assert stale.value.current.status == "ready"
    packet.refresh_from_db()
    assert (packet.status, packet.version) == ("ready", 2)


def test_nothing_changed_keeps_the_version(packet: Packet, member: Any) -> None:
    saved = packet_set_status(
        packet=packet, by=member, status="in_progress", submitted_on=None, version=1
    )
    assert saved.version == 1


def test_only_the_owner_changes_a_packet(packet: Packet, facilitator: Any) -> None:
    with pytest.raises(PacketError) as refused:
        packet_set_status(
            packet=packet, by=facilitator, status="ready", submitted_on=None, version=None
        )
    assert refused.value.code == "not_found"


# --- sharing -------------------------------------------------------------------------------


def test_sharing_with_a_cohort_lets_its_facilitators_read_until_unshared(
    packet: Packet, member: Any, home: Any, facilitator: Any
) -> None:
    assert not can_view_packet(facilitator, packet)
    shared = packet_share(packet=packet, by=member, cohort=home)
    assert shared.shared_with_id == home.pk
    fresh_facilitator = type(facilitator).objects.get(pk=facilitator.pk)
    assert can_view_packet(fresh_facilitator, shared)
    unshared = packet_unshare(packet=packet, by=member)
    assert unshared.shared_with_id is None
    assert not can_view_packet(fresh_facilitator, unshared)


def test_sharing_with_a_cohort_the_owner_is_not_in_is_refused(
    packet: Packet, member: Any, other_cohort: Any
) -> None:
    with pytest.raises(PacketError) as refused:
        packet_share(packet=packet, by=member, cohort=other_cohort)
    assert refused.value.field == "shared_with"
    packet.refresh_from_db()
    assert packet.shared_with_id is None


# --- self-assessment -----------------------------------------------------------------------


def test_choosing_a_self_assessment_of_the_area(packet: Packet, member: Any) -> None:
    sitting = take(member, packet.area)
    saved = packet_choose_assessment(packet=packet, by=member, assessment=sitting)
    assert saved.assessment_id == sitting.pk
    saved = packet_choose_assessment(packet=packet, by=member, assessment=None)
    assert saved.assessment_id is None


def test_someone_elses_or_another_areas_sitting_is_refused(
    packet: Packet, member: Any, member2: Any, framework: Any
) -> None:
    theirs = take(member2, packet.area)
    other_area = framework.areas.exclude(pk=packet.area_id).first()
    elsewhere = take(member, other_area)
    for sitting in (theirs, elsewhere):
        with pytest.raises(PacketError) as refused:
            packet_choose_assessment(packet=packet, by=member, assessment=sitting)
        assert refused.value.field == "assessment"


# --- sections ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", 0),
        ("One two three.", 3),
        ("## A heading\n\n- a *list* item\n> quoted", 6),
        ("We don't co-design alone.", 4),
        ("See [the report](https://example.org/a/b/c) now.", 4),
        ("A link <https://example.org/x> here", 3),
    ],
)
def test_words_are_counted_as_a_reader_counts_them(text: str, words: int) -> None:
    assert count_words(text) == words


def test_saving_a_section_renders_counts_and_bumps_the_version(packet: Packet, member: Any) -> None:
    section = packet.sections.first()
    saved = section_update(section=section, by=member, body="We *listened* first.", version=1)
    assert saved.version == 2
    assert saved.word_count == 3
    assert "<em>listened</em>" in saved.body_html


def test_a_stale_section_save_overwrites_nothing(packet: Packet, member: Any) -> None:
    section = packet.sections.first()
    section_update(section=section, by=member, body="Saved in the other tab.", version=1)
    with pytest.raises(StaleSection) as stale:
        section_update(section=section, by=member, body="Typed here.", version=1)
    assert stale.value.current.body == "Saved in the other tab."
    section.refresh_from_db()
    assert (section.body, section.version) == ("Saved in the other tab.", 2)


def test_over_the_word_limit_is_saved_and_counted(packet: Packet, member: Any) -> None:
    section = packet.sections.first()
    saved = section_update(section=section, by=member, body="word " * 1200, version=1)
    assert saved.word_count == 1200


def test_a_section_over_the_size_limit_is_refused(packet: Packet, member: Any) -> None:
    section = packet.sections.first()
    with pytest.raises(PacketError) as refused:
        section_update(section=section, by=member, body="x" * 100_001, version=1)
    assert refused.value.field == "body"


def test_a_reader_cannot_write_a_section(
    packet: Packet, member: Any, home: Any, facilitator: Any
) -> None:
    packet_share(packet=packet, by=member, cohort=home)
    with pytest.raises(PacketError) as refused:
        section_update(section=packet.sections.first(), by=facilitator, body="Mine", version=None)
    assert refused.value.code == "not_found"


def test_paragraphs_are_the_blocks_between_blank_lines() -> None:
    assert paragraphs("One.\nStill one.\n\n\nTwo.\r\n\r\nThree.") == [
        "One.\nStill one.",
        "Two.",
        "Three.",
    ]


def test_quoting_a_paragraph_appends_a_blockquote_with_a_link_back(
    packet: Packet, member: Any, write: Callable[..., Any]
) -> None:
    entry = write(title="Reciprocity", body="First thought.\n\nWe listened before we planned.")
    section = packet.sections.first()
    section_update(section=section, by=member, body="My answer.", version=1)
    saved = section_quote_entry(section=section, by=member, entry=entry, paragraph=1)
    assert saved.body == (
        "My answer.\n\n> We listened before we planned.\n>\n"
        f"> — from [“Reciprocity”](/journal/entries/{entry.pk}/)\n"
    )
    assert "<blockquote>" in saved.body_html
    assert f'href="/journal/entries/{entry.pk}/"' in saved.body_html
    assert saved.version == 3


def test_quoting_someone_elses_entry_or_a_missing_paragraph_is_refused(
    packet: Packet, member: Any, member2: Any, write: Callable[..., Any]
) -> None:
    theirs = write(author=member2, title="Theirs", body="Not yours.")
    mine = write(title="Mine", body="Only one paragraph.")
    section = packet.sections.first()
    with pytest.raises(PacketError) as refused:
        section_quote_entry(section=section, by=member, entry=theirs, paragraph=0)
    assert refused.value.field == "entry"
    with pytest.raises(PacketError) as refused:
        section_quote_entry(section=section, by=member, entry=mine, paragraph=1)
    assert refused.value.field == "paragraph"
    section.refresh_from_db()
    assert section.body == ""


# --- feedback ------------------------------------------------------------------------------


def test_feedback_needs_the_packet_shared(packet: Packet, member: Any) -> None:
    with pytest.raises(PacketError) as refused:
        packet_comment_create(packet=packet, by=member, body="Anyone?")
    assert refused.value.code == "not_found"


def test_a_facilitators_feedback_tells_the_owner(
    packet: Packet,
    member: Any,
    home: Any,
    facilitator: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    packet_share(packet=packet, by=member, cohort=home)
    with django_capture_on_commit_callbacks(execute=True):
        packet_comment_create(packet=packet, by=facilitator, body="Say more about *power*.")
    notice = Notification.objects.get(kind="packets.feedback")
    assert notice.user_id == member.pk
    assert notice.url == f"/journal/packets/{packet.pk}/#feedback"


def test_the_owners_reply_tells_the_cohorts_facilitators_only(
    packet: Packet,
    member: Any,
    member2: Any,
    home: Any,
    facilitator: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    packet_share(packet=packet, by=member, cohort=home)
    with django_capture_on_commit_callbacks(execute=True):
        packet_comment_create(packet=packet, by=member, body="Could you read section two?")
    told = set(Notification.objects.filter(kind="packets.feedback").values_list("user", flat=True))
    assert told == {facilitator.pk}


def test_nobody_is_told_once_the_packet_is_unshared_before_the_task_runs(
    packet: Packet, member: Any, home: Any, facilitator: Any
) -> None:
    from packets.tasks import notify_packet_comment

    packet_share(packet=packet, by=member, cohort=home)
    comment = packet_comment_create(packet=packet, by=facilitator, body="Good start.")
    Notification.objects.all().delete()
    packet_unshare(packet=packet, by=member)
    assert notify_packet_comment.call(comment.pk) == 0
    assert not Notification.objects.filter(kind="packets.feedback").exists()


def test_the_demo_packet_is_made_once_with_two_sections_drafted(
    make_user: Callable[..., Any], partnerships: Any, enrollment_period: Any
) -> None:
    from journals.services import EntryInput, entry_create
    from packets.seed import demo_packet

    mei = make_user("member@example.org", name="Mei Lin")
    entry_create(author=mei, data=EntryInput(title="Asked first", body="We asked first."))
    made = demo_packet()
    assert made is not None
    drafted = [s for s in made.sections.order_by("order") if s.word_count]
    assert len(drafted) == 2
    assert "> We asked first." in drafted[1].body
    assert demo_packet() is None
    assert Packet.objects.filter(owner=mei).count() == 1
