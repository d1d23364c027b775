"""Work that follows a request but that its answer need not wait for.

A post's request commits the post, then tells the thread's sockets (a channel-layer send)
and queues the task that tells followers (a Redis transaction or a row): a few
milliseconds of round trips that change nothing in the answer. :func:`after_response`
runs such work once the answer has gone: Django closes a response after its last byte was
handed to the server (``HttpResponseBase.close``, by the ASGI and WSGI handlers and the test
client alike), and the work runs then, in the request's own thread, in the order it was
asked for. Outside a request (a task, a command, a socket's database thread) it runs at
once.

The work is never dropped: a request the client abandons before its answer is still
finished (Django then sends ``request_finished`` without closing the response, and the
work runs on that signal), and work asked for after the request ended runs at once. It
can be lost only with the process itself, as work done after a commit always could.

Failures are logged, never raised: what follows a commit cannot undo it, and the person
who asked has their answer already.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from django.db import transaction

log = logging.getLogger(__name__)


class _Pending:
    """One request's work for after its response."""

    __slots__ = ("done", "work")

    def __init__(self) -> None:
        self.work: list[tuple[Callable[[], Any], str]] = []
        self.done = False

    def run(self) -> None:
        self.done = True
        while self.work:
            fn, what = self.work.pop(0)
            _run(fn, what)


_local = threading.local()


def _run(fn: Callable[[], Any], what: str) -> None:
    try:
        fn()
    except Exception:
        log.exception("after the response: %s failed", what)


def after_response(fn: Callable[[], Any], *, what: str) -> None:
    """Run ``fn`` once the current request's response has been sent, or at once outside a
    request. ``what`` names the work in the log if it fails."""
    pending: _Pending | None = getattr(_local, "pending", None)
    if pending is None or pending.done:
        _run(fn, what)
    else:
        pending.work.append((fn, what))


def on_commit_after_response(fn: Callable[[], Any], *, what: str, using: str | None = None) -> None:
    """Run ``fn`` after the current transaction commits (never if it rolls back) and once
    the request's response has been sent: :func:`after_response` of an on-commit hook."""
    transaction.on_commit(lambda: after_response(fn, what=what), using=using)


def begin_request() -> _Pending:
    """Open the current thread's list of work for after the response (the middleware).

    Work a previous request on this thread left (one whose end was never signalled) runs
    first."""
    stale: _Pending | None = getattr(_local, "pending", None)
    if stale is not None and not stale.done:
        stale.run()
    pending = _local.pending = _Pending()
    return pending


def request_finished(**kwargs: Any) -> None:
    """``request_finished`` receiver: runs what is left of this thread's request's work (an
    abandoned request, whose response is never closed) and closes its list."""
    pending: _Pending | None = getattr(_local, "pending", None)
    if pending is not None:
        _local.pending = None
        pending.run()
