"""Every write to discussions goes through these services."""

from discussions.services.posts import (
    DiscussionError,
    StaleVersion,
    post_create,
    post_delete,
    post_edit,
    post_hide,
    post_restore,
    reaction_toggle,
)
from discussions.services.threads import (
    cohort_mark_all_read,
    thread_create,
    thread_mark_read,
    thread_rebuild_stats,
    thread_set_flags,
    thread_subscribe,
)

__all__ = [
    "DiscussionError",
    "StaleVersion",
    "cohort_mark_all_read",
    "post_create",
    "post_delete",
    "post_edit",
    "post_hide",
    "post_restore",
    "reaction_toggle",
    "thread_create",
    "thread_mark_read",
    "thread_rebuild_stats",
    "thread_set_flags",
    "thread_subscribe",
]
