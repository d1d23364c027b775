"""The search index of threads and posts, kept in step by the services that write them.

What is searched (and excerpted) of a post is its text as people read it: the
rendered ``body_html`` with its tags taken off (``core.markdown.plain_text``), never the Markdown
(``> **Name** wrote:``, ``[text](url)``), so link addresses and markup neither match nor
show in snippets.

On PostgreSQL there is nothing to do here: ``discussions_post.search_vector`` and
``discussions_thread.search_vector`` are stored generated ``tsvector`` columns (migrations
0004 and 0005; the post's is built from :data:`PG_POST_TEXT`, the same plain text in SQL),
so the database recomputes them on every write. On SQLite two FTS5 tables hold the
searchable text: a post's plain text is in ``discussions_post_fts`` only while it is visible
(neither deleted nor hidden), and every thread's title is in ``discussions_thread_fts``.
The services call :func:`index_post` / :func:`index_thread` inside their own transaction,
so the index never disagrees with what was committed.
"""

from __future__ import annotations

from django.db import connection

from core.markdown import TAG_PATTERN, plain_text
from discussions.models import Post, Thread

POST_FTS = "discussions_post_fts"
THREAD_FTS = "discussions_thread_fts"
# The most text of one row that is indexed (posts are far shorter; this bounds the index).
INDEXED_CHARS = 100_000
# Porter stemming over Unicode words, accents folded: close to PostgreSQL's 'english'.
TOKENIZE = "porter unicode61 remove_diacritics 2"
# A post's plain text in PostgreSQL: the rendered HTML without its tags, the entities the
# sanitiser writes decoded (immutable functions only, so a generated column may use it).
PG_POST_TEXT = (
    "btrim(regexp_replace(replace(replace(replace(replace(regexp_replace(body_html, "
    f"'{TAG_PATTERN.replace(chr(39), chr(39) * 2)}', ' ', 'g'), "
    "'&nbsp;', ' '), '&lt;', '<'), '&gt;', '>'), '&amp;', '&'), '\\s+', ' ', 'g'))"
)


def uses_fts5() -> bool:
    return connection.vendor == "sqlite"


def index_post(post: Post, *, new: bool = False) -> None:
    """Put ``post`` in the index as it stands now, or take it out if it is not visible.
    A ``new`` post has no entry to replace."""
    if not uses_fts5():
        return
    with connection.cursor() as cursor:
        if not new:
            cursor.execute(f"DELETE FROM {POST_FTS} WHERE rowid = %s", [post.pk])  # noqa: S608
        if post.deleted_at is None and post.hidden_at is None:
            cursor.execute(
                f"INSERT INTO {POST_FTS} (rowid, body) VALUES (%s, %s)",  # noqa: S608
                [post.pk, plain_text(post.body_html)[:INDEXED_CHARS]],
            )


def index_thread(thread: Thread) -> None:
    if not uses_fts5():
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {THREAD_FTS} WHERE rowid = %s", [thread.pk])  # noqa: S608
        cursor.execute(
            f"INSERT INTO {THREAD_FTS} (rowid, title) VALUES (%s, %s)",  # noqa: S608
            [thread.pk, thread.title[:INDEXED_CHARS]],
        )


def fill_sqlite(cursor: object) -> None:
    """Empty both FTS5 tables and index every thread and every visible post (``cursor`` is
    a DB-API cursor on the SQLite database; used by the migration and the command)."""
    execute = cursor.execute  # type: ignore[attr-defined]
    execute(f"DELETE FROM {POST_FTS}")  # noqa: S608
    execute(f"DELETE FROM {THREAD_FTS}")  # noqa: S608
    execute(
        "SELECT id, body_html FROM discussions_post WHERE deleted_at IS NULL AND hidden_at IS NULL"
    )
    rows = cursor.fetchall()  # type: ignore[attr-defined]
    cursor.executemany(  # type: ignore[attr-defined]
        f"INSERT INTO {POST_FTS} (rowid, body) VALUES (%s, %s)",  # noqa: S608
        [(pk, plain_text(html)[:INDEXED_CHARS]) for pk, html in rows],
    )
    execute(
        f"INSERT INTO {THREAD_FTS} (rowid, title) "  # noqa: S608
        f"SELECT id, substr(title, 1, {INDEXED_CHARS}) FROM discussions_thread"
    )


def rebuild() -> tuple[int, int]:
    """Re-index everything (SQLite); on PostgreSQL the columns are always current. Returns
    how many (threads, posts) are searchable."""
    if uses_fts5():
        with connection.cursor() as cursor:
            fill_sqlite(cursor)
    posts = Post.objects.filter(deleted_at__isnull=True, hidden_at__isnull=True).count()
    return Thread.objects.count(), posts


def rebuild_report() -> str:
    """The discussions part of ``rebuild_search_index`` (registered in apps.py)."""
    threads, posts = rebuild()
    how = "rebuilt" if uses_fts5() else "kept by the database (nothing to do)"
    return f"Search index {how}: {threads} threads, {posts} visible posts."
