"""Work after the response (core.deferred): in a request it runs once the answer has been
sent, in order, on the request's thread; outside one at once; never lost, never raised."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.testing import ApplicationCommunicator
from django.core.signals import request_finished
from django.db import transaction
from django.http import HttpRequest, JsonResponse, StreamingHttpResponse
from django.test import Client, override_settings
from django.urls import path

from core import deferred
from core.asgi import KeptThreadsASGIHandler
from tests.core.test_asgi_threads import http_scope

ran: list[Any] = []
answered = threading.Event()  # the ASGI test's client has the whole answer


def later(request: HttpRequest) -> JsonResponse:
    """Asks for three pieces of work (the second fails) and says what had run by then."""
    deferred.after_response(lambda: ran.append(("first", threading.get_ident())), what="first")
    deferred.after_response(lambda: 1 / 0, what="the failing one")
    deferred.after_response(lambda: ran.append(("third", threading.get_ident())), what="third")
    return JsonResponse({"ran_before_answer": len(ran), "thread": threading.get_ident()})


def waits_for_the_client(request: HttpRequest) -> JsonResponse:
    """Work that can only finish once the client has read the answer."""
    deferred.after_response(lambda: ran.append(answered.wait(10)), what="waiting")
    return JsonResponse({"ok": True})


def committed(request: HttpRequest) -> JsonResponse:
    with transaction.atomic():
        deferred.on_commit_after_response(lambda: ran.append("committed"), what="kept")
    try:
        with transaction.atomic():
            deferred.on_commit_after_response(lambda: ran.append("rolled back"), what="dropped")
            raise RuntimeError
    except RuntimeError:
        pass
    return JsonResponse({"ran_before_answer": len(ran)})


gate = threading.Event()  # holds the view of the cancelled-request test


def held(request: HttpRequest) -> JsonResponse:
    deferred.after_response(lambda: ran.append("held's work"), what="held")
    gate.wait(10)
    return JsonResponse({"ok": True})


def streamed(request: HttpRequest) -> StreamingHttpResponse:
    return StreamingHttpResponse(iter([b"a body nobody reads"]))


urlpatterns = [
    path("streamed/", streamed),
    path("later/", later),
    path("waits/", waits_for_the_client),
    path("committed/", committed),
    path("held/", held),
]


async def wait_until(check: Any, seconds: float = 5.0) -> None:
    for _ in range(int(seconds * 100)):
        if check():
            return
        await asyncio.sleep(0.01)


@pytest.fixture(autouse=True)
def fresh() -> Iterator[None]:
    ran.clear()
    answered.clear()
    gate.set()
    with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"]):
        yield


def test_outside_a_request_the_work_runs_at_once(caplog: pytest.LogCaptureFixture) -> None:
    deferred.after_response(lambda: ran.append(1), what="one")
    assert ran == [1]
    with caplog.at_level(logging.ERROR, logger="core.deferred"):
        deferred.after_response(lambda: 1 / 0, what="dividing")  # logged, not raised
    assert "after the response: dividing failed" in caplog.text


@pytest.mark.django_db
def test_in_a_request_the_work_runs_after_the_view_in_order_on_its_thread(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="core.deferred"):
        response = client.get("/later/")
    assert response.status_code == 200
    body = response.json()
    assert body["ran_before_answer"] == 0
    # The failure of the second is logged and does not stop the third.
    assert ran == [("first", body["thread"]), ("third", body["thread"])]
    assert "after the response: the failing one failed" in caplog.text
    # The request is over: work asked for now runs at once.
    deferred.after_response(lambda: ran.append("after"), what="after")
    assert ran[-1] == "after"


@pytest.mark.django_db(transaction=True)
def test_on_commit_work_waits_for_the_commit_and_the_answer(client: Client) -> None:
    response = client.get("/committed/")
    assert response.json()["ran_before_answer"] == 0
    assert ran == ["committed"]


def test_an_abandoned_request_still_runs_its_work() -> None:
    """A client that goes before its answer: Django sends request_finished without closing
    the response, and the work runs then."""
    deferred.begin_request()
    deferred.after_response(lambda: ran.append("kept"), what="kept")
    assert ran == []
    request_finished.send(sender=None)
    assert ran == ["kept"]


def test_work_a_request_left_runs_before_the_next_request_starts() -> None:
    deferred.begin_request()
    deferred.after_response(lambda: ran.append("left"), what="left")
    deferred.begin_request()  # the next request on this thread; the first was never ended
    assert ran == ["left"]


@pytest.mark.django_db(transaction=True)
async def test_through_the_asgi_handler_the_answer_is_sent_before_the_work_runs() -> None:
    app = KeptThreadsASGIHandler()
    communicator = ApplicationCommunicator(app, http_scope("/waits/"))
    await communicator.send_input({"type": "http.request", "body": b"", "more_body": False})
    # Were the work run before the answer, the answer would wait for it and time out here.
    start = await communicator.receive_output(5)
    body = await communicator.receive_output(5)
    assert start["status"] == 200
    assert json.loads(body["body"]) == {"ok": True}
    assert ran == []
    answered.set()
    await communicator.wait(10)
    await wait_until(lambda: ran)
    assert ran == [True]  # the work ran, and found the answer already read


@pytest.mark.django_db(transaction=True)
async def test_a_request_the_server_cancels_while_its_view_runs_still_runs_its_work() -> None:
    """daphne cancels a request whose client went, or every request when a drain runs out:
    Django then neither closes the response nor signals the end. The work still runs, on
    the request's thread once the view is done, without waiting for another request."""
    app = KeptThreadsASGIHandler()
    gate.clear()
    try:
        communicator = ApplicationCommunicator(app, http_scope("/held/"))
        await communicator.send_input({"type": "http.request", "body": b"", "more_body": False})
        await asyncio.sleep(0.3)  # the view is running, waiting for the gate
        communicator.future.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await communicator.future
        assert ran == []
    finally:
        gate.set()
    await wait_until(lambda: ran)
    assert ran == ["held's work"]


