"""(B) A packet's artifacts as a viewer may see them, and the evidence its owner may pick.

Each artifact shows its evidence through the journals' own evidence display, resolved for
the packet's owner (a target the owner can no longer see, or that was deleted, shows as
no longer available, its annotation kept) and, for a reader of a shared packet, for the
reader too (what the reader may not open shows the neutral label). Each kind of target is
resolved in one batch, so the queries do not grow with the number of artifacts.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q, QuerySet

from competencies.models import Area, Competency
from journals.models import Evidence
from journals.selectors.evidence import (
    EVIDENCE_RELATED,
    GONE,
    CompetencyRef,
    EvidenceView,
    _Access,  # the batch of visibility checks the evidence display itself uses
    view_of,
)
from packets.models import Artifact, Packet
from packets.permissions import can_edit_packet

Kind = Evidence.Kind
# Shown for an artifact whose evidence was removed from its entry (or whose entry was
# purged): nothing is left to resolve.
EVIDENCE_GONE = "This evidence is no longer available"
PICK_PAGE = 50


@dataclass(frozen=True)
class ArtifactView:
    """One artifact as one viewer may see it: the evidence display (``item``; None when
    the evidence itself is gone), the packet's annotation and competencies."""

    id: int
    order: int
    item: EvidenceView | None
    annotation: str
    competencies: list[CompetencyRef] = field(default_factory=list)
    entry_id: int | None = None

    @property
    def available(self) -> bool:
        return self.item is not None and self.item.available

    @property
    def title(self) -> str:
        return self.item.title if self.item is not None else EVIDENCE_GONE

    @property
    def kind_label(self) -> str:
        return self.item.kind_label if self.item is not None else "Evidence"


def _gone(view: EvidenceView) -> EvidenceView:
    return replace(
        view,
        available=False,
        title=GONE[Kind(view.kind)],
        url="",
        detail="",
        reason="gone",
        external=False,
        download=False,
    )


def resolve_evidence(rows: list[Evidence], owner: Any, viewer: Any) -> dict[int, EvidenceView]:
    """``{evidence_id: EvidenceView}`` for the owner's ``rows`` as ``viewer`` may see them
    in the owner's packet: unavailable if the owner can no longer see the target or its
    entry was deleted; for anyone but the owner, also if they may not open it (and an
    uploaded file is named but not linked: the download is the owner's)."""
    if not rows:
        return {}
    mine = _Access(owner, rows)
    theirs = mine if getattr(viewer, "pk", None) == owner.pk else _Access(viewer, rows)
    views: dict[int, EvidenceView] = {}
    for row in rows:
        view = view_of(row, mine)
        if view.available and row.entry.deleted_at is not None:
            view = _gone(view)
        elif view.available and theirs is not mine:
            view = view_of(row, theirs)
            if view.available and view.download:
                view = replace(view, url="", download=False)
        views[row.pk] = view
    return views


def artifact_rows(packet: Packet) -> QuerySet[Artifact]:
    related = ["evidence__entry", *(f"evidence__{name}" for name in EVIDENCE_RELATED)]
    return (
        Artifact.objects.filter(packet_id=packet.pk)
        .select_related(*related)
        .prefetch_related(
            Prefetch(
                "competencies",
                queryset=Competency.objects.only("pk", "code", "title", "order").order_by(
                    "order", "pk"
                ),
            )
        )
        .order_by("order", "pk")
    )


def artifact_views(packet: Packet, viewer: Any) -> list[ArtifactView]:
    """The packet's artifacts in the owner's order as ``viewer`` may see them (call it
    only for someone who may view the packet). A fixed number of queries."""
    artifacts = list(artifact_rows(packet))
    evidence = [a.evidence for a in artifacts if a.evidence is not None]
    views = resolve_evidence(evidence, packet.owner, viewer)
    return [
        ArtifactView(
            id=a.pk,
            order=a.order,
            item=views.get(a.evidence_id) if a.evidence_id is not None else None,
            annotation=a.annotation,
            competencies=[CompetencyRef(c.pk, c.code, c.title) for c in a.competencies.all()],
            entry_id=a.evidence.entry_id if a.evidence is not None else None,
        )
        for a in artifacts
    ]


