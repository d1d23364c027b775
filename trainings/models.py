"""Approved trainings: providers' programs, their review by the Content Advisory Board, and
the completions members record as evidence.

Approval carries an expiry date (``approved_until``, inclusive). Whether a training is
current is always decided at query time against today's date (``selectors.today``), never
stored as a flag, so an expired offering can never linger because something was cached.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from competencies.models import Competency
from core.models import TimeStampedModel
from core.text import BoundedTextField, LineField


class Provider(TimeStampedModel):
    """A provider organisation. ``users`` are the accounts that manage its trainings."""

    name = LineField(max_length=200, unique=True)
    website = models.URLField(max_length=500, blank=True)
    contact_name = LineField(max_length=150, blank=True)
    contact_email = models.EmailField(blank=True)
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="training_providers", blank=True
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def domain_list(self) -> list[str]:
        return [d.domain for d in self.domains.all()]


class ProviderDomain(models.Model):
    """An e-mail domain of the provider organisation (lower case), for conflicts of
    interest: a reviewer with a verified address at one of them cannot review it."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253)

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "domain"], name="trainings_domain_once"),
            models.CheckConstraint(
                condition=Q(domain=models.functions.Lower("domain")),
                name="trainings_domain_lower",
            ),
        ]
        indexes = [models.Index(fields=["domain"])]

    def __str__(self) -> str:
        return self.domain


class Training(TimeStampedModel):
    class Format(models.TextChoices):
        COURSE = "course", "Course"
        SEMINAR_SERIES = "seminar_series", "Seminar series"
        WORKSHOP = "workshop", "Workshop"
        WEBINAR_SERIES = "webinar_series", "Webinar series"
        OTHER = "other", "Other"

    class Delivery(models.TextChoices):
        ONLINE = "online", "Online"
        IN_PERSON = "in_person", "In person"
        HYBRID = "hybrid", "Hybrid"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Under review"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="trainings")
    title = LineField(max_length=200)
    format = models.CharField(max_length=20, choices=Format.choices)
    description = BoundedTextField(max_length=10_000)
    curriculum = BoundedTextField("curriculum outline", max_length=10_000, blank=True)
    learning_goals = models.JSONField(default=list, blank=True)
    delivery = models.CharField(max_length=12, choices=Delivery.choices)
    location = LineField(max_length=200, blank=True)
    self_paced = models.BooleanField(default=False)
    duration_hours = models.DecimalField(max_digits=6, decimal_places=1)
    cost_amount = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, help_text="Empty: free."
    )
    cost_currency = models.CharField(max_length=3, blank=True, default="")
    registration_url = models.URLField(max_length=500, blank=True)
    competencies = models.ManyToManyField(Competency, related_name="trainings", blank=True)

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_on = models.DateField(null=True, blank=True)
    approved_until = models.DateField(null=True, blank=True)
    renewal_requested_at = models.DateTimeField(null=True, blank=True)
    reminded_for = models.DateField(
        null=True, blank=True, help_text="The expiry date the provider was last reminded of."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What search reads besides the row's own text: the provider organisation's name and
    # the competencies' codes and titles. Kept by the services (trainings/search_index.py).
    search_text = models.TextField(blank=True, default="", editable=False)

    class Meta:
        ordering = ["title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_hours__gt=0), name="trainings_positive_hours"
            ),
            models.CheckConstraint(
                condition=Q(cost_amount__isnull=True) | Q(cost_amount__gte=0),
                name="trainings_cost_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_until__isnull=False),
                name="trainings_approved_has_expiry",
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=["draft", "submitted", "changes_requested", "approved", "declined"]
                ),
                name="trainings_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["status", "approved_until"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("trainings:detail", args=[self.pk])

    @property
    def is_free(self) -> bool:
        return not self.cost_amount


class TrainingRun(models.Model):
    """One scheduled run (dates inclusive) of a training that is not self-paced."""

    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="runs")
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="trainings_run_order"
            )
        ]
        indexes = [models.Index(fields=["training", "starts_on"])]

    def __str__(self) -> str:
        return f"{self.starts_on} to {self.ends_on}"


class Judgement(models.TextChoices):
    MEETS = "meets", "Meets the standard"
    PARTLY = "partly", "Partly meets it"
    NOT = "not", "Does not meet it"


class Review(models.Model):
    """One decision of the Content Advisory Board. Its reviewer is never shown to the
    provider (only "the Content Advisory Board")."""

    class Decision(models.TextChoices):
        APPROVE = "approve", "Approve"
        REQUEST_CHANGES = "request_changes", "Request changes"
        DECLINE = "decline", "Decline"

    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    guided_instruction = models.CharField(max_length=8, choices=Judgement.choices)
    guided_instruction_note = BoundedTextField(max_length=2000, blank=True)
    curriculum = models.CharField(max_length=8, choices=Judgement.choices)
    curriculum_note = BoundedTextField(max_length=2000, blank=True)
    learning_goals = models.CharField(max_length=8, choices=Judgement.choices)
    learning_goals_note = BoundedTextField(max_length=2000, blank=True)
    decision = models.CharField(max_length=20, choices=Decision.choices)
    message = BoundedTextField(max_length=4000, blank=True)
    approved_until = models.DateField(null=True, blank=True)
    competency_codes = models.JSONField(default=list, blank=True)
    # What the reviewer saw: the next reviewer is shown what changed since.
    snapshot = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(decision="approve") | Q(approved_until__isnull=False),
                name="trainings_review_approve_has_expiry",
            )
        ]

    def __str__(self) -> str:
        return f"{self.training} {self.decision}"


class Event(models.Model):
    """The history of a training, as its provider sees it (no reviewer names)."""

    class Action(models.TextChoices):
        CREATED = "created", "Draft created"
        SUBMITTED = "submitted", "Submitted for review"
        RESUBMITTED = "resubmitted", "Resubmitted after changes"
        APPROVED = "approved", "Approved"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        DECLINED = "declined", "Declined"
        RENEWAL_REQUESTED = "renewal_requested", "Renewal requested"
        REMINDED = "reminded", "Reminded of the coming expiry"

    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=Action.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = BoundedTextField(max_length=4000, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.training} {self.action}"


class Conflict(models.Model):
    """A reviewer's declared conflict of interest with a provider organisation."""

    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_conflicts"
    )
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="conflicts")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reviewer", "provider"], name="trainings_conflict_once")
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} declared {self.provider}"


class Recusal(models.Model):
    """A reviewer steps aside from one training."""

    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_recusals"
    )
    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="recusals")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reviewer", "training"], name="trainings_recusal_once")
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} recused from {self.training}"


class Completion(TimeStampedModel):
    """A training a member completed: evidence for their professional development list."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_completions"
    )
    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="completions")
    completed_on = models.DateField()
    hours = models.DecimalField(max_digits=6, decimal_places=1)
    certificate = models.ForeignKey(
        "files.StoredFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-completed_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "training"], name="trainings_completion_once"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="trainings_completion_hours"),
        ]

    def __str__(self) -> str:
        return f"{self.user} completed {self.training}"
