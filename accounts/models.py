from __future__ import annotations

import zoneinfo
from functools import lru_cache
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from accounts.handles import MAX_LENGTH as HANDLE_MAX_LENGTH
from accounts.handles import PREFIX, first_free, handle_base, validate_handle
from accounts.handles import TAKEN as HANDLE_TAKEN
from core.text import BoundedTextField, LineField


@lru_cache(maxsize=1)
def time_zone_names() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


def validate_time_zone(value: str) -> None:
    if value not in time_zone_names():
        raise ValidationError(f"“{value}” is not a known time zone (for example America/Chicago).")


# The fields a person edits about themselves (profile form, API, profile_update), in the
# order the profile form shows them.
PROFILE_FIELDS = (
    "name",
    "handle",
    "pronouns",
    "institution",
    "position",
    "time_zone",
    "bio",
    "identities",
    "show_identities",
)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields["is_staff"] = True
        fields["is_superuser"] = True
        return self._create(email, password, **fields)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person on Commonplace. The email address is the login."""

    email = models.EmailField("email address", max_length=254, unique=True)
    name = LineField(max_length=150, blank=True, help_text="How you'd like to be named.")
    handle = models.CharField(
        max_length=HANDLE_MAX_LENGTH,
        validators=[validate_handle],
        help_text=(
            "What people type after @ to mention you: 3 to 30 letters, digits, “-” or “_”. "
            "Yours alone; changing your name does not change it."
        ),
    )
    pronouns = LineField(max_length=50, blank=True, help_text="For example: she/her.")
    institution = LineField(max_length=200, blank=True)
    position = LineField(max_length=200, blank=True, help_text="Your role or title.")
    bio = BoundedTextField(blank=True, max_length=4000, help_text="Markdown is supported.")
    time_zone = models.CharField(
        max_length=64,
        default="America/New_York",
        validators=[validate_time_zone],
        help_text="Session times are shown in this time zone.",
    )
    identities = BoundedTextField(
        "identities and ways of knowing",
        blank=True,
        max_length=4000,
        help_text=(
            "Optional, in your own words: the identities, traditions and ways of knowing "
            "you bring to this work."
        ),
    )
    show_identities = models.BooleanField(
        "show this to other members",
        default=False,
        help_text="Off: only you can see what you wrote above.",
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        "admin site access", default=False, help_text="Can sign in to the Django admin."
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
            models.UniqueConstraint(
                Lower("handle"),
                name="accounts_user_handle_ci_unique",
                violation_error_message=HANDLE_TAKEN,
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A new account (or one saved with its handle cleared) gets a free handle from its
        name; if someone takes that one at the same moment, the next is tried."""
        if self.handle:
            super().save(*args, **kwargs)
            return
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "handle"}
        for attempt in range(5):
            self.handle = self.free_handle()
            try:
                with transaction.atomic(using=kwargs.get("using")):
                    super().save(*args, **kwargs)
                return
            except IntegrityError:
                lost_the_race = self.handle_taken(self.handle)
                self.handle = ""
                if not lost_the_race or attempt == 4:
                    raise

    def handle_taken(self, handle: str) -> bool:
        """Whether someone else has ``handle`` (in any case)."""
        return type(self).objects.filter(handle__iexact=handle).exclude(pk=self.pk).exists()

    def free_handle(self) -> str:
        """The first free handle for this person's name (or e-mail's local part)."""
        base = handle_base(self.name, self.email)
        prefix = base[:PREFIX].rstrip("-_")
        taken = {
            h.lower()
            for h in type(self)
            .objects.filter(handle__istartswith=prefix)
            .exclude(pk=self.pk)
            .values_list("handle", flat=True)
        }
        return first_free(base, taken)

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@", 1)[0]

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("accounts:person", args=[self.pk])


class Delivery(models.TextChoices):
    """How a person hears about a kind of notification by e-mail (in-app, always)."""

    INSTANT = "instant", "E-mail at once"
    DIGEST = "digest", "Daily digest"
    OFF = "off", "No e-mail"


class NotificationPreference(models.Model):
    """A person's e-mail choice for one kind; no row means the kind's default."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=40)
    delivery = models.CharField(max_length=10, choices=Delivery.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="accounts_one_preference")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.kind}: {self.delivery}"


class Notification(models.Model):
    """An in-app message for one person (the bell). Apps create them through
    ``accounts.services.notify``, which also pushes them live to the person's sockets."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # How it goes out by e-mail, decided when it is made ("" = not at all), and when it
    # went: a digest sends each notification once.
    delivery = models.CharField(max_length=10, choices=Delivery.choices, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "read_at", "-created_at"]),
            models.Index(
                fields=["delivery", "user"],
                condition=models.Q(emailed_at__isnull=True, delivery="digest"),
                name="accounts_notification_digest",
            ),
        ]

    def __str__(self) -> str:
        return self.title
