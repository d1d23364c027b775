"""The kinds of notification people choose about, each with its e-mail default.

Accounts owns only the registry: every app declares its own kinds in its
``AppConfig.ready`` with :func:`register_kind` (cohorts: sessions, memberships, reviews;
discussions: mentions, replies...). The notification settings page, e-mail delivery and
the digest read the kinds from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.registry import Registry


@dataclass(frozen=True)
class NotificationKind:
    kind: str
    label: str
    # A ``accounts.models.Delivery`` value: how the kind reaches people who chose nothing.
    default: str


_kinds: Registry[NotificationKind] = Registry("notification kind")


def register_kind(kind: NotificationKind) -> NotificationKind:
    return _kinds.register(kind.kind, kind)


def unregister_kind(name: str) -> None:
    _kinds.unregister(name)


def kinds() -> list[NotificationKind]:
    """Every registered kind, each app's together, in the order the apps declared them."""
    return list(_kinds)


def kind(name: str) -> NotificationKind | None:
    return _kinds.get(name)


def label(name: str) -> str:
    """The kind's label, or its name when no installed app declares it."""
    known = _kinds.get(name)
    return known.label if known else name
