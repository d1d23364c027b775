"""Who may see and do what in the journals. Pages, the API, the socket, search, downloads
and other apps ask only these functions.

- An entry is private to its author unless the author shares it. Shared with the
  facilitators, it is read by the people who facilitate its cohort; shared with the
  cohort, by the cohort's members too. Program staff and admins are not readers by their
  role: reflection is personal, so they read an entry only as a member or facilitator of a
  cohort it was shared with.
- Only the author edits, deletes and (for 30 days) restores an entry.
- Feedback (comments) is between the author and the cohort's facilitators: it is seen and
  written only by them, and only while the entry is shared.
- Self-assessments and coverage are the person's own.
- Prompts are read by the cohort's members and posted by its facilitators.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, Literal

from django.db.models import Q, QuerySet
from django.utils import timezone
from guardian.shortcuts import get_objects_for_user

from cohorts.models import Cohort
from cohorts.permissions import FACILITATE, VIEW_CONTENT
from core.errors import not_found
from journals.models import RESTORE_DAYS, Comment, Entry, Prompt, SelfAssessment

Visibility = Entry.Visibility


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(
        getattr(user, "is_active", False)
    )


def _cohorts_with(user: Any, perm: str) -> QuerySet[Cohort]:
    """Cohorts where ``user`` holds ``perm`` through their own membership: never through a
    global permission or superuser status (an admin is not a reader of reflections)."""
    if not _signed_in(user):
        return Cohort.objects.none()
    return get_objects_for_user(
        user,
        f"cohorts.{perm}",
        klass=Cohort,
        accept_global_perms=False,
        with_superuser=False,
    )


def member_cohorts(user: Any) -> QuerySet[Cohort]:
    """Cohorts ``user`` belongs to (members, alumni and facilitators)."""
    cache = getattr(user, "_journal_member_cohorts", None)
    if cache is None:
        cache = set(_cohorts_with(user, VIEW_CONTENT).values_list("pk", flat=True))
        if _signed_in(user):
            user._journal_member_cohorts = cache
    return Cohort.objects.filter(pk__in=cache)


def member_cohort_ids(user: Any) -> set[int]:
    member_cohorts(user)
    return set(getattr(user, "_journal_member_cohorts", set()))


def facilitated_cohort_ids(user: Any) -> set[int]:
    cache = getattr(user, "_journal_facilitated_cohorts", None)
    if cache is None:
        cache = set(_cohorts_with(user, FACILITATE).values_list("pk", flat=True))
        if _signed_in(user):
            user._journal_facilitated_cohorts = cache
    return set(cache)


def forget_cached(user: Any) -> None:
    for attr in ("_journal_member_cohorts", "_journal_facilitated_cohorts"):
        if hasattr(user, attr):
            delattr(user, attr)


def facilitates(user: Any, cohort_id: int | None) -> bool:
    return cohort_id is not None and cohort_id in facilitated_cohort_ids(user)


def is_author(user: Any, entry: Entry) -> bool:
    return _signed_in(user) and entry.author_id == user.pk


# --- entries -----------------------------------------------------------------------------


def can_view_entry(user: Any, entry: Entry) -> bool:
    if entry.deleted_at is not None or not _signed_in(user):
        return False
    if entry.author_id == user.pk:
        return True
    if entry.cohort_id is None or entry.visibility == Visibility.PRIVATE:
        return False
    if entry.visibility == Visibility.COHORT and entry.cohort_id in member_cohort_ids(user):
        return True
    return facilitates(user, entry.cohort_id)


def can_edit_entry(user: Any, entry: Entry) -> bool:
    return entry.deleted_at is None and is_author(user, entry)


def can_restore_entry(user: Any, entry: Entry) -> bool:
    return (
        entry.deleted_at is not None
        and is_author(user, entry)
        and entry.deleted_at + timedelta(days=RESTORE_DAYS) > timezone.now()
    )


def can_see_feedback(user: Any, entry: Entry) -> bool:
    """The comments on an entry: its author, and the facilitators while it is shared."""
    if not can_view_entry(user, entry):
        return False
    return is_author(user, entry) or (entry.is_shared and facilitates(user, entry.cohort_id))


def can_comment(user: Any, entry: Entry) -> bool:
    """Feedback is written on a shared entry, by a facilitator or by the author replying."""
    return entry.is_shared and entry.cohort_id is not None and can_see_feedback(user, entry)


def entries_visible_to(user: Any) -> QuerySet[Entry]:
    """Entries ``user`` may read, in one query with id subqueries (no per-row checks)."""
    if not _signed_in(user):
        return Entry.objects.none()
    member = member_cohort_ids(user)
    facilitated = facilitated_cohort_ids(user)
    return Entry.objects.filter(deleted_at__isnull=True).filter(
        Q(author=user)
        | Q(visibility=Visibility.COHORT, cohort_id__in=member)
        | Q(visibility__in=[Visibility.FACILITATORS, Visibility.COHORT], cohort_id__in=facilitated)
    )


EntryNeed = Literal["view", "edit", "delete", "restore", "comment", "feedback"]
_ENTRY_RULES: dict[str, Callable[[Any, Entry], bool]] = {
    "view": can_view_entry,
    "edit": can_edit_entry,
    "delete": can_edit_entry,
    "restore": can_restore_entry,
    "comment": can_comment,
    "feedback": can_see_feedback,
}


def access_entry(
    user: Any, *, entry_id: int | str, need: EntryNeed = "view", queryset: Any = None
) -> Entry:
    """The entry if ``user`` may do what ``need`` says with it; otherwise the same 404
    whether it does not exist or is not theirs."""
    try:
        pk = int(entry_id)
    except (TypeError, ValueError):
        raise not_found() from None
    rows = queryset if queryset is not None else Entry.objects.select_related("author", "cohort")
    entry = rows.filter(pk=pk).first()
    if entry is None or not _ENTRY_RULES[need](user, entry):
        raise not_found()
    return entry


# --- comments ----------------------------------------------------------------------------


def comments_visible_to(user: Any, entry: Entry) -> QuerySet[Comment]:
    if not can_see_feedback(user, entry):
        return Comment.objects.none()
    return entry.comments.select_related("author")


# --- prompts -----------------------------------------------------------------------------


def can_view_prompt(user: Any, prompt: Prompt) -> bool:
    return prompt.cohort_id in member_cohort_ids(user)


def can_manage_prompt(user: Any, prompt_or_cohort: Prompt | Cohort) -> bool:
    """Post, edit and close prompts, and see who answered: the cohort's facilitators."""
    cohort_id = (
        prompt_or_cohort.cohort_id if isinstance(prompt_or_cohort, Prompt) else prompt_or_cohort.pk
    )
    return facilitates(user, cohort_id)


