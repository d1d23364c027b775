"""core.warmup: what `manage.py serve` builds before it listens (the first-request times it
saves are measured in bench/posts.py, whose first post on each server is one)."""

from __future__ import annotations

import contextvars
import copy
import logging
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connections
from django.db.utils import load_backend
from django.template import engines
from django.test import override_settings
from django.urls import get_resolver
from django.utils import translation

from core.warmup import open_pools, warm_up


def cached_loader():
    loader = engines["django"].engine.template_loaders[0]
    assert type(loader).__name__ == "Loader" and hasattr(loader, "get_template_cache")
    return loader


def test_templates_are_compiled_and_the_resolver_tables_built_before_any_request() -> None:
    loader = cached_loader()
    loader.reset()
    resolver = get_resolver()
    resolver._reverse_dict.clear()
    resolver._namespace_dict.clear()
    resolver._app_dict.clear()

    done = warm_up()

    shipped = [p for p in (settings.BASE_DIR / "templates").rglob("*") if p.is_file()]
    assert done["templates"] == len(shipped) > 100
    # A post's partial and the thread page are compiled: their first render loads nothing.
    assert {"discussions/_post.html", "discussions/thread.html"} <= set(loader.get_template_cache)
    # The resolver keeps its tables per language: the site's is built.
    with translation.override(settings.LANGUAGE_CODE):
        language = translation.get_language()
    assert language in resolver._reverse_dict
    assert language in resolver._namespace_dict
    assert language in resolver._app_dict
    assert "RedisCache" in done["backends"] or "LocMemCache" in done["backends"]
    assert done["ms"] > 0


def test_a_template_that_does_not_compile_is_logged_and_the_rest_still_compiled(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "fine.html").write_text("<p>{{ name }}</p>")
    (tmp_path / "part").mkdir()
    (tmp_path / "part" / "also_fine.txt").write_text("{% if name %}{{ name }}{% endif %}")
    (tmp_path / "broken.html").write_text("{% if %}never closed")
    templates = [{**settings.TEMPLATES[0], "DIRS": [tmp_path], "APP_DIRS": False}]
    with override_settings(TEMPLATES=templates), caplog.at_level(logging.WARNING, "core.warmup"):
        done = warm_up()
        assert done["templates"] == 2
        assert set(cached_loader().get_template_cache) >= {"fine.html", "part/also_fine.txt"}
    assert [r.getMessage().split(":")[0] for r in caplog.records] == [
        "Template broken.html does not compile"
    ]


def pooled_wrapper(alias: str, **changes: Any) -> Any:
    """A connection to the test database, as the server's own (a pool of its own), apart
    from the connections the tests use."""
    settings_dict = copy.deepcopy(connections["default"].settings_dict)
    if settings_dict["ENGINE"] != "django.db.backends.postgresql":
        pytest.fail("the pool test needs PostgreSQL (make test-services)", pytrace=False)
    settings_dict["CONN_MAX_AGE"] = 0
    settings_dict["OPTIONS"] = {
        **settings_dict.get("OPTIONS", {}),
        "pool": {"min_size": 1, "max_size": 2, "timeout": 2.0},
    }
    settings_dict.update(changes)
    return load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_database_pool_is_opened_with_its_first_connection_left_in_it() -> None:
    wrapper = pooled_wrapper("warm-pool")
    try:
        assert open_pools([wrapper, connections["default"]]) == ["warm-pool pool"]
        assert wrapper.connection is None  # given back ...
        # ... into the pool, which takes it back (and may open a second one, min_size being
        # filled while the first was out) on its own threads.
        deadline = time.monotonic() + 5
        while (stats := wrapper.pool.get_stats())["pool_available"] < stats["pool_size"]:
            assert time.monotonic() < deadline, stats
            time.sleep(0.02)
        assert stats["pool_available"] >= 1
    finally:
        wrapper.close_pool()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_database_out_of_reach_is_logged_and_the_server_still_starts(
    caplog: pytest.LogCaptureFixture,
) -> None:
    wrapper = pooled_wrapper("warm-down", HOST="127.0.0.1", PORT="1")
    try:
        with caplog.at_level(logging.WARNING, "core.warmup"):
            assert open_pools([wrapper]) == []
        ours = [r for r in caplog.records if r.name == "core.warmup"]
        assert [r.getMessage().split(":")[0] for r in ours] == [
            "Database warm-down not reached while warming up"
        ]
    finally:
        wrapper.close_pool()


def test_what_the_warm_up_sets_in_context_locals_stays_out_of_the_callers_context() -> None:
    # In the server's main thread, every socket's task and request copies this context.
    resolver = get_resolver()
    resolver._reverse_dict.clear()  # rebuilt, as in a new process
    before = set(contextvars.copy_context())
    warm_up()
    assert set(contextvars.copy_context()) == before
