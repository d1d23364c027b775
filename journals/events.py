"""What the journals publish to open pages and sockets (after commit).

A page showing an entry to someone other than its author follows the entry's group; when
the author narrows who may read it (or deletes it), the group is told and each socket
re-checks its right to the entry, so an open page stops showing it at once.
"""

from __future__ import annotations

from typing import Any

from core.realtime import publish_on_commit


def entry_group(entry_id: int) -> str:
    return f"journal-entry.{entry_id}"


def access_narrowed(entry: Any) -> None:
    publish_on_commit(entry_group(entry.pk), {"type": "journals.entry_access", "entry": entry.pk})


def shared(entry: Any) -> None:
    publish_on_commit(
        entry_group(entry.pk),
        {"type": "journals.entry_changed", "entry": entry.pk, "version": entry.version},
    )


def comment_added(comment: Any) -> None:
    publish_on_commit(
        entry_group(comment.entry_id),
        {"type": "journals.comment", "entry": comment.entry_id, "comment": comment.pk},
    )
