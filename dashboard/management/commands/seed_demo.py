"""Demo data: the accounts and cohorts of CONTRACT.md and, with --scale, synthetic volume.

Idempotent: running it again changes nothing that exists. Everything is made through the
apps' own services (the cohorts walk the real lifecycle: proposal, staff review, approval),
with dates relative to today so the demo always looks current. Demo data never sends
e-mail: the services' messages go to a dummy backend while seeding.
"""

from __future__ import annotations

import uuid
from datetime import date, time, timedelta
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import User
from accounts.roles import PlatformRole
from accounts.services import role_grant, user_create_verified
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
from discussions.models import Post, Thread
from discussions.services import (
    post_create,
    reaction_toggle,
    thread_create,
    thread_mark_read,
    thread_rebuild_stats,
    thread_set_flags,
)

DEMO_PEOPLE: list[dict[str, Any]] = [
    {
        "email": "staff@example.org",
        "name": "Sam Okafor",
        "pronouns": "he/him",
        "institution": "Campus Compact",
        "position": "Credentialing program manager",
        "role": PlatformRole.PROGRAM_STAFF,
        "is_staff": True,
    },
    {
        "email": "reviewer@example.org",
        "name": "Renée Castillo",
        "pronouns": "she/her",
        "institution": "Lakeshore State University",
        "position": "Content Advisory Board member",
        "role": PlatformRole.REVIEW_BOARD,
    },
    {
        "email": "provider@example.org",
        "name": "Priya Raman",
        "pronouns": "she/her",
        "institution": "Engaged Campus Institute",
        "position": "Training director",
        "role": PlatformRole.TRAINING_PROVIDER,
    },
    {
        "email": "facilitator@example.org",
        "name": "Fatima Haddad",
        "pronouns": "she/her",
        "institution": "Riverbend College",
        "position": "Director of community partnerships",
        "bio": "Twelve years building **reciprocal partnerships** with neighbourhood groups.",
        "identities": "First-generation college graduate; I learned community organising "
        "from my grandmother's tenants' union before I learned it from books.",
        "show_identities": True,
    },
    {
        "email": "cofacilitator@example.org",
        "name": "Diego Morales",
        "pronouns": "he/him",
        "institution": "Northfield University",
        "position": "Civic engagement coordinator",
    },
    {
        "email": "member@example.org",
        "name": "Mei Lin",
        "pronouns": "she/they",
        "institution": "Harbor Community College",
        "position": "Service-learning coordinator",
        "time_zone": "America/Los_Angeles",
    },
    {
        "email": "member2@example.org",
        "name": "Jordan Blackfeather",
        "pronouns": "they/them",
        "institution": "Prairie State University",
        "position": "Community-engaged research associate",
        "time_zone": "America/Chicago",
    },
    {
        "email": "outsider@example.org",
        "name": "Olivia Grant",
        "pronouns": "she/her",
        "institution": "Eastgate University",
        "position": "Assistant dean of students",
    },
]

# People who make the cohorts look lived in. Not part of the contract; none of them is the
# outsider, who must stay without memberships.
DEMO_EXTRA_PEOPLE: list[dict[str, Any]] = [
    {
        "email": "amara.nwosu@example.org",
        "name": "Amara Nwosu",
        "pronouns": "she/her",
        "institution": "Lakeshore State University",
        "position": "Community-based learning coordinator",
    },
    {
        "email": "luis.ortega@example.org",
        "name": "Luis Ortega",
        "pronouns": "he/him",
        "institution": "Valle Verde Community College",
        "position": "Director, Center for Civic Learning",
        "time_zone": "America/Denver",
    },
    {
        "email": "hannah.weiss@example.org",
        "name": "Hannah Weiss",
        "pronouns": "she/her",
        "institution": "Northfield University",
        "position": "Engaged scholarship librarian",
    },
    {
        "email": "kenji.watanabe@example.org",
        "name": "Kenji Watanabe",
        "pronouns": "he/him",
        "institution": "Pacific Crest University",
        "position": "Partnership development manager",
        "time_zone": "America/Los_Angeles",
    },
    {
        "email": "aisha.rahman@example.org",
        "name": "Aisha Rahman",
        "pronouns": "she/her",
        "institution": "Metro Technical Institute",
        "position": "Coordinator of community-engaged learning",
    },
    {
        "email": "grace.liu@example.org",
        "name": "Grace Liu",
        "pronouns": "she/her",
        "institution": "Bayview University",
        "position": "Assessment and evaluation lead, Office of Engagement",
    },
    {
        "email": "tomas.rivera@example.org",
        "name": "Tomás Rivera",
        "pronouns": "he/him",
        "institution": "Sierra State University",
        "position": "Faculty fellow for engaged teaching",
        "time_zone": "America/Los_Angeles",
    },
    {
        "email": "nia.thompson@example.org",
        "name": "Nia Thompson",
        "pronouns": "she/her",
        "institution": "Chesapeake College",
        "position": "Associate director, Office of Community Engagement",
    },
]

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


