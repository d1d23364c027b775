"""What the journal services share: their error type and input checks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from competencies.models import Competency, FramingQuestion
from core.errors import ServiceError


class JournalError(ServiceError):
    """A journal request the rules refuse; ``field`` names the input it is about (forms
    show the message there), when there is one."""

    def __init__(self, message: str, *, code: str = "invalid", field: str | None = None) -> None:
        super().__init__(message, code=code)
        self.field = field


_LABELS = {
    "Title": "title",
    "Body": "body",
    "Annotation": "annotation",
    "Note": "note",
    "Label": "label",
}


def field_error(message: str) -> JournalError:
    """A model text rule broken (the message starts with the field's label)."""
    label = message.split(":", 1)[0]
    return JournalError(message, field=_LABELS.get(label))


def _ids(values: Iterable[Any], attr: str) -> tuple[set[int], set[str]]:
    ids: set[int] = set()
    keys: set[str] = set()
    for value in values:
        if hasattr(value, "pk"):
            ids.add(value.pk)
        elif isinstance(value, int):
            ids.add(value)
        elif isinstance(value, str) and value.strip():
            text = value.strip()
            if attr == "code" or not text.isdigit():
                keys.add(text)
            else:
                ids.add(int(text))
    return ids, keys


def competencies_from(values: Iterable[Any], *, field: str = "competencies") -> list[Competency]:
    """Competencies of the default framework named by object, id or code; unknown ones are
    refused (nothing is silently dropped). A string of digits, as forms and query strings
    send ids, is read as a code when the framework has that code, otherwise as an id."""
    items = list(values)
    ids, codes = _ids(items, "code")
    if not ids and not codes:
        return []
    rows = Competency.objects.select_related("area")
    by_code = {c.code: c for c in rows.filter(code__in=codes, framework__is_default=True)}
    numeric = {int(code) for code in codes - by_code.keys() if code.isdigit()}
    by_id = {c.pk: c for c in rows.filter(pk__in=ids | numeric)} if ids | numeric else {}
    unknown = (ids - by_id.keys()) | {
        code for code in codes - by_code.keys() if not (code.isdigit() and int(code) in by_id)
    }
    if unknown:
        raise JournalError("Choose competencies from the framework.", field=field)
    found = {c.pk: c for c in [*by_code.values(), *by_id.values()]}
    return sorted(found.values(), key=lambda c: (c.area.order, c.order, c.pk))


def framing_questions_from(values: Iterable[Any]) -> list[FramingQuestion]:
    ids, slugs = _ids(list(values), "slug")
    if not ids and not slugs:
        return []
    from django.db.models import Q

    found = list(
        FramingQuestion.objects.filter(
            Q(pk__in=ids) | Q(slug__in=slugs, framework__is_default=True)
        )
    )
    if ids - {f.pk for f in found} or slugs - {f.slug for f in found}:
        raise JournalError(
            "Choose framing questions from the framework.", field="framing_questions"
        )
    return found
