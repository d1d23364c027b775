from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class StoredFile(models.Model):
    """An accepted upload. The bytes live under MEDIA_ROOT/files/ by a random name; the
    person's name for the file is kept (sanitised) only for the download's filename."""

    class Extraction(models.TextChoices):
        PENDING = "pending", "Pending"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        NONE = "none", "Not applicable"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    purpose = models.CharField(max_length=60)
    storage_name = models.CharField(max_length=80, unique=True)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=120)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    text = models.TextField(blank=True)
    extraction = models.CharField(
        max_length=10, choices=Extraction.choices, default=Extraction.PENDING
    )

    class Meta:
        indexes = [models.Index(fields=["purpose", "created_at"])]

    def __str__(self) -> str:
        return self.original_name

    @property
    def path(self):  # type: ignore[no-untyped-def]
        from files.services import storage_dir

        return storage_dir() / self.storage_name


class Export(models.Model):
    """A file built in the background for its owner (a packet as PDF, all their data as a
    ZIP...). The builder is registered per ``kind`` (``files.exports``); the bytes live
    under MEDIA_ROOT/exports/ by a random name until ``expires_at``, then are purged."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        RUNNING = "running", "Building"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exports"
    )
    kind = models.CharField(max_length=60)
    # What is exported, in the kind's own terms (a packet id); blank for "everything".
    subject = models.CharField(max_length=100, blank=True)
    label = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.CharField(max_length=200, blank=True)
    storage_name = models.CharField(max_length=80, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["owner", "created_at"]),
            models.Index(fields=["expires_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "running", "done", "failed"]),
                name="files_export_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="files_export_progress_max"
            ),
        ]

    def __str__(self) -> str:
        return self.label or f"{self.kind} export"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("files:export", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}

    @property
    def path(self):  # type: ignore[no-untyped-def]
        from files.exports import exports_dir

        return exports_dir() / self.storage_name if self.storage_name else None