WELCOME_TITLE = "Welcome! Start here: introductions and how we use this forum"
# Who speaks in the demo forum (their @handles are their names, slugified: assigned when
# the accounts are made, first come).
DEMO_VOICES = {
    "fatima": "facilitator@example.org",
    "diego": "cofacilitator@example.org",
    "mei": "member@example.org",
    "jordan": "member2@example.org",
    "amara": "amara.nwosu@example.org",
    "luis": "luis.ortega@example.org",
    "hannah": "hannah.weiss@example.org",
    "kenji": "kenji.watanabe@example.org",
}
# Each thread: its opener and replies in order. A reply starting with "> " quotes (and
# replies to) the post before it. Reactions name (post index, person, kind).
# ``mei_read_to`` leaves Mei's read pointer at that post, so what follows is unread.
DEMO_THREADS: list[dict[str, Any]] = [
    {
        "by": "fatima",
        "title": WELCOME_TITLE,
        "pinned": True,
        "announcement": True,
        "days_ago": 34,
        "posts": [
            (
                "fatima",
                "Welcome, everyone! This forum is where our cohort lives between sessions.\n\n"
                "- **Introduce yourself** below: your name, your campus, and one partnership "
                "you'll bring to our work together.\n"
                "- Start a thread whenever you have a question, a story or a resource: "
                "everyone here has knowledge to share.\n"
                "- Use @name to bring someone into a conversation.\n\n"
                "Stories shared here stay in the cohort. — Fatima",
            ),
            (
                "mei",
                "Hi all, I'm Mei (she/they), service-learning coordinator at Harbor Community "
                "College. I'm bringing our partnership with a family literacy centre that "
                "hosts 40 students a term, and wondering whether it serves them as well as "
                "it serves us.",
            ),
            (
                "jordan",
                "Jordan here (they/them), Prairie State. I do community-engaged research with "
                "two tribal nations' education departments. Data sovereignty is where my "
                "questions live right now.",
            ),
            (
                "amara",
                "Amara, Lakeshore State. Our food-access coalition has seven partners and "
                "no written agreement with any of them. I'm here to change that!",
            ),
            (
                "diego",
                "Great to meet you all. I'm Diego, co-facilitating with Fatima. @mei-lin, "
                "the literacy centre question is exactly the kind we hoped someone would bring.",
            ),
        ],
        "reactions": [
            (0, "mei", "heart"),
            (0, "luis", "thanks"),
            (1, "fatima", "heart"),
            (2, "hannah", "insight"),
            (3, "kenji", "agree"),
        ],
        "mei_read_to": 4,
    },
    {
        "by": "luis",
        "title": "What does reciprocity look like in practice?",
        "days_ago": 27,
        "posts": [
            (
                "luis",
                "We all say our partnerships are *reciprocal*. But when I ask our partners "
                "what they get out of hosting students, the honest answer is often "
                '"extra supervision work". How do you know reciprocity is real and not '
                "just a word in the grant report?",
            ),
            (
                "mei",
                "I asked our literacy centre director that exact question last month. She "
                "said the students help, but what she really values is our library access "
                "and a faculty member who helped write their evaluation. None of that is in "
                "our MOU.",
            ),
            (
                "hannah",
                "The 4R's framework (respect, relevance, reciprocity, responsibility) helped "
                "us here: we now ask partners to name what *they* want to get, first, before "
                "we plan any course.",
            ),
            (
                "jordan",
                "> we now ask partners to name what *they* want to get, first\n\n"
                "This. In my work the question is also who owns what we learn together. "
                "Reciprocity includes the data and the stories, not only the hours.",
            ),
            (
                "fatima",
                "Lovely thread. @luis-ortega, would you bring your partnership rubric to "
                "session 4? It asks partners to score the benefits they receive, and I think "
                "it would answer your own question.",
            ),
            (
                "luis",
                "Happy to, @fatima-haddad. I'll share a blank copy here before the session.",
            ),
        ],
        "reactions": [
            (0, "kenji", "agree"),
            (2, "mei", "insight"),
            (2, "jordan", "thanks"),
            (3, "hannah", "heart"),
            (3, "luis", "insight"),
            (4, "luis", "thanks"),
        ],
        "mei_read_to": 2,
    },
    {
        "by": "amara",
        "title": "Community partner voice: who sets the agenda?",
        "days_ago": 20,
        "posts": [
            (
                "amara",
                "At our coalition meetings the campus people talk most. Our partners are "
                "polite, and busy, and they let us drive. How do you make room for community "
                "partners to set the agenda, not just react to it?",
            ),
            (
                "kenji",
                "We pay partners for their time at planning meetings (a small stipend) and "
                "we meet at their site, not on campus. It changed who speaks.",
            ),
            (
                "jordan",
                "We rotate the chair: a community partner chairs every other meeting and "
                "writes the agenda. It felt awkward for two months and then it just worked.",
            ),
            (
                "mei",
                "@amara-nwosu, our partners told us they hate surveys but will happily talk "
                "for ten minutes on the phone. Maybe ask them how *they* want to be heard?",
            ),
        ],
        "reactions": [(1, "amara", "insight"), (2, "amara", "thanks"), (2, "diego", "agree")],
    },
    {
        "by": "kenji",
        "title": "MOUs: templates that worked (and ones that didn't)",
        "days_ago": 13,
        "posts": [
            (
                "kenji",
                "Our legal office's MOU template is eleven pages and written for vendors. "
                "Has anyone got a partnership agreement that reads like it was written by "
                "people who trust each other?",
            ),
            (
                "hannah",
                "Ours is two pages: shared goals, what each side gives and gains, who to "
                "call, how we'll check in, and how either side can end it kindly. Legal "
                "attaches their terms as an appendix.",
            ),
            (
                "amara",
                "> how either side can end it kindly\n\n"
                "I'd never thought to write down an exit. That alone would have saved us a "
                "painful year with one partner.",
            ),
            (
                "diego",
                "This ties straight into the goal we adopted (co-writing agreements with "
                "our partners). @kenji-watanabe, could you and @hannah-weiss post an "
                "anonymised version for us to annotate?",
            ),
            (
                "hannah",
                "Posted to the resources shelf. Remember: the point is that the partner "
                "writes half of it.",
            ),
        ],
        "reactions": [(1, "kenji", "thanks"), (1, "mei", "insight"), (2, "hannah", "heart")],
        "mei_read_to": 1,
    },
    {
        "by": "diego",
        "title": "Prep: assessing partnerships with our partners",
        "session": True,
        "days_ago": 5,
        "posts": [
            (
                "diego",
                "For our next session: come with **one thing you measure** about a "
                "partnership, and ask yourself who chose it. We'll try turning one of our "
                "measures into a question the partner would want answered.",
            ),
            (
                "jordan",
                "I'll bring our data-sharing agreement: it says who can publish what. "
                "Assessment looks different when the community owns half the data.",
            ),
            (
                "luis",
                "Here's the blank partnership rubric I promised: five benefits, scored by the "
                "partner, with space for a story. Try it on one of yours before the session?",
            ),
        ],
        "reactions": [(2, "fatima", "thanks"), (2, "jordan", "agree")],
    },
]


