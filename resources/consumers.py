"""What a socket may ask of the repertoire: follow a cohort's resources (new ones appear on
open repertoire pages without a reload), and stop.

``{"type":"resources.follow","cohort":SLUG,"after":ID}`` is allowed to whoever may read the
cohort's content (the same rule as its repertoire page); the answer is
``{"type":"resources.following","cohort":SLUG}``, after replaying (as ``resource.created``)
up to REPLAY_LIMIT resources newer than ``after`` (optional: the newest id the page shows),
so a reconnect loses nothing. A cohort that does not exist and one the person may not read
get the same ``forbidden`` error frame.

Events come from the services (resources/events.py), after commit, encoded once; they carry
only what every reader of the cohort may see, and never a hidden resource. A person who
loses access (removed from the cohort, a role taken away) stops receiving them at once.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.http import Http404

from core.realtime import (
    ProtocolError,
    register_event_hook,
    register_handler,
    register_recheck_hook,
    socket_db,
)
from resources.events import cohort_group

FORBIDDEN = "You cannot follow this cohort's resources."  # the same for missing and not-allowed
REPLAY_LIMIT = 50
SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,64}$")
STATE = "resource_cohorts"  # consumer.state key: {cohort slug: cohort id}


def _slug(message: dict[str, Any]) -> str:
    value = message.get("cohort")
    if not isinstance(value, str) or not SLUG.match(value):
        raise ProtocolError("bad_request", '"cohort" must be a cohort slug.')
    return value


def _after(message: dict[str, Any]) -> int | None:
    value = message.get("after")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 2**63 - 1:
        raise ProtocolError("bad_request", '"after" must be a resource id or null.')
    return value


def _reader(user_id: int) -> Any:
    from accounts.models import User

    return User.objects.filter(pk=user_id, is_active=True).first()


def _cohort_id_for(user_id: int, slug: str) -> int | None:
    """The cohort's id if the person may read its content now, else None (the same for a
    cohort that does not exist)."""
    from cohorts.permissions import access_cohort

    user = _reader(user_id)
    if user is None:
        return None
    try:
        return access_cohort(user, slug=slug, need="content").pk
    except Http404:
        return None


@socket_db
def _authorize(user_id: int, slug: str) -> int | None:
    return _cohort_id_for(user_id, slug)


@socket_db
def _still_allowed(user_id: int, slugs: list[str]) -> set[str]:
    return {slug for slug in slugs if _cohort_id_for(user_id, slug) is not None}


@socket_db
def _missed(user_id: int, cohort_id: int, after: int) -> list[dict[str, Any]]:
    """What was shared into the cohort after ``after``, oldest first, as the live events
    that announced it (hidden ones excepted, as live)."""
    from resources.events import resource_event
    from resources.permissions import resources_visible_to

    user = _reader(user_id)
    if user is None:
        return []
    rows = (
        resources_visible_to(user)
        .filter(cohort_id=cohort_id, pk__gt=after, hidden_at__isnull=True)
        .select_related("cohort", "contributor")
        .order_by("-pk")[:REPLAY_LIMIT]
    )
    return [resource_event(r) for r in reversed(list(rows))]


async def follow(consumer: Any, message: dict[str, Any]) -> None:
    slug = _slug(message)
    after = _after(message)
    # The login session must still hold (a password change elsewhere ends it).
    if not await consumer.check_session():
        return
    following: dict[str, int] = consumer.state.setdefault(STATE, {})
    # Asked afresh every time (a repeat after a reconnect, too): a right lost in a way no
    # event announced is found here.
    cohort_id = await _authorize(consumer.user.pk, slug)
    if cohort_id is None:
        await _stop(consumer, slug, tell=False)
        raise ProtocolError("forbidden", FORBIDDEN)
    if slug not in following:
        # Recorded before joining: a "membership.ended" that arrives from now on is handled
        # after this handler returns, and finds the cohort to drop.
        following[slug] = cohort_id
        await consumer.join(cohort_group(cohort_id))
    if after is not None:
        for event in await _missed(consumer.user.pk, cohort_id, after):
            await consumer.send_json(event)
    await consumer.send_json({"type": "resources.following", "cohort": slug})


async def _stop(consumer: Any, slug: str, *, tell: bool) -> None:
    cohort_id = consumer.state.get(STATE, {}).pop(slug, None)
    if cohort_id is None:
        return
    await consumer.leave(cohort_group(cohort_id))
    if tell:
        await consumer.send_json(
            {"type": "error", "code": "forbidden", "detail": FORBIDDEN, "cohort": slug}
        )


async def unfollow(consumer: Any, message: dict[str, Any]) -> None:
    slug = _slug(message)
    await _stop(consumer, slug, tell=False)
    await consumer.send_json({"type": "resources.unfollowed", "cohort": slug})


async def membership_ended(consumer: Any, event: dict[str, Any]) -> bool:
    """Removed from (or left) a cohort: stop following its resources at once."""
    slug = json.loads(event["text"]).get("cohort")
    if isinstance(slug, str) and slug in consumer.state.get(STATE, {}):
        await _stop(consumer, slug, tell=True)
    return True


async def recheck(consumer: Any) -> None:
    """The person's rights changed (e.g. they lost the staff role): stop following the
    cohorts whose content they may no longer read."""
    following: dict[str, int] = consumer.state.get(STATE, {})
    if not following:
        return
    allowed = await _still_allowed(consumer.user.pk, list(following))
    for slug in [s for s in following if s not in allowed]:
        await _stop(consumer, slug, tell=True)


def register() -> None:
    register_handler("resources.follow", follow)
    register_handler("resources.unfollow", unfollow)
    register_event_hook("membership.ended", membership_ended)
    register_recheck_hook(recheck)
