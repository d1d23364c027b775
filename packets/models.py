"""Application packets: what an applicant assembles, per credential area and enrollment
period, from what they already wrote: a section per framing question (and the area's other
written parts), annotated artifacts picked from their evidence, a professional development
list, a self-assessment, and for some areas a community partner's letter.

A packet is its owner's. It is private unless the owner shares it with the facilitators of
one of their cohorts for feedback (read-only plus comments). It goes with the account.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Cohort, EnrollmentPeriod
from competencies.models import Area, Competency, FramingQuestion
from core.text import BoundedTextField, LineField

TITLE_MAX = 200
SECTION_MAX = 100_000
ANNOTATION_MAX = 2_000
COMMENT_MAX = 5_000
REQUEST_MAX = 4_000
LETTER_MAX = 30_000
ARTIFACTS_PER_PACKET = 500
# The purpose under which the upload module keeps partner letters.
LETTER_PURPOSE = "packets.letter"


class Packet(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        READY = "ready", "Ready to submit"
        SUBMITTED = "submitted", "Submitted"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="packets"
    )
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    period = models.ForeignKey(
        EnrollmentPeriod, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    # The applicant records the submission; the program's own system is the place of record.
    submitted_on = models.DateField(null=True, blank=True)
    # Shared for feedback with the facilitators of this cohort (one the owner belongs to).
    shared_with = models.ForeignKey(
        Cohort, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The self-assessment sitting the packet shows; none means the latest for the area.
    assessment = models.ForeignKey(
        "journals.SelfAssessment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Bumped by every change of the packet's own fields (PATCH with a stale one: 409).
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [
            models.Index(fields=["owner", "updated_at"]),
            models.Index(fields=["shared_with", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "area", "period"], name="packets_one_per_area"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["in_progress", "ready", "submitted"]),
                name="packets_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} packet of {self.owner_id}"

    def get_absolute_url(self) -> str:
        return reverse("packets:packet", args=[self.pk])


class Section(models.Model):
    """A written part of the packet: one per framing question, and the area's other written
    parts (action plan, institutional context, closing narrative). Autosaved with a version,
    like journal entries."""

    class Kind(models.TextChoices):
        FRAMING = "framing", "Framing question"
        ACTION_PLAN = "action_plan", "Action plan"
        CONTEXT = "context", "Institutional context"
        CLOSING = "closing", "Closing narrative"

    packet = models.ForeignKey(Packet, on_delete=models.CASCADE, related_name="sections")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    framing_question = models.ForeignKey(
        FramingQuestion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    title = LineField(max_length=TITLE_MAX)
    # What the section asks, shown above the editor (the framing question's prompt).
    guidance = BoundedTextField(blank=True, max_length=4_000)
    body = BoundedTextField(blank=True, max_length=SECTION_MAX, help_text="Markdown.")
    body_html = models.TextField(blank=True, editable=False)
    word_count = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    order = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["packet", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["packet", "framing_question"],
                condition=Q(framing_question__isnull=False),
                name="packets_section_question_once",
            ),
            models.UniqueConstraint(
                fields=["packet", "kind"],
                condition=~Q(kind="framing"),
                name="packets_section_kind_once",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["framing", "action_plan", "context", "closing"]),
                name="packets_section_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("packets:section", args=[self.packet_id, self.pk])


class Artifact(models.Model):
    """A piece of the applicant's evidence chosen for the packet, in their order, with the
    annotation for the application (copied from the evidence, then the packet's own) and
    the competencies it shows."""

    packet = models.ForeignKey(Packet, on_delete=models.CASCADE, related_name="artifacts")
    evidence = models.ForeignKey(
        "journals.Evidence", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = LineField(max_length=TITLE_MAX, blank=True)
    annotation = BoundedTextField(blank=True, max_length=ANNOTATION_MAX)
    competencies = models.ManyToManyField(Competency, related_name="+", blank=True)
    order = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["packet", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["packet", "evidence"],
                condition=Q(evidence__isnull=False),
                name="packets_artifact_once",
            )
        ]

    def __str__(self) -> str:
        return self.title or f"Artifact {self.pk}"


class DevelopmentItem(models.Model):
    """A line of the professional development list: assembled from cohorts attended and
    trainings completed, editable before export, plus the applicant's own additions."""

    class Source(models.TextChoices):
        COHORT = "cohort", "Community of practice"
        TRAINING = "training", "Training"
        MANUAL = "manual", "Added by hand"

    packet = models.ForeignKey(Packet, on_delete=models.CASCADE, related_name="development")
    source = models.CharField(max_length=10, choices=Source.choices)
    cohort = models.ForeignKey(
        Cohort, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    completion = models.ForeignKey(
        "trainings.Completion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = LineField(max_length=TITLE_MAX)
    organiser = LineField(max_length=TITLE_MAX, blank=True)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    # e.g. "5 of 6 sessions attended", "12 hours".
    detail = LineField(max_length=TITLE_MAX, blank=True)
    included = models.BooleanField(default=True)
    # Set once the applicant edits an assembled line, so a refresh keeps their wording.
    edited = models.BooleanField(default=False)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["packet", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["packet", "cohort"],
                condition=Q(cohort__isnull=False),
                name="packets_development_cohort_once",
            ),
            models.UniqueConstraint(
                fields=["packet", "completion"],
                condition=Q(completion__isnull=False),
                name="packets_development_training_once",
            ),
            models.CheckConstraint(
                condition=Q(source__in=["cohort", "training", "manual"]),
                name="packets_development_source_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Comment(models.Model):
    """Feedback on a shared packet: between its owner and the facilitators it is shared with."""

    packet = models.ForeignKey(Packet, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = BoundedTextField(max_length=COMMENT_MAX)
    body_html = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["packet", "created_at"])]

    def __str__(self) -> str:
        return f"Comment on packet {self.packet_id}"


class LetterRequest(models.Model):
    """A request to a community partner for a letter. The partner gets a link carrying a
    random token; only its SHA-256 is stored. The link shows the applicant's name, the area
    and the request text, and accepts one letter (an upload or text) until it expires or is
    revoked."""

    packet = models.ForeignKey(Packet, on_delete=models.CASCADE, related_name="letters")
    partner_name = LineField(max_length=TITLE_MAX)
    partner_email = models.EmailField(max_length=254)
    message = BoundedTextField(max_length=REQUEST_MAX)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    letter_file = models.ForeignKey(
        "files.StoredFile", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    letter_text = BoundedTextField(blank=True, max_length=LETTER_MAX)
    letter_html = models.TextField(blank=True, editable=False)
    # The name and role the partner signs with.
    signed_by = LineField(max_length=TITLE_MAX, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["packet", "created_at"])]

    def __str__(self) -> str:
        return f"Letter request {self.pk} for packet {self.packet_id}"

    @property
    def state(self) -> str:
        if self.received_at is not None:
            return "received"
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    @staticmethod
    def default_expiry(days: int = 30) -> Any:
        return timezone.now() + timedelta(days=days)
