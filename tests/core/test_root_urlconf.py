"""The URLconf can be switched from the environment only to the bench's (the site's routes
plus one bare page); any other module is refused before the site starts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _start_with(urlconf: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update({"DJANGO_DEBUG": "1", "ROOT_URLCONF": urlconf})
    script = (
        "import django,os;os.environ['DJANGO_SETTINGS_MODULE']='config.settings';django.setup();"
        "from django.conf import settings;print(settings.ROOT_URLCONF)"
    )
    return subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )


@pytest.mark.parametrize("urlconf", ["config.urls", "bench.urls"])
def test_the_site_and_the_bench_urlconfs_are_accepted(urlconf: str) -> None:
    started = _start_with(urlconf)
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == urlconf


def test_any_other_urlconf_is_refused_with_a_clear_message() -> None:
    started = _start_with("accounts.urls")
    assert started.returncode != 0
    assert "ROOT_URLCONF may only be config.urls or bench.urls" in started.stderr
