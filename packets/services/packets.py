"""Creating packets and changing their own fields: status and submission date, sharing for
feedback, the self-assessment they show. Every change is versioned (a stale one: 409)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from cohorts.models import EnrollmentPeriod
from competencies.models import Area, FramingQuestion
from journals.permissions import member_cohort_ids
from packets.models import Packet, Section
from packets.permissions import can_edit_packet
from packets.requirements import requirements_for
from packets.services.common import PacketError

# Written parts beyond the essay, in the order an application presents them.
EXTRA_SECTIONS = (
    ("context", Section.Kind.CONTEXT, "Institutional context"),
    ("action_plan", Section.Kind.ACTION_PLAN, "Action plan"),
    ("closing", Section.Kind.CLOSING, "Closing narrative"),
)


def packet_create(*, owner: Any, area: Area, period: EnrollmentPeriod | None) -> Packet:
    """A packet for ``area`` and ``period`` with a section for each part the area's
    application asks for: one per framing question of the area's framework if it asks for
    a reflective essay, and the action plan, institutional context or closing narrative if
    it asks for them. One packet per person, area and period."""
    needs = requirements_for(area)
    if Packet.objects.filter(owner=owner, area=area, period=period).exists():
        raise PacketError(
            "You already have a packet for this area and enrollment period.",
            code="conflict",
            field="area",
        )
    try:
        with transaction.atomic():
            packet = Packet.objects.create(owner=owner, area=area, period=period)
            sections: list[Section] = []
            order = 0
            if needs.has_essay:
                for question in FramingQuestion.objects.filter(
                    framework_id=area.framework_id
                ).order_by("order", "pk"):
                    order += 1
                    sections.append(
                        Section(
                            packet=packet,
                            kind=Section.Kind.FRAMING,
                            framing_question=question,
                            title=question.title,
                            guidance=question.prompt,
                            order=order,
                        )
                    )
            wanted = {
                "context": needs.wants_context,
                "action_plan": needs.wants_action_plan,
                "closing": needs.wants_closing,
            }
            for key, kind, title in EXTRA_SECTIONS:
                if wanted[key]:
                    order += 1
                    sections.append(Section(packet=packet, kind=kind, title=title, order=order))
            Section.objects.bulk_create(sections)
    except IntegrityError:
        raise PacketError(
            "You already have a packet for this area and enrollment period.",
            code="conflict",
            field="area",
        ) from None
    return packet


# --- the packet's own fields ------------------------------------------------------------------


class StalePacket(PacketError):
    """A change based on an older version of the packet: nothing was written. ``current``
    is the packet as it stands now."""

    def __init__(self, current: Packet) -> None:
        super().__init__(
            "This packet was changed elsewhere since you opened it. Nothing was changed: "
            "here is how it stands now; make your change again if you still want it.",
            code="stale",
        )
        self.current = current


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


# "Leave this field as it is" (None is a value: no date, not shared, the latest sitting).
UNSET: Any = _Unset()


@dataclass
class PacketChanges:
    """What a change of the packet's own fields sets; a field left :data:`UNSET` is kept."""

    status: Any = UNSET
    submitted_on: Any = UNSET
    shared_with: Any = UNSET  # a Cohort or None
    assessment: Any = UNSET  # a SelfAssessment or None


def _check_status(status: Any) -> str:
    if status not in Packet.Status.values:
        raise PacketError("Choose in progress, ready or submitted.", field="status")
    return str(status)


def _check_submitted_on(value: Any) -> date | None:
    if value is None:
        return None
    if not isinstance(value, date):
        raise PacketError("Give the date as YYYY-MM-DD.", field="submitted_on")
    if value > timezone.localdate():
        raise PacketError("The submission date cannot be in the future.", field="submitted_on")
    return value