def test_work_asked_for_once_the_view_has_returned_runs_at_once() -> None:
    """A streamed body that is never read keeps its response open: what is asked for after
    the view returned must not wait for that response."""
    pending = deferred.begin_request()
    deferred.after_response(lambda: ran.append("view's"), what="view's")
    deferred.end_of_view(pending)
    deferred.after_response(lambda: ran.append("later"), what="later")
    assert ran == ["later"]
    pending.run()
    assert ran == ["later", "view's"]


class Stop(BaseException):
    pass


@pytest.mark.django_db
def test_after_a_streamed_response_left_unread_later_work_is_not_held(client: Client) -> None:
    """The test client closes a streamed response only once its body is read."""
    response = client.get("/streamed/")
    assert response.status_code == 200
    deferred.after_response(lambda: ran.append("later"), what="later")
    assert ran == ["later"]


def test_a_piece_of_work_stopped_by_a_base_exception_leaves_the_rest_to_run() -> None:
    def stop() -> None:
        raise Stop

    pending = deferred.begin_request()
    deferred.after_response(stop, what="stopping")
    deferred.after_response(lambda: ran.append("rest"), what="rest")
    with pytest.raises(Stop):
        pending.run()
    assert ran == ["rest"]


@pytest.mark.django_db(transaction=True)
async def test_the_async_test_client_closing_on_another_thread_still_runs_the_work() -> None:
    """Django's AsyncClient closes the response on a thread other than the view's: the work
    is the response's to run, not only the thread's."""
    from django.test import AsyncClient

    response = await AsyncClient().get("/later/")
    assert response.json()["ran_before_answer"] == 0
    assert [name for name, _ in ran] == ["first", "third"]
