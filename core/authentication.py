"""The API's token authentication (settings ``REST_FRAMEWORK``). A module of its own: DRF
imports the authentication classes while its views load, so this one must not import
them."""

from __future__ import annotations

from typing import Any

from rest_framework import authentication, exceptions


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, refusing a token holding a NUL character as any other
    unknown token (401) rather than asking the database, which refuses it on PostgreSQL."""

    def authenticate_credentials(self, key: str) -> Any:
        if "\x00" in key:
            raise exceptions.AuthenticationFailed("Invalid token.")
        return super().authenticate_credentials(key)
