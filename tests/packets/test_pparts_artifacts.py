"""(B) Artifacts: picked from the owner's evidence, annotated, reordered, removed; shown
through the journals' evidence display (what the owner can no longer see shows as such)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from accounts.models import User
from journals.models import Entry
from journals.services import entry_delete, evidence_remove
from packets.models import Artifact, Packet
from packets.selectors.artifacts import (
    artifact_views,
    evidence_choices,
    pick_filters,
)
from packets.services.artifacts import (
    artifact_add,
    artifact_move,
    artifact_remove,
    artifact_update,
)
from packets.services.common import PacketError
from tests.packets.pparts_support import cite

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(write: Callable[..., Entry]) -> Entry:
    return write(title="Listening first", competencies=["PAR-2", "FUN-1"])


def order_of(packet: Packet) -> list[int]:
    return list(packet.artifacts.order_by("order", "pk").values_list("evidence_id", flat=True))


def test_adding_copies_the_annotation_and_preselects_the_area_competencies(
    packet: Packet, member: User, entry: Entry
) -> None:
    evidence = cite(entry, member, competency="PAR-1", annotation="Our partner led the meeting")
    artifact = artifact_add(packet=packet, by=member, evidence=evidence.pk)
    assert artifact.annotation == "Our partner led the meeting"
    # The evidence's own competency and the entry's mapped one of this area; not FUN-1.
    assert sorted(artifact.competencies.values_list("code", flat=True)) == ["PAR-1", "PAR-2"]
    assert artifact.order == 1


def test_the_same_evidence_is_added_once(packet: Packet, member: User, entry: Entry) -> None:
    evidence = cite(entry, member)
    artifact_add(packet=packet, by=member, evidence=evidence)
    with pytest.raises(PacketError) as refused:
        artifact_add(packet=packet, by=member, evidence=evidence)
    assert refused.value.code == "conflict"
    assert packet.artifacts.count() == 1


def test_someone_elses_evidence_or_a_deleted_entrys_is_refused(
    packet: Packet, member: User, member2: User, write: Callable[..., Entry]
) -> None:
    theirs = cite(write(author=member2, title="Mateo's"), member2)
    with pytest.raises(PacketError) as refused:
        artifact_add(packet=packet, by=member, evidence=theirs)
    assert refused.value.code == "not_found"
    gone_entry = write(title="Deleted later")
    gone = cite(gone_entry, member)
    entry_delete(entry=gone_entry, by=member)
    with pytest.raises(PacketError):
        artifact_add(packet=packet, by=member, evidence=gone)
    assert not packet.artifacts.exists()


def test_only_the_owner_changes_artifacts(
    packet: Packet, member: User, facilitator: User, entry: Entry
) -> None:
    evidence = cite(entry, member)
    with pytest.raises(PacketError) as refused:
        artifact_add(packet=packet, by=facilitator, evidence=evidence)
    assert refused.value.code == "not_found"
    artifact = artifact_add(packet=packet, by=member, evidence=evidence)
    with pytest.raises(PacketError):
        artifact_update(artifact=artifact, by=facilitator, annotation="x", competencies=[])
    with pytest.raises(PacketError):
        artifact_remove(artifact=artifact, by=facilitator)
    assert Artifact.objects.filter(pk=artifact.pk).exists()


def test_update_keeps_competencies_to_the_packets_area(
    packet: Packet, member: User, entry: Entry, partnerships: Any
) -> None:
    artifact = artifact_add(packet=packet, by=member, evidence=cite(entry, member))
    par3 = partnerships.competencies.get(code="PAR-3")
    artifact_update(
        artifact=artifact, by=member, annotation="  Rewritten  ", competencies=[par3.pk]
    )
    artifact.refresh_from_db()
    assert artifact.annotation == "Rewritten"
    assert list(artifact.competencies.values_list("code", flat=True)) == ["PAR-3"]
    from competencies.models import Competency

    fun1 = Competency.objects.get(code="FUN-1")
    with pytest.raises(PacketError) as refused:
        artifact_update(artifact=artifact, by=member, annotation="", competencies=[fun1.pk])
    assert refused.value.field == "competencies"
    assert list(artifact.competencies.values_list("code", flat=True)) == ["PAR-3"]


def test_too_long_an_annotation_is_refused_and_nothing_changes(
    packet: Packet, member: User, entry: Entry
) -> None:
    artifact = artifact_add(packet=packet, by=member, evidence=cite(entry, member))
    before = artifact.annotation
    with pytest.raises(PacketError) as refused:
        artifact_update(artifact=artifact, by=member, annotation="x" * 2001, competencies=[])
    assert refused.value.field == "annotation"
    artifact.refresh_from_db()
    assert artifact.annotation == before


def test_reorder_moves_up_and_down_and_keeps_the_order(
    packet: Packet, member: User, entry: Entry
) -> None:
    a, b, c = (cite(entry, member) for _ in range(3))
    first, _, third = (artifact_add(packet=packet, by=member, evidence=e) for e in (a, b, c))
    artifact_move(artifact=third, by=member, offset=-1)
    assert order_of(packet) == [a.pk, c.pk, b.pk]
    artifact_move(artifact=first, by=member, offset=1)
    assert order_of(packet) == [c.pk, a.pk, b.pk]
    artifact_move(artifact=third, by=member, offset=-1)  # already first: nothing moves
    assert order_of(packet) == [c.pk, a.pk, b.pk]
    artifact_remove(artifact=first, by=member)
    assert order_of(packet) == [c.pk, b.pk]
    assert entry.evidence.count() == 3  # the evidence stays on the entry


def test_an_artifact_whose_target_is_gone_shows_as_no_longer_available(
    packet: Packet, member: User, entry: Entry, write: Callable[..., Entry]
) -> None:
    kept = artifact_add(packet=packet, by=member, evidence=cite(entry, member, annotation="kept"))
    other = write(title="Deleted later")
    deleted_entry = artifact_add(
        packet=packet, by=member, evidence=cite(other, member, annotation="on a deleted entry")
    )
    removed = cite(entry, member, annotation="removed from the entry")
    artifact_removed = artifact_add(packet=packet, by=member, evidence=removed)
    entry_delete(entry=other, by=member)
    evidence_remove(evidence=removed, by=member)
    views = {v.id: v for v in artifact_views(packet, member)}
    assert views[kept.pk].available and views[kept.pk].item.url.startswith("https://example.org/")
    assert not views[deleted_entry.pk].available
    assert views[deleted_entry.pk].title == "This link is no longer available"
    assert views[deleted_entry.pk].annotation == "on a deleted entry"
    assert not views[artifact_removed.pk].available
    assert views[artifact_removed.pk].title == "This evidence is no longer available"


def test_picking_lists_only_my_evidence_filtered_by_competency_and_area(
    packet: Packet, member: User, member2: User, entry: Entry, write: Callable[..., Entry]
) -> None:
    par1 = cite(entry, member, competency="PAR-1")  # entry maps PAR-2 and FUN-1
    plain_entry = write(title="Unmapped")
    plain = cite(plain_entry, member)
    fun = cite(plain_entry, member, competency="FUN-2")
    cite(write(author=member2, title="Not mine"), member2, competency="PAR-1")
    artifact_add(packet=packet, by=member, evidence=par1)

    def pick(**filters: str) -> list[tuple[int, bool]]:
        _, choices = evidence_choices(packet, member, pick_filters(packet, **filters))
        return sorted((c.evidence.id, c.picked) for c in choices)

    assert pick() == sorted([(par1.pk, True), (plain.pk, False), (fun.pk, False)])
    assert pick(competency="PAR-1") == [(par1.pk, True)]
    assert pick(competency="PAR-2") == [(par1.pk, True)]  # through its entry's mapping
    assert pick(area="fundamentals") == sorted([(par1.pk, True), (fun.pk, False)])
    assert pick(competency="NOPE") == pick()  # an unknown filter is no filter


def test_only_the_owner_gets_choices(
    packet: Packet, member: User, facilitator: User, entry: Entry
) -> None:
    cite(entry, member)
    _, choices = evidence_choices(packet, facilitator, pick_filters(packet))
    assert choices == []


def test_artifact_views_take_the_same_queries_for_3_and_30(
    packet: Packet,
    member: User,
    write: Callable[..., Entry],
    django_assert_max_num_queries: Any,
) -> None:
    def grow_to(n: int) -> None:
        while packet.artifacts.count() < n:
            entry = write(title=f"Entry {packet.artifacts.count()}", competencies=["PAR-1"])
            artifact_add(packet=packet, by=member, evidence=cite(entry, member, competency="PAR-2"))

    counts = []
    for n in (3, 30):
        grow_to(n)
        fresh = Packet.objects.select_related("owner", "area").get(pk=packet.pk)
        viewer = User.objects.get(pk=member.pk)
        with django_assert_max_num_queries(8) as captured:
            views = artifact_views(fresh, viewer)
            _, choices = evidence_choices(fresh, viewer, pick_filters(fresh))
        assert len(views) == n and len(choices) == n
        counts.append(len(captured))
    assert counts[0] == counts[1]
