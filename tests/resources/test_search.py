"""Resources in the site-wide search: exactly what the person may read, ranked by the
database (title before body), words inside files found once their text is extracted,
escaped highlights, a bounded number of queries. Run on SQLite and on PostgreSQL."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from cohorts.models import Cohort
from core.search import Query, kinds, search
from resources import services
from resources.models import Resource
from resources.search import RESOURCE, ResourcesSearch, matching_resources
from resources.search_index import RESOURCE_FTS, uses_fts5
from tests.files.conftest import pdf_bytes
from tests.resources.conftest import upload

pytestmark = pytest.mark.django_db

PHRASE = "graceful exit clause"


def titles(user: Any, text: str, **filters: Any) -> list[str]:
    return [r.title for r in matching_resources(user, Query(text, **filters))]


def found(user: Any, text: str) -> list[str]:
    """Titles as the search page shows them (markup taken off), best first."""
    page = search(user, Query(text, kind=RESOURCE))
    return [str(r.title).replace("<mark>", "").replace("</mark>", "") for r in page.results]


def test_resources_are_offered_as_a_kind_of_result() -> None:
    assert kinds()[RESOURCE] == "Resources"


@pytest.mark.django_db(transaction=True)
def test_a_phrase_only_inside_a_pdf_finds_that_resource_first_once_extracted(
    share: Callable[..., Resource], member: User, task_worker: Callable[[], None]
) -> None:
    # Other resources hold the same words, but never as the phrase.
    share("note", title="Exit interviews", body="A clause on graceful endings.")
    share("link", title="Graceful partnerships", description="An exit plan and a clause.")
    pdf = share(
        "file",
        title="Partnership agreement",
        file=upload("agreement.pdf", pdf_bytes(f"Ending kindly: our {PHRASE} for partners")),
    )
    # The text is read by the background worker; until then only the title is searchable.
    assert found(member, f'"{PHRASE}"') == []
    task_worker()
    results = found(member, f'"{PHRASE}"')
    assert results == ["Partnership agreement"]
    # Without quotes every resource holding the three words matches; the PDF is among them.
    assert pdf.title in found(member, PHRASE)
    page = search(member, Query(f'"{PHRASE}"'))
    assert page.results[0].url == pdf.get_absolute_url()
    assert "<mark>" in page.results[0].snippet


def test_a_title_match_outranks_the_same_word_in_the_body(
    share: Callable[..., Resource], member: User
) -> None:
    share("note", title="Notes from Tuesday", body="We talked about stipends for partners.")
    share("note", title="Stipends for partners", body="We talked about Tuesday's notes.")
    share("link", title="A link", description="Why we pay stipends to partners.")
    assert found(member, "stipends") == [
        "Stipends for partners",
        "A link",
        "Notes from Tuesday",
    ]


def test_only_what_the_person_may_read_is_found(
    share: Callable[..., Resource],
    member: User,
    outsider: User,
    facilitator: User,
) -> None:
    share("link", title="Cohort reciprocity guide")
    share("link", title="Platform reciprocity guide", scope="platform")
    share("link", title="Public reciprocity guide", scope="public")
    hidden = share("link", title="Hidden reciprocity guide")
    services.resource_set_hidden(resource=hidden, by=facilitator, hidden=True)
    everyone = {
        "Cohort reciprocity guide",
        "Platform reciprocity guide",
        "Public reciprocity guide",
    }
    assert set(titles(outsider, "reciprocity")) == everyone - {"Cohort reciprocity guide"}
    assert set(titles(member, "reciprocity")) == everyone | {"Hidden reciprocity guide"}
    assert set(titles(facilitator, "reciprocity")) == everyone | {"Hidden reciprocity guide"}
    # The contributor (member) and facilitators see what is hidden; other members do not.
    assert "Hidden reciprocity guide" not in titles(
        User.objects.get(email="member2@example.org"), "reciprocity"
    )


def test_outsiders_find_nothing_of_a_cohort_through_the_search_page(
    share: Callable[..., Resource], outsider: User, signed_in: Callable[[User], Client]
) -> None:
    share("note", title="Our partner meeting", body="The director's candid words.")
    html = signed_in(outsider).get(reverse("search"), {"q": "candid director"}).content.decode()
    assert "Our partner meeting" not in html
    assert "Nothing found" in html


def test_deleted_resources_are_not_found_and_restored_ones_are_again(
    share: Callable[..., Resource], member: User
) -> None:
    resource = share("note", title="Asset map", body="Corner stores and congregations.")
    assert found(member, "congregations") == ["Asset map"]
    services.resource_delete(resource=resource, by=member)
    assert found(member, "congregations") == []
    services.resource_restore(resource=resource, by=member)
    assert found(member, "congregations") == ["Asset map"]


def test_titles_and_snippets_are_escaped_on_the_search_page(
    share: Callable[..., Resource], member_client: Client
) -> None:
    share(
        "note",
        title="<script>alert('t')</script> reciprocity",
        body="<b>bold</b> reciprocity & <img src=x onerror=alert(1)>",
    )
    html = member_client.get(reverse("search"), {"q": "reciprocity"}).content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#x27;t&#x27;)&lt;/script&gt; <mark>reciprocity</mark>" in html


def test_the_search_page_lists_resources_with_their_kind_and_cohort(
    share: Callable[..., Resource], member_client: Client, home: Cohort, member: User
) -> None:
    note = share("note", title="Reflection protocol", body="What? So what? Now what?")
    html = member_client.get(reverse("search"), {"q": "reflection protocol"}).content.decode()
    assert f'href="{note.get_absolute_url()}"' in html
    assert "· Resources" in html and home.title in html and member.display_name in html
    assert '<option value="resources.resource">Resources</option>' in html
    only = member_client.get(
        reverse("search"), {"q": "reflection", "kind": RESOURCE}
    ).content.decode()
    assert f'href="{note.get_absolute_url()}"' in only


def test_the_cohort_and_author_filters_narrow_resources(
    share: Callable[..., Resource], member: User, member2: User, home: Cohort
) -> None:
    share("link", title="Mine about rubrics", by=member)
    share("link", title="Theirs about rubrics", by=member2)
    assert set(titles(member, "rubrics", cohort=home.slug)) == {
        "Mine about rubrics",
        "Theirs about rubrics",
    }
    assert titles(member, "rubrics", cohort="elsewhere") == []
    assert titles(member, "rubrics", author=member2.handle) == ["Theirs about rubrics"]


def test_searching_asks_a_fixed_number_of_queries(
    share: Callable[..., Resource], member: User
) -> None:
    def measure() -> int:
        provider = ResourcesSearch()
        with CaptureQueriesContext(connection) as queries:
            _total, hits = provider.find(member, Query("toolkit"), limit=20)
            provider.results(member, Query("toolkit"), hits)
        return len(queries)

    share("link", title="Toolkit 0", tags=["toolkit"])
    few = measure()
    for n in range(1, 25):
        share("note", title=f"Toolkit {n}", body="A toolkit for partners.", tags=["toolkit"])
    assert measure() == few


def test_rebuild_search_index_refills_the_resources_index(
    share: Callable[..., Resource], member: User
) -> None:
    share("note", title="Power mapping", body="Who decides the calendar?")
    if uses_fts5():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {RESOURCE_FTS}")  # noqa: S608 - a constant
        assert found(member, "calendar") == []
    out = io.StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert "Resources search index" in out.getvalue()
    assert found(member, "calendar") == ["Power mapping"]
