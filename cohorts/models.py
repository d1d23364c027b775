"""Communities of practice: cohorts, their review, membership, sessions, attendance,
learning goals and calendar tokens."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.urls import reverse
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from competencies.models import Area, Competency, Framework
from core.models import TimeStampedModel
from core.text import BoundedTextField, LineField

# Longest texts, in characters (README: "Limits"). Markdown is rendered on every view, so
# even the long ones stay far below what would slow a page.
DESCRIPTION_MAX = 10_000
DESIGN_MAX = 5_000
NOTE_MAX = 5_000
MESSAGE_MAX = 2_000
SESSION_TEXT_MAX = 20_000
# The program pairs co-facilitators: staff see a flag on a proposal with fewer.
FACILITATORS_EXPECTED = 2


class EnrollmentPeriod(models.Model):
    """An application window of the credential program (about three a year)."""

    slug = models.SlugField(max_length=64, unique=True)
    name = LineField(max_length=120)
    opens_on = models.DateField()
    closes_on = models.DateField(help_text="Application deadline.")

    class Meta:
        ordering = ["opens_on"]

    def __str__(self) -> str:
        return self.name


class Cohort(TimeStampedModel):
    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted for review"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        APPROVED = "approved", "Approved"
        ACTIVE = "active", "Active"
        CONCLUDED = "concluded", "Concluded"
        ARCHIVED = "archived", "Archived"
        REJECTED = "rejected", "Not approved"

    class JoinPolicy(models.TextChoices):
        OPEN = "open", "Open: anyone may join"
        REQUEST = "request", "By request: facilitators accept members"
        INVITATION = "invitation", "By invitation only"

    slug = models.SlugField(max_length=80, unique=True)
    title = LineField(max_length=160)
    description = BoundedTextField(
        max_length=DESCRIPTION_MAX, help_text="What the community will explore. Markdown."
    )
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="cohorts")
    focus_areas = models.ManyToManyField(Area, related_name="cohorts", blank=True)
    focus_competencies = models.ManyToManyField(Competency, related_name="cohorts", blank=True)
    host_institution = LineField(max_length=200, blank=True)
    enrollment_period = models.ForeignKey(
        EnrollmentPeriod,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cohorts",
        help_text="The application window this cohort prepares members for.",
    )
    term_start = models.DateField()
    term_end = models.DateField()
    cadence = LineField(max_length=200, help_text="For example: every other Tuesday, 90 minutes.")
    time_zone = models.CharField(max_length=64, default="America/New_York")
    capacity = models.PositiveSmallIntegerField(
        default=15, help_text="Members, not counting facilitators."
    )
    join_policy = models.CharField(
        max_length=12, choices=JoinPolicy.choices, default=JoinPolicy.REQUEST
    )
    listed = models.BooleanField(
        default=True,
        help_text="Listed cohorts appear in the public directory once approved. Unlisted "
        "cohorts are visible only to their members and invitees.",
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    # The design questions program staff review against the equity principles.
    design_knowledge = BoundedTextField(
        "how everyone shares knowledge", blank=True, max_length=DESIGN_MAX,
        help_text="How will every participant, not only facilitators, bring knowledge?",
    )  # fmt: skip
    design_learning = BoundedTextField(
        "how everyone learns", blank=True, max_length=DESIGN_MAX,
        help_text="How will facilitators and members alike keep learning?",
    )  # fmt: skip
    design_identities = BoundedTextField(
        "identities and ways of knowing", blank=True, max_length=DESIGN_MAX,
        help_text="How will many identities and ways of knowing be invited into the activities?",
    )  # fmt: skip
    design_democratic = BoundedTextField(
        "democratic design", blank=True, max_length=DESIGN_MAX,
        help_text="How will members shape goals, agendas and decisions?",
    )  # fmt: skip
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="proposed_cohorts",
    )
    member_group = models.OneToOneField(
        Group, on_delete=models.PROTECT, related_name="member_of_cohort"
    )
    facilitator_group = models.OneToOneField(
        Group, on_delete=models.PROTECT, related_name="facilitator_of_cohort"
    )

    class Meta:
        ordering = ["term_start", "title"]
        permissions = [
            ("view_cohort_content", "See the cohort's members-only pages"),
            ("facilitate_cohort", "Facilitate the cohort"),
        ]
        indexes = [
            models.Index(fields=["state", "listed", "term_start"]),
            models.Index(fields=["enrollment_period", "state"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(term_end__gte=models.F("term_start")),
                name="cohorts_term_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__gte=2, capacity__lte=200),
                name="cohorts_capacity_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("cohorts:detail", args=[self.slug])


class CohortUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Cohort, on_delete=models.CASCADE)


class CohortGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Cohort, on_delete=models.CASCADE)


class CohortTransition(models.Model):
    """Every state change of a cohort: who, when, from what to what, and why."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=20, choices=Cohort.State.choices)
    to_state = models.CharField(max_length=20, choices=Cohort.State.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    note = BoundedTextField(blank=True, max_length=NOTE_MAX)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["cohort", "at"])]

    def __str__(self) -> str:
        return f"{self.cohort}: {self.from_state} -> {self.to_state}"


