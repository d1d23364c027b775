"""The signing key is never one written in the repository: production sets SECRET_KEY,
`make run` (debug) makes a random key once in a private, git-ignored file and reuses it,
and the test suite draws a fresh one per run."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config.keys import local_secret_key

ROOT = Path(__file__).resolve().parents[2]
# The fallback key that config/settings.py used to carry in plain text: public knowledge.
PUBLISHED_KEY = "django-insecure-development-only-key-never-use-in-production"


def test_local_secret_key_is_created_once_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / ".secret_key"
    first = local_secret_key(path)
    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= 50
    assert path.read_text().strip() == first
    assert local_secret_key(path) == first
    assert local_secret_key(path) == first


def test_each_checkout_gets_its_own_random_key(tmp_path: Path) -> None:
    one = local_secret_key(tmp_path / "a")
    two = local_secret_key(tmp_path / "b")
    assert one != two


def test_an_empty_key_file_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / ".secret_key"
    path.write_text("\n")
    with pytest.raises(ImproperlyConfigured, match="is empty"):
        local_secret_key(path)


def test_an_unwritable_place_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        local_secret_key(tmp_path / "missing-folder" / ".secret_key")


def test_the_suite_signs_with_a_random_key_not_the_published_one() -> None:
    assert settings.SECRET_KEY != PUBLISHED_KEY
    assert len(settings.SECRET_KEY) >= 50


def test_the_local_key_file_is_ignored_by_git() -> None:
    result = subprocess.run(
        ["git", "check-ignore", "-q", ".secret_key"], cwd=ROOT, capture_output=True
    )
    assert result.returncode == 0


def _debug_secret_key(key_file: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.pop("SECRET_KEY", None)
    env.update({"DJANGO_DEBUG": "1", "SECRET_KEY_FILE": str(key_file)})
    script = (
        "import django,os;os.environ['DJANGO_SETTINGS_MODULE']='config.settings';django.setup();"
        "from django.conf import settings;print(settings.SECRET_KEY)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_debug_without_a_key_makes_one_in_the_local_file_and_keeps_it(tmp_path: Path) -> None:
    key_file = tmp_path / ".secret_key"
    first = _debug_secret_key(key_file)
    assert first != PUBLISHED_KEY
    assert key_file.read_text().strip() == first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    # A restart (the next `make run`) signs with the same key, so sessions survive.
    assert _debug_secret_key(key_file) == first
