"""The shared text rules (core.text), daily allowances (core.quota) and mail framing
(core.mail)."""

from __future__ import annotations

from typing import Any

import pytest

from cohorts.models import Session
from core import quota
from core.mail import defang, one_line, quoted
from core.text import clean_input, clean_multiline


class Refused(Exception):
    pass


def test_clean_input_names_the_field_and_enforces_its_rules() -> None:
    with pytest.raises(Refused, match=r"^Title: This must be a single line"):
        clean_input(Session, {"title": "a\nb"}, error=Refused)
    with pytest.raises(Refused, match=r"^Title: Ensure this value has at most 200"):
        clean_input(Session, {"title": "t" * 201}, error=Refused)
    with pytest.raises(Refused, match="must be text"):
        clean_input(Session, {"title": 5}, error=Refused)
    cleaned = clean_input(
        Session, {"title": "Fine", "agenda": "a\r\nb\x00", "starts_at": 1}, error=Refused
    )
    assert cleaned == {"title": "Fine", "agenda": "a\nb", "starts_at": 1}


def test_clean_multiline_keeps_text_that_needs_no_cleaning() -> None:
    text = "Line one\n\tindented — “quoted” ✓"
    assert clean_multiline(text) is text


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("see https://evil.example.com/x", "see hxxps[:]//evil[.]example[.]com/x"),
        ("HTTP://Evil.Example.com", "HxxP[:]//Evil[.]Example[.]com"),
        ("go to www.example.org today", "go to www[.]example[.]org today"),
        ("mail me: mailto:x@example.org", "mail me: mailto[:]x@example[.]org"),
        ("version 3.5 is out. Next week", "version 3.5 is out. Next week"),
    ],
)
def test_defang_makes_links_unclickable_but_readable(raw: str, safe: str) -> None:
    assert defang(raw) == safe


def test_quoted_frames_words_as_the_authors_own() -> None:
    text = quoted("Ana\nEvil", "Hi\nclick https://x.example.com")
    assert text.splitlines() == [
        "Ana Evil wrote (their own words, not checked by Commonplace; links are shown but "
        "not clickable):",
        "> Hi",
        "> click hxxps[:]//x[.]example[.]com",
    ]
    assert one_line(" a \r\n b\t") == "a b"


def test_quota_counts_per_subject_and_refusals_cost_nothing(settings: Any) -> None:
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert quota.take("test", 1, limit=3, amount=2)
    assert not quota.take("test", 1, limit=3, amount=2)
    assert quota.used("test", 1) == 2
    assert quota.take("test", 1, limit=3)
    assert not quota.take("test", 1, limit=3)
    assert quota.take("test", 2, limit=3, amount=3)
    quota.give_back("test", 1, amount=2)
    assert quota.used("test", 1) == 1
