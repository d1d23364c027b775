"""The RQ classes every process of this project uses when the task queue is in Redis
(settings ``RQ["WORKER_CLASS"]`` and ``RQ["QUEUE_CLASS"]``; README "Background tasks")."""

from __future__ import annotations

import threading
from typing import Any

from django.db import close_old_connections
from django_rq.queues import DjangoRQ
from redis import Redis
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


_kept: dict[str, tuple[Redis, list[tuple[int, int, int]]]] = {}
_kept_lock = threading.Lock()


def _kept_client(name: str, connection: Redis) -> tuple[Redis, list[tuple[int, int, int]]]:
    """The process's one client for the Redis that queue ``name``'s settings name (queues
    with the same connection settings share it), and the server's version once known.
    django-rq builds a new client, with a new pool, for every queue it hands out, so each
    enqueue opened fresh connections. A queue not in ``RQ_QUEUES`` keeps its own client."""
    from django_rq.connection_utils import filter_connection_params
    from django_rq.settings import QUEUES

    if name not in QUEUES:
        return connection, []
    key = repr(sorted(filter_connection_params(QUEUES[name]).items()))
    with _kept_lock:
        if key not in _kept:
            _kept[key] = (connection, [])
        return _kept[key]


class KeptConnectionQueue(DjangoRQ):
    """django-rq's queue on one Redis client per process and server, asking the server's
    version once per process.

    Without it every ``enqueue`` (one per post, in the request, for the announcement) made
    a new client, opened a connection and sent an ``INFO`` before the job itself: about
    1.3 ms of a post's time. The kept client's pool is thread-safe and reopens its
    connections after a fork, as redis-py's pools do. In an ``rqworker`` the worker's own
    connection is this client too (RQ sets its client name and read timeout on it), and a
    task that queues another task uses it as well."""

    def __init__(
        self, name: str = "default", *args: Any, connection: Redis | None = None, **kwargs: Any
    ) -> None:
        version: list[tuple[int, int, int]] = []
        if connection is not None:
            connection, version = _kept_client(name, connection)
        super().__init__(name, *args, connection=connection, **kwargs)
        self._version = version
        if version:
            self.redis_server_version = version[0]

    def get_redis_server_version(self) -> tuple[int, int, int]:
        found = super().get_redis_server_version()
        if not self._version:
            self._version.append(found)
        return found
