"""The trainings' search index, kept in step by the services that write trainings.

What is searched: the title (weight A), the description and learning goals (B), the
curriculum outline and ``Training.search_text`` (C): the provider organisation's name and
the codes and titles of the competencies the training addresses. ``search_text`` is
recomputed by the services in the same transaction as the change (a draft's edit, the
board's change of competencies, an organisation's new name), so search never disagrees
with what was committed. Whether a training may be found (approved and unexpired for the
public; a provider's own; a reviewer's queue) is decided at query time, never stored here.

PostgreSQL: ``trainings_training.search_vector`` is a stored generated ``tsvector`` column
(migration 0002) with a GIN index: the database recomputes it on every write.
SQLite: the FTS5 table ``trainings_training_fts`` holds every training; the services call
:func:`index_training` / :func:`index_provider`. Rebuilding walks the table in batches, so
it never holds all the text in memory.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection

from trainings.models import Provider, Training

TRAINING_FTS = "trainings_training_fts"
INDEXED_CHARS = 100_000
BATCH = 500
# The FTS5 columns, in order (bm25 weights and snippet() column numbers follow it).
FTS_COLUMNS = ("title", "description", "goals", "curriculum", "extra")


def uses_fts5() -> bool:
    return connection.vendor == "sqlite"


def compose(provider_name: str, competencies: Iterable[tuple[str, str]]) -> str:
    """``search_text``: the organisation's name, then one line per competency."""
    lines = [provider_name, *(f"{code} {title}" for code, title in competencies)]
    return "\n".join(line for line in lines if line)


def goals_text(goals: Any) -> str:
    """The learning goals as lines (what the FTS5 ``goals`` column holds)."""
    if not isinstance(goals, list):
        return ""
    return "\n".join(str(goal) for goal in goals)


def _refresh(ids: Sequence[int]) -> dict[int, str]:
    """Recompute ``search_text`` of the trainings ``ids`` (and their FTS5 rows), in a fixed
    number of queries. Returns the new text by id."""
    if not ids:
        return {}
    rows = list(
        Training.objects.filter(pk__in=ids)
        .select_related("provider")
        .only(
            "pk",
            "title",
            "description",
            "learning_goals",
            "curriculum",
            "search_text",
            "provider__name",
        )
        .order_by("pk")
    )
    links = (
        Training.competencies.through.objects.filter(training_id__in=ids)
        .values_list("training_id", "competency__code", "competency__title")
        .order_by("competency__code", "competency_id")
    )
    competencies: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for training_id, code, title in links:
        competencies[training_id].append((code, title))
    changed = []
    for training in rows:
        text = compose(training.provider.name, competencies[training.pk])
        if text != training.search_text:
            training.search_text = text
            changed.append(training)
    if changed:
        Training.objects.bulk_update(changed, ["search_text"])
    if uses_fts5():
        marks = ", ".join(["%s"] * len(ids))
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {TRAINING_FTS} WHERE rowid IN ({marks})",  # noqa: S608
                list(ids),
            )
            cursor.executemany(
                f"INSERT INTO {TRAINING_FTS} (rowid, {', '.join(FTS_COLUMNS)}) "  # noqa: S608
                "VALUES (%s, %s, %s, %s, %s, %s)",
                [
                    (
                        t.pk,
                        t.title,
                        t.description[:INDEXED_CHARS],
                        goals_text(t.learning_goals)[:INDEXED_CHARS],
                        t.curriculum[:INDEXED_CHARS],
                        t.search_text[:INDEXED_CHARS],
                    )
                    for t in rows
                ],
            )
    return {t.pk: t.search_text for t in rows}


def index_training(training: Training) -> None:
    """Put ``training`` in the index as it stands now (call after its competencies are set)."""
    texts = _refresh([training.pk])
    if training.pk in texts:
        training.search_text = texts[training.pk]


def index_provider(provider: Provider) -> int:
    """Re-index every training of ``provider`` (its name is searched), a batch at a time."""
    return _reindex(Training.objects.filter(provider=provider))


def remove_training(training_id: int) -> None:
    if not uses_fts5():
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TRAINING_FTS} WHERE rowid = %s", [training_id])  # noqa: S608


def _reindex(trainings: Any) -> int:
    last, count = 0, 0
    while True:
        ids = list(
            trainings.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH]
        )
        if not ids:
            return count
        _refresh(ids)
        count += len(ids)
        last = ids[-1]


def rebuild() -> int:
    """Recompute every training's ``search_text`` (a competency may have been renamed) and,
    on SQLite, refill the FTS5 table, a batch at a time. Returns how many are indexed."""
    if uses_fts5():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TRAINING_FTS}")  # noqa: S608
    return _reindex(Training.objects.all())
