"""An API 404 says "Not found." whatever the lookup that failed said, so an answer never
tells a missing object from one the caller may not see."""

from __future__ import annotations

import pytest
from django.http import Http404
from rest_framework.exceptions import NotFound

from core.api import exception_handler


@pytest.mark.parametrize(
    "exc",
    [
        Http404("No Cohort matches the given query."),
        Http404("No such cohort."),
        Http404(),
        NotFound("No such thread."),
    ],
    ids=["get_object_or_404", "hidden", "bare", "drf-not-found"],
)
def test_every_api_404_has_the_same_body(exc: Exception) -> None:
    response = exception_handler(exc, {})
    assert response is not None
    assert response.status_code == 404
    assert response.data == {"detail": "Not found.", "code": "not_found"}