def _check_cohort(owner: Any, cohort: Any) -> Any:
    """A cohort the owner belongs to (member or facilitator): its facilitators read it."""
    if cohort is None:
        return None
    if cohort.pk not in member_cohort_ids(owner):
        raise PacketError("Choose one of your cohorts.", field="shared_with")
    return cohort


def _check_assessment(packet: Packet, assessment: Any) -> Any:
    if assessment is None:
        return None
    if assessment.user_id != packet.owner_id or assessment.area_id != packet.area_id:
        raise PacketError(
            f"Choose one of your self-assessments for {packet.area.name}.", field="assessment"
        )
    return assessment


@transaction.atomic
def packet_update(
    *, packet: Packet, by: Any, changes: PacketChanges, version: int | None
) -> Packet:
    """Change the packet's status, submission date, sharing or chosen self-assessment
    (its owner only). ``version`` is the one the change was based on: a stale one writes
    nothing and raises :class:`StalePacket`. Recording ``submitted`` without a date records
    today; any other status clears the date. Unsharing takes effect at once: access is
    read from the packet on every request."""
    locked = (
        Packet.objects.select_for_update(of=("self",))
        .select_related("area", "owner")
        .filter(pk=packet.pk)
        .first()
    )
    if locked is None or not can_edit_packet(by, locked):
        raise PacketError("Only its owner changes a packet.", code="not_found")
    if version is not None and version != locked.version:
        raise StalePacket(locked)
    fields: list[str] = []
    status = locked.status
    if changes.status is not UNSET:
        status = _check_status(changes.status)
    submitted_on = locked.submitted_on
    if changes.submitted_on is not UNSET:
        submitted_on = _check_submitted_on(changes.submitted_on)
    if status == Packet.Status.SUBMITTED:
        submitted_on = submitted_on or timezone.localdate()
    else:
        submitted_on = None
    if status != locked.status:
        locked.status = status
        fields.append("status")
    if submitted_on != locked.submitted_on:
        locked.submitted_on = submitted_on
        fields.append("submitted_on")
    if changes.shared_with is not UNSET:
        cohort = _check_cohort(locked.owner, changes.shared_with)
        if (cohort.pk if cohort else None) != locked.shared_with_id:
            locked.shared_with = cohort
            fields.append("shared_with")
    if changes.assessment is not UNSET:
        assessment = _check_assessment(locked, changes.assessment)
        if (assessment.pk if assessment else None) != locked.assessment_id:
            locked.assessment = assessment
            fields.append("assessment")
    if not fields:
        return locked
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.save(update_fields=[*fields, "version", "updated_at"])
    return locked


def packet_set_status(
    *, packet: Packet, by: Any, status: str, submitted_on: date | None, version: int | None
) -> Packet:
    """In progress, ready, or submitted (on ``submitted_on``, today if not given)."""
    return packet_update(
        packet=packet,
        by=by,
        changes=PacketChanges(status=status, submitted_on=submitted_on),
        version=version,
    )


def packet_share(*, packet: Packet, by: Any, cohort: Any, version: int | None = None) -> Packet:
    """Share the packet for feedback with the facilitators of ``cohort`` (one of the
    owner's): they read it and comment, never edit. Sharing elsewhere unshares the first."""
    if cohort is None:
        raise PacketError("Choose the cohort whose facilitators will read it.", field="shared_with")
    return packet_update(
        packet=packet, by=by, changes=PacketChanges(shared_with=cohort), version=version
    )


def packet_unshare(*, packet: Packet, by: Any, version: int | None = None) -> Packet:
    """Nobody but the owner reads the packet any more, from the next request on."""
    return packet_update(
        packet=packet, by=by, changes=PacketChanges(shared_with=None), version=version
    )


def packet_choose_assessment(
    *, packet: Packet, by: Any, assessment: Any, version: int | None = None
) -> Packet:
    """Show this sitting in the packet (None: the latest sitting for the area)."""
    return packet_update(
        packet=packet, by=by, changes=PacketChanges(assessment=assessment), version=version
    )
