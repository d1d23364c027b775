"""(B) Readiness: what the application in a packet's area needs and what is still missing.

One function computes the checks for any number of packets in a fixed number of queries;
:func:`readiness_for` asks it about one packet (the packet page's checklist) and
:func:`readiness_summary` about many (the packet list's "done of total").

The checks, from the area's requirements (``packets.requirements``):
- each section answered (at least ``min_words``) and within its kind's word limit;
- at least ``artifacts_per_key_competency`` artifacts showing each competency of the area
  (every competency of an area is one of its key competencies), when the area asks for
  annotated artifacts;
- a self-assessment: the one the packet names, or any sitting of the owner for the area;
- the community partner's letter received, when the area asks for one;
- the professional development list not empty (at least one line included).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode

from competencies.models import Area, Competency
from journals.models import SelfAssessment
from packets.models import Artifact, LetterRequest, Packet, Section
from packets.requirements import requirements_for
from packets.selectors.development import included_counts


@dataclass(frozen=True)
class Check:
    key: str
    label: str
    ok: bool
    detail: str
    fix_url: str


@dataclass(frozen=True)
class Summary:
    done: int
    total: int

    @property
    def ready(self) -> bool:
        return self.done == self.total


def _url(name: str, args: list[Any], fallback: str) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return fallback


def _words(n: int) -> str:
    return f"{n:,} word{'s' if n != 1 else ''}"


def section_check(section: Section, *, min_words: int, limit: int, fallback: str) -> Check:
    count = section.word_count
    if count == 0:
        ok, detail = False, "Not started"
    elif count < min_words:
        ok, detail = False, f"{_words(count)}; at least {_words(min_words)} asked"
    elif limit and count > limit:
        ok, detail = False, f"{_words(count)}; {count - limit:,} over the limit of {limit:,}"
    else:
        ok = True
        detail = _words(count) + (f" of at most {limit:,}" if limit else "")
    return Check(
        key=f"section-{section.pk}",
        label=f"“{section.title}” answered" + (" within the word limit" if limit else ""),
        ok=ok,
        detail=detail,
        fix_url=_url("packets:section", [section.packet_id, section.pk], fallback),
    )


def _checks_for(packets: list[Packet]) -> dict[int, list[Check]]:
    """The checks of each packet, in six queries or fewer whatever their number."""
    if not packets:
        return {}
    ids = [p.pk for p in packets]
    areas = {a.pk: a for a in Area.objects.filter(pk__in={p.area_id for p in packets})}
    sections: dict[int, list[Section]] = defaultdict(list)
    for section in (
        Section.objects.filter(packet_id__in=ids)
        .only("pk", "packet_id", "kind", "title", "word_count", "order")
        .order_by("order", "pk")
    ):
        sections[section.packet_id].append(section)
    competencies: dict[int, list[Competency]] = defaultdict(list)
    for competency in (
        Competency.objects.filter(area_id__in=list(areas))
        .only("pk", "area_id", "code", "title", "order")
        .order_by("order", "pk")
    ):
        competencies[competency.area_id].append(competency)
    shown: dict[tuple[int, int], int] = {
        (row["artifact__packet_id"], row["competency_id"]): row["n"]
        for row in Artifact.competencies.through.objects.filter(artifact__packet_id__in=ids)
        .values("artifact__packet_id", "competency_id")
        .annotate(n=Count("artifact_id"))
    }
    sat = set(
        SelfAssessment.objects.filter(
            user_id__in={p.owner_id for p in packets}, area_id__in=list(areas)
        )
        .values_list("user_id", "area_id")
        .distinct()
    )
    wants_letter = [p.pk for p in packets if requirements_for(areas[p.area_id]).wants_letter]
    letters = (
        set(
            LetterRequest.objects.filter(packet_id__in=wants_letter, received_at__isnull=False)
            .values_list("packet_id", flat=True)
            .distinct()
        )
        if wants_letter
        else set()
    )
    development = included_counts(ids)

    out: dict[int, list[Check]] = {}
    for packet in packets:
        area = areas[packet.area_id]
        needs = requirements_for(area)
        page = reverse("packets:packet", args=[packet.pk])
        checks: list[Check] = [
            section_check(
                s,
                min_words=needs.min_words,
                limit=needs.word_limit(s.kind),
                fallback=f"{page}#section-{s.pk}",
            )
            for s in sections[packet.pk]
        ]
        if needs.wants_artifacts:
            wanted = needs.artifacts_per_key_competency
            pick = reverse("packets:artifacts_pick", args=[packet.pk])
            for competency in competencies[area.pk]:
                have = shown.get((packet.pk, competency.pk), 0)
                checks.append(
                    Check(
                        key=f"artifacts-{competency.code}",
                        label=(
                            f"{wanted} artifact{'s' if wanted != 1 else ''} showing "
                            f"{competency.code} {competency.title}"
                        ),
                        ok=have >= wanted,
                        detail=f"{have} of {wanted}",
                        fix_url=f"{pick}?{urlencode({'competency': competency.code})}",
                    )
                )
        has_sitting = packet.assessment_id is not None or (packet.owner_id, area.pk) in sat
        checks.append(
            Check(
                key="self-assessment",
                label=f"A self-assessment for {area.name}",
                ok=has_sitting,
                detail="Taken" if has_sitting else "Not taken yet",
                fix_url=_url("journals:assessment_take", [], page)
                + f"?{urlencode({'area': area.slug})}",
            )
        )
        if needs.wants_letter:
            received = packet.pk in letters
            checks.append(
                Check(
                    key="letter",
                    label="A community partner's letter received",
                    ok=received,
                    detail="Received" if received else "Not received yet",
                    fix_url=f"{page}#letters",
                )
            )
        lines = development.get(packet.pk, 0)
        checks.append(
            Check(
                key="development",
                label="A professional development list",
                ok=lines > 0,
                detail=f"{lines} line{'s' if lines != 1 else ''}" if lines else "Empty",
                fix_url=reverse("packets:development", args=[packet.pk]),
            )
        )
        out[packet.pk] = checks
    return out


def readiness_for(packet: Packet) -> list[Check]:
    """The checklist of ``packet``: what its application needs, each with whether it is
    done, a short detail and the page that fixes it. A fixed number of queries."""
    return _checks_for([packet])[packet.pk]


def readiness_summary(packets: Iterable[Packet]) -> dict[int, Summary]:
    """``{packet_id: Summary(done, total)}`` for a list page, in a fixed number of queries
    whatever the number of packets."""
    return {
        pk: Summary(done=sum(1 for c in checks if c.ok), total=len(checks))
        for pk, checks in _checks_for(list(packets)).items()
    }


def readiness_context(packet: Packet, viewer: Any) -> dict[str, Any]:
    """Template context for the packet page's readiness part."""
    checks = readiness_for(packet)
    return {
        "readiness": checks,
        "readiness_done": sum(1 for c in checks if c.ok),
        "readiness_total": len(checks),
    }
