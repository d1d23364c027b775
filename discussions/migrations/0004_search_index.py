"""The full-text search index, one kind per database (the models do not name it).

PostgreSQL: stored generated ``tsvector`` columns (config 'english', text capped at
100,000 characters, so the expression is immutable and bounded) with GIN indexes. Adding
them computes every existing row. A ``GeneratedField`` on the model would be the same
column, but SQLite cannot compile ``to_tsvector``, and the tests and ``make run`` use SQLite.

SQLite: two FTS5 tables (porter stemming), filled here from the existing rows and kept in
step by the services (``discussions/search_index.py``).
"""

from django.db import migrations

CAP = 100_000

POSTGRES_UP = [
    "ALTER TABLE discussions_post ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
    f"(to_tsvector('english'::regconfig, left(body, {CAP}))) STORED",
    "CREATE INDEX discussions_post_search_gin ON discussions_post USING gin (search_vector)",
    "ALTER TABLE discussions_thread ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
    f"(to_tsvector('english'::regconfig, left(title, {CAP}))) STORED",
    "CREATE INDEX discussions_thread_search_gin ON discussions_thread USING gin (search_vector)",
]
POSTGRES_DOWN = [
    "ALTER TABLE discussions_post DROP COLUMN search_vector",
    "ALTER TABLE discussions_thread DROP COLUMN search_vector",
]
TOKENIZE = "tokenize='porter unicode61 remove_diacritics 2'"
SQLITE_UP = [
    f"CREATE VIRTUAL TABLE discussions_post_fts USING fts5(body, {TOKENIZE})",
    f"CREATE VIRTUAL TABLE discussions_thread_fts USING fts5(title, {TOKENIZE})",
    "INSERT INTO discussions_post_fts (rowid, body) "
    "SELECT id, substr(body, 1, 100000) FROM discussions_post "
    "WHERE deleted_at IS NULL AND hidden_at IS NULL",
    "INSERT INTO discussions_thread_fts (rowid, title) "
    "SELECT id, substr(title, 1, 100000) FROM discussions_thread",
]
SQLITE_DOWN = [
    "DROP TABLE IF EXISTS discussions_post_fts",
    "DROP TABLE IF EXISTS discussions_thread_fts",
]


def statements(vendor: str, *, up: bool) -> list[str]:
    if vendor == "postgresql":
        return POSTGRES_UP if up else POSTGRES_DOWN
    if vendor == "sqlite":
        return SQLITE_UP if up else SQLITE_DOWN
    return []


def forwards(apps, schema_editor):
    for sql in statements(schema_editor.connection.vendor, up=True):
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    for sql in statements(schema_editor.connection.vendor, up=False):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("discussions", "0003_text_limits"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
