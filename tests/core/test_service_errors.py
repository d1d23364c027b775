"""One error type: every app's refusals are ServiceErrors, and an API view that lets one
propagate answers its message and code with the status the one table gives."""

from __future__ import annotations

from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from cohorts.services import CohortError, InvalidTransition
from core.api import exception_handler
from core.errors import ServiceError, status_for
from discussions.services import DiscussionError


def test_app_errors_are_service_errors_with_their_codes() -> None:
    for error in (
        CohortError("Full.", code="conflict"),
        DiscussionError("Locked.", code="locked"),
        InvalidTransition("Not now."),
    ):
        assert isinstance(error, ServiceError)
    assert InvalidTransition("Not now.").code == "invalid_transition"
    assert DiscussionError("Say something.").code == "invalid"


def test_a_service_error_raised_in_an_api_view_answers_its_code_and_status() -> None:
    class Refusing(APIView):
        permission_classes: list[type] = []
        authentication_classes: list[type] = []

        def get(self, request: object) -> None:
            raise DiscussionError("Slow down a little.", code="rate_limited")

    response = Refusing.as_view()(APIRequestFactory().get("/api/v1/anything/"))
    assert response.status_code == status_for("rate_limited") == 429
    assert response.data == {"detail": "Slow down a little.", "code": "rate_limited"}
    assert exception_handler(CohortError("Nope."), {}).status_code == 400


def test_every_code_the_services_raise_has_its_status() -> None:
    assert status_for("stale_version") == 409
    assert status_for("invalid_transition") == 409
    assert status_for("unknown_invitation") == 404
    assert status_for("invalid_invitation") == 410
    assert status_for("something_new") == 400
