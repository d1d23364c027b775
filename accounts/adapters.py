from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email: str) -> str:
        # Addresses are stored lower-case so the case-insensitive unique constraint and
        # lookups agree.
        return super().clean_email(email).strip().lower()
