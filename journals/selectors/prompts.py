"""Prompts and feedback as the journal home, the dashboard, the prompt pages and the
facilitators' reflections view show them.

Counting rule, everywhere here: an answer counts for someone other than its author only
when it is shared (with the cohort's facilitators or with the cohort) and not deleted.
A private answer and no answer look exactly the same to a facilitator. Every function
runs a fixed number of queries, however many prompts, members and entries there are.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from cohorts.models import Cohort, Membership, Session
from competencies.models import Competency, FramingQuestion
from journals import permissions
from journals.models import Comment, Entry, Prompt

Visibility = Entry.Visibility
# What a facilitator may read: entries shared with them or with the whole cohort.
SHARED = (Visibility.FACILITATORS, Visibility.COHORT)
# An open prompt whose due date passed this many days ago leaves the dashboard and the
# journal home (the cohort's prompt list still shows it until a facilitator closes it).
OVERDUE_SHOWN_DAYS = 14
OPEN_PROMPTS_LIMIT = 10


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(
        getattr(user, "is_active", False)
    )


def shared_entries(cohort_id: int) -> QuerySet[Entry]:
    """The cohort's entries its facilitators may read (shared, not deleted)."""
    return Entry.objects.filter(cohort_id=cohort_id, visibility__in=SHARED, deleted_at__isnull=True)


