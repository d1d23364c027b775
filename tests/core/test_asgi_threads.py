"""Requests through the ASGI handler run their sync code on kept threads (core.asgi): one
thread per request while it runs, so requests still run side by side, and no thread started
and joined for each request."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from asgiref.testing import ApplicationCommunicator
from django.http import HttpRequest, JsonResponse
from django.test import override_settings
from django.urls import path

from core.asgi import KeptThreadsASGIHandler, RequestThreads

# Two sync views: one answers with the thread it ran on, one waits for a gate first (so two
# requests can be held open at once).
gate = threading.Event()


def whoami(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"thread": threading.get_ident()})


def held(request: HttpRequest) -> JsonResponse:
    gate.wait(10)
    return JsonResponse({"thread": threading.get_ident()})


urlpatterns = [path("whoami/", whoami), path("held/", held)]


def http_scope(path: str) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }


async def start(app: KeptThreadsASGIHandler, path: str) -> ApplicationCommunicator:
    communicator = ApplicationCommunicator(app, http_scope(path))
    await communicator.send_input({"type": "http.request", "body": b"", "more_body": False})
    return communicator


async def answer(communicator: ApplicationCommunicator) -> tuple[int, int]:
    start = await communicator.receive_output(10)
    body = await communicator.receive_output(10)
    await communicator.wait(10)
    return start["status"], json.loads(body["body"])["thread"]


async def idle_threads(app: KeptThreadsASGIHandler, count: int) -> None:
    """Wait until ``count`` request threads are idle (a thread is given back once it has
    finished, from the thread itself)."""
    for _ in range(200):
        if len(app.threads.idle) == count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{len(app.threads.idle)} idle request threads, not {count}")


@pytest.fixture
def app() -> Iterator[KeptThreadsASGIHandler]:
    with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"]):
        yield KeptThreadsASGIHandler()


@pytest.mark.django_db(transaction=True)
async def test_requests_one_after_another_reuse_one_thread(app: KeptThreadsASGIHandler) -> None:
    seen = set()
    for _ in range(5):
        status, thread = await answer(await start(app, "/whoami/"))
        assert status == 200
        seen.add(thread)
        await idle_threads(app, 1)
    assert len(seen) == 1
    assert app.threads.started == 1
    assert thread != threading.get_ident()  # not on the event loop's thread


@pytest.mark.django_db(transaction=True)
async def test_requests_at_once_each_have_a_thread_of_their_own(
    app: KeptThreadsASGIHandler,
) -> None:
    gate.clear()
    try:
        first = await start(app, "/held/")
        second = await start(app, "/held/")
        # Both held views are running (each blocks its own thread) while a third answers.
        status, third = await answer(await start(app, "/whoami/"))
        assert status == 200
    finally:
        gate.set()
    threads = {third, (await answer(first))[1], (await answer(second))[1]}
    assert len(threads) == 3
    assert app.threads.started == 3
    # The three threads wait for later requests.
    await idle_threads(app, 3)


@pytest.mark.django_db(transaction=True)
async def test_a_request_cancelled_while_its_view_runs_holds_up_no_later_request(
    app: KeptThreadsASGIHandler,
) -> None:
    """daphne cancels a request some seconds after its client went; the view goes on in its
    thread, which must not be handed to the next request until it is done."""
    gate.clear()
    try:
        held = await start(app, "/held/")
        await asyncio.sleep(0.3)  # the view is running, waiting for the gate
        held.future.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await held.wait(5)
        status, _ = await answer(await start(app, "/whoami/"))
        assert status == 200
        assert app.threads.started == 2  # a thread of its own, not the busy one
    finally:
        gate.set()
    # Once the held view has finished, its thread is idle again too.
    await idle_threads(app, 2)


def test_idle_threads_past_the_limit_end() -> None:
    pool = RequestThreads(keep=1)
    a, b = pool.take(), pool.take()
    assert pool.started == 2
    list(a.map(lambda _: None, [0]))  # both threads have started
    list(b.map(lambda _: None, [0]))
    pool.give_back(a)
    pool.give_back(b)  # past the limit: shut down, not kept
    assert pool.idle == [a]
    assert b._shutdown
    assert pool.take() is a


async def test_a_thread_sensitive_call_inside_a_request_runs_on_the_request_thread() -> None:
    """What Django's sync middleware and views rely on: every thread-sensitive call of one
    request goes to the same thread (here two calls made from the request's async code)."""
    from asgiref.sync import ThreadSensitiveContext

    threads = RequestThreads()
    executor = threads.take()
    async with ThreadSensitiveContext(executor=executor):
        one = await sync_to_async(threading.get_ident)()
        two = await sync_to_async(threading.get_ident)()
    threads.give_back(executor)
    assert one == two != threading.get_ident()


def _take_and_run(pool: RequestThreads) -> None:
    """In a forked child: the parent's idle thread does not exist here."""
    import os

    executor = pool.take()
    try:
        ran = executor.submit(lambda: 1).result(timeout=5) == 1
    except Exception:
        ran = False
    os._exit(0 if ran and pool.started == 1 else 1)


def test_a_forked_child_does_not_take_the_parents_idle_threads() -> None:
    """The browser tests' live server is a fork of the test process: an idle executor it
    inherited has no thread, and a request given it would wait for ever."""
    import multiprocessing

    pool = RequestThreads()
    executor = pool.take()
    list(executor.map(lambda _: None, [0]))
    pool.give_back(executor)
    assert pool.idle == [executor]
    child = multiprocessing.get_context("fork").Process(target=_take_and_run, args=(pool,))
    child.start()
    child.join(30)
    assert child.exitcode == 0
