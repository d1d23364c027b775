"""What a socket may ask of the journals: watch one entry's page, so that narrowing who
may read it takes effect at once, and new feedback is announced.

``{"type":"journals.watch","entry":ID}`` is allowed to whoever may read the entry now (the
same rule as its page, :func:`journals.permissions.can_view_entry`); the answer is
``{"type":"journals.watching","entry":ID}``. An entry that does not exist and one the
person may not read get the same ``forbidden`` error frame, which names the entry
(``{"type":"error","code":"forbidden","detail":...,"entry":ID}``). ``journals.unwatch``
stops.

When the author narrows who reads the entry (or deletes it), the services publish
``journals.entry_access`` to the entry's group; each socket then asks again, and one that
lost the entry leaves the group and gets ``{"type":"journals.revoked","entry":ID}`` (its
page replaces the entry's text). ``journals.comment`` events go on only to sockets whose
person may see the entry's feedback, asked again at that moment. A person whose rights
changed otherwise (removed from the cohort, a role taken away) is re-checked the same way.
"""

from __future__ import annotations

import json
from typing import Any

from core.realtime import (
    ProtocolError,
    register_event_hook,
    register_handler,
    register_recheck_hook,
    socket_db,
)
from journals.events import entry_group

FORBIDDEN = "You cannot follow this entry."  # the same for missing and not-allowed
STATE = "journal_entries"  # consumer.state key: the ids of the entries watched


def _entry_id(message: dict[str, Any]) -> int:
    value = message.get("entry")
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        raise ProtocolError("bad_request", '"entry" must be an entry id.')
    return value


def _load(user_id: int, entry_id: int) -> tuple[Any, Any]:
    """The person and the entry, read afresh (rights cached on an older copy of the user
    must not answer)."""
    from accounts.models import User
    from journals.models import Entry

    user = User.objects.filter(pk=user_id, is_active=True).first()
    entry = Entry.objects.filter(pk=entry_id).first() if user is not None else None
    return user, entry


def _may_view(user_id: int, entry_id: int) -> bool:
    from journals.permissions import can_view_entry

    user, entry = _load(user_id, entry_id)
    return entry is not None and can_view_entry(user, entry)


@socket_db
def _authorize(user_id: int, entry_id: int) -> bool:
    return _may_view(user_id, entry_id)


@socket_db
def _still_readable(user_id: int, entry_ids: list[int]) -> set[int]:
    return {entry_id for entry_id in entry_ids if _may_view(user_id, entry_id)}


@socket_db
def _may_see_feedback(user_id: int, entry_id: int) -> bool:
    from journals.permissions import can_see_feedback

    user, entry = _load(user_id, entry_id)
    return entry is not None and can_see_feedback(user, entry)


def _watching(consumer: Any) -> set[int]:
    watched: set[int] = consumer.state.setdefault(STATE, set())
    return watched


async def watch(consumer: Any, message: dict[str, Any]) -> None:
    entry_id = _entry_id(message)
    # The login session must still hold (a password change elsewhere ends it).
    if not await consumer.check_session():
        return
    watched = _watching(consumer)
    # Asked afresh every time (after a reconnect too): a right lost while the socket was
    # down is found here.
    if not await _authorize(consumer.user.pk, entry_id):
        if entry_id in watched:
            watched.discard(entry_id)
            await consumer.leave(entry_group(entry_id))
        # The entry's id goes with the refusal, so a page that showed it knows it is gone.
        await consumer.send_error("forbidden", FORBIDDEN, entry=entry_id)
        return
    if entry_id not in watched:
        watched.add(entry_id)
        await consumer.join(entry_group(entry_id))
    await consumer.send_json({"type": "journals.watching", "entry": entry_id})


async def unwatch(consumer: Any, message: dict[str, Any]) -> None:
    entry_id = _entry_id(message)
    watched = _watching(consumer)
    if entry_id in watched:
        watched.discard(entry_id)
        await consumer.leave(entry_group(entry_id))
    await consumer.send_json({"type": "journals.unwatched", "entry": entry_id})


async def _revoke(consumer: Any, entry_id: int) -> None:
    watched = _watching(consumer)
    if entry_id not in watched:
        return
    watched.discard(entry_id)
    await consumer.leave(entry_group(entry_id))
    await consumer.send_json({"type": "journals.revoked", "entry": entry_id})


def _event_entry(event: dict[str, Any]) -> int | None:
    try:
        value = json.loads(event["text"]).get("entry")
    except (KeyError, TypeError, ValueError):
        return None
    return value if isinstance(value, int) else None


async def access_changed(consumer: Any, event: dict[str, Any]) -> bool:
    """Who may read an entry narrowed (or it was deleted): this socket asks again."""
    entry_id = _event_entry(event)
    if (
        entry_id is not None
        and entry_id in _watching(consumer)
        and not await _authorize(consumer.user.pk, entry_id)
    ):
        await _revoke(consumer, entry_id)
    return False  # the event itself is for the server; the page hears "revoked" or nothing


async def comment_added(consumer: Any, event: dict[str, Any]) -> bool:
    """New feedback: only to a person who may see the entry's feedback now."""
    entry_id = _event_entry(event)
    if entry_id is None or entry_id not in _watching(consumer):
        return False
    return bool(await _may_see_feedback(consumer.user.pk, entry_id))


async def recheck(consumer: Any) -> None:
    """The person's rights changed: stop watching the entries they may no longer read."""
    watched = _watching(consumer)
    if not watched:
        return
    readable = await _still_readable(consumer.user.pk, sorted(watched))
    for entry_id in sorted(watched - readable):
        await _revoke(consumer, entry_id)


async def membership_ended(consumer: Any, event: dict[str, Any]) -> bool:
    """Removed from (or left) a cohort: entries shared there are no longer theirs to read."""
    if consumer.state.get(STATE):
        await recheck(consumer)
    return True


def register() -> None:
    register_handler("journals.watch", watch)
    register_handler("journals.unwatch", unwatch)
    register_event_hook("journals.entry_access", access_changed)
    register_event_hook("journals.comment", comment_added)
    register_event_hook("membership.ended", membership_ended)
    register_recheck_hook(recheck)
