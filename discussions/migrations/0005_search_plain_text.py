"""Search the text of a post as people read it, not its Markdown.

PostgreSQL: the post's generated ``search_vector`` is rebuilt from the rendered
``body_html`` with its tags taken off and the sanitiser's entities decoded (immutable SQL,
so the column stays generated and GIN-indexed, and the database keeps it current).

SQLite: the FTS5 table of posts is refilled with the same plain text, computed in Python
(``core.markdown.plain_text``); the services keep it in step from now on.
"""

from django.db import migrations

CAP = 100_000
TAG = r"""<(?:"[^"]*"|''[^'']*''|[^>"''])*>"""
POST_TEXT = (
    f"btrim(regexp_replace(replace(replace(replace(replace(regexp_replace(body_html, '{TAG}', "
    "' ', 'g'), '&nbsp;', ' '), '&lt;', '<'), '&gt;', '>'), '&amp;', '&'), '\\s+', ' ', 'g'))"
)


def _vector(source: str) -> list[str]:
    return [
        "ALTER TABLE discussions_post DROP COLUMN search_vector",
        "ALTER TABLE discussions_post ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
        f"(to_tsvector('english'::regconfig, left({source}, {CAP}))) STORED",
        "CREATE INDEX discussions_post_search_gin ON discussions_post USING gin (search_vector)",
    ]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for sql in _vector(POST_TEXT):
            schema_editor.execute(sql)
    elif vendor == "sqlite":
        from discussions.search_index import fill_sqlite

        with schema_editor.connection.cursor() as cursor:
            fill_sqlite(cursor)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in _vector("body"):
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("discussions", "0004_search_index"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
