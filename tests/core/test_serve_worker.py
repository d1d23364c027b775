"""`manage.py serve --with-worker` (make run) runs one task worker and stops it with itself."""

from __future__ import annotations

import signal
import sys
import time
from typing import Any

from core.management.commands.serve import task_worker, worker_command


def test_the_worker_is_the_database_worker_by_default_and_rqworker_with_redis(
    settings: Any,
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert worker_command()[-2:] == ["db_worker", "--no-reload"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    assert worker_command()[-3:] == ["rqworker", "default", "--with-scheduler"]


def test_the_worker_runs_beside_the_server_and_stops_with_it(
    settings: Any, monkeypatch: Any
) -> None:
    # A stand-in for the worker that only stops when told to, so the test sees the stop.
    stubborn = "import signal, time; signal.signal(signal.SIGINT, signal.SIG_IGN); time.sleep(60)"
    monkeypatch.setattr(
        "core.management.commands.serve.worker_command", lambda: [sys.executable, "-c", stubborn]
    )
    with task_worker(stop_after=5) as worker:
        time.sleep(0.3)
        assert worker.poll() is None  # running while the server runs
    assert worker.returncode == -signal.SIGTERM  # stopped on the way out, no orphan


def test_a_worker_that_ignores_the_stop_is_killed(monkeypatch: Any) -> None:
    deaf = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"
    monkeypatch.setattr(
        "core.management.commands.serve.worker_command", lambda: [sys.executable, "-c", deaf]
    )
    started = time.monotonic()
    with task_worker(stop_after=0.5) as worker:
        time.sleep(0.3)
    assert worker.returncode == -signal.SIGKILL
    assert time.monotonic() - started < 5
