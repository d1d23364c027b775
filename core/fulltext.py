"""Full-text helpers shared by every app's search (the index lives in the same database as
the data; see discussions/search_index.py and resources/search_index.py).

PostgreSQL: a table's stored generated ``search_vector`` column (:class:`StoredVector`),
matched with ``websearch_to_tsquery('english', ...)`` (:func:`pg_query`). SQLite: an FTS5
table matched with an expression built by :func:`fts_match` from what the person typed (every
word a quoted string, so nothing typed is read as FTS5 syntax), ranked with ``bm25()``.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import connection
from django.db.models import Expression, FloatField
from django.db.models.expressions import RawSQL

CONFIG = "english"


def uses_fts5() -> bool:
    return connection.vendor == "sqlite"


# A "phrase" (closed or not, maybe -excluded) or any other run of non-spaces.
_TOKEN_RE = re.compile(r'(-?)"([^"]*)"?|(\S+)')
# What FTS5's unicode61 tokenizer keeps of a term: runs of letters and digits.
_WORD_RE = re.compile(r"[^\W_]+")


def fts_match(text: str) -> str:
    """The person's query as an FTS5 MATCH expression ("" when nothing can be searched).

    Words and phrases become quoted FTS5 strings of letters and digits only, so quotes,
    ``NEAR(``, ``column:``, ``*`` or ``^`` in what was typed are plain text. Alternatives
    separated by ``or`` are OR-ed; ``-term`` excludes within its alternative; an
    alternative with nothing wanted is dropped (FTS5 cannot say "everything but")."""
    groups: list[tuple[list[str], list[str]]] = [([], [])]
    for minus, phrase, word in _TOKEN_RE.findall(text):
        if word:
            if word.lower() == "or":
                if groups[-1][0]:
                    groups.append(([], []))
                continue
            minus = "-" if word.startswith("-") else ""
            phrase = word[1:] if minus else word
        pieces = _WORD_RE.findall(phrase)
        if pieces:
            groups[-1][1 if minus else 0].append('"' + " ".join(pieces) + '"')
    alternatives = []
    for wanted, unwanted in groups:
        if not wanted:
            continue
        expression = " AND ".join(wanted)
        if unwanted:
            expression = f"({expression}) NOT ({' OR '.join(unwanted)})"
        alternatives.append(f"({expression})")
    return " OR ".join(alternatives)


class StoredVector(Expression):
    """The ``search_vector`` column PostgreSQL keeps for the queried table (a migration of its app;
    not a model field, since SQLite cannot have it)."""

    def __init__(self) -> None:
        from django.contrib.postgres.search import SearchVectorField

        super().__init__(output_field=SearchVectorField())

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        alias = compiler.query.get_initial_alias()
        return f"{compiler.quote_name_unless_alias(alias)}.search_vector", []


def pg_query(text: str) -> Any:
    from django.contrib.postgres.search import SearchQuery

    return SearchQuery(text, search_type="websearch", config=CONFIG)


def fts_rank(table: str, outer: str, match: str, weights: str = "") -> RawSQL:
    """bm25 of the outer row in ``table`` (negated: higher is better)."""
    return RawSQL(  # noqa: S611 - constant names; the match is a parameter
        f"(SELECT -bm25({table}{weights}) FROM {table} "  # noqa: S608 - constant names
        f'WHERE {table} MATCH %s AND rowid = "{outer}"."id")',
        [match],
        output_field=FloatField(),
    )


def fts_rowids(table: str, match: str) -> RawSQL:
    sql = f"SELECT rowid FROM {table} WHERE {table} MATCH %s"  # noqa: S608 - constant names
    return RawSQL(sql, [match])  # noqa: S611 - the match is a parameter
