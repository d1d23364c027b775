"""The trainings' search provider: the trainings a person may open (the public catalog for
most people), matched word by word in title, description, curriculum and provider name.

The catalog is small (hundreds of trainings, not millions of posts), so this matches with
case-insensitive containment on both databases instead of keeping a full-text index; a
title match ranks above a match elsewhere. Snippets are escaped before ``<mark>`` is added.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.db.models import Q
from django.utils.html import escape
from django.utils.safestring import SafeString

from core.search import START, STOP, Hit, Query, Result, marked
from trainings import permissions
from trainings.models import Training

KIND = "trainings.training"
_WORD = re.compile(r"[^\W_]+")
SNIPPET = 200


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text) if w.lower() != "or"][:8]


def _highlight(text: str, words: list[str]) -> SafeString:
    if not words:
        return marked(text[:SNIPPET])
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    first = pattern.search(text)
    start = max(0, (first.start() if first else 0) - 60)
    window = text[start : start + SNIPPET]
    window = pattern.sub(lambda m: f"{START}{m.group(0)}{STOP}", window)
    return marked(("…" if start else "") + window)


class TrainingsSearch:
    kinds = {KIND: "Trainings"}

    def _matches(self, user: Any, query: Query) -> Any:
        words = _words(query.text)
        if not words or (query.kind and query.kind != KIND) or query.cohort or query.author:
            return None, words
        qs = permissions.trainings_visible_to(user)
        for word in words:
            qs = qs.filter(
                Q(title__icontains=word)
                | Q(description__icontains=word)
                | Q(curriculum__icontains=word)
                | Q(provider__name__icontains=word)
            )
        return qs, words

    def find(self, user: Any, query: Query, *, limit: int) -> tuple[int, list[Hit]]:
        qs, words = self._matches(user, query)
        if qs is None:
            return 0, []
        title_q = Q()
        for word in words:
            title_q &= Q(title__icontains=word)
        in_title = set(qs.filter(title_q).values_list("pk", flat=True)[:limit])
        rows = list(qs.order_by("title", "pk").values_list("pk", flat=True)[: limit * 2])
        rows.sort(key=lambda pk: pk not in in_title)
        hits = [Hit(KIND, pk, 1.0 if pk in in_title else 0.5) for pk in rows[:limit]]
        return qs.count(), hits

    def results(self, user: Any, query: Query, hits: Sequence[Hit]) -> dict[Hit, Result]:
        words = _words(query.text)
        by_pk = {
            t.pk: t
            for t in permissions.trainings_visible_to(user)
            .filter(pk__in=[h.key for h in hits])
            .select_related("provider")
        }
        out: dict[Hit, Result] = {}
        for hit in hits:
            training: Training | None = by_pk.get(hit.key)
            if training is None:
                continue
            out[hit] = Result(
                kind=KIND,
                title=SafeString(escape(training.title)),
                url=training.get_absolute_url(),
                snippet=_highlight(training.description, words),
                rank=hit.rank,
                date=None,
                cohort=training.provider.name,
            )
        return out
