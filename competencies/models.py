"""Competency frameworks as data: frameworks hold ordered areas (credentials), each area
holds ordered competencies; a framework also holds its framing questions."""

from __future__ import annotations

from django.db import models
from django.urls import reverse

from core.models import TimeStampedModel
from core.text import BoundedTextField, LineField


class Framework(TimeStampedModel):
    slug = models.SlugField(max_length=64, unique=True)
    name = LineField(max_length=200)
    description = BoundedTextField(blank=True, max_length=10_000)
    version = LineField(max_length=40, blank=True)
    levels = models.JSONField(
        default=list, blank=True, help_text="Self-assessment rating levels, lowest first."
    )
    is_default = models.BooleanField(
        default=False, help_text="The framework shown first and used when none is named."
    )

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="competencies_one_default_framework",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("competencies:framework", args=[self.slug])


class Area(TimeStampedModel):
    """A credential area, e.g. Community Partnerships."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="areas")
    slug = models.SlugField(max_length=64)
    name = LineField(max_length=200)
    summary = BoundedTextField(blank=True, max_length=4000)
    submission = models.JSONField(
        default=list, blank=True, help_text="What an application in this area contains."
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["framework", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "slug"], name="competencies_area_slug")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("competencies:area", args=[self.framework.slug, self.slug])


class Competency(TimeStampedModel):
    class Kind(models.TextChoices):
        KNOWLEDGE = "knowledge", "Knowledge"
        SKILL = "skill", "Skill"
        DISPOSITION = "disposition", "Disposition"
        COMMITMENT = "commitment", "Critical commitment"

    # Denormalised from the area so a code is unique within its framework.
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="competencies")
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="competencies")
    code = LineField(max_length=32)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    title = LineField(max_length=300)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["area__order", "order", "pk"]
        verbose_name_plural = "competencies"
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "code"], name="competencies_competency_code"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["knowledge", "skill", "disposition", "commitment"]),
                name="competencies_competency_kind_valid",
            ),
        ]
        indexes = [models.Index(fields=["area", "order"])]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class FramingQuestion(TimeStampedModel):
    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="framing_questions"
    )
    slug = models.SlugField(max_length=64)
    title = LineField(max_length=200)
    prompt = BoundedTextField(max_length=4000)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["framework", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "slug"], name="competencies_framingquestion_slug"
            )
        ]

    def __str__(self) -> str:
        return self.title
