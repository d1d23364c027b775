"""A packet as one document, read for its owner at the moment the export is built.

Every builder (PDF, DOCX, ZIP) reads the packet through :class:`PacketDocument`, so they
show the same things in the same order and apply the same rule: what the owner may no
longer see (an artifact whose evidence's target was deleted, hidden or withdrawn, an
entry they deleted, a file the upload module would not let them download) is listed as
no longer available and its file is not included.

Artifacts are read in batches (:data:`BATCH`), each resolved in a fixed number of queries,
so a packet of several hundred artifacts is never all in memory at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify

from core.markdown import render_markdown
from files.models import StoredFile
from files.services import may_download
from packets.models import Artifact, DevelopmentItem, LetterRequest, Packet, Section

BATCH = 100
# Files PDFs may append or show, by type (others are listed only).
PDF_TYPE = "application/pdf"
IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
NOT_AVAILABLE = "No longer available"


@dataclass(frozen=True)
class Cover:
    applicant: str
    email: str
    area: str
    framework: str
    period: str
    status: str
    submitted_on: date | None
    generated_on: date

    @property
    def generated_text(self) -> str:
        return date_format(self.generated_on, "j F Y")


@dataclass(frozen=True)
class SectionPart:
    number: int
    title: str
    kind: str
    guidance: str
    body: str
    body_html: str
    word_count: int
    word_limit: int

    @property
    def anchor(self) -> str:
        return f"section-{self.number}"


@dataclass(frozen=True)
class RatingLine:
    code: str
    competency: str
    level: str
    note: str


@dataclass(frozen=True)
class AssessmentPart:
    taken_on: date
    note: str
    levels: list[str]
    ratings: list[RatingLine]

    @property
    def taken_text(self) -> str:
        return date_format(self.taken_on, "j F Y")


@dataclass(frozen=True)
class ArtifactFile:
    """An uploaded file the owner may still download, to include with the export."""

    id: str
    name: str
    content_type: str
    size: int
    path: Path

    @property
    def is_pdf(self) -> bool:
        return self.content_type == PDF_TYPE

    @property
    def is_image(self) -> bool:
        return self.content_type in IMAGE_TYPES

    @property
    def arcname(self) -> str:
        stem, dot, ext = self.name.rpartition(".")
        base = slugify(stem if dot else self.name)[:60] or "file"
        return f"{base}-{self.id[:8]}.{ext.lower()}" if dot else f"{base}-{self.id[:8]}"


@dataclass(frozen=True)
class ArtifactPart:
    number: int
    title: str
    kind: str
    available: bool
    url: str
    detail: str
    annotation: str
    competencies: list[str]
    file: ArtifactFile | None = None

    @property
    def anchor(self) -> str:
        return f"artifact-{self.number}"


@dataclass(frozen=True)
class DevelopmentLine:
    title: str
    organiser: str
    dates: str
    detail: str
    source: str


@dataclass(frozen=True)
class LetterPart:
    partner_name: str
    signed_by: str
    received_on: date
    text: str
    text_html: str
    file: ArtifactFile | None = None

    @property
    def received_text(self) -> str:
        return date_format(self.received_on, "j F Y")


@dataclass
class Counts:
    sections: int = 0
    artifacts: int = 0
    development: int = 0
    files: list[str] = field(default_factory=list)


def absolute(url: str) -> str:
    """A link of the site as an address that works outside it (in a PDF, a DOCX)."""
    if not url or url.startswith(("http://", "https://", "mailto:")):
        return url
    from django.conf import settings

    base = str(getattr(settings, "SITE_URL", "") or "").rstrip("/")
    return f"{base}{url}" if base else url


def _file(stored: StoredFile | None, owner: Any) -> ArtifactFile | None:
    if stored is None or not may_download(owner, stored):
        return None
    path = stored.path
    if not path.is_file():
        return None
    return ArtifactFile(
        id=str(stored.pk),
        name=stored.original_name,
        content_type=stored.content_type.split(";")[0],
        size=stored.size,
        path=path,
    )


def _dates(item: DevelopmentItem) -> str:
    start, end = item.started_on, item.ended_on
    if start and end and start != end:
        return f"{date_format(start, 'j M Y')} to {date_format(end, 'j M Y')}"
    one = start or end
    return date_format(one, "j M Y") if one else ""


class PacketDocument:
    """The packet's parts, in the order every format shows them, as its owner sees them."""

    def __init__(self, packet: Packet) -> None:
        self.packet = (
            Packet.objects.select_related("owner", "area__framework", "period", "assessment")
            .filter(pk=packet.pk)
            .first()
            or packet
        )
        self.owner = self.packet.owner
        from packets.requirements import requirements_for

        self.requirements = requirements_for(self.packet.area)

    # --- the small parts (read whole) -------------------------------------------------------

    @property
    def title(self) -> str:
        return f"{self.packet.area.name} application packet"

    def cover(self) -> Cover:
        packet = self.packet
        return Cover(
            applicant=self.owner.display_name,
            email=self.owner.email,
            area=packet.area.name,
            framework=packet.area.framework.name,
            period=packet.period.name if packet.period else "",
            status=packet.get_status_display(),
            submitted_on=packet.submitted_on,
            generated_on=timezone.localdate(),
        )

    def filename(self, ext: str) -> str:
        period = self.packet.period.name if self.packet.period else ""
        base = slugify(f"{self.packet.area.name} packet {period}")[:80] or "packet"
        return f"{base}.{ext}"

    def sections(self) -> list[SectionPart]:
        rows = Section.objects.filter(packet_id=self.packet.pk).order_by("order", "pk")
        return [
            SectionPart(
                number=number,
                title=row.title,
                kind=row.kind,
                guidance=row.guidance,
                body=row.body,
                body_html=str(render_markdown(row.body)),
                word_count=row.word_count,
                word_limit=self.requirements.word_limit(row.kind),
            )
            for number, row in enumerate(rows.iterator(), start=1)
        ]

    def assessment(self) -> AssessmentPart | None:
        """The chosen sitting if it is still the owner's one for this area, else the
        latest for the area; None when there is none."""
        from journals.models import SelfAssessment, SelfRating

        chosen = self.packet.assessment
        if (
            chosen is None
            or chosen.user_id != self.owner.pk
            or chosen.area_id != self.packet.area_id
        ):
            chosen = (
                SelfAssessment.objects.filter(user_id=self.owner.pk, area_id=self.packet.area_id)
                .order_by("-taken_at", "-pk")
                .first()
            )
        if chosen is None:
            return None
        levels = [str(level) for level in (self.packet.area.framework.levels or [])]
        ratings = []
        for rating in (
            SelfRating.objects.filter(assessment_id=chosen.pk)
            .select_related("competency")
            .order_by("competency__order", "pk")
        ):
            level = (
                levels[rating.level]
                if 0 <= rating.level < len(levels)
                else f"Level {rating.level + 1}"
            )
            ratings.append(
                RatingLine(rating.competency.code, rating.competency.title, level, rating.note)
            )
        return AssessmentPart(
            taken_on=timezone.localtime(chosen.taken_at).date(),
            note=chosen.note,
            levels=levels,
            ratings=ratings,
        )

    def development(self) -> list[DevelopmentLine]:
        rows = DevelopmentItem.objects.filter(packet_id=self.packet.pk, included=True).order_by(
            "order", "pk"
        )
        return [
            DevelopmentLine(
                title=row.title,
                organiser=row.organiser,
                dates=_dates(row),
                detail=row.detail,
                source=row.get_source_display(),
            )
            for row in rows.iterator()
        ]

    def letter(self) -> LetterPart | None:
        """The latest letter received (a partner's text, or the file they uploaded)."""
        row = (
            LetterRequest.objects.filter(packet_id=self.packet.pk, received_at__isnull=False)
            .select_related("letter_file")
            .order_by("-received_at", "-pk")
            .first()
        )
        if row is None or row.received_at is None:
            return None
        return LetterPart(
            partner_name=row.partner_name,
            signed_by=row.signed_by,
            received_on=timezone.localtime(row.received_at).date(),
            text=row.letter_text,
            text_html=str(render_markdown(row.letter_text)) if row.letter_text else "",
            file=_file(row.letter_file, self.owner),
        )

    # --- artifacts (streamed) ---------------------------------------------------------------

    def artifact_count(self) -> int:
        return Artifact.objects.filter(packet_id=self.packet.pk).count()

    def artifact_batches(self) -> Iterator[list[ArtifactPart]]:
        """The artifacts in the owner's order, :data:`BATCH` at a time, each resolved for
        the owner now: through journals' evidence display, as the entry would show them."""
        from competencies.models import Competency
        from journals.selectors.evidence import EVIDENCE_RELATED, _Access, view_of

        ids = list(
            Artifact.objects.filter(packet_id=self.packet.pk)
            .order_by("order", "pk")
            .values_list("pk", flat=True)
        )
        number = 0
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            rows = list(
                Artifact.objects.filter(pk__in=chunk)
                .select_related(
                    "evidence__entry", *(f"evidence__{path}" for path in EVIDENCE_RELATED)
                )
                .prefetch_related(
                    Prefetch(
                        "competencies",
                        queryset=Competency.objects.order_by("order", "pk"),
                    )
                )
                .order_by("order", "pk")
            )
            evidence = [
                row.evidence
                for row in rows
                if row.evidence is not None and self._usable(row.evidence)
            ]
            access = _Access(self.owner, evidence)
            batch = []
            for row in rows:
                number += 1
                batch.append(self._artifact(number, row, access, view_of))
            yield batch

    def _usable(self, evidence: Any) -> bool:
        """Evidence of one of the owner's own entries that is not deleted."""
        entry = evidence.entry
        return bool(entry.author_id == self.owner.pk and entry.deleted_at is None)

    def _artifact(self, number: int, row: Artifact, access: Any, view_of: Any) -> ArtifactPart:
        competencies = [f"{c.code} {c.title}" for c in row.competencies.all()]
        ev = row.evidence
        usable = (
            ev is not None and ev.entry.author_id == self.owner.pk and ev.entry.deleted_at is None
        )
        if not usable or ev is None:
            return ArtifactPart(
                number=number,
                title=row.title or NOT_AVAILABLE,
                kind="",
                available=False,
                url="",
                detail=NOT_AVAILABLE,
                annotation=row.annotation,
                competencies=competencies,
            )
        view = view_of(ev, access)
        attached = _file(ev.file, self.owner) if view.available and ev.kind == "file" else None
        available = view.available and (ev.kind != "file" or attached is not None)
        return ArtifactPart(
            number=number,
            title=row.title or view.title,
            kind=view.kind_label,
            available=available,
            url=absolute(view.url) if available and not view.download else "",
            detail=view.detail if available else NOT_AVAILABLE,
            annotation=row.annotation,
            competencies=competencies,
            file=attached,
        )
