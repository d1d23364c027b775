"""The one error type of the services, and the one table from its codes to HTTP statuses.

A service refuses a request by raising :class:`ServiceError` (or an app's subclass) with a
message written for the person who asked and a short machine-readable ``code``. Every
transport answers the same refusal the same way: the API exception handler, HTML pages
and their JSON answers all take the status from :func:`status_for`, and the socket answers
an ``error`` frame with the same code.
"""

from __future__ import annotations

from http import HTTPStatus

from django.http import Http404


class ServiceError(Exception):
    """A request the rules refuse; ``message`` is written for the person who asked."""

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


# Codes not listed answer 400 (the request as sent cannot be done).
STATUS_BY_CODE: dict[str, int] = {
    "invalid": HTTPStatus.BAD_REQUEST,
    "blank": HTTPStatus.BAD_REQUEST,
    "too_long": HTTPStatus.BAD_REQUEST,
    "forbidden": HTTPStatus.FORBIDDEN,
    "locked": HTTPStatus.FORBIDDEN,
    "not_found": HTTPStatus.NOT_FOUND,
    "conflict": HTTPStatus.CONFLICT,
    "invalid_transition": HTTPStatus.CONFLICT,
    "stale": HTTPStatus.CONFLICT,
    "stale_version": HTTPStatus.CONFLICT,
    "expired": HTTPStatus.GONE,
    # An invitation link nobody issued is not found; a real one that was used, revoked or
    # has run out is gone.
    "unknown_invitation": HTTPStatus.NOT_FOUND,
    "invalid_invitation": HTTPStatus.GONE,
    "too_large": HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    "unsupported_type": HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
    "rate_limited": HTTPStatus.TOO_MANY_REQUESTS,
}


def status_for(code: str) -> int:
    """The HTTP status that answers a refusal with ``code``."""
    return int(STATUS_BY_CODE.get(code, HTTPStatus.BAD_REQUEST))


# The one message of every "missing or not yours" answer (the access functions raise it).
NOT_FOUND_MESSAGE = "Not found."


def not_found() -> Http404:
    """The same not-found for an object that does not exist and one the caller may not see:
    the access functions raise it, and every transport answers it with one body."""
    return Http404(NOT_FOUND_MESSAGE)
