"""Demo cohorts (periods, the four cohorts of CONTRACT.md with their sessions, attendance,
goals, requests and invitations) and, with ``--scale``, synthetic cohorts: the cohorts
app's part of ``seed_demo`` (see core.registry).

The cohorts walk the real lifecycle through the services (proposal, staff review,
approval), with dates relative to today so the demo always looks current. Idempotent: a
cohort whose slug exists is left as it is.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.seed import person
from cohorts.models import Cohort, EnrollmentPeriod, Invitation, LearningGoal, Membership, Session
from cohorts.services import (
    attendance_record,
    cohort_activate,
    cohort_propose,
    cohort_review,
    cohort_submit,
    cohort_update,
    goal_propose,
    goal_set_status,
    goal_support,
    invitation_accept,
    invitation_create,
    membership_accept,
    membership_join,
    session_update,
    sessions_apply_template,
)
from competencies.models import Area, Competency, Framework
from core.registry import SeedRun

# Three application windows a year (month, day), for this year and the next.
PERIODS = [
    ("spring", "Spring", (1, 15), (3, 1)),
    ("summer", "Summer", (5, 1), (6, 15)),
    ("fall", "Fall", (9, 1), (10, 15)),
]

DEMO_SLUG = "partnerships-spring"
INVITED_GUEST = "guest@example.org"
VIDEO = "https://meet.example.org/commonplace-"

PARTNERSHIPS_DESIGN = {
    "description": (
        "A community of practice for people who build campus-community partnerships and "
        "want them to be **reciprocal**: shaped by community partners as much as by the "
        "campus. Over six sessions we bring our own partnerships, trade frameworks, and "
        "work through the dilemmas of power, time and money that every partnership meets. "
        "Members leave with reflections and evidence for the Community Partnerships "
        "credential."
    ),
    "design_knowledge": (
        "Every session opens with a member's partnership story; members take turns "
        "bringing the framework or tool we discuss, so facilitators are one voice among many."
    ),
    "design_learning": (
        "Facilitators bring a partnership of their own that is not going well, and ask the "
        "group for help in session five like everyone else."
    ),
    "design_identities": (
        "Profiles invite members to say how their identities shape their work. Stories, "
        "images and oral accounts count as much as papers, and community partners are "
        "invited to one session as co-teachers."
    ),
    "design_democratic": (
        "Members propose and choose the learning goals in session two and take turns "
        "planning agendas; decisions are made by consent in the session or in the forum."
    ),
}

# The other demo cohorts, each proposed by ``by`` and then taken as far as its state:
# without "approval" it waits in staff's review queue; "admit" join by request and are
# accepted, "join" join an open cohort; "activate" starts it. Terms last twelve weeks from
# ``starts_in`` days from today, with sessions every other week at ``at``.
OTHER_COHORTS: list[dict[str, Any]] = [
    {
        "slug": "assessing-engagement-together",
        "by": "grace.liu@example.org",
        "starts_in": 10,
        "at": time(15, 0),
        "approval": "Approved: a welcome focus on partner voice.",
        "admit": ["hannah.weiss@example.org", "kenji.watanabe@example.org"],
        "proposal": {
            "title": "Assessing Engagement Together",
            "area_slugs": ["assessment-evaluation"],
            "codes": ["ASE-3", "ASE-4", "ASE-6"],
            "host_institution": "Bayview University",
            "cadence": "Every other Thursday, 15:00 to 16:30 Pacific, online",
            "time_zone": "America/Los_Angeles",
            "capacity": 10,
            "join_policy": Cohort.JoinPolicy.REQUEST,
            "listed": True,
            "description": (
                "Assessment plans that community partners help write and actually use. We "
                "bring our own assessment puzzles and leave with a plan we believe in."
            ),
            "design_knowledge": "Each member brings one assessment tool they use and its limits.",
            "design_learning": "We try each other's tools on our own programs between sessions.",
            "design_identities": (
                "We ask whose knowledge counts as evidence, and invite story-based and "
                "community-led ways of showing impact."
            ),
            "design_democratic": "Members pick the cases we work on and the order we take them.",
        },
    },
    {
        "slug": "institutionalizing-engagement-reading-circle",
        "by": "nia.thompson@example.org",
        "starts_in": -7,
        "at": time(12, 0),
        "approval": "Approved: an easy door into the program.",
        "join": ["amara.nwosu@example.org", "luis.ortega@example.org"],
        "activate": True,
        "proposal": {
            "title": "Institutionalizing Engagement: An Open Reading Circle",
            "area_slugs": ["institutionalizing"],
            "codes": ["INS-1", "INS-2", "INS-8"],
            "host_institution": "Chesapeake College",
            "cadence": "Every other Wednesday, 12:00 to 13:30 Eastern, online",
            "time_zone": "America/New_York",
            "capacity": 15,
            "join_policy": Cohort.JoinPolicy.OPEN,
            "listed": True,
            "description": (
                "We read short pieces on how engagement takes root in institutions, and "
                "test them against our own campuses. Join any time."
            ),
            "design_knowledge": "Members choose and introduce the readings in turn.",
            "design_learning": "Every reading is tried against a real decision on a campus.",
            "design_identities": (
                "We read authors from community organisations as well as campuses."
            ),
            "design_democratic": "The reading list is chosen and changed by the members.",
        },
    },
    {
        "slug": "engaged-faculty-practice-circle",
        "by": "tomas.rivera@example.org",
        "starts_in": 60,
        "proposal": {
            "title": "Supporting Engaged Faculty: A Practice Circle",
            "area_slugs": ["faculty-development"],
            "codes": ["FAC-3", "FAC-4", "FAC-7"],
            "host_institution": "Sierra State University",
            "cadence": "Monthly, first Friday, 10:00 to 11:30 Pacific",
            "time_zone": "America/Los_Angeles",
            "capacity": 12,
            "join_policy": Cohort.JoinPolicy.REQUEST,
            "listed": True,
            "description": (
                "For people who support faculty in engaged teaching and scholarship: how "
                "to reach the differently motivated, and how engaged work counts in review."
            ),
            "design_knowledge": "Members consult the group on a faculty member they support.",
            "design_learning": "We rotate who brings the case, facilitators included.",
            "design_identities": "We discuss how rank, discipline and identity shape engagement.",
            "design_democratic": "The group decides which cases and readings we take up.",
        },
    },
]


def _this_day() -> date:
    return timezone.localdate()


def seed_demo(run: SeedRun) -> None:
    periods = seed_periods()
    made = seed_cohorts(periods)
    run.write(
        f"Demo cohorts: {len(made)} created"
        + (f" ({', '.join(made)})" if made else ", all already there")
        + "."
    )


# --- cohorts --------------------------------------------------------------------------


def seed_cohorts(periods: list[EnrollmentPeriod]) -> list[str]:
    made = []
    builds = [(DEMO_SLUG, build_partnerships)]
    builds += [(spec["slug"], build_other(spec)) for spec in OTHER_COHORTS]
    for slug, build in builds:
        if not Cohort.objects.filter(slug=slug).exists():
            with transaction.atomic():
                build(slug, periods)
            made.append(slug)
    keep_demo_invitation_open()
    return made


# --- enrollment periods ---------------------------------------------------------------


@transaction.atomic
def seed_periods() -> list[EnrollmentPeriod]:
    """Three application windows a year, for this year and the next."""
    periods = []
    year = _this_day().year
    for y in (year, year + 1):
        for key, label, opens, closes in PERIODS:
            period, _ = EnrollmentPeriod.objects.get_or_create(
                slug=f"{key}-{y}",
                defaults={
                    "name": f"{label} {y} application window",
                    "opens_on": date(y, *opens),
                    "closes_on": date(y, *closes),
                },
            )
            periods.append(period)
    return sorted(periods, key=lambda p: p.opens_on)


def period_after(periods: list[EnrollmentPeriod], day: date) -> EnrollmentPeriod | None:
    """The first application window still open two weeks after ``day``."""
    return next((p for p in periods if p.closes_on >= day + timedelta(days=14)), None)


def propose(
    slug: str,
    *,
    by: User,
    title: str,
    area_slugs: list[str],
    codes: list[str] = (),  # type: ignore[assignment]
    **fields: Any,
) -> Cohort:
    """Propose through the service; the proposal is first titled by its slug so the
    service derives exactly that slug, then given its real title."""
    framework = Framework.objects.get(is_default=True)
    cohort = cohort_propose(
        by=by,
        title=slug.replace("-", " "),
        framework=framework,
        areas=Area.objects.filter(framework=framework, slug__in=area_slugs),
        competencies=Competency.objects.filter(framework=framework, code__in=codes),
        **fields,
    )
    if cohort.slug != slug:
        raise CommandError(f"demo cohort slug {slug!r} is taken by another cohort")
    return cohort_update(cohort=cohort, by=by, title=title)


def approve(cohort: Cohort, *, by: User, message: str) -> None:
    cohort_submit(cohort=cohort, by=by)
    cohort_review(
        cohort=cohort,
        reviewer=person("staff@example.org"),
        decision="approve",
        message=message,
        judgements={
            "knowledge": ("met", "Members take turns bringing the knowledge we discuss."),
            "learning": ("met", "Facilitators learn alongside members."),
            "identities": ("met", "Many ways of knowing are named and invited."),
            "democratic": ("met", "Members choose goals and shape agendas."),
        },
    )


def admit(cohort: Cohort, emails: list[str], *, by: User) -> None:
    """Join by request and be accepted, as people do on the site."""
    for email in emails:
        joiner = person(email)
        request = membership_join(
            cohort=cohort,
            user=joiner,
            message=f"I'd like to join: this is close to my work at {joiner.institution}.",
        )
        if request.status == Membership.Status.REQUESTED:
            membership_accept(membership=request, by=by, message=f"Welcome, {joiner.display_name}!")


def _joined_on(cohort: Cohort, day: date) -> None:
    """Date the members' places back to ``day`` (the demo is built in one go, today)."""
    joined = timezone.make_aware(datetime.combine(day, time(9, 0)))
    Membership.objects.filter(
        cohort=cohort, role=Membership.Role.MEMBER, status=Membership.Status.ACTIVE
    ).update(decided_at=joined)


