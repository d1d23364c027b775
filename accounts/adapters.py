from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from core.http import client_address


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email: str) -> str:
        # Addresses are stored lower-case so the case-insensitive unique constraint and
        # lookups agree.
        return super().clean_email(email).strip().lower()

    def get_client_ip(self, request: HttpRequest) -> str:
        # The address allauth's rate limits count: X-Forwarded-For only behind our proxies.
        address = client_address(request)
        if not address:
            raise PermissionDenied("Unable to determine client IP address")
        return address