def active_members(cohort: Cohort) -> QuerySet[Membership]:
    """Those expected to answer prompts: the cohort's active members (not facilitators)."""
    return (
        Membership.objects.filter(
            cohort=cohort,
            status=Membership.Status.ACTIVE,
            role=Membership.Role.MEMBER,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user__name", "user_id")
    )


def due_first(rows: QuerySet[Prompt]) -> QuerySet[Prompt]:
    return rows.order_by(F("due_on").asc(nulls_last=True), "-created_at", "-pk")


# --- the journal home and the dashboard -------------------------------------------------------


def open_prompts_for(user: Any, *, limit: int = OPEN_PROMPTS_LIMIT) -> list[Prompt]:
    """Open prompts of the cohorts where the person is an active member or facilitator,
    soonest due first (those without a due date last), in one query. Each carries
    ``answered`` (the person has an entry for it, whoever may read that entry) and
    ``facilitating`` (they facilitate its cohort: they see who answered instead)."""
    if not _signed_in(user):
        return []
    today = timezone.localdate()
    mine = Membership.objects.filter(user=user, status=Membership.Status.ACTIVE)
    rows = (
        Prompt.objects.filter(
            cohort_id__in=mine.values("cohort_id"),
            closed_at__isnull=True,
        )
        .filter(Q(due_on__isnull=True) | Q(due_on__gte=today - timedelta(days=OVERDUE_SHOWN_DAYS)))
        .select_related("cohort")
        .annotate(
            answered=Exists(
                Entry.objects.filter(author=user, prompt=OuterRef("pk"), deleted_at__isnull=True)
            ),
            facilitating=Exists(
                mine.filter(cohort_id=OuterRef("cohort_id"), role=Membership.Role.FACILITATOR)
            ),
        )
    )
    found = list(due_first(rows)[:limit])
    for prompt in found:
        prompt.overdue = prompt.due_on is not None and prompt.due_on < today  # type: ignore[attr-defined]
    return found


def recent_feedback_for(user: Any, *, limit: int = 5) -> list[Comment]:
    """The latest comments others wrote on the person's own entries (not deleted ones),
    newest first, with the entry and the commenter loaded (one query)."""
    if not _signed_in(user):
        return []
    return list(
        Comment.objects.filter(entry__author=user, entry__deleted_at__isnull=True)
        .exclude(author=user)
        .select_related("entry", "author")
        .order_by("-created_at", "-pk")[:limit]
    )


# --- a cohort's prompts ---------------------------------------------------------------------


def prompts_of(cohort: Cohort, viewer: Any) -> list[Prompt]:
    """The cohort's prompts, open ones first, then soonest due, then newest (one query).

    For a member each carries ``answered`` (their own entry for it exists). For one of the
    cohort's facilitators each carries ``answered_count``: how many active members shared
    an answer with them (a private answer is not counted)."""
    rows = Prompt.objects.filter(cohort=cohort).select_related("session__cohort")
    if permissions.facilitates(viewer, cohort.pk):
        answered = (
            shared_entries(cohort.pk)
            .filter(prompt=OuterRef("pk"), author__in=_active_member_ids(cohort))
            .order_by()
            .values("prompt")
            .annotate(n=Count("author", distinct=True))
            .values("n")
        )
        rows = rows.annotate(answered_count=Coalesce(Subquery(answered), 0))
    elif _signed_in(viewer):
        rows = rows.annotate(
            answered=Exists(
                Entry.objects.filter(author=viewer, prompt=OuterRef("pk"), deleted_at__isnull=True)
            )
        )
    ordered = rows.order_by(
        F("closed_at").asc(nulls_first=True),
        F("due_on").asc(nulls_last=True),
        "-created_at",
        "-pk",
    )
    today = timezone.localdate()
    found = list(ordered)
    for prompt in found:
        prompt.overdue = (  # type: ignore[attr-defined]
            prompt.is_open and prompt.due_on is not None and prompt.due_on < today
        )
    return found


def _active_member_ids(cohort: Cohort) -> QuerySet[Membership, Any]:
    return (
        Membership.objects.filter(
            cohort=cohort,
            status=Membership.Status.ACTIVE,
            role=Membership.Role.MEMBER,
            user__is_active=True,
        )
        .order_by()
        .values("user_id")
    )


def active_member_count(cohort: Cohort) -> int:
    return active_members(cohort).count()


# --- one prompt -----------------------------------------------------------------------------


def prompt_for_page(prompt: Prompt) -> Prompt:
    """The prompt with its competencies (by area) and framing questions (three queries)."""
    return (
        Prompt.objects.select_related("cohort", "author", "session__cohort")
        .prefetch_related(
            Prefetch(
                "competencies",
                queryset=Competency.objects.select_related("area").order_by(
                    "area__order", "order", "pk"
                ),
            ),
            Prefetch("framing_questions", queryset=FramingQuestion.objects.order_by("order")),
        )
        .get(pk=prompt.pk)
    )


def my_answers(prompt: Prompt, user: Any) -> list[Entry]:
    """The person's own entries answering the prompt, newest first."""
    if not _signed_in(user):
        return []
    return list(
        Entry.objects.filter(author=user, prompt=prompt, deleted_at__isnull=True).order_by(
            "-written_on", "-pk"
        )
    )


@dataclass
class Answerer:
    """An active member and the answers they shared with the viewer (newest first)."""

    user: User
    answers: list[Entry] = field(default_factory=list)

    @property
    def answered(self) -> bool:
        return bool(self.answers)

    @property
    def latest(self) -> Entry | None:
        return self.answers[0] if self.answers else None


def who_answered(prompt: Prompt, viewer: Any) -> list[Answerer]:
    """Every active member of the prompt's cohort with the answers ``viewer`` may read
    (shared, not deleted), in two queries. Someone whose answer is private is listed
    exactly like someone who has not written one."""
    members = list(active_members(prompt.cohort))
    readable = (
        permissions.entries_visible_to(viewer)
        .filter(
            prompt=prompt,
            cohort_id=prompt.cohort_id,
            visibility__in=SHARED,
            author_id__in=[m.user_id for m in members],
        )
        .only("pk", "title", "written_on", "status", "visibility", "author_id")
        .order_by("-written_on", "-pk")
    )
    by_author: dict[int, list[Entry]] = defaultdict(list)
    for entry in readable:
        by_author[entry.author_id].append(entry)
    return [Answerer(user=m.user, answers=by_author.get(m.user_id, [])) for m in members]


def session_choices(cohort: Cohort, *, keep: Session | None = None) -> QuerySet[Session]:
    """Sessions a prompt may be tied to: the cohort's sessions not cancelled (and the one
    already chosen, whatever became of it)."""
    rows = Session.objects.filter(cohort=cohort)
    condition = Q(cancelled_at__isnull=True)
    if keep is not None:
        condition |= Q(pk=keep.pk)
    return rows.filter(condition).order_by("starts_at", "pk")


# --- the facilitators' reflections view --------------------------------------------------------


@dataclass
class PromptRow:
    prompt: Prompt
    answered: int
    overdue: bool = False


@dataclass
class MemberRow:
    user: User
    shared: int = 0
    prompts_answered: int = 0
    feedback: int = 0
    latest: Entry | None = None


@dataclass
class Reflections:
    members: list[MemberRow]
    prompts: list[PromptRow]
    member_count: int
    shared_total: int
    today: date = field(default_factory=timezone.localdate)


def reflections_of(cohort: Cohort) -> Reflections:
    """Counts for the cohort's facilitators, in six queries whatever the cohort's size:
    per prompt, how many active members shared an answer; per active member, how many
    entries they shared in the cohort, how many prompts they answered in a shared entry,
    how many comments others gave on their shared entries, and the title and date of their
    latest shared entry. Nothing here reads an entry's body, and nothing counts or names a
    private or deleted entry."""
    members = list(active_members(cohort))
    ids = [m.user_id for m in members]
    shared = shared_entries(cohort.pk).filter(author_id__in=ids)
    counts = dict(
        shared.order_by().values("author_id").annotate(n=Count("pk")).values_list("author_id", "n")
    )
    # The latest shared entry of each member (the newest by date, then by creation).
    latest: dict[int, Entry] = {}
    for entry in (
        shared.filter(written_on=_latest_written_on(cohort.pk, OuterRef("author_id")))
        .only("pk", "title", "written_on", "author_id")
        .order_by("-pk")
    ):
        latest.setdefault(entry.author_id, entry)
    feedback = dict(
        Comment.objects.filter(entry__in=shared)
        .exclude(author_id=F("entry__author_id"))
        .order_by()
        .values("entry__author_id")
        .annotate(n=Count("pk"))
        .values_list("entry__author_id", "n")
    )
    pairs = set(
        shared.filter(prompt__cohort_id=cohort.pk)
        .order_by()
        .values_list("prompt_id", "author_id")
        .distinct()
    )
    per_prompt: dict[int, int] = defaultdict(int)
    per_member: dict[int, int] = defaultdict(int)
    for prompt_id, author_id in pairs:
        per_prompt[prompt_id] += 1
        per_member[author_id] += 1
    today = timezone.localdate()
    prompts = [
        PromptRow(
            prompt=p,
            answered=per_prompt.get(p.pk, 0),
            overdue=p.is_open and p.due_on is not None and p.due_on < today,
        )
        for p in Prompt.objects.filter(cohort=cohort).order_by(
            F("closed_at").asc(nulls_first=True),
            F("due_on").asc(nulls_last=True),
            "-created_at",
            "-pk",
        )
    ]
    rows = [
        MemberRow(
            user=m.user,
            shared=counts.get(m.user_id, 0),
            prompts_answered=per_member.get(m.user_id, 0),
            feedback=feedback.get(m.user_id, 0),
            latest=latest.get(m.user_id),
        )
        for m in members
    ]
    return Reflections(
        members=rows,
        prompts=prompts,
        member_count=len(members),
        shared_total=sum(r.shared for r in rows),
        today=today,
    )


def _latest_written_on(cohort_id: int, author: Any) -> Subquery:
    return Subquery(
        shared_entries(cohort_id)
        .filter(author_id=author)
        .order_by("-written_on")
        .values("written_on")[:1]
    )


def reflection_counts(cohort: Any) -> dict[int, int]:
    """``{user_id: shared entries}`` for the participation view (one query): entries each
    person shared in the cohort with its facilitators or its members. Private entries and
    deleted ones are never counted."""
    return dict(
        shared_entries(cohort.pk)
        .order_by()
        .values("author_id")
        .annotate(n=Count("pk"))
        .values_list("author_id", "n")
    )