def schedule(cohort: Cohort, *, by: User, first_day: date, at: time) -> list[Session]:
    return sessions_apply_template(
        cohort=cohort,
        by=by,
        first_day=first_day,
        start_time=at,
        cadence="fortnightly",
        minutes=90,
        video_url=f"{VIDEO}{cohort.slug}",
    )


def build_partnerships(slug: str, periods: list[EnrollmentPeriod]) -> None:
    """The demo cohort of CONTRACT.md: approved after a round of changes, active, by
    request, members only, two co-facilitators, half its sessions already held."""
    today = _this_day()
    facilitator = person("facilitator@example.org")
    cofacilitator = person("cofacilitator@example.org")
    staff = person("staff@example.org")
    term_start = today - timedelta(days=35)
    term_end = today + timedelta(days=75)
    design = dict(PARTNERSHIPS_DESIGN)
    first_democratic = "Facilitators plan the six sessions; members can suggest topics."
    design["design_democratic"] = first_democratic
    cohort = propose(
        slug,
        by=facilitator,
        title="Reciprocal Partnerships — Spring Cohort",
        area_slugs=["partnerships"],
        codes=["PAR-1", "PAR-3", "PAR-5"],
        host_institution="Riverbend College",
        enrollment_period=period_after(periods, term_end),
        term_start=term_start,
        term_end=term_end,
        cadence="Every other Tuesday, 12:00 to 13:30 Eastern, online",
        time_zone="America/New_York",
        capacity=12,
        join_policy=Cohort.JoinPolicy.REQUEST,
        listed=False,
        **design,
    )
    _, token = invitation_create(
        cohort=cohort,
        by=facilitator,
        email=cofacilitator.email,
        role=Membership.Role.FACILITATOR,
        message="Diego, would you co-facilitate this with me?",
    )
    invitation_accept(token=token, user=cofacilitator)

    # A real review history: changes requested first, then approval.
    cohort_submit(cohort=cohort, by=facilitator)
    cohort_review(
        cohort=cohort,
        reviewer=staff,
        decision="request_changes",
        message=(
            "A strong proposal. Before we approve it: how will members, not only "
            "facilitators, shape the goals and agendas?"
        ),
        judgements={
            "knowledge": ("met", "Story openings give every member the floor."),
            "learning": ("met", "Facilitators bring their own struggling partnership."),
            "identities": ("met", "Community partners as co-teachers is a fine idea."),
            "democratic": ("partly", "Members only suggest topics; who decides?"),
        },
    )
    cohort = cohort_update(
        cohort=cohort,
        by=facilitator,
        design_democratic=PARTNERSHIPS_DESIGN["design_democratic"],
    )
    cohort_submit(cohort=cohort, by=facilitator)
    cohort_review(
        cohort=cohort,
        reviewer=staff,
        decision="approve",
        message="Approved. Thank you for opening the goals and agendas to the members.",
        judgements={
            "knowledge": ("met", "Story openings give every member the floor."),
            "learning": ("met", "Facilitators bring their own struggling partnership."),
            "identities": ("met", "Community partners as co-teachers is a fine idea."),
            "democratic": ("met", "Goals chosen by the members; agendas planned in turn."),
        },
    )

    admit(
        cohort,
        [
            "member@example.org",
            "member2@example.org",
            "amara.nwosu@example.org",
            "luis.ortega@example.org",
            "hannah.weiss@example.org",
            "kenji.watanabe@example.org",
        ],
        by=facilitator,
    )
    # They were admitted during enrollment, before the term began: the sessions already
    # held count for them (participation counts from each member's join date).
    _joined_on(cohort, term_start - timedelta(days=10))
    sessions = schedule(
        cohort, by=facilitator, first_day=today - timedelta(days=30), at=time(12, 0)
    )
    cohort_activate(cohort=cohort, by=facilitator)

    # Attendance at the sessions already held; Jordan (member2) has missed the last two,
    # so the participation view asks the facilitators to reach out.
    now = timezone.now()
    held = [s for s in sessions if s.starts_at <= now]
    seated = dict(
        Membership.objects.filter(cohort=cohort, status=Membership.Status.ACTIVE).values_list(
            "user__email", "user_id"
        )
    )
    for index, session in enumerate(held):
        statuses = {user_id: "present" for user_id in seated.values()}
        if index > 0:
            statuses[seated["member2@example.org"]] = "absent"
        if index == 1:
            statuses[seated["kenji.watanabe@example.org"]] = "excused"
        attendance_record(session=session, by=facilitator, statuses=statuses)
    notes = [
        "We went round the circle: each of us named one partnership and one question. "
        "Agreed: cameras optional, stories stay in the room.",
        "Five goals proposed; we chose to start with co-written partnership agreements. "
        "Pairs for between-session talks are in the forum.",
        "Frameworks shared: asset-based community development, the 4R's of "
        "reciprocity, and Luis's 'partnership rubric'.",
    ]
    for session, note in zip(held, notes, strict=False):
        session_update(session=session, by=facilitator, notes=note)

    # Collective learning goals: one adopted, one still gathering support.
    member = person("member@example.org")
    adopted = goal_propose(
        cohort=cohort,
        by=member,
        title="Co-write partnership agreements with our community partners",
        description="Draft, with a partner, an agreement that names what each side "
        "gives and gains, and bring it back to the group.",
    )
    for email in ("member2@example.org", "amara.nwosu@example.org", "luis.ortega@example.org"):
        goal_support(goal=adopted, user=person(email))
    goal_set_status(
        goal=adopted,
        by=facilitator,
        status=LearningGoal.Status.ADOPTED,
        note="Chosen together in session 2.",
    )
    proposed = goal_propose(
        cohort=cohort,
        by=person("luis.ortega@example.org"),
        title="Build a shared map of campus and community assets",
        description="Each of us maps the assets around one partnership; we compare maps.",
    )
    for supporter in (member, person("hannah.weiss@example.org")):
        goal_support(goal=proposed, user=supporter)

    # Someone waiting for an answer, and an invitation not yet used.
    membership_join(
        cohort=cohort,
        user=person("aisha.rahman@example.org"),
        message="I coordinate community-engaged courses and am new to partnership work. "
        "Could I join for the remaining sessions?",
    )


