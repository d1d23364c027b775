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
from django.utils import timezone

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


def _is_quiet(recent: list[str], held_recently: int) -> bool:
    """Absent, or not recorded, at each of the last sessions held (excused is not quiet)."""
    if held_recently == 0:
        return False
    return not any(s in (Attendance.Status.PRESENT, Attendance.Status.EXCUSED) for s in recent)


def participation_rows(cohort: Cohort) -> dict[str, Any]:
    """Everything the page shows, in a fixed number of queries."""
    members = [m for m in cohort_selectors.members_of(cohort) if m.role == Membership.Role.MEMBER]
    held = Session.objects.filter(
        cohort=cohort, cancelled_at__isnull=True, starts_at__lte=timezone.now()
    ).count()
    columns = [(source, source.counts(cohort)) for source in participation_sources()]
    recent = cohort_selectors.recent_attendance(cohort, sessions=RECENT_SESSIONS)
    held_recently = min(held, RECENT_SESSIONS)
    rows = [
        Row(
            membership=m,
            counts=[counts.get(m.user_id, 0) for _, counts in columns],
            recent=recent.get(m.user_id, []),
            quiet=_is_quiet(recent.get(m.user_id, []), held_recently),
        )
        for m in members
    ]
    return {
        "sources": [source for source, _ in columns],
        "rows": rows,
        "held": held,
        "held_recently": held_recently,
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
