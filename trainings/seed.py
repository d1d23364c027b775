"""Demo trainings: the trainings app's part of ``seed_demo`` (see core.registry).

Walks the real services: two provider organisations, a handful of approved trainings
across areas, formats and costs, one under review, one with changes requested, one
expired, and one of an organisation whose e-mail domain is ``reviewer@example.org``'s
(example.org), so that reviewer is conflicted on it.
``member@example.org`` has one completion. Idempotent: nothing is added once the demo
organisation exists.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction

from accounts.models import User
from accounts.seed import person
from core.registry import SeedRun
from trainings import permissions, services
from trainings.models import Provider, Training

DEMO_ORG = "Engaged Campus Institute"
CONFLICT_ORG = "Lakeshore Extension Network"
JUDGED = {
    "guided_instruction": ("meets", "Facilitated sessions with a named instructor."),
    "curriculum": ("meets", "Week-by-week outline."),
    "learning_goals": ("meets", ""),
}


def _training(
    by: User, org: Provider, *, runs: list[tuple[int, int]] | None = None, **fields: Any
) -> Training:
    today = permissions.today()
    values: dict[str, Any] = {
        "curriculum": "1. Why it matters\n2. Practice with a partner\n3. Reflection",
        "learning_goals": ["Name the principles", "Apply them to your own program"],
        "delivery": "online",
        "duration_hours": "10",
        "registration_url": "https://example.org/register",
        **fields,
    }
    codes = values.pop("codes")
    return services.training_create(
        by=by,
        provider=org,
        runs=[(today + timedelta(days=a), today + timedelta(days=b)) for a, b in runs or []],
        competency_codes=codes,
        **values,
    )


def _approve(training: Training, reviewer: User, days: int = 365) -> None:
    services.training_submit(by=training.created_by, training=training)  # type: ignore[arg-type]
    services.training_review(
        reviewer=reviewer,
        training=training,
        decision="approve",
        judgements=JUDGED,
        approved_until=permissions.today() + timedelta(days=days),
    )


@transaction.atomic
def seed_trainings() -> int:
    provider = person("provider@example.org")
    reviewer = person("reviewer@example.org")
    member = person("member@example.org")
    org = services.provider_save(
        by=provider,
        name=DEMO_ORG,
        website="https://engagedcampus.example.net",
        contact_name="Priya Raman",
        contact_email="provider@example.org",
        domains=["engagedcampus.example.net"],
    )
    foundations = _training(
        provider, org, title="Foundations of community engagement", format="course",
        description="A six-week online course on the history, ethics and practice of "
        "community engagement in higher education.",
        codes=["FUN-1", "FUN-2"], runs=[(21, 63)], duration_hours="18",
    )  # fmt: skip
    _approve(foundations, reviewer)
    workshop = _training(
        provider, org, title="Reciprocal partnerships workshop", format="workshop",
        description="A one-day, in-person workshop on designing partnerships that serve "
        "both campus and community.",
        codes=["PAR-1", "PAR-3"], runs=[(42, 42), (120, 120)], delivery="in_person",
        location="Chicago, IL", duration_hours="7", cost_amount="150", cost_currency="USD",
    )  # fmt: skip
    _approve(workshop, reviewer)
    assessing = _training(
        provider, org, title="Assessing civic learning", format="webinar_series",
        description="Self-paced recorded webinars on rubrics, reflection prompts and "
        "program evaluation.",
        codes=["ASE-1", "ASE-2"], self_paced=True, duration_hours="8",
        cost_amount="60", cost_currency="USD",
    )  # fmt: skip
    _approve(assessing, reviewer)
    seminar = _training(
        provider, org, title="Faculty development seminar series", format="seminar_series",
        description="Monthly hybrid seminars for faculty developers supporting "
        "community-engaged teaching.",
        codes=["FAC-1", "FAC-2"], runs=[(10, 150)], delivery="hybrid",
        location="Online and Milwaukee, WI", duration_hours="12",
    )  # fmt: skip
    _approve(seminar, reviewer)
    waiting = _training(
        provider, org, title="Program administration essentials", format="course",
        description="Budgets, staffing and risk management for engagement offices.",
        codes=["ADM-1", "ADM-2"], runs=[(60, 90)],
    )  # fmt: skip
    services.training_submit(by=provider, training=waiting)
    revising = _training(
        provider, org, title="Institutionalizing engagement", format="seminar_series",
        description="Seminars on making engagement part of a campus's structures.",
        codes=["INS-1"], runs=[(75, 120)],
    )  # fmt: skip
    services.training_submit(by=provider, training=revising)
    services.training_review(
        reviewer=reviewer, training=revising, decision="request_changes",
        judgements={**JUDGED, "curriculum": ("partly", "Sessions 3-5 are not described.")},
        message="Please describe sessions 3 to 5 and what participants produce.",
    )  # fmt: skip
    expired = _training(
        provider, org, title="Service-learning basics (2024 edition)", format="course",
        description="The earlier edition of our introductory course.",
        codes=["FUN-3"], self_paced=True,
    )  # fmt: skip
    _approve(expired, reviewer, days=30)
    # Demo only: move the approval into the past (the services refuse past dates), so the
    # catalog shows what happens to an approval that ran out.
    Training.objects.filter(pk=expired.pk).update(
        approved_until=permissions.today() - timedelta(days=5),
        reviewed_on=permissions.today() - timedelta(days=400),
    )
    # An organisation that (since its approval) also lists example.org among its domains:
    # reviewer@example.org is now conflicted, no longer sees it in the queue (a renewal,
    # say) nor its review record, and cannot decide on it. Every demo account is at
    # example.org, so no other board member could have approved it in the demo.
    conflict_org = services.provider_save(
        by=provider, name=CONFLICT_ORG, website="https://extension.example.org",
        domains=["lakeshore-extension.example.net"],
    )  # fmt: skip
    extension = _training(
        provider, conflict_org, title="Community partnerships for extension staff",
        format="workshop", description="A hands-on workshop for extension educators.",
        codes=["PAR-2"], runs=[(30, 31)], duration_hours="12",
    )  # fmt: skip
    _approve(extension, reviewer)
    services.provider_save(
        by=provider, provider=conflict_org, name=CONFLICT_ORG,
        website="https://extension.example.org",
        domains=["lakeshore-extension.example.net", "example.org"],
    )  # fmt: skip
    services.completion_record(
        user=member,
        training=Training.objects.get(pk=foundations.pk),
        completed_on=permissions.today() - timedelta(days=3),
        hours="18",
    )
    return Training.objects.filter(provider__in=[org, conflict_org]).count()


def seed_demo(run: SeedRun) -> None:
    if Provider.objects.filter(name=DEMO_ORG).exists():
        run.write("Demo trainings: already there.")
        return
    made = seed_trainings()
    run.write(f"Demo trainings: {made} created (one reviewer@example.org is conflicted on).")
