"""Markdown images: only the platform's own uploads become <img>. A page of the site as an
image would be fetched by every viewer's browser (a GET made on their behalf); an outside
image would be blocked by the CSP and tell a third party who read the post. So anything
else becomes its alt text, and an outside https image becomes a plain link to it."""

from __future__ import annotations

from typing import Any

import pytest

from core.markdown import render_markdown, sanitize_html

HOSTILE_SOURCES = [
    "/cohorts/demo/threads/3/",
    "/cohorts/demo/threads/3/read/",
    "threads/3/",
    "../threads/3/",
    "?page=2",
    "#post-3",
    "/media/../cohorts/demo/threads/3/",
    "/media/%2e%2e/cohorts/demo/threads/3/",
    "/media/.%2E/cohorts/demo/threads/3/",
    "/media/./../cohorts/demo/threads/3/",
    "/media/%2E%2E%2Fcohorts/demo/",
    "/media%2f../cohorts/demo/",
    "/mediafile.png",
    "//testserver/cohorts/demo/threads/3/",
    "//testserver/media/x.png",
    "/\\testserver/cohorts/demo/threads/3/",
    "\\\\testserver\\cohorts\\demo",
    "/media\\..\\cohorts\\demo",
    "https:\\\\testserver\\cohorts\\demo",
    "http://testserver/cohorts/demo/threads/3/",
    "https://testserver/cohorts/demo/threads/3/",
    "HTTPS://TESTSERVER/cohorts/demo/threads/3/",
    "https://testserver./cohorts/demo/threads/3/",
    "https://testserver:443/cohorts/demo/threads/3/",
    "https://someone@testserver/cohorts/demo/threads/3/",
    "https://site.example.org/media/x.png",
    "http://127.0.0.1:8000/cohorts/demo/threads/3/",
    "https://localhost/media/x.png",
    "https://[::1]/cohorts/demo/",
    "http://images.example.net/chart.png",
    "data:image/png;base64,AAAA",
    "javascript:alert(1)",
    "ftp://images.example.net/chart.png",
    "",
]


@pytest.fixture(autouse=True)
def _site(settings: Any) -> None:
    settings.SITE_URL = "https://site.example.org"
    settings.MEDIA_URL = "/media/"


def test_an_upload_of_the_platform_is_an_image() -> None:
    html = render_markdown("![The chart](/media/uploads/2026/chart.png)")
    assert '<img src="/media/uploads/2026/chart.png" alt="The chart">' in html


@pytest.mark.parametrize("src", HOSTILE_SOURCES)
def test_any_other_image_source_is_not_an_image(src: str) -> None:
    html = render_markdown(f"Look: ![the chart]({src}) here")
    assert "<img" not in html
    assert "the chart" in html
    if "testserver" in src or "site.example.org" in src or "cohorts" in src:
        assert "href=" not in html  # not even a link to a page of the site


@pytest.mark.parametrize("src", HOSTILE_SOURCES)
def test_an_angle_bracketed_source_is_no_different(src: str) -> None:
    assert "<img" not in render_markdown(f"![x](<{src}>)")


def test_an_outside_https_image_becomes_a_link_to_it() -> None:
    html = render_markdown('![A diagram](https://images.example.net/d.png "Title")')
    assert "<img" not in html
    assert '<a href="https://images.example.net/d.png"' in html
    assert ">A diagram</a>" in html


def test_an_outside_image_without_alt_text_is_a_link_showing_its_address() -> None:
    html = render_markdown("![](https://images.example.net/d.png)")
    assert ">https://images.example.net/d.png</a>" in html


def test_an_outside_image_inside_a_link_does_not_nest_links() -> None:
    html = render_markdown("[![badge](https://images.example.net/b.png)](https://example.net/)")
    assert html.count("<a ") == 1
    assert "badge" in html and "<img" not in html


def test_the_sanitiser_alone_drops_an_image_source_that_is_not_an_upload() -> None:
    html = sanitize_html('<img src="/cohorts/demo/threads/3/" alt="x"><img src="/media/a.png">')
    assert "/cohorts/" not in html
    assert '<img src="/media/a.png">' in html
