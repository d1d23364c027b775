"""Threads of core.realtime: the loop sync code sends to a Redis channel layer through
(a send that does not finish is given up after SEND_TIMEOUT_SECONDS, and the loop goes on
serving the next one; its use with a real Redis is tests/services/test_channel_layer_send.py),
and the pool the sockets' database checks run in (socket_db)."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from core import realtime


def test_a_send_that_does_not_finish_is_given_up_and_the_loop_serves_the_next(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(realtime, "SEND_TIMEOUT_SECONDS", 0.2)
    sender = realtime._SendLoop()
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        sender.run(lambda: asyncio.sleep(30))
    assert time.monotonic() - started < 5
    done: list[str] = []

    async def record() -> None:
        done.append("sent")

    sender.run(record)
    assert done == ["sent"]


# The pool's threads outlive a test: one that ran a database check earlier in this process
# holds a connection, which the connection check around every call looks at.
@pytest.mark.django_db(transaction=True)
async def test_socket_checks_run_side_by_side_in_the_sockets_threads() -> None:
    """Two checks wait for each other: on channels' one thread the second would never start."""
    both = threading.Barrier(2, timeout=5)

    @realtime.socket_db
    def check() -> str:
        both.wait()
        return threading.current_thread().name

    names = await asyncio.gather(check(), check())
    assert all(name.startswith("socket-db") for name in names)
    assert names[0] != names[1]
