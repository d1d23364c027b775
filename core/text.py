"""Rules for text people type: one-line fields stay one line, long text stays bounded.

A line break in a title ends up in an e-mail subject (where it raises after the commit) or
splits a calendar line; a NUL byte is refused by PostgreSQL; megabytes of Markdown are
re-rendered on every view. So every text field of a model is either a :class:`LineField`
(no control characters at all, a maximum length) or a :class:`BoundedTextField` (line
breaks and tabs kept, other control characters removed, a maximum length).

The fields carry the rules for forms, the admin and ``full_clean``; services apply the same
rules to what they are given through :func:`clean_input`, so the API and management
commands cannot go around them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models

# Unicode line and paragraph separators break lines too, though they are not "Cc".
_LINE_BREAKERS = {"\u2028", "\u2029", "\u0085"}
# What a multi-line text keeps of the control characters.
_KEPT_IN_TEXT = {"\n", "\t"}


def _is_control(char: str) -> bool:
    return char in _LINE_BREAKERS or unicodedata.category(char) == "Cc"


def is_single_line(value: str) -> bool:
    """True when ``value`` has no line break, tab or other control character."""
    return not any(_is_control(c) for c in value)


def validate_single_line(value: Any) -> None:
    """Refuse line breaks, tabs and every other control character."""
    if isinstance(value, str) and not is_single_line(value):
        raise ValidationError(
            "This must be a single line: remove line breaks, tabs and control characters.",
            code="single_line",
        )


_CRLF = re.compile(r"\r\n?")


def clean_multiline(value: str) -> str:
    """Normalise line endings to ``\\n`` and drop control characters other than line
    breaks and tabs (NUL, escape sequences, the Unicode separators)."""
    value = _CRLF.sub("\n", value)
    if not any(_is_control(c) and c not in _KEPT_IN_TEXT for c in value):
        return value
    return "".join(c for c in value if c in _KEPT_IN_TEXT or not _is_control(c))


class LineField(models.CharField):
    """A one-line text: no control characters, at most ``max_length`` characters."""

    default_validators = [validate_single_line]


class BoundedTextField(models.TextField):
    """Multi-line text (Markdown, notes, messages) with a maximum length that is enforced
    by the model, not only by the form, and no stray control characters."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if not kwargs.get("max_length"):
            raise TypeError("BoundedTextField needs a max_length")
        super().__init__(*args, **kwargs)
        self.validators.append(MaxLengthValidator(self.max_length))

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        return clean_multiline(value) if isinstance(value, str) else value


def _label(field: models.Field) -> str:  # type: ignore[type-arg]
    return str(field.verbose_name)[:1].upper() + str(field.verbose_name)[1:]


def clean_input(
    model: type[models.Model],
    values: Mapping[str, Any],
    *,
    error: Callable[[str], Exception],
) -> dict[str, Any]:
    """Apply ``model``'s text-field rules to ``values`` (a service's keyword arguments).

    Returns a copy with the cleaned texts; raises ``error(message)`` for the first field
    that breaks a rule, naming the field, so the person sees what to change. Keys that are
    not text fields of ``model`` pass through untouched.
    """
    cleaned = dict(values)
    for name, value in values.items():
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if not isinstance(field, models.CharField | models.TextField) or value is None:
            continue
        if not isinstance(value, str):
            raise error(f"{_label(field)} must be text.")
        if isinstance(field, models.TextField) and not isinstance(field, BoundedTextField):
            value = clean_multiline(value)
        try:
            cleaned[name] = field.to_python(value)
            field.run_validators(cleaned[name])
        except ValidationError as exc:
            raise error(f"{_label(field)}: {' '.join(exc.messages)}") from exc
    return cleaned