def keep_demo_invitation_open() -> None:
    """The demo cohort always shows one open invitation (a new one once it expires)."""
    cohort = Cohort.objects.filter(slug=DEMO_SLUG).first()
    if cohort is None:
        return
    open_one = Invitation.objects.filter(
        cohort=cohort,
        email=INVITED_GUEST,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    )
    if not open_one.exists():
        with transaction.atomic():
            invitation_create(
                cohort=cohort,
                by=person("facilitator@example.org"),
                email=INVITED_GUEST,
                message="Our partner at the Eastside Tenants' Alliance suggested you.",
            )


def build_other(spec: dict[str, Any]) -> Any:
    """The builder of one of OTHER_COHORTS."""

    def build(slug: str, periods: list[EnrollmentPeriod]) -> None:
        by = person(spec["by"])
        term_start = _this_day() + timedelta(days=spec["starts_in"])
        term_end = term_start + timedelta(days=84)
        cohort = propose(
            slug,
            by=by,
            enrollment_period=period_after(periods, term_end),
            term_start=term_start,
            term_end=term_end,
            **spec["proposal"],
        )
        if "approval" not in spec:
            cohort_submit(cohort=cohort, by=by)
            return
        approve(cohort, by=by, message=spec["approval"])
        admit(cohort, spec.get("admit", []), by=by)
        for email in spec.get("join", []):
            membership_join(cohort=cohort, user=person(email))
        _joined_on(cohort, min(_this_day(), term_start - timedelta(days=10)))
        schedule(cohort, by=by, first_day=term_start, at=spec["at"])
        if spec.get("activate"):
            cohort_activate(cohort=cohort, by=by)

    return build


