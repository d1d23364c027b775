"""Feedback on a shared entry, between its author and the cohort's facilitators."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from core.markdown import render_markdown
from core.text import clean_input
from journals import events, permissions
from journals.models import Comment, Entry
from journals.services.common import JournalError, field_error


@transaction.atomic
def comment_create(*, entry: Entry, by: User, body: str) -> Comment:
    """A facilitator's comment (or the author's reply) on an entry shared with them. The
    others in the conversation are told, after commit, through a task."""
    if not permissions.can_comment(by, entry):
        raise JournalError("You cannot comment on this entry.", code="not_found")
    values = clean_input(Comment, {"body": (body or "").strip()}, error=field_error)
    if not values["body"]:
        raise JournalError("Write the comment first.", code="blank", field="body")
    comment = Comment.objects.create(
        entry=entry, author=by, body=values["body"], body_html=render_markdown(values["body"])
    )
    transaction.on_commit(lambda: _queue_notice(comment.pk), robust=True)
    events.comment_added(comment)
    return comment


def _queue_notice(comment_id: int) -> None:
    from journals.tasks import notify_comment

    notify_comment.enqueue(comment_id)
