"""The RQ worker class every ``rqworker`` of this project uses (settings ``RQ["WORKER_CLASS"]``
when the task queue is in Redis; README "Background tasks")."""

from __future__ import annotations

from typing import Any

from django.db import close_old_connections
from rq.worker import SimpleWorker


class TaskWorker(SimpleWorker):
    """Runs each task in the worker's own process. RQ's default worker forks a child per
    task, and on a small server the fork costs more CPU than a short task (announcing a
    post) does, on the cores daphne shares. Like a request, each task starts and ends with
    Django's check of the database connections (a broken or expired one is closed, and the
    next query opens a fresh one), so a connection lost between tasks costs one task
    nothing. A task that must not share the process (one that could crash the interpreter)
    does not belong on this queue."""

    def execute_job(self, job: Any, queue: Any) -> None:
        close_old_connections()
        try:
            super().execute_job(job, queue)
        finally:
            close_old_connections()