class CohortReview(models.Model):
    """Program staff's review of a submitted cohort against the equity principles."""

    class Judgement(models.TextChoices):
        MET = "met", "Holds"
        PARTLY = "partly", "Partly holds"
        NOT_MET = "not_met", "Does not hold yet"

    class Decision(models.TextChoices):
        APPROVE = "approve", "Approve"
        REQUEST_CHANGES = "request_changes", "Request changes"
        REJECT = "reject", "Reject"

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="cohort_reviews",
    )
    knowledge = models.CharField(max_length=10, choices=Judgement.choices)
    knowledge_note = BoundedTextField(blank=True, max_length=NOTE_MAX)
    learning = models.CharField(max_length=10, choices=Judgement.choices)
    learning_note = BoundedTextField(blank=True, max_length=NOTE_MAX)
    identities = models.CharField(max_length=10, choices=Judgement.choices)
    identities_note = BoundedTextField(blank=True, max_length=NOTE_MAX)
    democratic = models.CharField(max_length=10, choices=Judgement.choices)
    democratic_note = BoundedTextField(blank=True, max_length=NOTE_MAX)
    decision = models.CharField(max_length=20, choices=Decision.choices)
    message = BoundedTextField(max_length=MESSAGE_MAX, help_text="Sent to the facilitators.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["cohort", "-created_at"])]

    CRITERIA = (
        ("knowledge", "Everyone has knowledge to share"),
        ("learning", "Everyone has learning to do"),
        ("identities", "Many identities and ways of knowing are encouraged and woven in"),
        ("democratic", "The design is democratic"),
    )

    def __str__(self) -> str:
        return f"Review of {self.cohort}: {self.decision}"


class Membership(TimeStampedModel):
    class Role(models.TextChoices):
        FACILITATOR = "facilitator", "Facilitator"
        MEMBER = "member", "Member"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        REQUESTED = "requested", "Requested to join"
        WAITLISTED = "waitlisted", "On the waitlist"
        DECLINED = "declined", "Request declined"
        LEFT = "left", "Left"
        REMOVED = "removed", "Removed"
        ALUMNI = "alumni", "Alumni"

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(max_length=12, choices=Status.choices)
    request_message = BoundedTextField(blank=True, max_length=MESSAGE_MAX)
    decision_message = BoundedTextField(blank=True, max_length=MESSAGE_MAX)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # Waitlist order: the time the person joined the waitlist.
    waitlisted_at = models.DateTimeField(null=True, blank=True)

    # Statuses that hold a place (and access) in the cohort.
    SEATED = (Status.ACTIVE, Status.ALUMNI)

    class Meta:
        ordering = ["cohort", "role", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "user"], name="cohorts_one_membership")
        ]
        indexes = [
            models.Index(fields=["cohort", "status", "role"]),
            models.Index(fields=["user", "status"]),
            models.Index(fields=["cohort", "status", "waitlisted_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.cohort} ({self.role}, {self.status})"

    @property
    def joined_at(self) -> datetime:
        """When the person took their place: every way in (accepted, invited, off the
        waitlist, joining an open cohort) stamps ``decided_at`` as it seats them."""
        return self.decided_at or self.created_at


class Invitation(TimeStampedModel):
    """A single-use, expiring link sent by e-mail. Only a hash of the token is stored."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(
        max_length=12, choices=Membership.Role.choices, default=Membership.Role.MEMBER
    )
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    message = BoundedTextField(blank=True, max_length=MESSAGE_MAX)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["cohort", "accepted_at", "revoked_at"])]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.cohort}"


class Session(TimeStampedModel):
    """One meeting of a cohort. Times are stored in UTC; ``time_zone`` is the one the
    facilitators planned in, viewers see their own."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="sessions")
    title = LineField(max_length=200)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    time_zone = models.CharField(max_length=64)
    video_url = models.URLField(blank=True)
    place = LineField(max_length=300, blank=True)
    agenda = BoundedTextField(blank=True, max_length=SESSION_TEXT_MAX, help_text="Markdown.")
    prework = BoundedTextField(
        "pre-work", blank=True, max_length=SESSION_TEXT_MAX, help_text="Markdown."
    )
    materials = BoundedTextField(
        blank=True, max_length=SESSION_TEXT_MAX, help_text="Markdown: links and notes."
    )
    notes = BoundedTextField(
        blank=True, max_length=SESSION_TEXT_MAX, help_text="After the meeting. Markdown."
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    sequence = models.PositiveIntegerField(
        default=0, help_text="iCalendar SEQUENCE: bumped on every change calendars must see."
    )

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["cohort", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="cohorts_session_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("cohorts:session", args=[self.cohort.slug, self.pk])

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", "Present"
        ABSENT = "absent", "Absent"
        EXCUSED = "excused", "Excused"

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attendance"
    )
    status = models.CharField(max_length=8, choices=Status.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="cohorts_one_attendance")
        ]
        indexes = [models.Index(fields=["user", "status"])]

    def __str__(self) -> str:
        return f"{self.user} at {self.session}: {self.status}"


class LearningGoal(TimeStampedModel):
    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ADOPTED = "adopted", "Adopted"
        IN_PROGRESS = "in_progress", "In progress"
        ACHIEVED = "achieved", "Achieved"
        SET_ASIDE = "set_aside", "Set aside"

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="goals")
    title = LineField(max_length=200)
    description = BoundedTextField(blank=True, max_length=NOTE_MAX, help_text="Markdown.")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROPOSED)
    status_note = BoundedTextField(blank=True, max_length=MESSAGE_MAX)
    supporters: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="GoalSupport", related_name="supported_goals"
    )

    class Meta:
        ordering = ["cohort", "created_at"]
        indexes = [models.Index(fields=["cohort", "status"])]

    def __str__(self) -> str:
        return self.title


class GoalSupport(models.Model):
    goal = models.ForeignKey(LearningGoal, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["goal", "user"], name="cohorts_one_support")]

    def __str__(self) -> str:
        return f"{self.user} supports {self.goal}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarToken(models.Model):
    """The secret in a person's calendar subscription URLs; resetting it cuts old links."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Calendar token of {self.user}"
