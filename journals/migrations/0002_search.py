"""The journal's full-text index, one kind per database (the model does not name it).

PostgreSQL: a stored generated ``tsvector`` column (config 'english', each part capped so
the expression is immutable and bounded) weighting the title A and the rest of the entry's
text (``search_text``: title, body as plain text, the notes on its competencies) B, with a
GIN index. SQLite: an FTS5 table (porter stemming) kept in step by the services
(``journals/search_index.py``). Who may find an entry is decided at query time, never
stored here: private entries are indexed too, and found only by their author.
"""

from django.db import migrations

CAP = 100_000

POSTGRES_UP = [
    "ALTER TABLE journals_entry ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english'::regconfig, title), 'A') || "
    f"setweight(to_tsvector('english'::regconfig, left(search_text, {CAP})), 'B')) STORED",
    "CREATE INDEX journals_entry_search_gin ON journals_entry USING gin (search_vector)",
]
POSTGRES_DOWN = ["ALTER TABLE journals_entry DROP COLUMN search_vector"]
SQLITE_UP = [
    "CREATE VIRTUAL TABLE journals_entry_fts USING fts5("
    "title, body, tokenize='porter unicode61 remove_diacritics 2')",
    "INSERT INTO journals_entry_fts (rowid, title, body) "
    "SELECT id, title, substr(search_text, 1, 100000) "
    "FROM journals_entry WHERE deleted_at IS NULL",
]
SQLITE_DOWN = ["DROP TABLE IF EXISTS journals_entry_fts"]


def statements(vendor, *, up):
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
    dependencies = [("journals", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
