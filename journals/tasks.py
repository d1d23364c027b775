"""Background work of the journals: telling people about feedback and prompts, and the
daily reminder before a prompt is due."""

from __future__ import annotations

from django_tasks import task

from accounts.models import User
from accounts.services import notify
from cohorts.models import Membership
from journals import permissions
from journals.models import Comment, Prompt
from journals.services.prompts import short


@task()
def notify_comment(comment_id: int) -> int:
    """Tell the others in an entry's feedback conversation about a new comment: the author
    when a facilitator writes, the facilitators who commented when the author replies (or
    the cohort's facilitators, when the author writes first). Access is read when the task
    runs, so someone who lost the entry is not told."""
    comment = (
        Comment.objects.select_related("entry__author", "entry__cohort", "author")
        .filter(pk=comment_id, entry__deleted_at__isnull=True)
        .first()
    )
    if comment is None or comment.author is None:
        return 0
    entry = comment.entry
    by_author = entry.author_id == comment.author_id
    verb = "commented on"
    if not by_author:
        people = [entry.author]
    else:
        ids = set(
            entry.comments.exclude(author=entry.author)
            .exclude(author__isnull=True)
            .values_list("author_id", flat=True)
        )
        verb = "replied to your feedback on"
        if ids:
            people = list(User.objects.filter(pk__in=ids, is_active=True))
        elif entry.cohort_id is None:
            people = []
        else:
            verb = "asks for feedback on"
            # The author opens the conversation: the cohort's facilitators hear of it.
            people = list(
                User.objects.filter(
                    is_active=True,
                    memberships__cohort_id=entry.cohort_id,
                    memberships__status=Membership.Status.ACTIVE,
                    memberships__role=Membership.Role.FACILITATOR,
                )
            )
    people = [p for p in people if p.is_active and permissions.can_see_feedback(p, entry)]
    if not people:
        return 0
    notify(
        users=people,
        kind="journals.feedback",
        title=f"{short(comment.author.display_name, 60)} {verb} “{short(entry.title)}”",
        body=comment.body,
        quoted_from=comment.author,
        url=entry.get_absolute_url() + "#feedback",
    )
    return len(people)


@task()
def notify_prompt(prompt_id: int) -> int:
    """Tell a cohort's active members (not its facilitators) about a new prompt."""
    prompt = Prompt.objects.select_related("cohort").filter(pk=prompt_id).first()
    if prompt is None or not prompt.is_open:
        return 0
    people = list(
        User.objects.filter(
            memberships__cohort_id=prompt.cohort_id,
            memberships__status=Membership.Status.ACTIVE,
            memberships__role=Membership.Role.MEMBER,
            is_active=True,
        )
    )
    if not people:
        return 0
    notify(
        users=people,
        kind="journals.prompt",
        title=(
            f"New reflection prompt in {short(prompt.cohort.title, 60)}: “{short(prompt.title)}”"
        ),
        url=prompt.get_absolute_url(),
    )
    return len(people)


@task()
def prompt_reminders() -> int:
    """Remind members of prompts due soon that they have not answered yet (run daily:
    ``manage.py send_prompt_reminders`` enqueues it). Safe to run more often: each person
    is reminded of a prompt once."""
    from journals.services.prompts import prompt_reminders_send

    return prompt_reminders_send()
