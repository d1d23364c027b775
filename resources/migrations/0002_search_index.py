"""The repertoire's full-text index, one kind per database (the model does not name it).

PostgreSQL: a stored generated ``tsvector`` column (config 'english', each part capped so
the expression is immutable and bounded) weighting title A, description B and the rest C,
with a GIN index. SQLite: an FTS5 table (porter stemming) kept in step by the services
(``resources/search_index.py``).
"""

from django.db import migrations

CAP = 100_000

POSTGRES_UP = [
    "ALTER TABLE resources_resource ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english'::regconfig, title), 'A') || "
    f"setweight(to_tsvector('english'::regconfig, left(description, {CAP})), 'B') || "
    f"setweight(to_tsvector('english'::regconfig, left(search_text, {CAP})), 'C')) STORED",
    "CREATE INDEX resources_resource_search_gin ON resources_resource USING gin (search_vector)",
]
POSTGRES_DOWN = ["ALTER TABLE resources_resource DROP COLUMN search_vector"]
SQLITE_UP = [
    "CREATE VIRTUAL TABLE resources_resource_fts USING fts5("
    "title, description, body, tokenize='porter unicode61 remove_diacritics 2')",
    "INSERT INTO resources_resource_fts (rowid, title, description, body) "
    "SELECT id, title, substr(description, 1, 100000), substr(search_text, 1, 100000) "
    "FROM resources_resource WHERE deleted_at IS NULL",
]
SQLITE_DOWN = ["DROP TABLE IF EXISTS resources_resource_fts"]


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
    dependencies = [("resources", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