def _this_day() -> date:
    return timezone.localdate()


class Command(BaseCommand):
    help = "Create the demo accounts and cohorts (and later apps' demo objects). Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Run even with DJANGO_DEBUG off.")
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            help="Also add N times a block of synthetic volume (for benchmarks).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "Demo data is only loaded with DJANGO_DEBUG on; pass --force to load it anyway."
            )
        if not Framework.objects.exists():
            call_command("import_framework", stdout=self.stdout)
        # Demo addresses are not real: whatever the configured backend, send nothing.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            created = self.seed_people(DEMO_PEOPLE)
            self.stdout.write(
                f"Demo accounts: {created} created, {len(DEMO_PEOPLE) - created} already "
                f"there (password: DEMO_PASSWORD, default “commonplace-demo”)."
            )
            self.seed_people(DEMO_EXTRA_PEOPLE)
            periods = self.seed_periods()
            made = self.seed_cohorts(periods)
            self.stdout.write(
                f"Demo cohorts: {len(made)} created"
                + (f" ({', '.join(made)})" if made else ", all already there")
                + "."
            )
            threads = self.seed_discussions()
            self.stdout.write(
                f"Demo threads: {threads} created"
                if threads
                else "Demo threads: all already there."
            )
            if options["scale"] > 0:
                added, cohorts = self.seed_scale(options["scale"])
                self.stdout.write(f"Synthetic volume: {added} users and {cohorts} cohorts added.")

    # --- people ---------------------------------------------------------------------------

    @transaction.atomic
    def seed_people(self, specs: list[dict[str, Any]]) -> int:
        created_count = 0
        for spec in specs:
            spec = dict(spec)
            role = spec.pop("role", None)
            is_staff = spec.pop("is_staff", False)
            user, created = user_create_verified(password=settings.DEMO_PASSWORD, **spec)
            created_count += int(created)
            if created and is_staff:
                user.is_staff = True
                user.save(update_fields=["is_staff"])
            if role is not None:
                role_grant(user=user, role=role)
        return created_count

    @staticmethod
    def person(email: str) -> User:
        return User.objects.get(email=email)

    # --- enrollment periods ---------------------------------------------------------------

    @transaction.atomic
    def seed_periods(self) -> list[EnrollmentPeriod]:
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

    @staticmethod
    def period_after(periods: list[EnrollmentPeriod], day: date) -> EnrollmentPeriod | None:
        """The first application window still open two weeks after ``day``."""
        return next((p for p in periods if p.closes_on >= day + timedelta(days=14)), None)

    # --- cohorts --------------------------------------------------------------------------

    def seed_cohorts(self, periods: list[EnrollmentPeriod]) -> list[str]:
        made = []
        for slug, build in (
            (DEMO_SLUG, self.build_partnerships),
            ("assessing-engagement-together", self.build_assessment),
            ("institutionalizing-engagement-reading-circle", self.build_reading_circle),
            ("engaged-faculty-practice-circle", self.build_faculty_circle),
        ):
            if not Cohort.objects.filter(slug=slug).exists():
                with transaction.atomic():
                    build(slug, periods)
                made.append(slug)
        self.keep_demo_invitation_open()
        return made

    def propose(
        self,
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

    def approve(self, cohort: Cohort, *, by: User, message: str) -> None:
        cohort_submit(cohort=cohort, by=by)
        cohort_review(
            cohort=cohort,
            reviewer=self.person("staff@example.org"),
            decision="approve",
            message=message,
            judgements={
                "knowledge": ("met", "Members take turns bringing the knowledge we discuss."),
                "learning": ("met", "Facilitators learn alongside members."),
                "identities": ("met", "Many ways of knowing are named and invited."),
                "democratic": ("met", "Members choose goals and shape agendas."),
            },
        )

    def admit(self, cohort: Cohort, emails: list[str], *, by: User) -> None:
        """Join by request and be accepted, as people do on the site."""
        for email in emails:
            person = self.person(email)
            request = membership_join(
                cohort=cohort,
                user=person,
                message=f"I'd like to join: this is close to my work at {person.institution}.",
            )
            if request.status == Membership.Status.REQUESTED:
                membership_accept(
                    membership=request, by=by, message=f"Welcome, {person.display_name}!"
                )

    @staticmethod
    def schedule(cohort: Cohort, *, by: User, first_day: date, at: time) -> list[Session]:
        return sessions_apply_template(
            cohort=cohort,
            by=by,
            first_day=first_day,
            start_time=at,
            every_days=14,
            minutes=90,
            video_url=f"{VIDEO}{cohort.slug}",
        )

    def build_partnerships(self, slug: str, periods: list[EnrollmentPeriod]) -> None:
        """The demo cohort of CONTRACT.md: approved after a round of changes, active, by
        request, members only, two co-facilitators, half its sessions already held."""
        today = _this_day()
        facilitator = self.person("facilitator@example.org")
        cofacilitator = self.person("cofacilitator@example.org")
        staff = self.person("staff@example.org")
        term_start = today - timedelta(days=35)
        term_end = today + timedelta(days=75)
        design = dict(PARTNERSHIPS_DESIGN)
        first_democratic = "Facilitators plan the six sessions; members can suggest topics."
        design["design_democratic"] = first_democratic
        cohort = self.propose(
            slug,
            by=facilitator,
            title="Reciprocal Partnerships — Spring Cohort",
            area_slugs=["partnerships"],
            codes=["PAR-1", "PAR-3", "PAR-5"],
            host_institution="Riverbend College",
            enrollment_period=self.period_after(periods, term_end),
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

        self.admit(
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
        sessions = self.schedule(
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
        member = self.person("member@example.org")
        adopted = goal_propose(
            cohort=cohort,
            by=member,
            title="Co-write partnership agreements with our community partners",
            description="Draft, with a partner, an agreement that names what each side "
            "gives and gains, and bring it back to the group.",
        )
        for email in ("member2@example.org", "amara.nwosu@example.org", "luis.ortega@example.org"):
            goal_support(goal=adopted, user=self.person(email))
        goal_set_status(
            goal=adopted,
            by=facilitator,
            status=LearningGoal.Status.ADOPTED,
            note="Chosen together in session 2.",
        )
        proposed = goal_propose(
            cohort=cohort,
            by=self.person("luis.ortega@example.org"),
            title="Build a shared map of campus and community assets",
            description="Each of us maps the assets around one partnership; we compare maps.",
        )
        for person in (member, self.person("hannah.weiss@example.org")):
            goal_support(goal=proposed, user=person)

        # Someone waiting for an answer, and an invitation not yet used.
        membership_join(
            cohort=cohort,
            user=self.person("aisha.rahman@example.org"),
            message="I coordinate community-engaged courses and am new to partnership work. "
            "Could I join for the remaining sessions?",
        )

    def keep_demo_invitation_open(self) -> None:
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
                    by=self.person("facilitator@example.org"),
                    email=INVITED_GUEST,
                    message="Our partner at the Eastside Tenants' Alliance suggested you.",
                )

    def build_assessment(self, slug: str, periods: list[EnrollmentPeriod]) -> None:
        """Approved, listed, by request, with places: open for join requests."""
        today = _this_day()
        grace = self.person("grace.liu@example.org")
        term_start = today + timedelta(days=10)
        term_end = term_start + timedelta(days=84)
        cohort = self.propose(
            slug,
            by=grace,
            title="Assessing Engagement Together",
            area_slugs=["assessment-evaluation"],
            codes=["ASE-3", "ASE-4", "ASE-6"],
            host_institution="Bayview University",
            enrollment_period=self.period_after(periods, term_end),
            term_start=term_start,
            term_end=term_end,
            cadence="Every other Thursday, 15:00 to 16:30 Pacific, online",
            time_zone="America/Los_Angeles",
            capacity=10,
            join_policy=Cohort.JoinPolicy.REQUEST,
            listed=True,
            description=(
                "Assessment plans that community partners help write and actually use. We "
                "bring our own assessment puzzles and leave with a plan we believe in."
            ),
            design_knowledge="Each member brings one assessment tool they use and its limits.",
            design_learning="We try each other's tools on our own programs between sessions.",
            design_identities=(
                "We ask whose knowledge counts as evidence, and invite story-based and "
                "community-led ways of showing impact."
            ),
            design_democratic="Members pick the cases we work on and the order we take them.",
        )
        self.approve(cohort, by=grace, message="Approved: a welcome focus on partner voice.")
        self.admit(cohort, ["hannah.weiss@example.org", "kenji.watanabe@example.org"], by=grace)
        self.schedule(cohort, by=grace, first_day=term_start, at=time(15, 0))

    def build_reading_circle(self, slug: str, periods: list[EnrollmentPeriod]) -> None:
        """Active, listed, open to anyone who joins."""
        today = _this_day()
        nia = self.person("nia.thompson@example.org")
        term_start = today - timedelta(days=7)
        term_end = term_start + timedelta(days=84)
        cohort = self.propose(
            slug,
            by=nia,
            title="Institutionalizing Engagement: An Open Reading Circle",
            area_slugs=["institutionalizing"],
            codes=["INS-1", "INS-2", "INS-8"],
            host_institution="Chesapeake College",
            enrollment_period=self.period_after(periods, term_end),
            term_start=term_start,
            term_end=term_end,
            cadence="Every other Wednesday, 12:00 to 13:30 Eastern, online",
            time_zone="America/New_York",
            capacity=15,
            join_policy=Cohort.JoinPolicy.OPEN,
            listed=True,
            description=(
                "We read short pieces on how engagement takes root in institutions, and "
                "test them against our own campuses. Join any time."
            ),
            design_knowledge="Members choose and introduce the readings in turn.",
            design_learning="Every reading is tried against a real decision on a campus.",
            design_identities="We read authors from community organisations as well as campuses.",
            design_democratic="The reading list is chosen and changed by the members.",
        )
        self.approve(cohort, by=nia, message="Approved: an easy door into the program.")
        for email in ("amara.nwosu@example.org", "luis.ortega@example.org"):
            membership_join(cohort=cohort, user=self.person(email))
        self.schedule(cohort, by=nia, first_day=term_start, at=time(12, 0))
        cohort_activate(cohort=cohort, by=nia)

    def build_faculty_circle(self, slug: str, periods: list[EnrollmentPeriod]) -> None:
        """Submitted, awaiting program staff's review."""
        today = _this_day()
        tomas = self.person("tomas.rivera@example.org")
        term_start = today + timedelta(days=60)
        term_end = term_start + timedelta(days=84)
        cohort = self.propose(
            slug,
            by=tomas,
            title="Supporting Engaged Faculty: A Practice Circle",
            area_slugs=["faculty-development"],
            codes=["FAC-3", "FAC-4", "FAC-7"],
            host_institution="Sierra State University",
            enrollment_period=self.period_after(periods, term_end),
            term_start=term_start,
            term_end=term_end,
            cadence="Monthly, first Friday, 10:00 to 11:30 Pacific",
            time_zone="America/Los_Angeles",
            capacity=12,
            join_policy=Cohort.JoinPolicy.REQUEST,
            listed=True,
            description=(
                "For people who support faculty in engaged teaching and scholarship: how "
                "to reach the differently motivated, and how engaged work counts in review."
            ),
            design_knowledge="Members consult the group on a faculty member they support.",
            design_learning="We rotate who brings the case, facilitators included.",
            design_identities="We discuss how rank, discipline and identity shape engagement.",
            design_democratic="The group decides which cases and readings we take up.",
        )
        cohort_submit(cohort=cohort, by=tomas)

    # --- discussions ---------------------------------------------------------------------

    def seed_discussions(self) -> int:
        """The demo cohort's forum: a pinned welcome thread by the facilitator and four
        conversations among the members (with @mentions, reactions, a quoted reply and a
        thread tied to the next session), written through the discussion services and then
        spread over the past weeks. Mei (member@example.org) has read only part of it, so
        she sees unread posts. Skipped when the welcome thread is already there."""
        cohort = Cohort.objects.filter(slug=DEMO_SLUG).first()
        if cohort is None or Thread.objects.filter(cohort=cohort, title=WELCOME_TITLE).exists():
            return 0
        with transaction.atomic():
            return self.build_discussions(cohort)

    def build_discussions(self, cohort: Cohort) -> int:
        people = {key: self.person(email) for key, email in DEMO_VOICES.items()}
        upcoming = (
            Session.objects.filter(cohort=cohort, starts_at__gt=timezone.now())
            .order_by("starts_at")
            .first()
        )
        made: list[Thread] = []
        for number, spec in enumerate(DEMO_THREADS):
            author = people[spec["by"]]
            session = upcoming if spec.get("session") else None
            title = spec["title"]
            if session is not None:
                title = f"{title} ({session.title})"
            (first_by, first_body), *replies = spec["posts"]
            assert first_by == spec["by"]
            thread = thread_create(
                cohort=cohort,
                author=author,
                title=title,
                body=first_body,
                session=session,
                announcement=spec.get("announcement", False),
                client_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"demo-{number}-0")),
            )
            if spec.get("pinned"):
                thread_set_flags(thread=thread, by=author, pinned=True)
            posts = [thread.posts.get()]
            for index, (by, body) in enumerate(replies, start=1):
                reply_to = None
                if body.startswith("> "):
                    reply_to = posts[-1]
                post, _ = post_create(
                    thread=thread,
                    author=people[by],
                    body=body,
                    reply_to=reply_to,
                    client_id=uuid.uuid5(uuid.NAMESPACE_URL, f"demo-{number}-{index}"),
                )
                posts.append(post)
            for index, who, kind in spec.get("reactions", []):
                reaction_toggle(post=posts[index], user=people[who], kind=kind)
            read_to = spec.get("mei_read_to")
            if read_to is not None:
                thread_mark_read(thread=thread, user=people["mei"], up_to=posts[read_to].pk)
            self.backdate(posts, days_ago=spec["days_ago"])
            made.append(thread)
        thread_rebuild_stats(thread_ids=[t.pk for t in made])
        return len(made)

    @staticmethod
    def backdate(posts: list[Post], *, days_ago: int) -> None:
        """Spread a conversation over the days after ``days_ago`` (a few hours apart)."""
        start = timezone.now() - timedelta(days=days_ago)
        for index, post in enumerate(posts):
            Post.objects.filter(pk=post.pk).update(
                created_at=start + timedelta(hours=5 * index + (index % 3))
            )
        Thread.objects.filter(pk=posts[0].thread_id).update(created_at=start)

    # --- synthetic volume -----------------------------------------------------------------

    @transaction.atomic
    def seed_scale(self, scale: int) -> tuple[int, int]:
        """Add ``scale`` blocks of 50 synthetic users and two active cohorts, each with 12
        of them as members and six sessions (half held, with attendance)."""
        from allauth.account.models import EmailAddress
        from django.contrib.auth.hashers import make_password

        start = User.objects.filter(email__startswith="synthetic-").count()
        password = make_password(settings.DEMO_PASSWORD)
        users = [
            User(
                email=f"synthetic-{n}@example.org",
                name=f"Synthetic member {n}",
                handle=f"synthetic-{n}",  # bulk_create skips save(), which would assign one
                password=password,
                institution="Synthetic University",
            )
            for n in range(start, start + 50 * scale)
        ]
        User.objects.bulk_create(users, batch_size=1000)
        made = list(User.objects.filter(email__in=[u.email for u in users]).order_by("pk"))
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in made],
            batch_size=1000,
        )
        cohorts = 0
        first = Cohort.objects.filter(slug__startswith="synthetic-cohort-").count()
        for block in range(scale):
            people = made[block * 50 : (block + 1) * 50]
            for k in range(2):
                group = people[k * 25 : (k + 1) * 25]
                self.synthetic_cohort(first + cohorts, facilitator=group[0], members=group[1:13])
                cohorts += 1
        return len(users), cohorts

    def synthetic_cohort(self, n: int, *, facilitator: User, members: list[User]) -> Cohort:
        today = _this_day()
        cohort = self.propose(
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
        self.approve(cohort, by=facilitator, message="Synthetic approval.")
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
                    decided_at=now,
                )
                for u in members
            ]
        )
        through = User.groups.through
        through.objects.bulk_create(
            [through(user_id=u.pk, group_id=cohort.member_group_id) for u in members]
        )
        sessions = self.schedule(
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
