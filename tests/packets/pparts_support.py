"""Helpers of lane B's packet tests (artifacts, development list, readiness)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from accounts.models import User
from cohorts.models import Cohort, Membership, Session
from cohorts.services import attendance_record, session_create
from journals.models import Entry, Evidence
from journals.services import EvidenceInput, evidence_add
from packets.models import Packet, Section


def cite(
    entry: Entry, by: User, *, competency: str | None = None, annotation: str = ""
) -> Evidence:
    """A web link cited on ``entry`` (the simplest evidence that needs no other app)."""
    n = Evidence.objects.count() + 1
    return evidence_add(
        entry=Entry.objects.get(pk=entry.pk),
        by=by,
        data=EvidenceInput(
            kind="url",
            url=f"https://example.org/evidence-{n}",
            label=f"Link {n}",
            annotation=annotation or f"What link {n} shows",
            competency=competency,
        ),
    )


def words(packet: Packet, counts: list[int]) -> list[Section]:
    """Give the packet's sections these word counts, in order (the section editor's job)."""
    sections = list(packet.sections.order_by("order", "pk"))
    for section, count in zip(sections, counts, strict=False):
        Section.objects.filter(pk=section.pk).update(word_count=count)
    return sections


def joined_long_ago(cohort: Cohort, user: User) -> None:
    """Backdate ``user``'s place in ``cohort`` so sessions held before today count."""
    Membership.objects.filter(cohort=cohort, user=user).update(
        decided_at=timezone.now() - dt.timedelta(days=400)
    )


def held(
    cohort: Cohort, by: User, statuses: dict[int, str] | None = None, *, days: int = -3, **kw: Any
) -> Session:
    """A session that met ``days`` ago, with attendance recorded as ``statuses``."""
    start = (timezone.now() + dt.timedelta(days=days)).replace(second=0, microsecond=0)
    session = session_create(
        cohort=cohort,
        by=by,
        title=kw.pop("title", f"Session {days}"),
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
    )
    if statuses:
        attendance_record(session=session, by=by, statuses=statuses)
    return session


def approved_training(
    provider: User, reviewer: User, title: str = "Partnerships in practice"
) -> Any:
    """An approved training of the provider "Tove Institute" that ran last month."""
    from trainings import services
    from trainings.models import Training

    org = services.provider_save(by=provider, name="Tove Institute", domains=["tove.edu"])
    made = services.training_create(
        by=provider,
        provider=org,
        runs=[(dt.date.today() - dt.timedelta(days=60), dt.date.today() - dt.timedelta(days=20))],
        competency_codes=["PAR-1"],
        title=title,
        format="course",
        description="Six weeks on partnerships that serve both sides.",
        curriculum="Week 1: listening.",
        learning_goals=["Draft a partnership agreement"],
        delivery="online",
        duration_hours="12",
        cost_amount="",
        registration_url="https://tove.edu/register",
    )
    services.training_submit(by=provider, training=made)
    services.training_review(
        reviewer=reviewer,
        training=made,
        decision="approve",
        judgements={
            "guided_instruction": ("meets", ""),
            "curriculum": ("meets", ""),
            "learning_goals": ("meets", ""),
        },
        approved_until=dt.date.today() + dt.timedelta(days=365),
    )
    return Training.objects.get(pk=made.pk)


def completed(user: User, training: Any, hours: str = "12") -> Any:
    from trainings.services import completion_record

    return completion_record(
        user=user,
        training=training,
        completed_on=dt.date.today() - dt.timedelta(days=3),
        hours=hours,
    )