# --- synthetic volume -----------------------------------------------------------------


@transaction.atomic
def seed_scale(run: SeedRun) -> None:
    """Seat the synthetic users the accounts seeder made in this run (50 a block) in two
    active cohorts a block, each with 12 of them as members and six sessions (half held,
    with attendance)."""
    made = run.synthetic.get("users", [])
    cohorts: list[Cohort] = []
    first = Cohort.objects.filter(slug__startswith="synthetic-cohort-").count()
    for block in range(run.scale):
        people = made[block * 50 : (block + 1) * 50]
        for k in range(2):
            group = people[k * 25 : (k + 1) * 25]
            cohorts.append(
                synthetic_cohort(first + len(cohorts), facilitator=group[0], members=group[1:13])
            )
    run.synthetic["cohorts"] = cohorts


def synthetic_cohort(n: int, *, facilitator: User, members: list[User]) -> Cohort:
    today = _this_day()
    cohort = propose(
        f"synthetic-cohort-{n}",
        by=facilitator,
        title=f"Synthetic cohort {n}",
        area_slugs=["fundamentals"],
        term_start=today - timedelta(days=35),
        term_end=today + timedelta(days=60),
        cadence="Every other Monday",
        capacity=15,
        join_policy=Cohort.JoinPolicy.OPEN,
        listed=True,
        **{k: f"Synthetic {k}." for k in PARTNERSHIPS_DESIGN},
    )
    approve(cohort, by=facilitator, message="Synthetic approval.")
    # Bulk seating: the same rows and group links membership_join would make, in two
    # queries instead of a dozen per person.
    now = timezone.now()
    Membership.objects.bulk_create(
        [
            Membership(
                cohort=cohort,
                user=u,
                role=Membership.Role.MEMBER,
                status=Membership.Status.ACTIVE,
                decided_at=now - timedelta(days=40),
            )
            for u in members
        ]
    )
    through = User.groups.through
    through.objects.bulk_create(
        [through(user_id=u.pk, group_id=cohort.member_group_id) for u in members]
    )
    sessions = schedule(
        cohort, by=facilitator, first_day=today - timedelta(days=30), at=time(11, 0)
    )
    cohort_activate(cohort=cohort, by=facilitator)
    for session in sessions:
        if session.starts_at <= timezone.now():
            attendance_record(
                session=session,
                by=facilitator,
                statuses={
                    u.pk: ("present" if (u.pk + session.pk) % 4 else "absent") for u in members
                },
            )
    return cohort
