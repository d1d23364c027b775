"""The account-deletion confirmation: the person types their e-mail address and, when the
account has a password, the password too."""

from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import User
from core import quota

# Wrong passwords allowed per person and day on this form (a stolen session must not be
# able to guess the password here at leisure).
PASSWORD_TRIES = 10


class AccountDeleteForm(forms.Form):
    email = forms.CharField(
        label="Your e-mail address",
        max_length=254,
        help_text="Type it to confirm that this is the account to delete.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if not user.has_usable_password():
            del self.fields["password"]

    def clean_email(self) -> str:
        typed = self.cleaned_data["email"].strip()
        if typed.lower() != self.user.email.lower():
            raise forms.ValidationError(
                "This is not the e-mail address of your account. Type it exactly as you "
                "sign in with it."
            )
        return typed

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not quota.take("account-delete-password", self.user.pk, limit=PASSWORD_TRIES):
            raise forms.ValidationError(
                "Too many wrong passwords today. Try again tomorrow, or reset your password."
            )
        if not self.user.check_password(password):
            raise forms.ValidationError("This is not your password.")
        quota.give_back("account-delete-password", self.user.pk)
        return password
