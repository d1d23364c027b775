"""What other apps tie to a session (a prep thread, an announcement), for its page.

A higher app registers a provider in its ``AppConfig.ready``; cohorts never imports it. A
provider takes the session and the viewer (already allowed to see the cohort's content) and
returns :class:`SessionLink` rows, in a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.registry import Registry


@dataclass(frozen=True)
class SessionLink:
    kind: str  # what it is, shown before the title: "Prep thread", "Announcement"
    title: str
    url: str


Provider = Callable[[Any, Any], list[SessionLink]]

_providers: Registry[Provider] = Registry("session links provider")


def register_session_links(name: str, provider: Provider) -> Provider:
    return _providers.register(name, provider)


def unregister_session_links(name: str) -> None:
    _providers.unregister(name)


def links_for(session: Any, user: Any) -> list[SessionLink]:
    return [link for provider in _providers for link in provider(session, user)]
