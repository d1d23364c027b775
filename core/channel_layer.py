"""The Redis channel layer, reading a process's inbox many messages per Redis round trip.

channels_redis keeps one inbox per process for every socket of the process (a sorted set in
Redis), and reads it one message at a time: for each message, a script that restores an
interrupted read, BZPOPMIN, a copy into a backup set, the backup's clean-up and a hand-over
of the receive lock to the next socket, every one waiting for a turn of the process's event
loop. When the loop is busy (a process taking over a thousand reconnecting sockets spends
tens of seconds on their handshakes), each turn takes a few hundred milliseconds, the inbox
is read a few messages a second while twenty posts a second arrive, and every socket of the
process, the ones that were never disconnected too, falls tens of seconds behind.

:class:`InboxRedisChannelLayer` reads what is waiting in the inbox in one ZPOPMIN of up to
:data:`INBOX_BATCH` messages (BZPOPMIN only when it is empty, to wait for the next one), and
hands them all to their sockets' buffers at once, in order. The read runs as a task of the
layer's own, so a socket that is closed while it waits does not lose what the read brings
for the others. Messages taken out of Redis are only in the process's memory until they are
given to their sockets: if the process dies, they are lost with the sockets they were for,
whose clients reconnect elsewhere and catch up with ``after`` (channels_redis's backup set
covered a read interrupted inside a process that lives on, which the task covers here).
daphne runs one event loop per process; where one layer serves several loops in turn (tests),
a read left waiting on a loop that is then closed takes what it was bringing with it.
"""

from __future__ import annotations

import asyncio
import collections
import logging
from typing import Any

from channels_redis.core import RedisChannelLayer

logger = logging.getLogger(__name__)

# The most messages one read takes out of a process's inbox.
INBOX_BATCH = 200


class InboxRedisChannelLayer(RedisChannelLayer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Read from an inbox and not yet handed out, by inbox ("specific.<process>!").
        self.inbox_read: dict[str, collections.deque[bytes]] = collections.defaultdict(
            collections.deque
        )
        # The read in progress for an inbox, with the loop it runs on.
        self.inbox_reads: dict[str, tuple[asyncio.AbstractEventLoop, asyncio.Task[None]]] = {}

    async def receive_single(self, channel: str) -> tuple[Any, dict[str, Any]]:
        if "!" not in channel:
            return await super().receive_single(channel)  # type: ignore[no-any-return]
        assert self.require_valid_channel_name(channel, receive=True), "Channel name invalid"
        waiting = self.inbox_read[channel]
        ready: list[tuple[Any, dict[str, Any]]] = []
        while not ready:
            while not waiting:
                await asyncio.shield(self._inbox_read_task(channel))
            while waiting:
                content = waiting.popleft()
                try:
                    ready.append(self._unpack(channel, content))
                except Exception:
                    # One message that cannot be read costs only itself, not the others
                    # of the read (an error here would drop the caller's buffered ones).
                    logger.exception("Dropped a message of %s that could not be read", channel)
        # All that was read is handed out now, in order: the last is returned (channels_redis's
        # receive puts it in its sockets' buffers), the others go to theirs the same way
        # here. One turn of the receive lock per read, not one per message: each turn waits
        # for a turn of the event loop.
        for target, message in ready[:-1]:
            for name in target if isinstance(target, list) else [target]:
                self.receive_buffer[name].put_nowait(message)
        return ready[-1]

    def _unpack(self, channel: str, content: bytes) -> tuple[Any, dict[str, Any]]:
        message = self.deserialize(content)
        # A message for several sockets of the process names them all (channels_redis).
        if "__asgi_channel__" in message:
            return message.pop("__asgi_channel__"), message
        return channel, message

    def _inbox_read_task(self, channel: str) -> asyncio.Task[None]:
        """The read in progress for ``channel`` on this loop, or a new one."""
        loop = asyncio.get_running_loop()
        current = self.inbox_reads.get(channel)
        if current is not None and current[0] is loop and not current[1].done():
            return current[1]
        task = loop.create_task(self._read_inbox(channel))
        self.inbox_reads[channel] = (loop, task)
        return task

    async def _read_inbox(self, channel: str) -> None:
        """Take what is waiting (up to INBOX_BATCH), or wait up to ``brpop_timeout`` for the
        next message; oldest first, as channels_redis scores them by the time they were
        sent."""
        key = self.prefix + channel
        connection = self.connection(self.consistent_hash(channel))
        popped = await connection.zpopmin(key, INBOX_BATCH)
        if popped:
            self.inbox_read[channel].extend(member for member, _score in popped)
            return
        first = await connection.bzpopmin(key, timeout=self.brpop_timeout)
        if first is not None:
            self.inbox_read[channel].append(first[1])

    async def _stop_reads(self) -> None:
        """Stop the reads in progress: this loop's are awaited; another loop's (tests run
        one layer on many loops) are cancelled on their own loop if it still runs."""
        here = asyncio.get_running_loop()
        mine = []
        for loop, task in list(self.inbox_reads.values()):
            if loop is here:
                task.cancel()
                mine.append(task)
            elif not loop.is_closed():
                loop.call_soon_threadsafe(task.cancel)
        self.inbox_reads.clear()
        await asyncio.gather(*mine, return_exceptions=True)

    async def flush(self) -> None:
        await self._stop_reads()
        self.inbox_read.clear()
        await super().flush()

    async def close_pools(self) -> None:
        await self._stop_reads()
        await super().close_pools()