def artifacts_context(packet: Packet, viewer: Any) -> dict[str, Any]:
    """Template context for the packet page's artifacts part."""
    return {"artifacts": artifact_views(packet, viewer)}


# --- what the owner may pick ----------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """One piece of the owner's evidence offered for the packet."""

    evidence: EvidenceView
    entry_id: int
    entry_title: str
    picked: bool


@dataclass
class PickFilters:
    competency: Competency | None = None
    area: Area | None = None


def pick_filters(packet: Packet, *, competency: str = "", area: str = "") -> PickFilters:
    """The filters a query string names (a competency code, an area slug) within the
    packet's framework; unknown ones are ignored (the page says what it shows)."""
    framework_id = packet.area.framework_id
    found = PickFilters()
    if competency:
        found.competency = (
            Competency.objects.filter(framework_id=framework_id, code=competency[:32])
            .select_related("area")
            .first()
        )
    if area:
        found.area = Area.objects.filter(framework_id=framework_id, slug=area[:64]).first()
    return found


def owner_evidence(packet: Packet, filters: PickFilters) -> QuerySet[Evidence]:
    """The owner's evidence (of entries not deleted), newest entry first, matching the
    filters by the evidence's own competency or its entry's mapped ones."""
    rows = Evidence.objects.filter(entry__author_id=packet.owner_id, entry__deleted_at__isnull=True)
    if filters.competency is not None:
        rows = rows.filter(
            Q(competency_id=filters.competency.pk)
            | Q(entry__mappings__competency_id=filters.competency.pk)
        )
    if filters.area is not None:
        rows = rows.filter(
            Q(competency__area_id=filters.area.pk)
            | Q(entry__mappings__competency__area_id=filters.area.pk)
        )
    ids = rows.values("pk")
    return (
        Evidence.objects.filter(pk__in=ids)
        .select_related("entry", *EVIDENCE_RELATED)
        .order_by("-entry__written_on", "-entry_id", "order", "pk")
    )


def evidence_choices(
    packet: Packet, viewer: Any, filters: PickFilters, *, page: Any = 1
) -> tuple[Page[Any], list[Choice]]:
    """A page of the owner's evidence to pick from, each as the owner sees it and marked
    when it is already in the packet. Only the owner picks: nothing for anyone else."""
    if not can_edit_packet(viewer, packet):
        return Paginator([], PICK_PAGE).page(1), []
    paginator = Paginator(owner_evidence(packet, filters), PICK_PAGE)
    current = paginator.get_page(page)
    rows = list(current.object_list)
    views = resolve_evidence(rows, packet.owner, viewer)
    picked = set(
        Artifact.objects.filter(
            packet_id=packet.pk, evidence_id__in=[r.pk for r in rows]
        ).values_list("evidence_id", flat=True)
    )
    return current, [Choice(views[r.pk], r.entry_id, r.entry.title, r.pk in picked) for r in rows]


def area_competency_choices(packet: Packet) -> list[tuple[int, str]]:
    """The competencies of the packet's area, in order, for a form (one query)."""
    return [
        (c.pk, f"{c.code} {c.title}")
        for c in Competency.objects.filter(area_id=packet.area_id).order_by("order", "pk")
    ]


def filter_choices(packet: Packet) -> tuple[list[Area], list[tuple[str, list[Competency]]]]:
    """The framework's areas, and its competencies grouped by area, for the picker's
    filters (two queries)."""
    framework_id = packet.area.framework_id
    areas = list(Area.objects.filter(framework_id=framework_id).order_by("order", "pk"))
    grouped: dict[int, list[Competency]] = {}
    for competency in Competency.objects.filter(framework_id=framework_id).order_by("order", "pk"):
        grouped.setdefault(competency.area_id, []).append(competency)
    return areas, [(a.name, grouped.get(a.pk, [])) for a in areas]


def artifact_of(packet: Packet, artifact_id: Any) -> Artifact | None:
    try:
        pk = int(artifact_id)
    except (TypeError, ValueError):
        return None
    return (
        Artifact.objects.filter(packet_id=packet.pk, pk=pk).prefetch_related("competencies").first()
    )
