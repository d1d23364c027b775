"""The loop sync code sends to a Redis channel layer through (core.realtime._SendLoop):
a send that does not finish is given up after SEND_TIMEOUT_SECONDS, and the loop goes on
serving the next one. (Its use with a real Redis: tests/services/test_channel_layer_send.py.)"""

from __future__ import annotations

import asyncio
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
