"""Support for the prompt and feedback tests: while the entry pages (another part of the
journals) are not on this branch, ``journals:entry`` and ``journals:entry_new`` are stood in
for by a page that only says so, so links to entries can be drawn and followed. Once the
real pages are there, nothing is stood in for and the real ones are used."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, URLPattern, include, path, reverse

from config import urls as site
from journals import urls as journal_urls

ENTRY_PAGES = {
    "entry": ("journal/entries/<int:pk>/", [1]),
    "entry_new": ("journal/entries/new/", []),
}


def missing_entry_pages() -> list[str]:
    missing = []
    for name, (_, args) in ENTRY_PAGES.items():
        try:
            reverse(f"journals:{name}", args=args, urlconf="config.urls")
        except NoReverseMatch:
            missing.append(name)
    return missing


def _stand_in(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("The entry pages stand-in.")


_stand_ins: list[URLPattern] = [
    path(route, _stand_in, name=name)
    for name, (route, _) in ENTRY_PAGES.items()
    if name in missing_entry_pages()
]
urlpatterns = [
    *[p for p in site.urlpatterns if getattr(p, "app_name", None) != "journals"],
    path("", include((list(journal_urls.urlpatterns) + _stand_ins, "journals"))),
]
handler400 = site.handler400
handler403 = site.handler403
handler404 = site.handler404
handler500 = site.handler500


@pytest.fixture(autouse=True)
def entry_pages(settings: Any) -> None:
    """Stand in for the entry pages while they are not on this branch."""
    if missing_entry_pages():
        settings.ROOT_URLCONF = "tests.journals.prompts_support"


@pytest.fixture
def post_prompt(home: Any, facilitator: Any) -> Callable[..., Any]:
    """``post_prompt(title=..., cohort=home, by=facilitator, **PromptInput fields)``."""
    from journals.services import PromptInput, prompt_create

    def make(title: str = "A moment you shared power", **fields: Any) -> Any:
        cohort = fields.pop("cohort", home)
        by = fields.pop("by", facilitator)
        fields.setdefault("body", "Think of a time you *stepped back*.")
        return prompt_create(cohort=cohort, by=by, data=PromptInput(title=title, **fields))

    return make
