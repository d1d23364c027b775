"""Search is findable: a box in the header of every page for signed-in people, filters by
kind, cohort and author ("only my posts") shown on the results page, and an "Unread" view
of a cohort's threads."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from discussions.services import post_create, thread_create, thread_mark_read

pytestmark = pytest.mark.django_db


PAGES = ["/dashboard/", "/cohorts/", "/competencies/", "/accounts/profile/"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_a_labelled_search_box_in_the_header(member_client: Client, path) -> None:
    html = member_client.get(path, follow=True).content.decode()
    header = html.split('<header class="site-header">', 1)[1].split("</header>", 1)[0]
    form = re.search(r'<form method="get" action="/search/" role="search"[^>]*>.*?</form>', header)
    assert form, "no search form in the header"
    assert '<label for="header-search-q"' in form.group(0)
    assert 'name="q"' in form.group(0)


def test_anonymous_pages_have_no_search_box(client: Client) -> None:
    assert 'action="/search/"' not in client.get("/cohorts/").content.decode()


def test_search_page_offers_kind_cohort_and_my_posts(member, peer, cohort, member_client) -> None:
    thread = thread_create(cohort=cohort, author=peer, title="Beans", body="zucchini from peer")
    theirs = thread.posts.get()
    reply, _ = post_create(thread=thread, author=member, body="zucchini from me")
    html = member_client.get("/search/", {"q": "zucchini"}).content.decode()
    assert '<select id="search-kind" name="kind">' in html
    assert f'<option value="{cohort.slug}">{cohort.title}</option>' in html
    assert f'name="author" value="{member.handle}"' in html
    assert f"#post-{theirs.pk}" in html
    mine = member_client.get("/search/", {"q": "zucchini", "author": member.handle})
    mine = mine.content.decode()
    assert f"#post-{reply.pk}" in mine and f"#post-{theirs.pk}" not in mine
    assert re.search(r'id="search-mine"[^>]* checked', mine)
    chosen = member_client.get("/search/", {"q": "zucchini", "cohort": cohort.slug})
    chosen = chosen.content.decode()
    assert f'<option value="{cohort.slug}" selected>' in chosen


def test_thread_list_unread_view_lists_only_threads_with_unread_posts(
    member, peer, cohort, member_client
) -> None:
    read = thread_create(cohort=cohort, author=peer, title="Already read", body="x")
    thread_mark_read(thread=read, user=member, up_to=read.posts.get().pk)
    thread_create(cohort=cohort, author=peer, title="Fresh news", body="y")
    url = f"/cohorts/{cohort.slug}/threads/"
    everything = member_client.get(url).content.decode()
    assert "Already read" in everything and "Fresh news" in everything
    assert f'href="{url}?show=unread"' in everything
    unread = member_client.get(url, {"show": "unread"}).content.decode()
    assert "Fresh news" in unread and "Already read" not in unread
    assert re.search(r'href="[^"]*\?show=unread" aria-current="page"', unread)
    thread_mark_read(thread=read, user=member, up_to=10**9)
    for t in cohort.threads.all():
        thread_mark_read(thread=t, user=member, up_to=10**9)
    assert "Nothing unread" in member_client.get(url, {"show": "unread"}).content.decode()
