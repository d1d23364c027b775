"""Import and export of competency frameworks.

The file format is the one of ``competencies/data/cep-framework.json``. Import validates the
whole document before writing anything and then upserts by natural key (framework slug,
area slug, competency code, framing question slug) inside one transaction, so a malformed
file leaves the database exactly as it was.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction

from competencies.models import Area, Competency, Framework, FramingQuestion
from core.text import clean_multiline, is_single_line

SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]+$")
KINDS = tuple(Competency.Kind.values)


class FrameworkFormatError(ValueError):
    """The document is not a valid framework; ``path`` names the offending field."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


# --- Validation -----------------------------------------------------------------------------


def _obj(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise FrameworkFormatError(path, f"must be an object, not {type(value).__name__}")
    return value


def _list(value: Any, path: str, *, required: bool = False) -> list[Any]:
    if value is None and not required:
        return []
    if not isinstance(value, list):
        raise FrameworkFormatError(path, "must be a list")
    if required and not value:
        raise FrameworkFormatError(path, "must not be empty")
    return value


def _text(
    obj: dict[str, Any],
    key: str,
    path: str,
    *,
    max_length: int,
    required: bool = True,
    multiline: bool = False,
) -> str:
    """A text of the document: one line unless ``multiline`` (then line breaks are kept
    and other control characters dropped), at most ``max_length`` characters."""
    value = obj.get(key)
    where = f"{path}.{key}"
    if value is None:
        if required:
            raise FrameworkFormatError(where, "is required")
        return ""
    if not isinstance(value, str):
        raise FrameworkFormatError(where, "must be a string")
    value = clean_multiline(value).strip() if multiline else value.strip()
    if not multiline and not is_single_line(value):
        raise FrameworkFormatError(where, "must be a single line (no line breaks or tabs)")
    if required and not value:
        raise FrameworkFormatError(where, "must not be blank")
    if len(value) > max_length:
        raise FrameworkFormatError(where, f"is longer than {max_length} characters")
    return value


def _slug(obj: dict[str, Any], key: str, path: str, *, max_length: int = 64) -> str:
    value = _text(obj, key, path, max_length=max_length)
    if not SLUG_RE.match(value):
        raise FrameworkFormatError(
            f"{path}.{key}", f"“{value}” may hold only letters, digits, hyphens and underscores"
        )
    return value


def _strings(value: Any, path: str) -> list[str]:
    items = _list(value, path)
    for i, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            raise FrameworkFormatError(f"{path}[{i}]", "must be a non-blank string")
    return [item.strip() for item in items]


@dataclass
class CompetencySpec:
    code: str
    kind: str
    title: str
    order: int


@dataclass
class AreaSpec:
    slug: str
    name: str
    summary: str
    submission: list[str]
    order: int
    competencies: list[CompetencySpec] = field(default_factory=list)


@dataclass
class QuestionSpec:
    slug: str
    title: str
    prompt: str
    order: int


@dataclass
class FrameworkSpec:
    slug: str
    name: str
    description: str
    version: str
    levels: list[str]
    areas: list[AreaSpec]
    framing_questions: list[QuestionSpec]


def parse_framework(document: Any) -> FrameworkSpec:
    """Validate a decoded JSON document; raise :class:`FrameworkFormatError` on the first
    problem, naming the field by its path (``framework.areas[2].competencies[0].kind``)."""
    root = _obj(document, "document")
    if "framework" not in root:
        raise FrameworkFormatError("framework", "is required")
    fw = _obj(root["framework"], "framework")
    spec = FrameworkSpec(
        slug=_slug(fw, "slug", "framework"),
        name=_text(fw, "name", "framework", max_length=200),
        description=_text(
            fw, "description", "framework", max_length=10_000, required=False, multiline=True
        ),
        version=_text(fw, "version", "framework", max_length=40, required=False),
        levels=_strings(fw.get("levels"), "framework.levels"),
        areas=[],
        framing_questions=[],
    )
    seen_questions: set[str] = set()
    for qi, raw in enumerate(_list(fw.get("framing_questions"), "framework.framing_questions")):
        path = f"framework.framing_questions[{qi}]"
        q = _obj(raw, path)
        slug = _slug(q, "slug", path)
        if slug in seen_questions:
            raise FrameworkFormatError(f"{path}.slug", f"“{slug}” appears twice")
        seen_questions.add(slug)
        spec.framing_questions.append(
            QuestionSpec(
                slug=slug,
                title=_text(q, "title", path, max_length=200),
                prompt=_text(q, "prompt", path, max_length=4000, multiline=True),
                order=qi,
            )
        )
    seen_areas: set[str] = set()
    seen_codes: set[str] = set()
    for ai, raw in enumerate(_list(fw.get("areas"), "framework.areas", required=True)):
        path = f"framework.areas[{ai}]"
        a = _obj(raw, path)
        slug = _slug(a, "slug", path)
        if slug in seen_areas:
            raise FrameworkFormatError(f"{path}.slug", f"“{slug}” appears twice")
        seen_areas.add(slug)
        area = AreaSpec(
            slug=slug,
            name=_text(a, "name", path, max_length=200),
            summary=_text(a, "summary", path, max_length=4000, required=False, multiline=True),
            submission=_strings(a.get("submission"), f"{path}.submission"),
            order=ai,
        )
        for ci, raw_c in enumerate(
            _list(a.get("competencies"), f"{path}.competencies", required=True)
        ):
            cpath = f"{path}.competencies[{ci}]"
            c = _obj(raw_c, cpath)
            code = _text(c, "code", cpath, max_length=32)
            if code in seen_codes:
                raise FrameworkFormatError(f"{cpath}.code", f"“{code}” appears twice")
            seen_codes.add(code)
            kind = _text(c, "kind", cpath, max_length=16)
            if kind not in KINDS:
                raise FrameworkFormatError(
                    f"{cpath}.kind", f"“{kind}” is not one of {', '.join(KINDS)}"
                )
            area.competencies.append(
                CompetencySpec(
                    code=code, kind=kind, title=_text(c, "title", cpath, max_length=300), order=ci
                )
            )
        spec.areas.append(area)
    return spec


# --- Import ---------------------------------------------------------------------------------


@dataclass
class ImportResult:
    framework: Framework
    counts: dict[str, Counter[str]]

    @property
    def totals(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for counter in self.counts.values():
            total.update(counter)
        return total


def _upsert(
    model: type[models.Model],
    lookup: dict[str, Any],
    values: dict[str, Any],
    counter: Counter[str],
    existing: dict[Any, Any],
    key: Any,
) -> Any:
    obj = existing.get(key)
    if obj is None:
        obj = model._default_manager.create(**lookup, **values)
        counter["created"] += 1
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=[*changed, "updated_at"])
        counter["updated"] += 1
    else:
        counter["unchanged"] += 1
    return obj


@transaction.atomic
def framework_import(*, document: Any, make_default: bool = False) -> ImportResult:
    """Create or update a framework from a decoded document. Idempotent.

    Objects missing from the document are kept (journals and trainings may point at them);
    the counts report them as ``kept``.
    """
    spec = parse_framework(document)
    counts: dict[str, Counter[str]] = {
        "framework": Counter(),
        "areas": Counter(),
        "competencies": Counter(),
        "framing_questions": Counter(),
    }
    framework = Framework.objects.select_for_update().filter(slug=spec.slug).first()
    fw_values = {
        "name": spec.name,
        "description": spec.description,
        "version": spec.version,
        "levels": spec.levels,
    }
    existing_fw = {spec.slug: framework} if framework else {}
    framework = _upsert(
        Framework, {"slug": spec.slug}, fw_values, counts["framework"], existing_fw, spec.slug
    )
    if make_default or not Framework.objects.filter(is_default=True).exists():
        Framework.objects.filter(is_default=True).exclude(pk=framework.pk).update(is_default=False)
        if not framework.is_default:
            framework.is_default = True
            framework.save(update_fields=["is_default", "updated_at"])

    areas = {a.slug: a for a in Area.objects.filter(framework=framework)}
    competencies = {c.code: c for c in Competency.objects.filter(framework=framework)}
    questions = {q.slug: q for q in FramingQuestion.objects.filter(framework=framework)}

    for q in spec.framing_questions:
        _upsert(
            FramingQuestion,
            {"framework": framework, "slug": q.slug},
            {"title": q.title, "prompt": q.prompt, "order": q.order},
            counts["framing_questions"],
            questions,
            q.slug,
        )
    for a in spec.areas:
        area = _upsert(
            Area,
            {"framework": framework, "slug": a.slug},
            {"name": a.name, "summary": a.summary, "submission": a.submission, "order": a.order},
            counts["areas"],
            areas,
            a.slug,
        )
        for c in a.competencies:
            _upsert(
                Competency,
                {"framework": framework, "code": c.code},
                {"area_id": area.pk, "kind": c.kind, "title": c.title, "order": c.order},
                counts["competencies"],
                competencies,
                c.code,
            )
    counts["areas"]["kept"] = len(set(areas) - {a.slug for a in spec.areas})
    counts["competencies"]["kept"] = len(
        set(competencies) - {c.code for a in spec.areas for c in a.competencies}
    )
    counts["framing_questions"]["kept"] = len(
        set(questions) - {q.slug for q in spec.framing_questions}
    )
    return ImportResult(framework=framework, counts=counts)


# --- Export ---------------------------------------------------------------------------------


def framework_export(*, framework: Framework) -> dict[str, Any]:
    """The framework as a document that :func:`framework_import` reads back unchanged."""
    areas = Area.objects.filter(framework=framework).prefetch_related(
        models.Prefetch("competencies", queryset=Competency.objects.order_by("order", "pk"))
    )
    return {
        "framework": {
            "slug": framework.slug,
            "name": framework.name,
            "description": framework.description,
            "version": framework.version,
            "levels": list(framework.levels),
            "framing_questions": [
                {"slug": q.slug, "title": q.title, "prompt": q.prompt}
                for q in framework.framing_questions.order_by("order", "pk")
            ],
            "areas": [
                {
                    "slug": area.slug,
                    "name": area.name,
                    "summary": area.summary,
                    "submission": list(area.submission),
                    "competencies": [
                        {"code": c.code, "kind": c.kind, "title": c.title}
                        for c in area.competencies.all()
                    ],
                }
                for area in areas.order_by("order", "pk")
            ],
        }
    }
