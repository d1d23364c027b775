"""(C) Forms of the letter pages. They only shape what was typed; the letter services
decide, and their refusals are shown on the form with everything kept."""

from __future__ import annotations

from django import forms

from packets.models import LETTER_MAX, REQUEST_MAX, TITLE_MAX


class LetterRequestForm(forms.Form):
    partner_name = forms.CharField(
        label="Partner's name",
        max_length=TITLE_MAX,
        help_text="The person who will write the letter, as you would address them.",
    )
    partner_email = forms.EmailField(label="Partner's e-mail address", max_length=254)
    message = forms.CharField(
        label="Your request",
        max_length=REQUEST_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=(
            "What you would like the letter to speak to. Your partner sees this, your name "
            "and the credential area, and nothing else of your packet."
        ),
    )


class PartnerLetterForm(forms.Form):
    signed_by = forms.CharField(
        label="Your name and role",
        max_length=TITLE_MAX,
        help_text="For example: Sam Okafor, Director, Eastside Food Cooperative.",
    )
    letter_text = forms.CharField(
        label="Write your letter",
        max_length=LETTER_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text="Plain text; Markdown formatting (*emphasis*, lists) works too.",
    )
    letter_file = forms.FileField(
        label="Or upload it as a file",
        required=False,
        help_text="PDF, Word (DOCX), OpenDocument text or plain text.",
    )
