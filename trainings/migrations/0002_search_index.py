"""The trainings' full-text index, one kind per database (the model does not name it).

``search_text`` (the provider organisation's name and the competencies' codes and titles)
is filled for the trainings there are. Then, PostgreSQL: a stored generated ``tsvector``
column (config 'english', each part capped so the expression is immutable and bounded)
weighting the title A, the description and learning goals B, the curriculum and
``search_text`` C, with a GIN index. SQLite: an FTS5 table (porter stemming) kept in step
by the services (``trainings/search_index.py``), filled here.
"""

from collections import defaultdict

from django.db import migrations, models

CAP = 100_000
BATCH = 500
FTS = "trainings_training_fts"

POSTGRES_UP = [
    "ALTER TABLE trainings_training ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english'::regconfig, title), 'A') || "
    f"setweight(to_tsvector('english'::regconfig, left(description, {CAP})), 'B') || "
    "setweight(jsonb_to_tsvector('english'::regconfig, learning_goals, '[\"string\"]'), 'B') || "
    f"setweight(to_tsvector('english'::regconfig, left(curriculum, {CAP})), 'C') || "
    f"setweight(to_tsvector('english'::regconfig, left(search_text, {CAP})), 'C')) STORED",
    "CREATE INDEX trainings_training_search_gin ON trainings_training USING gin (search_vector)",
]
POSTGRES_DOWN = ["ALTER TABLE trainings_training DROP COLUMN search_vector"]
SQLITE_UP = [
    f"CREATE VIRTUAL TABLE {FTS} USING fts5("
    "title, description, goals, curriculum, extra, "
    "tokenize='porter unicode61 remove_diacritics 2')",
]
SQLITE_DOWN = [f"DROP TABLE IF EXISTS {FTS}"]


def _goals(goals):
    return "\n".join(str(g) for g in goals) if isinstance(goals, list) else ""


def fill(apps, schema_editor):
    """``search_text`` for every training (and, on SQLite, its FTS5 row), a batch at a time."""
    Training = apps.get_model("trainings", "Training")
    Link = Training.competencies.through
    sqlite = schema_editor.connection.vendor == "sqlite"
    last = 0
    while True:
        rows = list(
            Training.objects.filter(pk__gt=last).select_related("provider").order_by("pk")[:BATCH]
        )
        if not rows:
            return
        ids = [t.pk for t in rows]
        competencies = defaultdict(list)
        links = (
            Link.objects.filter(training_id__in=ids)
            .values_list("training_id", "competency__code", "competency__title")
            .order_by("competency__code", "competency_id")
        )
        for training_id, code, title in links:
            competencies[training_id].append(f"{code} {title}")
        for t in rows:
            lines = [t.provider.name, *competencies[t.pk]]
            t.search_text = "\n".join(line for line in lines if line)
        Training.objects.bulk_update(rows, ["search_text"])
        if sqlite:
            with schema_editor.connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {FTS} (rowid, title, description, goals, curriculum, extra) "  # noqa: S608
                    "VALUES (%s, %s, %s, %s, %s, %s)",
                    [
                        (
                            t.pk,
                            t.title,
                            t.description[:CAP],
                            _goals(t.learning_goals)[:CAP],
                            t.curriculum[:CAP],
                            t.search_text[:CAP],
                        )
                        for t in rows
                    ],
                )
        last = ids[-1]


def statements(vendor, *, up):
    if vendor == "postgresql":
        return POSTGRES_UP if up else POSTGRES_DOWN
    if vendor == "sqlite":
        return SQLITE_UP if up else SQLITE_DOWN
    return []


def forwards(apps, schema_editor):
    for sql in statements(schema_editor.connection.vendor, up=True):
        schema_editor.execute(sql)
    fill(apps, schema_editor)


def backwards(apps, schema_editor):
    for sql in statements(schema_editor.connection.vendor, up=False):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("trainings", "0001_initial"),
        ("competencies", "0002_text_limits"),
    ]

    operations = [
        migrations.AddField(
            model_name="training",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(forwards, backwards),
    ]
