"""The search-provider registry: one provider per name, and the page merges every
provider's answers by rank, rendering only the page shown."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from django.test import Client
from django.utils.html import format_html

from core import search
from core.search import Hit, Query, Result, marked, register_provider


class Numbers:
    """A provider of n results ranked n, n-1, ... that remembers what it rendered."""

    kinds = {"test.number": "Numbers"}

    def __init__(self, ranks: list[float]) -> None:
        self.ranks = ranks
        self.rendered: list[int] = []

    def find(self, user: Any, query: Query, *, limit: int) -> tuple[int, list[Hit]]:
        hits = [Hit("test.number", i, rank) for i, rank in enumerate(self.ranks)]
        return len(hits), sorted(hits, key=lambda h: -h.rank)[:limit]

    def results(self, user: Any, query: Query, hits: Sequence[Hit]) -> dict[Hit, Result]:
        self.rendered += [hit.key for hit in hits]
        return {
            hit: Result(
                kind=hit.kind,
                title=format_html("number {}", hit.key),
                url=f"/n/{hit.key}/",
                snippet=marked(f"<b>\x02{hit.key}\x03</b>"),
                rank=hit.rank,
            )
            for hit in hits
        }


class Letters(Numbers):
    kinds = {"test.letter": "Letters"}

    def find(self, user: Any, query: Query, *, limit: int) -> tuple[int, list[Hit]]:
        hits = [Hit("test.letter", i, rank) for i, rank in enumerate(self.ranks)]
        return len(hits), sorted(hits, key=lambda h: -h.rank)[:limit]


@pytest.fixture
def only(monkeypatch: pytest.MonkeyPatch):
    def install(**named: Any) -> None:
        monkeypatch.setattr(search, "_providers", dict(named))

    return install


def test_a_name_cannot_be_taken_by_other_code(only) -> None:
    only()
    first = Numbers([1])
    register_provider("numbers", first)
    register_provider("numbers", Numbers([2]))  # the same code again (a reloaded app)
    with pytest.raises(ValueError, match="already registered"):
        register_provider("numbers", Letters([1]))


def test_discussions_registers_its_provider() -> None:
    assert {"discussions.post", "discussions.thread"} <= set(search.kinds())


def test_results_of_every_provider_merge_by_rank(only, member) -> None:
    numbers, letters = Numbers([5, 1, 3]), Letters([4, 2])
    only(numbers=numbers, letters=letters)
    page = search.search(member, Query("anything"), per_page=3)
    assert [(r.kind, r.rank) for r in page.results] == [
        ("test.number", 5),
        ("test.letter", 4),
        ("test.number", 3),
    ]
    assert page.total == 5 and page.num_pages == 2
    assert sorted(numbers.rendered) == [0, 2] and letters.rendered == [0]
    second = search.search(member, Query("anything", page=2), per_page=3)
    assert [r.rank for r in second.results] == [2, 1]
    only_letters = search.search(member, Query("anything", kind="test.letter"), per_page=3)
    assert [r.rank for r in only_letters.results] == [4, 2]


def test_the_page_escapes_everything_but_the_engines_marks(only, member) -> None:
    only(numbers=Numbers([1]))
    client = Client()
    client.force_login(member)
    html = client.get("/search/", {"q": "one"}).content.decode()
    assert '<a href="/n/0/">number 0</a>' in html
    assert "&lt;b&gt;<mark>0</mark>&lt;/b&gt;" in html


def test_a_page_number_out_of_range_or_garbled_still_answers(only, member) -> None:
    only(numbers=Numbers([1]))
    client = Client()
    client.force_login(member)
    for page in ["0", "-3", "abc", "99999999999999999999", "2"]:
        assert client.get("/search/", {"q": "one", "page": page}).status_code == 200
    assert client.get("/search/", {"q": "one", "kind": "nonsense"}).status_code == 200