def can_answer_prompt(user: Any, prompt: Prompt) -> bool:
    from cohorts.permissions import can_take_part

    return prompt.is_open and can_view_prompt(user, prompt) and can_take_part(user, prompt.cohort)


def prompts_visible_to(user: Any) -> QuerySet[Prompt]:
    return Prompt.objects.filter(cohort_id__in=member_cohort_ids(user))


PromptNeed = Literal["view", "manage", "answer"]
_PROMPT_RULES: dict[str, Callable[[Any, Prompt], bool]] = {
    "view": can_view_prompt,
    "manage": can_manage_prompt,
    "answer": can_answer_prompt,
}


def access_prompt(user: Any, *, prompt_id: int | str, need: PromptNeed = "view") -> Prompt:
    try:
        pk = int(prompt_id)
    except (TypeError, ValueError):
        raise not_found() from None
    prompt = Prompt.objects.select_related("cohort", "author", "session").filter(pk=pk).first()
    if prompt is None or not _PROMPT_RULES[need](user, prompt):
        raise not_found()
    return prompt


# --- self-assessments --------------------------------------------------------------------


def assessments_visible_to(user: Any) -> QuerySet[SelfAssessment]:
    if not _signed_in(user):
        return SelfAssessment.objects.none()
    return SelfAssessment.objects.filter(user=user)


def access_assessment(user: Any, *, assessment_id: int | str) -> SelfAssessment:
    try:
        pk = int(assessment_id)
    except (TypeError, ValueError):
        raise not_found() from None
    found = assessments_visible_to(user).select_related("area__framework").filter(pk=pk).first()
    if found is None:
        raise not_found()
    return found


# --- uploaded evidence files -------------------------------------------------------------


def may_download_evidence_file(user: Any, stored: Any) -> bool:
    """An uploaded evidence file: its uploader, and whoever may read an entry citing it."""
    from journals.models import Evidence

    if not _signed_in(user):
        return False
    if stored.uploaded_by_id == user.pk:
        return True
    return (
        entries_visible_to(user)
        .filter(pk__in=Evidence.objects.filter(file=stored).values("entry_id"))
        .exists()
    )
