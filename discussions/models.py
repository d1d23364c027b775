"""Threads and posts inside a cohort, with revisions, reactions, mentions, read state and
per-thread follow/mute."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from cohorts.models import Cohort, LearningGoal, Session
from core.text import BoundedTextField, LineField

# The longest post, in characters (README: "Limits").
POST_MAX = 20_000


class Thread(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="threads")
    title = LineField(max_length=200)
    session = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="threads"
    )
    goal = models.ForeignKey(
        LearningGoal, on_delete=models.SET_NULL, null=True, blank=True, related_name="threads"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    pinned = models.BooleanField(default=False)
    locked = models.BooleanField(default=False)
    announcement = models.BooleanField(
        default=False, help_text="A facilitator announcement: everyone in the cohort is told."
    )
    # Kept up to date by the post services; `manage.py rebuild_thread_stats` recomputes them.
    last_activity_at = models.DateTimeField(auto_now_add=True)
    post_count = models.PositiveIntegerField(default=0)
    last_post = models.ForeignKey(
        "Post", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_poster = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-pinned", "-last_activity_at", "-pk"]
        indexes = [models.Index(fields=["cohort", "-pinned", "-last_activity_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("discussions:thread", args=[self.cohort.slug, self.pk])


class Post(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    # Empty once the author deleted their account: the post stays, by "a former member".
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="posts"
    )
    body = BoundedTextField(max_length=POST_MAX)
    body_html = models.TextField()
    reply_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replies"
    )
    # Creation is idempotent: the same client_id from the same author makes one post.
    client_id = models.UUIDField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["thread", "id"]),
            models.Index(fields=["author", "created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "client_id"],
                condition=models.Q(client_id__isnull=False),
                name="discussions_post_client_id_once",
            )
        ]

    def __str__(self) -> str:
        return f"Post {self.pk} in {self.thread_id}"

    @property
    def is_visible(self) -> bool:
        return self.deleted_at is None and self.hidden_at is None

    @property
    def author_name(self) -> str:
        """Who wrote it, as shown: "A former member" once the account is deleted."""
        from core.data import FORMER_MEMBER

        return self.author.display_name if self.author is not None else FORMER_MEMBER

    @property
    def quotes_reply(self) -> bool:
        """A reply that opens with a quote: the quote says what it answers, so the page
        shows it instead of an "In reply to" line."""
        return bool(self.reply_to_id) and self.body.lstrip().startswith(">")


class PostRevision(models.Model):
    """The text a post had before an edit: the visible history."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    body = models.TextField()
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["post", "version"]
        constraints = [
            models.UniqueConstraint(fields=["post", "version"], name="discussions_one_revision")
        ]

    def __str__(self) -> str:
        return f"Post {self.post_id} v{self.version}"


class Reaction(models.Model):
    class Kind(models.TextChoices):
        THANKS = "thanks", "🙏 Thanks"
        AGREE = "agree", "👍 Agree"
        INSIGHT = "insight", "💡 Insightful"
        HEART = "heart", "❤️ Support"
        QUESTION = "question", "❓ Question"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["post", "user", "kind"], name="discussions_one_reaction"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} {self.post_id}"


class Mention(models.Model):
    """Who an @handle in a post was resolved to when it was written. It stays theirs: an
    edit of the post resolves the same handle to the same person, even if the handle has
    changed hands since."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The handle as it was typed, lower case ("" for mentions made before this was kept).
    handle = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="discussions_one_mention")
        ]

    def __str__(self) -> str:
        return f"@{self.user} in {self.post_id}"


class ReadState(models.Model):
    """A last-read pointer per person per thread, not a row per post."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="read_states")
    last_read_post_id = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "thread"], name="discussions_one_read_state")
        ]

    def __str__(self) -> str:
        return f"{self.user} read {self.thread_id} to {self.last_read_post_id}"


class ThreadSubscription(models.Model):
    class Level(models.TextChoices):
        FOLLOWING = "following", "Following"
        MUTED = "muted", "Muted"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="subscriptions")
    level = models.CharField(max_length=10, choices=Level.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "thread"], name="discussions_one_subscription")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.level} {self.thread_id}"
