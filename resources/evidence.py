"""A seam for "Use as evidence": an app that can take a resource as evidence (journals, a
portfolio) registers an action here; the resource page shows what the registered actions
return for the viewer, and nothing while none is registered."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypedDict

from core.registry import Registry


class EvidenceAction(TypedDict):
    label: str
    url: str


EvidenceProvider = Callable[[Any, Any], "EvidenceAction | None"]

_actions: Registry[EvidenceProvider] = Registry("evidence action")


def register_evidence_action(name: str, func: EvidenceProvider) -> EvidenceProvider:
    """``func(user, resource)`` returns ``{"label", "url"}``, or None to offer nothing."""
    return _actions.register(name, func)


def unregister_evidence_action(name: str) -> None:
    _actions.unregister(name)


def actions_for(user: Any, resource: Any) -> list[EvidenceAction]:
    out: list[EvidenceAction] = []
    for func in _actions:
        action = func(user, resource)
        if action:
            out.append(action)
    return out
