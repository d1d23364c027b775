"""Search results read as text: a snippet shows what the post says, not its Markdown
(quotes, emphasis, link syntax), on SQLite's FTS5 index and PostgreSQL's stored vector."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from core.markdown import plain_text
from discussions.search import post_snippets
from discussions.services import post_create, post_edit, thread_create

pytestmark = pytest.mark.django_db

QUOTED = (
    "> **Aisha Rahman** wrote:\n> the garden needs _water_\n\n"
    "See [the watering rota](https://example.org/rota) for *zucchini* days."
)


def test_plain_text_drops_markdown_and_keeps_words() -> None:
    html = (
        "<blockquote><p><strong>A&amp;B</strong> wrote:</p></blockquote>"
        '<p>x <a href="/u" title="a>b">link</a></p>'
    )
    assert plain_text(html) == "A&B wrote: x link"


def test_post_snippet_is_the_rendered_text(member, cohort) -> None:
    thread = thread_create(cohort=cohort, author=member, title="Rota", body=QUOTED)
    post = thread.posts.get()
    snippet = str(post_snippets([post.pk], "zucchini")[post.pk])
    assert "<mark>zucchini</mark>" in snippet
    for markdown in ("&gt;", "**", "](", "_water_", "*<mark>"):
        assert markdown not in snippet
    assert "Aisha Rahman wrote:" in snippet and "the watering rota" in snippet


def test_link_addresses_and_markup_are_not_searchable(member, cohort) -> None:
    thread_create(cohort=cohort, author=member, title="Rota", body=QUOTED)
    client = Client()
    client.force_login(member)
    html = client.get("/search/", {"q": "example", "kind": "discussions.post"}).content.decode()
    assert "Nothing found" in html


def test_edited_and_rebuilt_posts_stay_plain(member, cohort) -> None:
    thread = thread_create(cohort=cohort, author=member, title="Rota", body="first")
    post = thread.posts.get()
    post_edit(post=post, by=member, body="**bold** zucchini", version=post.version)
    assert str(post_snippets([post.pk], "zucchini")[post.pk]) == "bold <mark>zucchini</mark>"
    call_command("rebuild_search_index", stdout=None)
    reply, _ = post_create(thread=thread, author=member, body="`code` zucchini")
    assert str(post_snippets([reply.pk], "zucchini")[reply.pk]) == "code <mark>zucchini</mark>"
    assert str(post_snippets([post.pk], "zucchini")[post.pk]) == "bold <mark>zucchini</mark>"


def test_the_migration_indexes_the_same_plain_text_the_search_excerpts() -> None:
    import importlib

    from discussions.search_index import PG_POST_TEXT

    migration = importlib.import_module("discussions.migrations.0005_search_plain_text")
    assert migration.POST_TEXT == PG_POST_TEXT
