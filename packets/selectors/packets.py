"""(A) Reads of the packet core: the packet list, the packet page's header, sections,
self-assessment and feedback, the section editor's quote picker, and the dashboard panel.
Each runs a fixed number of queries whatever the number of rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.urls import reverse

from cohorts.models import Cohort, Membership
from core.registry import Panel
from journals.models import Entry, SelfAssessment
from journals.permissions import facilitated_cohort_ids, member_cohort_ids
from journals.selectors.assessments import AssessmentDetail, assessment_detail
from packets.models import Comment, Packet, Section
from packets.permissions import packets_visible_to
from packets.requirements import requirements_for
from packets.services.sections import paragraphs

QUOTE_ENTRIES = 200


@dataclass(frozen=True)
class Readiness:
    """The list page's readiness slot: ``done`` of ``total`` checks."""

    done: int
    total: int


def _readiness(packets: list[Packet]) -> dict[int, Any]:
    """Lane B's ``readiness_summary(packets)`` when it is there (a mapping by packet id
    of something with done/total, or a (done, total) pair); nothing otherwise."""
    from packets.selectors import readiness

    summary = getattr(readiness, "readiness_summary", None)
    if summary is None or not packets:
        return {}
    found = summary(packets) or {}
    out: dict[int, Any] = {}
    for key, value in dict(found).items():
        pk: Any = getattr(key, "pk", key)
        if isinstance(value, tuple | list) and len(value) == 2:
            value = Readiness(int(value[0]), int(value[1]))
        out[int(pk)] = value
    return out


def _listing(rows: QuerySet[Packet]) -> list[Packet]:
    found = list(
        rows.select_related("area", "period", "owner", "shared_with").order_by("-updated_at", "-pk")
    )
    summary = _readiness(found)
    for packet in found:
        packet.readiness = summary.get(packet.pk)  # type: ignore[attr-defined]
    return found


def my_packets(user: Any) -> list[Packet]:
    """The person's own packets, most recently changed first (one query, plus readiness)."""
    return _listing(Packet.objects.filter(owner=user))


def packets_shared_with(user: Any) -> list[Packet]:
    """Packets of others shared with a cohort ``user`` facilitates."""
    cohorts = facilitated_cohort_ids(user)
    if not cohorts:
        return []
    return _listing(packets_visible_to(user).exclude(owner=user))


def packet_for_page(packet_id: int) -> Packet:
    """The packet with what its page header reads, in one query."""
    return Packet.objects.select_related(
        "area__framework", "period", "owner", "shared_with", "assessment"
    ).get(pk=packet_id)


@dataclass
class SectionRow:
    section: Section
    limit: int  # 0: no limit
    min_words: int

    @property
    def over(self) -> bool:
        return bool(self.limit) and self.section.word_count > self.limit

    @property
    def excess(self) -> int:
        return max(0, self.section.word_count - self.limit) if self.limit else 0

    @property
    def started(self) -> bool:
        return self.section.word_count > 0


def section_rows(packet: Packet) -> list[SectionRow]:
    """The packet's sections in order, each with its word limit (one query)."""
    needs = requirements_for(packet.area)
    return [
        SectionRow(section=s, limit=needs.word_limit(s.kind), min_words=needs.min_words)
        for s in packet.sections.select_related("framing_question").order_by("order", "pk")
    ]


def section_limit(section: Section, packet: Packet) -> int:
    return requirements_for(packet.area).word_limit(section.kind)


def assessment_choices(packet: Packet) -> list[SelfAssessment]:
    """The owner's sittings for the packet's area, latest first."""
    return list(
        SelfAssessment.objects.filter(user_id=packet.owner_id, area_id=packet.area_id).order_by(
            "-taken_at", "-pk"
        )
    )


def packet_assessment(packet: Packet, choices: list[SelfAssessment]) -> AssessmentDetail | None:
    """The sitting the packet shows (the chosen one, else the latest for the area) as its
    ratings table, read as its owner reads it (a facilitator reading the packet sees what
    the owner put in it)."""
    chosen = packet.assessment
    if chosen is None or chosen.user_id != packet.owner_id or chosen.area_id != packet.area_id:
        chosen = choices[0] if choices else None
    if chosen is None:
        return None
    chosen.area = packet.area
    return assessment_detail(packet.owner, chosen)


def packet_comments(packet: Packet) -> list[Comment]:
    return list(packet.comments.select_related("author").order_by("created_at", "pk"))


def share_choices(packet: Packet) -> list[Cohort]:
    """The owner's cohorts, with their active facilitators prefetched (who will read it)."""
    facilitators = Membership.objects.filter(
        status=Membership.Status.ACTIVE, role=Membership.Role.FACILITATOR
    ).select_related("user")
    return list(
        Cohort.objects.filter(pk__in=member_cohort_ids(packet.owner))
        .order_by("title", "pk")
        .prefetch_related(Prefetch("memberships", queryset=facilitators, to_attr="facilitating"))
    )


def core_context(packet: Packet, viewer: Any) -> dict[str, Any]:
    """What the packet page's own parts read: sections, self-assessment, feedback."""
    choices = assessment_choices(packet)
    return {
        "sections": section_rows(packet),
        "assessment": packet_assessment(packet, choices),
        "assessment_choices": choices,
        # The owner keeps the feedback once unshared; a reader sees it only while shared
        # (and reaches the page only then).
        "comments": packet_comments(packet)
        if packet.shared_with_id or packet.owner_id == getattr(viewer, "pk", None)
        else [],
    }


# --- quoting a passage ----------------------------------------------------------------------


def quotable_entries(owner: Any) -> list[Entry]:
    """The owner's entries (not deleted), newest first, to quote from."""
    return list(
        Entry.objects.filter(author=owner, deleted_at__isnull=True)
        .only("pk", "title", "written_on")
        .order_by("-written_on", "-pk")[:QUOTE_ENTRIES]
    )


def quotable_entry(owner: Any, entry_id: Any) -> Entry | None:
    try:
        pk = int(entry_id)
    except (TypeError, ValueError):
        return None
    return Entry.objects.filter(pk=pk, author=owner, deleted_at__isnull=True).first()


def entry_paragraphs(entry: Entry) -> list[str]:
    return paragraphs(entry.body)


# --- the dashboard panel --------------------------------------------------------------------


def packets_panel(user: Any) -> dict[str, Any]:
    """The dashboard's "Application packets" panel: how many packets the person has, with
    the links to the list (where packets shared with a facilitator are too) and to start
    one. One query."""
    return {
        "packets_panel": {
            "mine": Packet.objects.filter(owner=user).count(),
            "url": reverse("packets:home"),
            "new_url": reverse("packets:new"),
        }
    }


PANEL = Panel("packets.packets", "packets/_dashboard_panel.html", packets_panel, order=27)
