from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal import ratelimit
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from core.http import client_address

RATE_LIMIT_APP = "allauth.account"
# ACCOUNT_RATE_LIMITS["login_failed"] counts failures per client address and per (account,
# client address); this action counts them per account alone, with a looser limit.
LOGIN_FAILED_PER_ACCOUNT = "login_failed_account"
SITE_NAME = "Commonplace"


@dataclass(frozen=True)
class MailSite:
    """What allauth's e-mail templates call ``current_site``: without django.contrib.sites
    allauth would name the site after the request's host ("Hello from 127.0.0.1:8765!")."""

    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email: str) -> str:
        # Addresses are stored lower-case so the case-insensitive unique constraint and
        # lookups agree.
        return super().clean_email(email).strip().lower()

    def render_mail(
        self,
        template_prefix: str,
        email: str | list[str],
        context: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> EmailMessage:
        # Every account e-mail speaks as the site: its name, and SITE_URL as its address.
        context = {
            **context,
            "current_site": MailSite(SITE_NAME, urlsplit(settings.SITE_URL).netloc),
            "site_url": settings.SITE_URL,
        }
        return super().render_mail(template_prefix, email, context, headers)

    def get_client_ip(self, request: HttpRequest) -> str:
        # The address allauth's rate limits count: X-Forwarded-For only behind our proxies.
        address = client_address(request)
        if not address:
            raise PermissionDenied("Unable to determine client IP address")
        return address

    def _login_failed_keys(self, request: HttpRequest, **credentials: Any) -> tuple[str, str]:
        """The rate-limit keys of a password attempt: (account and client address, account)."""
        account = self._get_login_attempts_cache_key(request, **credentials)
        return f"{account}|{ratelimit.get_ip(request)}", account

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        # allauth keys failed logins by e-mail alone, so anyone could lock a person out by
        # typing wrong passwords for their address. Failures count per (account, address)
        # instead, plus a looser cap per account that only a guess spread over many
        # addresses reaches. Successful attempts are rolled back by allauth as before.
        pair_key, account_key = self._login_failed_keys(request, **credentials)
        pair = ratelimit.consume(request, app=RATE_LIMIT_APP, action="login_failed", key=pair_key)
        if pair is None:
            raise self._too_many_login_attempts()
        account = ratelimit.consume(
            request, app=RATE_LIMIT_APP, action=LOGIN_FAILED_PER_ACCOUNT, key=account_key
        )
        if account is None:
            pair.rollback()
            raise self._too_many_login_attempts()
        self._login_failed_rl_usage = ratelimit.RateLimitUsage(usage=pair.usage + account.usage)

    def _delete_login_attempts_cached_email(self, request: HttpRequest, **credentials: Any) -> None:
        # Called by allauth after a successful password reset: the owner proved they read
        # their mail, so the account's cap and this address's count start again.
        pair_key, account_key = self._login_failed_keys(request, **credentials)
        ratelimit.clear(request, app=RATE_LIMIT_APP, action="login_failed", key=pair_key)
        ratelimit.clear(
            request, app=RATE_LIMIT_APP, action=LOGIN_FAILED_PER_ACCOUNT, key=account_key
        )

    def _too_many_login_attempts(self) -> ValidationError:
        message = format_html(
            "Too many failed login attempts. Try again later, or "
            '<a href="{}">reset your password</a>: the link we e-mail you works even now.',
            reverse("account_reset_password"),
        )
        return ValidationError(message, code="too_many_login_attempts")
