"""Forms of the facilitator console, sessions and invitations.

Forms only parse and validate input; every write goes through ``cohorts.services``.
Session times are typed as wall-clock times in the session's own time zone (the one the
facilitators plan in) and turned into aware datetimes here, so services store UTC.
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from accounts.time_zones import time_zone_choices
from cohorts.models import SESSION_TEXT_MAX, Attendance, Cohort, Membership, Session
from cohorts.services.sessions import CADENCES, SESSION_FIELDS
from core.text import validate_single_line

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
LOCAL_INPUT_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M")
MAX_INVITES = 50


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=LOCAL_FORMAT)


class LocalDateTimeField(forms.Field):
    """A wall-clock date and time with no time zone attached (the form attaches one)."""

    widget = LocalDateTimeInput
    default_error_messages = {"invalid": "Enter a date and time."}

    def to_python(self, value: Any) -> datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        text = str(value).strip()
        for fmt in LOCAL_INPUT_FORMATS:
            try:
                # Naive on purpose: the form attaches the chosen time zone.
                return datetime.strptime(text, fmt)
            except ValueError:
                continue
        raise ValidationError(self.error_messages["invalid"], code="invalid")


def _aware(local: datetime, tz: zoneinfo.ZoneInfo) -> datetime | None:
    """``local`` in ``tz``, or None when that wall-clock time does not exist there (the hour
    skipped when clocks go forward)."""
    aware = local.replace(tzinfo=tz)
    round_trip = aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    return aware if round_trip == local else None


class SessionForm(forms.Form):
    title = forms.CharField(max_length=200, validators=[validate_single_line])
    time_zone = forms.ChoiceField(
        label="Time zone",
        choices=time_zone_choices,
        help_text="The start and end below are clock times in this zone. Everyone else sees "
        "the session in their own time zone.",
    )
    starts_at = LocalDateTimeField(label="Starts")
    ends_at = LocalDateTimeField(label="Ends")
    video_url = forms.URLField(
        label="Video link", required=False, assume_scheme="https", max_length=200
    )
    place = forms.CharField(
        max_length=300,
        required=False,
        validators=[validate_single_line],
        help_text="A room or address, if you meet in person.",
    )
    agenda = forms.CharField(
        max_length=SESSION_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Markdown.",
    )
    prework = forms.CharField(
        max_length=SESSION_TEXT_MAX,
        label="Pre-work",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Readings or questions to bring. Markdown.",
    )
    materials = forms.CharField(
        max_length=SESSION_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Markdown: links.",
    )
    notes = forms.CharField(
        max_length=SESSION_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="After the meeting: what was said, decided, and what comes next. Markdown.",
    )

    FIELDS = SESSION_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A zone set before the list was curated stays a choice until changed.
        self.fields["time_zone"].choices = time_zone_choices(self.initial.get("time_zone"))

    @classmethod
    def initial_for(cls, session: Session) -> dict[str, Any]:
        """The session as the form shows it: clock times in the session's own zone."""
        tz = zoneinfo.ZoneInfo(session.time_zone)
        initial = {name: getattr(session, name) for name in cls.FIELDS}
        initial["starts_at"] = session.starts_at.astimezone(tz).replace(tzinfo=None)
        initial["ends_at"] = session.ends_at.astimezone(tz).replace(tzinfo=None)
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        name = data.get("time_zone")
        start, end = data.get("starts_at"), data.get("ends_at")
        if not name or start is None or end is None:
            return data
        tz = zoneinfo.ZoneInfo(name)
        for field, local in (("starts_at", start), ("ends_at", end)):
            aware = _aware(local, tz)
            if aware is None:
                self.add_error(
                    field,
                    f"{local:%H:%M} does not exist on {local:%d %B %Y} in {name} (the clocks "
                    "go forward then). Choose another time.",
                )
            else:
                data[field] = aware
        if self.errors:
            return data
        if data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", "The session must end after it starts.")
        return data

    def service_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class TemplateForm(forms.Form):
    first_day = forms.DateField(
        label="First session on",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The first day of the term unless you choose another.",
    )
    start_time = forms.TimeField(
        label="Starting at", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    cadence = forms.ChoiceField(label="How often", choices=list(CADENCES.items()))
    minutes = forms.IntegerField(label="Length in minutes", min_value=15, max_value=480, initial=90)
    video_url = forms.URLField(
        label="Video link", required=False, assume_scheme="https", max_length=200
    )

    @staticmethod
    def initial_for(cohort: Cohort) -> dict[str, Any]:
        """Start from the term: its first day, or today once the term is under way."""
        today = timezone.localdate()
        return {
            "first_day": max(cohort.term_start, today),
            "cadence": "fortnightly",
            "minutes": 90,
        }


class CancelForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Members receive this with the cancellation notice.",
    )


class DecisionForm(forms.Form):
    message = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Message (optional)",
    )


class RemoveForm(forms.Form):
    message = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Message to them (optional)",
    )


class InviteForm(forms.Form):
    emails = forms.CharField(
        label="E-mail addresses",
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
        help_text="One or more, separated by commas or new lines. People without an account "
        "can create one from the link.",
    )
    role = forms.ChoiceField(
        choices=Membership.Role.choices, initial=Membership.Role.MEMBER, widget=forms.RadioSelect
    )
    message = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Personal message (optional)",
    )

    def clean_emails(self) -> list[str]:
        raw = [part.strip().lower() for part in re.split(r"[\s,;]+", self.cleaned_data["emails"])]
        emails = list(dict.fromkeys(e for e in raw if e))
        if not emails:
            raise ValidationError("Enter at least one e-mail address.")
        if len(emails) > MAX_INVITES:
            raise ValidationError(f"Invite at most {MAX_INVITES} people at once.")
        bad = []
        for email in emails:
            try:
                validate_email(email)
            except ValidationError:
                bad.append(email)
        if bad:
            raise ValidationError("Not an e-mail address: " + ", ".join(bad) + ".")
        return emails


class AttendanceForm(forms.Form):
    """One row of radios per seated person; a row left blank is not recorded."""

    def __init__(
        self, *args: Any, people: list[Membership], current: dict[int, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.people = people
        for membership in people:
            self.fields[self.key(membership.user_id)] = forms.ChoiceField(
                label=membership.user.display_name,
                choices=Attendance.Status.choices,
                required=False,
                widget=forms.RadioSelect,
                initial=current.get(membership.user_id),
            )

    @staticmethod
    def key(user_id: int) -> str:
        return f"status_{user_id}"

    def rows(self) -> list[tuple[Membership, forms.BoundField]]:
        return [(m, self[self.key(m.user_id)]) for m in self.people]

    def statuses(self, *, unmarked_present: bool = False) -> dict[int, str]:
        result = {}
        for membership in self.people:
            value = self.cleaned_data.get(self.key(membership.user_id))
            if value:
                result[membership.user_id] = value
            elif unmarked_present:
                result[membership.user_id] = Attendance.Status.PRESENT
        return result
