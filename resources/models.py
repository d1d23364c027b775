"""The shared repertoire: links, files and notes that members bring to their cohort, with
file versions, "useful" marks with a why, tags, and ordered collections (which a session can
list as its materials).

A resource always belongs to the cohort it was shared into (its home cohort); its scope
says who else may read it. The cohort owns it: when the contributor leaves, it stays,
attributed to them; when their account is deleted, ``contributor`` becomes NULL and the
resource shows as contributed by a former member.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Cohort, Session
from competencies.models import Area, Competency
from core.text import BoundedTextField, LineField
from files.models import StoredFile

TITLE_MAX = 200
DESCRIPTION_MAX = 5_000
NOTE_MAX = 50_000
USEFUL_NOTE_MAX = 1_000
VERSION_NOTE_MAX = 500
SOURCE_MAX = 300
TAG_MAX = 40
TAGS_PER_RESOURCE = 12
# How long a deleted resource can be restored before it is purged (if nothing cites it).
RESTORE_DAYS = 30
# The purpose under which the upload module keeps resource files (download checks, listeners).
FILE_PURPOSE = "resources.file"


class Tag(models.Model):
    """A free tag, shared across the platform so autocomplete can offer existing ones."""

    name = LineField(max_length=TAG_MAX, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Resource(models.Model):
    class Kind(models.TextChoices):
        LINK = "link", "Link"
        FILE = "file", "File"
        NOTE = "note", "Note"

    class Scope(models.TextChoices):
        COHORT = "cohort", "This cohort"
        PLATFORM = "platform", "Everyone signed in to Commonplace"
        PUBLIC = "public", "Public: anyone on the web"

    class Licence(models.TextChoices):
        NONE = "", "Not stated"
        CC_BY = "cc-by", "CC BY 4.0"
        CC_BY_SA = "cc-by-sa", "CC BY-SA 4.0"
        CC_BY_NC = "cc-by-nc", "CC BY-NC 4.0"
        CC_BY_NC_SA = "cc-by-nc-sa", "CC BY-NC-SA 4.0"
        CC0 = "cc0", "CC0 (no rights reserved)"
        PUBLIC_DOMAIN = "public-domain", "Public domain"
        ALL_RIGHTS = "all-rights-reserved", "All rights reserved"

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="resources")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    title = LineField(max_length=TITLE_MAX)
    description = BoundedTextField(blank=True, max_length=DESCRIPTION_MAX, help_text="Markdown.")
    description_html = models.TextField(blank=True, editable=False)
    url = models.URLField(max_length=2000, blank=True)
    body = BoundedTextField(blank=True, max_length=NOTE_MAX, help_text="Markdown (notes).")
    body_html = models.TextField(blank=True, editable=False)
    contributor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resources",
    )
    scope = models.CharField(max_length=8, choices=Scope.choices, default=Scope.COHORT)
    licence = models.CharField(max_length=24, choices=Licence.choices, blank=True, default="")
    source = LineField(max_length=SOURCE_MAX, blank=True, help_text="Source or attribution.")
    areas = models.ManyToManyField(Area, blank=True, related_name="+")
    competencies = models.ManyToManyField(Competency, blank=True, related_name="+")
    tags = models.ManyToManyField(Tag, blank=True, related_name="resources")
    current_version = models.ForeignKey(
        "FileVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    featured = models.BooleanField(default=False)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    useful_count = models.PositiveIntegerField(default=0)
    # The discussion thread (in the home cohort) that holds comments, opened on first use.
    thread = models.OneToOneField(
        "discussions.Thread",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resource",
    )
    # What search reads beyond title and description: tags, note text, the current file's
    # extracted text. Kept in step by the services (see resources/search_index.py).
    search_text = models.TextField(blank=True, editable=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["cohort", "deleted_at", "-created_at"]),
            models.Index(fields=["cohort", "deleted_at", "-useful_count"]),
            models.Index(fields=["scope", "deleted_at", "-created_at"]),
            models.Index(fields=["contributor", "cohort"]),
            models.Index(fields=["kind"]),
            models.Index(fields=["title"]),
            models.Index(fields=["deleted_at"]),
            # The library's sorts walk these in order, skipping what the reader may not see.
            models.Index(
                fields=["-created_at", "-id"],
                condition=models.Q(deleted_at__isnull=True),
                name="resources_live_recent_idx",
            ),
            models.Index(
                fields=["-useful_count", "-created_at", "-id"],
                condition=models.Q(deleted_at__isnull=True),
                name="resources_live_useful_idx",
            ),
            models.Index(
                fields=["title", "id"],
                condition=models.Q(deleted_at__isnull=True),
                name="resources_live_title_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="link") | ~models.Q(url=""),
                name="resources_link_has_url",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["link", "file", "note"]),
                name="resources_known_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(scope__in=["cohort", "platform", "public"]),
                name="resources_known_scope",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("resources:detail", args=[self.pk])

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_withdrawn(self) -> bool:
        """Deleted or hidden: places that cite it say so instead of showing it."""
        return self.deleted_at is not None or self.hidden_at is not None

    @property
    def restorable_until(self):  # type: ignore[no-untyped-def]
        if self.deleted_at is None:
            return None
        return self.deleted_at + timedelta(days=RESTORE_DAYS)


class FileVersion(models.Model):
    """One uploaded version of a file resource; every version stays downloadable."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    note = LineField(max_length=VERSION_NOTE_MAX, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "number"], name="resources_version_number"),
            models.UniqueConstraint(fields=["file"], name="resources_version_file"),
        ]

    def __str__(self) -> str:
        return f"{self.resource} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("resources:version", args=[self.resource_id, self.number])


class UsefulMark(models.Model):
    """A person found a resource useful, optionally saying how they used it."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="useful_marks")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    note = BoundedTextField(blank=True, max_length=USEFUL_NOTE_MAX)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "user"], name="resources_useful_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} found {self.resource_id} useful"


class Collection(models.Model):
    """An ordered list of resources curated by a cohort's facilitators ("Session 3
    readings"). Attached to a session, its resources are that session's materials."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="collections")
    title = LineField(max_length=TITLE_MAX)
    description = BoundedTextField(blank=True, max_length=DESCRIPTION_MAX)
    session = models.ForeignKey(
        Session,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resource_collections",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title", "pk"]
        indexes = [models.Index(fields=["cohort", "title"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("resources:collection", args=[self.cohort.slug, self.pk])


class CollectionItem(models.Model):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="items")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(default=0)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "resource"], name="resources_collection_item_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.collection_id}: {self.resource_id}"
