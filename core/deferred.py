"""Work that follows a request but that its answer need not wait for.

A post's request commits the post, then queues the task that tells followers (a Redis
transaction or a row) and stores the post's rendered fragment for later readers: a few
milliseconds of round trips that change nothing in the answer. :func:`after_response`
runs such work once the answer has gone: Django closes a response after its last byte was
handed to the server (``HttpResponseBase.close``, by the ASGI and WSGI handlers and the test
clients alike), and the work runs then, in the order it was asked for, on the thread that
closes the response (the request's own, under the ASGI and WSGI handlers). Outside a
request (a task, a command, a socket's database thread) it runs at once.

Live events are not sent this way (``core.realtime`` sends them at the commit): two posts
committed one after the other must reach the sockets in that order, and two responses can
finish in either.

The work is not dropped when the request ends another way: a request whose client went
before its answer is finished by Django with ``request_finished`` and no close, and one
that the server cancelled is finished by ``core.asgi`` on its thread once the view is done;
the work runs then. Work asked for after the view has returned (by a streamed response's
body, say) runs at once. It is lost only with the process itself, as work done after a
commit always could be.

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
    """One request's work for after its response. It takes work while the request's view
    runs (``open``), and runs it once (``run``)."""

    __slots__ = ("done", "open", "work")

    def __init__(self) -> None:
        self.work: list[tuple[Callable[[], Any], str]] = []
        self.open = True
        self.done = False

    def run(self) -> None:
        self.done = True
        self.open = False
        work, self.work = self.work, []
        stopped: BaseException | None = None
        for fn, what in work:
            try:
                _run(fn, what)
            except BaseException as error:  # not an Exception: a cancellation, an exit
                # The rest still runs; then it goes on up.
                stopped = stopped or error
        if stopped is not None:
            raise stopped


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
    if pending is None or not pending.open:
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
        if stale.work:
            log.warning("after the response: %d left by an earlier request", len(stale.work))
        stale.run()
    pending = _local.pending = _Pending()
    return pending


def end_of_view(pending: _Pending) -> None:
    """The view has returned (the middleware): what is asked for from now on runs at once,
    and what was asked for waits for the response."""
    pending.open = False


def request_finished(**kwargs: Any) -> None:
    """``request_finished`` receiver: runs what is left of this thread's request's work (an
    abandoned request, whose response is never closed) and closes its list."""
    pending: _Pending | None = getattr(_local, "pending", None)
    if pending is not None:
        _local.pending = None
        pending.run()
