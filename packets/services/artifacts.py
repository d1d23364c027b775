"""(B) A packet's artifacts: pieces of the owner's evidence chosen for the application, in
the owner's order, each with the annotation for the application and the competencies of
the packet's area it shows.

Only the packet's owner changes its artifacts, and only with evidence of their own entries
(not deleted ones). Adding copies the evidence's annotation and preselects the competencies
it shows within the packet's area; both are the packet's own from then on.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max

from competencies.models import Competency
from core.text import clean_input
from journals.models import EntryCompetency, Evidence
from packets.models import ARTIFACTS_PER_PACKET, Artifact, Packet
from packets.permissions import can_edit_packet
from packets.services.common import PacketError

_NOT_YOURS = "Only the packet's owner changes its artifacts."
_NO_EVIDENCE = "Choose evidence from one of your entries."


def _locked_packet(packet: Packet, by: Any) -> Packet:
    locked = Packet.objects.select_for_update().filter(pk=packet.pk).first()
    if locked is None or not can_edit_packet(by, locked):
        raise PacketError(_NOT_YOURS, code="not_found")
    return locked


def _owned_evidence(packet: Packet, evidence: Any) -> Evidence:
    pk = getattr(evidence, "pk", evidence)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise PacketError(_NO_EVIDENCE, field="evidence") from None
    found = (
        Evidence.objects.select_related("entry", "competency")
        .filter(pk=pk, entry__author_id=packet.owner_id, entry__deleted_at__isnull=True)
        .first()
    )
    if found is None:
        raise PacketError(_NO_EVIDENCE, code="not_found", field="evidence")
    return found


def preselected_competencies(evidence: Evidence, area_id: int) -> list[int]:
    """The competencies an artifact made from ``evidence`` shows at first: the evidence's
    own competency and its entry's mapped ones, those of the packet's area only."""
    ids: list[int] = []
    competency = evidence.competency
    if competency is not None and competency.area_id == area_id:
        ids.append(competency.pk)
    for competency_id in EntryCompetency.objects.filter(
        entry_id=evidence.entry_id, competency__area_id=area_id
    ).values_list("competency_id", flat=True):
        if competency_id not in ids:
            ids.append(competency_id)
    return ids


def area_competencies(packet: Packet, values: Iterable[Any]) -> list[Competency]:
    """The competencies of the packet's area that ``values`` name (objects or ids); any
    other is refused, nothing silently dropped."""
    wanted: set[int] = set()
    for value in values:
        raw = getattr(value, "pk", value)
        try:
            wanted.add(int(raw))
        except (TypeError, ValueError):
            raise PacketError(
                "Choose competencies of this credential area.", field="competencies"
            ) from None
    if not wanted:
        return []
    found = list(Competency.objects.filter(pk__in=wanted, area_id=packet.area_id))
    if len(found) != len(wanted):
        raise PacketError("Choose competencies of this credential area.", field="competencies")
    return found


def _texts(title: str, annotation: str) -> dict[str, Any]:
    def error(message: str) -> PacketError:
        field = message.split(":", 1)[0].strip().lower()
        return PacketError(message, field=field if field in ("title", "annotation") else None)

    return clean_input(
        Artifact,
        {"title": (title or "").strip(), "annotation": (annotation or "").strip()},
        error=error,
    )


@transaction.atomic
def artifact_add(
    *,
    packet: Packet,
    by: Any,
    evidence: Any,
    annotation: str | None = None,
    competencies: Iterable[Any] | None = None,
) -> Artifact:
    """Add one of the owner's evidence items to the packet, last in the order. The
    annotation is copied from the evidence and the competencies preselected (see
    :func:`preselected_competencies`) unless given. The same evidence only once."""
    locked = _locked_packet(packet, by)
    found = _owned_evidence(locked, evidence)
    if Artifact.objects.filter(packet=locked, evidence=found).exists():
        raise PacketError("That evidence is already in the packet.", code="conflict")
    if Artifact.objects.filter(packet=locked).count() >= ARTIFACTS_PER_PACKET:
        raise PacketError(f"A packet holds at most {ARTIFACTS_PER_PACKET} artifacts.")
    values = _texts("", found.annotation if annotation is None else annotation)
    chosen = (
        area_competencies(locked, competencies)
        if competencies is not None
        else preselected_competencies(found, locked.area_id)
    )
    order = (Artifact.objects.filter(packet=locked).aggregate(top=Max("order"))["top"] or 0) + 1
    try:
        with transaction.atomic():
            artifact = Artifact.objects.create(packet=locked, evidence=found, order=order, **values)
    except IntegrityError:
        raise PacketError("That evidence is already in the packet.", code="conflict") from None
    artifact.competencies.set(chosen)
    return artifact


def _locked_artifact(artifact: Artifact, by: Any) -> Artifact:
    found = (
        Artifact.objects.select_for_update(of=("self",))
        .select_related("packet")
        .filter(pk=artifact.pk)
        .first()
    )
    if found is None or not can_edit_packet(by, found.packet):
        raise PacketError(_NOT_YOURS, code="not_found")
    return found


@transaction.atomic
def artifact_update(
    *,
    artifact: Artifact,
    by: Any,
    annotation: str,
    competencies: Iterable[Any],
    title: str | None = None,
) -> Artifact:
    """Change an artifact's annotation, the competencies it shows (of the packet's area)
    and, optionally, the applicant's own title for it."""
    found = _locked_artifact(artifact, by)
    values = _texts(found.title if title is None else title, annotation)
    chosen = area_competencies(found.packet, competencies)
    for name, value in values.items():
        setattr(found, name, value)
    found.save(update_fields=list(values))
    found.competencies.set(chosen)
    return found


@transaction.atomic
def artifact_remove(*, artifact: Artifact, by: Any) -> None:
    """Take an artifact out of the packet (the evidence on the entry stays)."""
    found = _locked_artifact(artifact, by)
    found.delete()


@transaction.atomic
def artifact_move(*, artifact: Artifact, by: Any, offset: int) -> None:
    """Move an artifact up (-1) or down (+1) in the packet's order; the order is renumbered
    1..n so it stays gapless."""
    found = _locked_artifact(artifact, by)
    if not offset:
        return
    items = list(Artifact.objects.filter(packet_id=found.packet_id).order_by("order", "pk"))
    index = next(i for i, item in enumerate(items) if item.pk == found.pk)
    target = index + (1 if offset > 0 else -1)
    if not 0 <= target < len(items):
        return
    items[index], items[target] = items[target], items[index]
    changed = []
    for position, item in enumerate(items, start=1):
        if item.order != position:
            item.order = position
            changed.append(item)
    Artifact.objects.bulk_update(changed, ["order"])
