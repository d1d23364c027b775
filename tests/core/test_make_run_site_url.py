"""`make run` tells the site the address it is served on, so links in e-mails and calendar
files point there."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _dry_run(*args: str, **env: str) -> str:
    environment = {k: v for k, v in os.environ.items() if k != "SITE_URL"} | env
    result = subprocess.run(
        ["make", "-n", "-C", str(ROOT), "--no-print-directory", "run", *args],
        capture_output=True,
        text=True,
        env=environment,
        check=True,
    )
    return result.stdout


def _site_url(dry_run: str, environment: dict[str, str]) -> str:
    """SITE_URL as the recipe's shell would export it."""
    line = next(line for line in dry_run.splitlines() if "SITE_URL=" in line)
    script = line.strip().rstrip("\\").strip().rstrip(";") + '; printf %s "$SITE_URL"'
    return subprocess.run(
        ["sh", "-c", script], capture_output=True, text=True, env=environment, check=True
    ).stdout


def test_make_run_sets_site_url_from_host_and_port() -> None:
    plain = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
    assert _site_url(_dry_run("PORT=8765"), plain) == "http://127.0.0.1:8765"
    assert _site_url(_dry_run("HOST=localhost", "PORT=9000"), plain) == "http://localhost:9000"
    # A SITE_URL given (behind a proxy, say) wins.
    given = plain | {"SITE_URL": "https://commonplace.example.org"}
    assert _site_url(_dry_run("PORT=8765"), given) == "https://commonplace.example.org"
