"""core.warmup: what `manage.py serve` builds before it listens (the first-request times it
saves are measured in bench/posts.py, whose first post on each server is one)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines
from django.test import override_settings
from django.urls import get_resolver
from django.utils import translation

from core.warmup import warm_up


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
