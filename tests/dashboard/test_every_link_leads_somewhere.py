"""Nothing promised that is not there: for each demo role (and anonymous), follow every
same-site link reachable from the pages (a bounded breadth-first crawl with Django's test
client) and find no missing page, no server error and no "soon"/placeholder page."""

from __future__ import annotations

import io
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import User

pytestmark = pytest.mark.django_db

ROLES = [
    None,
    "staff@example.org",
    "reviewer@example.org",
    "provider@example.org",
    "facilitator@example.org",
    "member@example.org",
    "outsider@example.org",
]
MAX_PAGES = 400
# Not pages: signing out, calendar downloads and feeds, the API's JSON, the admin.
SKIP = re.compile(r"/logout/|\.ics$|/calendar/|/feed|^/api/v|^/admin/|^/static/|^/media/")
PLACEHOLDER = re.compile(
    r"\bsoon\b|will appear here|when .{0,40} arrives?\b|coming later|not yet available",
    re.IGNORECASE,
)


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "a":
            href = dict(attrs).get("href")
            if href and "download" not in dict(attrs):
                self.hrefs.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)


@pytest.fixture
def demo(settings) -> None:
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    settings.DEBUG = False


def crawl(client: Client) -> tuple[dict[str, int], dict[str, str]]:
    seen: dict[str, int] = {}
    placeholders: dict[str, str] = {}
    queue = deque(["/"])
    queued = {"/"}
    while queue and len(seen) < MAX_PAGES:
        path = queue.popleft()
        response = client.get(path, follow=True)
        seen[path] = response.status_code
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        page = Links()
        page.feed(response.content.decode())
        text = " ".join(" ".join(page.text).split())
        found = PLACEHOLDER.search(text)
        if found:
            placeholders[path] = text[max(0, found.start() - 60) : found.end() + 60]
        base = response.redirect_chain[-1][0] if response.redirect_chain else path
        for href in page.hrefs:
            url = urldefrag(urljoin(base, href))[0]
            parts = urlsplit(url)
            if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
                continue
            local = parts.path + (f"?{parts.query}" if parts.query else "")
            if local and local not in queued and not SKIP.search(parts.path):
                queued.add(local)
                queue.append(local)
    return seen, placeholders


@pytest.mark.parametrize("email", ROLES, ids=lambda e: (e or "anonymous").split("@")[0])
def test_every_link_for_every_demo_role_leads_to_a_real_page(demo, email) -> None:
    client = Client()
    if email:
        client.force_login(User.objects.get(email=email))
    seen, placeholders = crawl(client)
    broken = {path: status for path, status in seen.items() if status in (404, 500)}
    assert broken == {}
    assert placeholders == {}
    assert len(seen) > 5
