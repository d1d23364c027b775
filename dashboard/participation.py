"""The facilitators' participation view: who has been part of the cohort's life, so quiet
voices are noticed and invited in.

Counts only, never content. Each column is a *participation source*: a function that
returns ``{user_id: count}`` for a cohort in one query, read through the owning app's
selectors. Each app registers its own in its ``AppConfig.ready`` (cohorts: sessions
attended; discussions: posts; see ``core.registry.register_participation_source``); the
view and template do not change when an app adds a column.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cohorts import selectors as cohort_selectors
from cohorts.models import Attendance, Cohort, Membership, Session
from cohorts.permissions import access_cohort
from core.registry import participation_sources

# How many of the latest held sessions decide whether someone has been quiet lately.
RECENT_SESSIONS = 2


@dataclass
class Row:
    membership: Membership
    counts: list[int]
    recent: list[str]
    quiet: bool
    # Sessions held since the person joined (the only ones they could have come to).
    held_since: int = 0
    # Of the last RECENT_SESSIONS held, how many came after they joined.
    held_recently: int = 0


def _is_quiet(recent: list[str], held_recently: int) -> bool:
    """Absent, or not recorded, at each of the last sessions held since joining (excused
    is not quiet; someone who joined after those sessions is not quiet either)."""
    if held_recently == 0:
        return False
    return not any(s in (Attendance.Status.PRESENT, Attendance.Status.EXCUSED) for s in recent)


def _row(
    membership: Membership,
    counts: list[int],
    held: list[Session],
    attended: dict[int, dict[int, str]],
) -> Row:
    since = cohort_selectors.held_after_joining(membership, held)
    recent = since[:RECENT_SESSIONS]
    mine = attended.get(membership.user_id, {})
    statuses = [mine[s.pk] for s in recent if s.pk in mine]
    return Row(
        membership=membership,
        counts=counts,
        recent=statuses,
        quiet=_is_quiet(statuses, len(recent)),
        held_since=len(since),
        held_recently=len(recent),
    )


def participation_rows(cohort: Cohort) -> dict[str, Any]:
    """Everything the page shows, in a fixed number of queries. Each member is judged on
    the sessions held since they joined, never on the time before."""
    members = [m for m in cohort_selectors.members_of(cohort) if m.role == Membership.Role.MEMBER]
    held = cohort_selectors.held_sessions(cohort)
    columns = [(source, source.counts(cohort)) for source in participation_sources()]
    attended = cohort_selectors.recent_attendance([s.pk for s in held[:RECENT_SESSIONS]])
    rows = [
        _row(m, [counts.get(m.user_id, 0) for _, counts in columns], held, attended)
        for m in members
    ]
    return {
        "sources": [source for source, _ in columns],
        "rows": rows,
        "held": len(held),
        "held_recently": min(len(held), RECENT_SESSIONS),
        "quiet_count": sum(1 for r in rows if r.quiet),
    }


@login_required
def cohort_participation(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = access_cohort(request.user, slug=slug, need="facilitate")
    return render(
        request,
        "dashboard/participation.html",
        {"cohort": cohort, **participation_rows(cohort)},
    )
