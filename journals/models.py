"""Reflection journals: entries mapped to competencies, the evidence they cite, the
prompts facilitators post, the feedback on shared entries, and dated self-assessments.

An entry belongs to its author and is private unless the author shares it, with a
cohort's facilitators or with the whole cohort. Entries and self-assessments go with the
account when it is deleted; prompts and comments written for others stay, their author
shown as a former member.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Cohort, LearningGoal, Session
from competencies.models import Area, Competency, FramingQuestion
from core.text import BoundedTextField, LineField

TITLE_MAX = 200
BODY_MAX = 100_000
MAPPING_NOTE_MAX = 1_000
ANNOTATION_MAX = 2_000
COMMENT_MAX = 5_000
PROMPT_MAX = 10_000
RATING_NOTE_MAX = 1_000
EVIDENCE_PER_ENTRY = 50
COMPETENCIES_PER_ENTRY = 12
# A deleted entry can be restored by its author for this many days, then it is purged.
RESTORE_DAYS = 30
# The purpose under which the upload module keeps files attached as evidence.
FILE_PURPOSE = "journals.evidence"


class Prompt(models.Model):
    """A reflection prompt a facilitator posts to a cohort; members answer in an entry."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="prompts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    title = LineField(max_length=TITLE_MAX)
    body = BoundedTextField(blank=True, max_length=PROMPT_MAX, help_text="Markdown.")
    body_html = models.TextField(blank=True, editable=False)
    competencies = models.ManyToManyField(Competency, related_name="+", blank=True)
    framing_questions = models.ManyToManyField(FramingQuestion, related_name="+", blank=True)
    due_on = models.DateField(null=True, blank=True)
    session = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="prompts"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["cohort", "due_on"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("journals:prompt", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class PromptReminder(models.Model):
    """That a member was reminded of a prompt, so the daily task reminds once."""

    prompt = models.ForeignKey(Prompt, on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prompt", "user"], name="journals_remind_once")
        ]

    def __str__(self) -> str:
        return f"Reminder of prompt {self.prompt_id} to user {self.user_id}"


class Entry(models.Model):
    class Visibility(models.TextChoices):
        PRIVATE = "private", "Private: only me"
        FACILITATORS = "facilitators", "Shared with the cohort's facilitators"
        COHORT = "cohort", "Shared with the cohort"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        FINAL = "final", "Final"

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="journal_entries"
    )
    title = LineField(max_length=TITLE_MAX)
    written_on = models.DateField(default=timezone.localdate)
    body = BoundedTextField(blank=True, max_length=BODY_MAX, help_text="Markdown.")
    body_html = models.TextField(blank=True, editable=False)
    cohort = models.ForeignKey(
        Cohort, on_delete=models.SET_NULL, null=True, blank=True, related_name="journal_entries"
    )
    session = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    goal = models.ForeignKey(
        LearningGoal, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    prompt = models.ForeignKey(
        Prompt, on_delete=models.SET_NULL, null=True, blank=True, related_name="entries"
    )
    competencies: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        Competency, through="EntryCompetency", related_name="+", blank=True
    )
    framing_questions = models.ManyToManyField(FramingQuestion, related_name="+", blank=True)
    visibility = models.CharField(
        max_length=12, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    # Bumped by every save; an edit based on an older one is refused (autosave conflicts).
    version = models.PositiveIntegerField(default=1)
    # Title and body as plain text, kept by the services for the search index.
    search_text = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-written_on", "-pk"]
        verbose_name_plural = "entries"
        indexes = [
            models.Index(fields=["author", "deleted_at", "written_on"]),
            models.Index(fields=["cohort", "visibility", "deleted_at"]),
            models.Index(fields=["prompt", "author"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(visibility__in=["private", "facilitators", "cohort"]),
                name="journals_entry_visibility_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "final"]), name="journals_entry_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("journals:entry", args=[self.pk])

    @property
    def is_shared(self) -> bool:
        return self.visibility != self.Visibility.PRIVATE

    @property
    def restorable_until(self) -> timezone.datetime:  # type: ignore[name-defined]
        assert self.deleted_at is not None
        return self.deleted_at + timedelta(days=RESTORE_DAYS)


class EntryCompetency(models.Model):
    """An entry mapped to a competency, with a note on how the entry shows it."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="mappings")
    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="+")
    note = BoundedTextField(blank=True, max_length=MAPPING_NOTE_MAX)

    class Meta:
        ordering = ["competency__area__order", "competency__order"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "competency"], name="journals_map_once")
        ]
        indexes = [models.Index(fields=["competency", "entry"])]

    def __str__(self) -> str:
        return f"Entry {self.entry_id} shows competency {self.competency_id}"


class Evidence(models.Model):
    """Something an entry cites, with what it shows. The target can vanish or be hidden
    later; the annotation stays, and the entry shows the item as no longer available."""

    class Kind(models.TextChoices):
        RESOURCE = "resource", "Resource"
        POST = "post", "Discussion post"
        SESSION = "session", "Session attended"
        GOAL = "goal", "Learning goal"
        TRAINING = "training", "Training completed"
        URL = "url", "Web link"
        FILE = "file", "Uploaded file"

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    resource = models.ForeignKey(
        "resources.Resource", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resource_version = models.ForeignKey(
        "resources.FileVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    post = models.ForeignKey(
        "discussions.Post", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    session = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    goal = models.ForeignKey(
        LearningGoal, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    completion = models.ForeignKey(
        "trainings.Completion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    url = models.URLField(max_length=2000, blank=True)
    file = models.ForeignKey(
        "files.StoredFile", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The author's own label for a link or a file (other kinds show their target's title).
    label = LineField(max_length=TITLE_MAX, blank=True)
    annotation = BoundedTextField(blank=True, max_length=ANNOTATION_MAX)
    competency = models.ForeignKey(
        Competency, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    order = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["entry", "order", "pk"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=["resource", "post", "session", "goal", "training", "url", "file"]
                ),
                name="journals_evidence_kind_valid",
            )
        ]
        indexes = [
            models.Index(fields=["resource"]),
            models.Index(fields=["competency", "entry"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on entry {self.entry_id}"


class Comment(models.Model):
    """Feedback on a shared entry: seen only by its author and the cohort's facilitators."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = BoundedTextField(max_length=COMMENT_MAX)
    body_html = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["entry", "created_at"])]

    def __str__(self) -> str:
        return f"Comment on entry {self.entry_id}"


class SelfAssessment(models.Model):
    """One sitting of a self-assessment for a credential area. Each is its own dated
    record: taking it again adds one, so change over time can be shown."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="self_assessments"
    )
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    taken_at = models.DateTimeField(default=timezone.now)
    note = BoundedTextField(blank=True, max_length=RATING_NOTE_MAX)

    class Meta:
        ordering = ["-taken_at", "-pk"]
        indexes = [models.Index(fields=["user", "area", "taken_at"])]

    def __str__(self) -> str:
        return f"Self-assessment {self.pk} of area {self.area_id}"

    def get_absolute_url(self) -> str:
        return reverse("journals:assessment", args=[self.pk])


class SelfRating(models.Model):
    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="ratings")
    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="+")
    # An index into the framework's levels, lowest first.
    level = models.PositiveSmallIntegerField()
    note = BoundedTextField(blank=True, max_length=RATING_NOTE_MAX)

    class Meta:
        ordering = ["competency__order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "competency"], name="journals_rate_once")
        ]

    def __str__(self) -> str:
        return f"Level {self.level} for competency {self.competency_id}"
