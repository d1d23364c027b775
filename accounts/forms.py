from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest

from accounts.handles import MAX_LENGTH as HANDLE_MAX_LENGTH
from accounts.handles import TAKEN as HANDLE_TAKEN
from accounts.handles import validate_handle
from accounts.models import PROFILE_FIELDS, User
from accounts.time_zones import time_zone_choices
from core.text import validate_single_line


def _time_zone_field(**kwargs: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        choices=time_zone_choices,
        help_text="Session times are shown in this time zone.",
        **kwargs,
    )


class SignupExtraForm(forms.Form):
    """Fields allauth's signup form gains: a name and a time zone."""

    name = forms.CharField(
        max_length=150,
        validators=[validate_single_line],
        label="Your name",
        help_text="How other members will see you. You can change it later.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    time_zone = _time_zone_field(initial="America/New_York")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            # static/js/time_zone.js selects the browser's own zone in a fresh form; a form
            # shown again with its errors keeps what the person chose.
            self.fields["time_zone"].widget.attrs["data-detect-time-zone"] = ""

    def signup(self, request: HttpRequest, user: User) -> None:
        user.name = self.cleaned_data["name"].strip()
        user.time_zone = self.cleaned_data["time_zone"]
        # allauth saved the account before its name was known: the handle it got came from
        # the e-mail address. Still at creation, take one from the name instead.
        user.handle = ""
        user.save(update_fields=["name", "time_zone"])


class ProfileForm(forms.ModelForm):
    time_zone = _time_zone_field()
    handle = forms.CharField(
        max_length=HANDLE_MAX_LENGTH,
        required=False,
        label="Handle",
        help_text=(
            "What people type after @ to mention you: 3 to 30 letters, digits, “-” or “_”. "
            "Yours alone, whatever your name; left empty, you keep the one you have."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A zone set before the list was curated stays a choice until changed.
        self.fields["time_zone"].choices = time_zone_choices(self.instance.time_zone)

    class Meta:
        model = User
        fields = list(PROFILE_FIELDS)
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "institution": forms.TextInput(attrs={"autocomplete": "organization"}),
            "position": forms.TextInput(attrs={"autocomplete": "organization-title"}),
            "bio": forms.Textarea(attrs={"rows": 6}),
            "identities": forms.Textarea(attrs={"rows": 4}),
        }
        labels = {"identities": "In your own words"}

    def clean_handle(self) -> str:
        handle = self.cleaned_data["handle"].strip().lstrip("@") or self.instance.handle
        validate_handle(handle)
        if self.instance.handle_taken(handle):
            raise forms.ValidationError(HANDLE_TAKEN)
        return handle

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Please give a name other members can call you by.")
        return name
