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
