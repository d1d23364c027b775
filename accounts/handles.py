"""@handles: the unique, stable names people are mentioned by.

A handle is assigned once, when the account is made (from the name, else the e-mail's local
part, with a number added if it is taken: first come, first served), and changes only when
its owner picks another free one. Changing a display name never changes a handle, so
copying someone's name cannot take their mentions. Uniqueness ignores case (a database
constraint on ``Lower("handle")``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.utils.text import slugify

TAKEN = "That handle is taken; choose another."
MIN_LENGTH = 3
MAX_LENGTH = 30
# Letters, digits, "-" and "_", starting and ending with a letter or digit (so a mention
# followed by punctuation, "@ann-lee.", still reads as "ann-lee").
HANDLE_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?")
# Words a handle may not be: they read as roles, the site, or a group of people.
RESERVED = frozenset(
    {
        "admin",
        "administrator",
        "all",
        "anonymous",
        "api",
        "channel",
        "cohort",
        "commonplace",
        "everyone",
        "facilitator",
        "facilitators",
        "help",
        "here",
        "me",
        "member",
        "members",
        "moderator",
        "moderators",
        "nobody",
        "none",
        "null",
        "official",
        "owner",
        "reviewer",
        "reviewers",
        "root",
        "security",
        "staff",
        "support",
        "system",
        "team",
        "undefined",
        "you",
    }
)


def validate_handle(value: str) -> None:
    """The rules of a handle's shape (whether it is free is the database's to say)."""
    if not MIN_LENGTH <= len(value) <= MAX_LENGTH:
        raise ValidationError(
            f"A handle has {MIN_LENGTH} to {MAX_LENGTH} characters.", code="handle_length"
        )
    if not HANDLE_RE.fullmatch(value):
        raise ValidationError(
            "A handle uses letters, digits, “-” and “_” only, and starts and ends with a "
            "letter or digit.",
            code="handle_characters",
        )
    if value.lower() in RESERVED:
        raise ValidationError(f"“{value}” is reserved; choose another handle.", code="reserved")


def handle_base(name: str, email: str) -> str:
    """The handle a new account would like: its name, slugified (else its e-mail's local
    part), cut to fit, with the edges trimmed to a letter or digit. May be short or
    reserved: :func:`handle_candidates` adds a number then."""
    for source in (name, email.split("@", 1)[0]):
        base = slugify(source).replace("_", "-")[:MAX_LENGTH].strip("-_")
        if base:
            return base
    return "member"


def handle_candidates(base: str) -> Iterator[str]:
    """``base``, then ``base-2``, ``base-3``... (cut so each fits), valid ones only. All of
    them start with ``base[:PREFIX]``, so one query finds which are taken."""
    n = 1
    while True:
        suffix = "" if n == 1 else f"-{n}"
        stem = base[: MAX_LENGTH - len(suffix)].rstrip("-_")
        n += 1
        try:
            validate_handle(f"{stem}{suffix}")
        except ValidationError:
            continue
        yield f"{stem}{suffix}"


def first_free(base: str, taken: set[str]) -> str:
    """The first of ``handle_candidates(base)`` whose lower case is not in ``taken``."""
    return next(c for c in handle_candidates(base) if c.lower() not in taken)


# Every candidate of a base starts with this much of it (a suffix takes at most 8 chars).
PREFIX = MAX_LENGTH - 8
