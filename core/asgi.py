"""Django's ASGI handler, with the threads that run requests' sync code kept between requests.

Django's own handler runs each request in a ``ThreadSensitiveContext()``: the request's sync
middleware and view get a new single-thread executor, so every request starts a thread,
and on the way out starts another one to join it. Starting a thread blocks the event loop
until the new thread holds the GIL. That is cheap on an idle server, but under load the
other threads hold the GIL, and the wait is paid twice per request by the loop that serves
every socket of the process. With a thousand sockets reconnecting while posts come in, a
third of that loop's time went to these waits, and live messages queued behind them.

This handler gives each request a single-thread executor from a free list instead. The
request still has a thread of its own while it runs, so requests run side by side as
before. When it ends, the thread waits for the next request.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import ThreadSensitiveContext
from django.core.handlers.asgi import ASGIHandler
from django.db import close_old_connections

from core import deferred

# Idle request threads kept for later requests; past this, a finished request's thread ends.
KEEP_IDLE = 32


class RequestThreads:
    """Single-thread executors for requests: an idle one if there is one, else a new one."""

    def __init__(self, keep: int = KEEP_IDLE) -> None:
        self.keep = keep
        self.idle: list[ThreadPoolExecutor] = []
        self.lock = threading.Lock()
        self.started = 0
        self.pid = os.getpid()

    def take(self) -> ThreadPoolExecutor:
        if self.pid != os.getpid():
            # A forked child (the browser tests' live server): threads do not survive a
            # fork, so the parent's idle executors would take work and never run it.
            self.__init__(self.keep)  # type: ignore[misc]
        with self.lock:
            if self.idle:
                return self.idle.pop()  # the most recently used: its thread is warm
            self.started += 1
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="request")

    def give_back(self, executor: ThreadPoolExecutor) -> None:
        with self.lock:
            if len(self.idle) < self.keep:
                self.idle.append(executor)
                return
        executor.shutdown(wait=False)  # its thread ends once idle; nothing waits for it


def finish_request() -> None:
    """On the request's thread once it is idle: what a request whose end Django did not
    signal would have left undone. Nothing, for one that ended normally."""
    deferred.request_finished()
    close_old_connections()


class KeptThreadsASGIHandler(ASGIHandler):
    """:class:`ASGIHandler` running each request's sync code on a kept thread (see module)."""

    def __init__(self) -> None:
        super().__init__()
        self.threads = RequestThreads()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        executor = self.threads.take()
        try:
            # The request's thread-sensitive calls all go to this one thread, as with a
            # plain ThreadSensitiveContext().
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        finally:
            # Usually the thread is idle by now. Not when the request was cancelled while
            # its view still ran (daphne cancels a request some seconds after its client
            # went): the view goes on, and Django's end-of-request clean-up was skipped. So
            # the thread is given back only once it is done: then it runs the work the
            # request left for after its response (core.deferred) and closes what the
            # request left open (as that clean-up would), and waits for the next request.
            executor.submit(finish_request).add_done_callback(
                lambda _done: self.threads.give_back(executor)
            )
