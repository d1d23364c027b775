"""(B) A packet's professional development list.

:func:`development_refresh` assembles it from what the records already say: the cohorts
the owner took part in (name, host, term, "N of M sessions attended" from the cohort's
attendance) and the trainings they completed. A line the applicant edited keeps their
wording; a line is never made twice for one cohort or one completion (the database holds
that too). The applicant adds their own lines, leaves any line out (``included``),
reorders, and removes the lines they added.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from cohorts.models import Attendance, Cohort, Membership, Session
from core.text import clean_input
from packets.models import DevelopmentItem, Packet
from packets.permissions import can_edit_packet
from packets.services.common import PacketError

Source = DevelopmentItem.Source
# How many lines a list holds (assembled and added by hand together).
DEVELOPMENT_PER_PACKET = 200
# Cohorts that met: a draft, a proposal or a rejected one was never attended.
HELD_STATES = (
    Cohort.State.APPROVED,
    Cohort.State.ACTIVE,
    Cohort.State.CONCLUDED,
    Cohort.State.ARCHIVED,
)
_NOT_YOURS = "Only the packet's owner changes its development list."


@dataclass(frozen=True)
class Assembled:
    """What the records say one line should read."""

    source: str
    key: int  # the cohort's or the completion's id
    title: str
    organiser: str
    started_on: date | None
    ended_on: date | None
    detail: str


def sessions_text(attended: int, held: int) -> str:
    return f"{attended} of {held} session{'s' if held != 1 else ''} attended"


def _hours(value: Any) -> str:
    text = f"{value.normalize():f}" if value is not None else ""
    if not text:
        return ""
    return f"{text} hour{'' if text == '1' else 's'}"


def cohort_lines(owner: Any) -> list[Assembled]:
    """One line per cohort ``owner`` took part in, three queries: their memberships (seated,
    or left after attending), the sessions held in those cohorts and their attendance.
    A session counts as held once it started and was not cancelled; for a member, only
    sessions still to end when they took their place count (nobody attends one that was
    over before they joined)."""
    memberships = list(
        Membership.objects.filter(
            user_id=owner.pk,
            status__in=[*Membership.SEATED, Membership.Status.LEFT],
            cohort__state__in=HELD_STATES,
        )
        .select_related("cohort")
        .order_by("cohort__term_start", "cohort__pk")
    )
    if not memberships:
        return []
    cohort_ids = [m.cohort_id for m in memberships]
    now = timezone.now()
    held: dict[int, list[Session]] = {}
    for session in Session.objects.filter(
        cohort_id__in=cohort_ids, cancelled_at__isnull=True, starts_at__lte=now
    ).only("pk", "cohort_id", "starts_at", "ends_at"):
        held.setdefault(session.cohort_id, []).append(session)
    present = set(
        Attendance.objects.filter(
            user_id=owner.pk,
            status=Attendance.Status.PRESENT,
            session__cohort_id__in=cohort_ids,
            session__cancelled_at__isnull=True,
            session__starts_at__lte=now,
        ).values_list("session_id", flat=True)
    )
    lines: list[Assembled] = []
    seen: set[int] = set()
    for membership in memberships:
        cohort = membership.cohort
        if cohort.pk in seen:
            continue
        seen.add(cohort.pk)
        sessions = held.get(cohort.pk, [])
        attended = sum(1 for s in sessions if s.pk in present)
        if membership.role == Membership.Role.FACILITATOR:
            count = len(sessions)
            detail = f"Facilitated; {count} session{'s' if count != 1 else ''} held"
        else:
            expected = [s for s in sessions if s.ends_at > membership.joined_at or s.pk in present]
            if membership.status == Membership.Status.LEFT and not attended:
                continue
            detail = sessions_text(attended, len(expected))
        lines.append(
            Assembled(
                source=Source.COHORT,
                key=cohort.pk,
                title=cohort.title,
                organiser=cohort.host_institution,
                started_on=cohort.term_start,
                ended_on=cohort.term_end,
                detail=detail,
            )
        )
    return lines


def training_lines(owner: Any) -> list[Assembled]:
    """One line per training ``owner`` completed (one query)."""
    from trainings.selectors import completions_of

    rows = completions_of(owner).prefetch_related(None).order_by("completed_on", "pk")
    return [
        Assembled(
            source=Source.TRAINING,
            key=c.pk,
            title=c.training.title,
            organiser=c.training.provider.name,
            started_on=None,
            ended_on=c.completed_on,
            detail=_hours(c.hours),
        )
        for c in rows
    ]


def _locked_packet(packet: Packet, by: Any | None) -> Packet:
    locked = Packet.objects.select_for_update().select_related("owner").filter(pk=packet.pk).first()
    if locked is None or (by is not None and not can_edit_packet(by, locked)):
        raise PacketError(_NOT_YOURS, code="not_found")
    return locked


_ASSEMBLED_FIELDS = ("title", "organiser", "started_on", "ended_on", "detail")


@transaction.atomic
def development_refresh(*, packet: Packet, by: Any | None = None) -> list[DevelopmentItem]:
    """Bring the packet's development list up to date with the owner's cohorts and
    trainings: a new line for each one not listed yet (after the others), the current
    wording for the assembled lines the applicant has not edited, and away with unedited
    assembled lines whose cohort or completion no longer counts. Edited lines and lines
    added by hand are kept as they are. ``by`` (when given) must be the owner. Returns
    the list in order."""
    locked = _locked_packet(packet, by)
    owner = locked.owner
    wanted = {(a.source, a.key): a for a in [*cohort_lines(owner), *training_lines(owner)]}
    items = list(DevelopmentItem.objects.filter(packet=locked).order_by("order", "pk"))
    by_key: dict[tuple[str, int], DevelopmentItem] = {}
    stale: list[int] = []
    changed: list[DevelopmentItem] = []
    for item in items:
        key_id = item.cohort_id if item.source == Source.COHORT else item.completion_id
        if item.source == Source.MANUAL:
            continue
        if key_id is None or (item.source, key_id) not in wanted:
            if not item.edited:
                stale.append(item.pk)
            continue
        by_key[(item.source, key_id)] = item
        if item.edited:
            continue
        line = wanted[(item.source, key_id)]
        if any(getattr(item, name) != getattr(line, name) for name in _ASSEMBLED_FIELDS):
            for name in _ASSEMBLED_FIELDS:
                setattr(item, name, getattr(line, name))
            changed.append(item)
    if stale:
        DevelopmentItem.objects.filter(pk__in=stale).delete()
    if changed:
        DevelopmentItem.objects.bulk_update(changed, list(_ASSEMBLED_FIELDS))
    order = max((i.order for i in items), default=0)
    room = DEVELOPMENT_PER_PACKET - (len(items) - len(stale))
    new: list[DevelopmentItem] = []
    for key, line in wanted.items():
        if key in by_key or len(new) >= room:
            continue
        order += 1
        new.append(
            DevelopmentItem(
                packet=locked,
                source=line.source,
                cohort_id=line.key if line.source == Source.COHORT else None,
                completion_id=line.key if line.source == Source.TRAINING else None,
                title=line.title[:200],
                organiser=line.organiser[:200],
                started_on=line.started_on,
                ended_on=line.ended_on,
                detail=line.detail,
                order=order,
            )
        )
    if new:
        DevelopmentItem.objects.bulk_create(new)
    return list(DevelopmentItem.objects.filter(packet=locked).order_by("order", "pk"))


@dataclass
class DevelopmentInput:
    title: str
    organiser: str = ""
    started_on: date | None = None
    ended_on: date | None = None
    detail: str = ""
    included: bool = True


def _clean(data: DevelopmentInput) -> dict[str, Any]:
    def error(message: str) -> PacketError:
        field = message.split(":", 1)[0].strip().lower()
        return PacketError(
            message, field=field if field in ("title", "organiser", "detail") else None
        )

    values = clean_input(
        DevelopmentItem,
        {
            "title": (data.title or "").strip(),
            "organiser": (data.organiser or "").strip(),
            "detail": (data.detail or "").strip(),
        },
        error=error,
    )
    if not values["title"]:
        raise PacketError("Give the line a title.", code="blank", field="title")
    if data.started_on and data.ended_on and data.ended_on < data.started_on:
        raise PacketError("The end date comes before the start date.", field="ended_on")
    values.update(started_on=data.started_on, ended_on=data.ended_on, included=bool(data.included))
    return values


@transaction.atomic
def development_add(*, packet: Packet, by: Any, data: DevelopmentInput) -> DevelopmentItem:
    """A line the applicant adds by hand, last in the list."""
    locked = _locked_packet(packet, by)
    values = _clean(data)
    rows = DevelopmentItem.objects.filter(packet=locked)
    if rows.count() >= DEVELOPMENT_PER_PACKET:
        raise PacketError(f"A development list holds at most {DEVELOPMENT_PER_PACKET} lines.")
    order = (rows.aggregate(top=Max("order"))["top"] or 0) + 1
    return DevelopmentItem.objects.create(
        packet=locked, source=Source.MANUAL, order=order, **values
    )


def _locked_item(item: DevelopmentItem, by: Any) -> DevelopmentItem:
    found = (
        DevelopmentItem.objects.select_for_update(of=("self",))
        .select_related("packet")
        .filter(pk=item.pk)
        .first()
    )
    if found is None or not can_edit_packet(by, found.packet):
        raise PacketError(_NOT_YOURS, code="not_found")
    return found


@transaction.atomic
def development_update(
    *, item: DevelopmentItem, by: Any, data: DevelopmentInput
) -> DevelopmentItem:
    """Change a line. An assembled line changed in its wording is marked ``edited``, so a
    refresh keeps the applicant's words; leaving it out (``included``) alone does not."""
    found = _locked_item(item, by)
    values = _clean(data)
    reworded = any(getattr(found, name) != values[name] for name in _ASSEMBLED_FIELDS)
    for name, value in values.items():
        setattr(found, name, value)
    fields = list(values)
    if reworded and found.source != Source.MANUAL and not found.edited:
        found.edited = True
        fields.append("edited")
    found.save(update_fields=fields)
    return found


@transaction.atomic
def development_remove(*, item: DevelopmentItem, by: Any) -> None:
    """Remove a line added by hand. An assembled line is left out instead (``included``),
    or the next refresh would bring it back."""
    found = _locked_item(item, by)
    if found.source != Source.MANUAL:
        raise PacketError(
            "Lines from your cohorts and trainings stay on the list: untick “Include” to "
            "leave one out of the application.",
            code="invalid",
        )
    found.delete()


@transaction.atomic
def development_move(*, item: DevelopmentItem, by: Any, offset: int) -> None:
    """Move a line up (-1) or down (+1); the order is renumbered 1..n."""
    found = _locked_item(item, by)
    if not offset:
        return
    items = list(DevelopmentItem.objects.filter(packet_id=found.packet_id).order_by("order", "pk"))
    index = next(i for i, row in enumerate(items) if row.pk == found.pk)
    target = index + (1 if offset > 0 else -1)
    if not 0 <= target < len(items):
        return
    items[index], items[target] = items[target], items[index]
    changed = []
    for position, row in enumerate(items, start=1):
        if row.order != position:
            row.order = position
            changed.append(row)
    DevelopmentItem.objects.bulk_update(changed, ["order"])
