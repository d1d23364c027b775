#!/usr/bin/env python
"""Live path bench: posts, pages and many small threads on two servers, one of them lost.

Measures the post request against a bare GET, the thread page against a bare page, many
small threads against a bare relay, a server lost mid-run, and load without harm.

Run by ``make bench`` (after the discussions bench, see bench/run.py; ``--no-live`` skips
it) or on its own with DATABASE_URL (PostgreSQL) and REDIS_URL set, both local. What each
scenario does and how to read its figures: bench/README.md, "Live path bench".
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import os
import platform
import random
import re
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from posts import World, count_queries, grow_thread, requests_per_second, serving, write
from run import (
    HOST,
    ROOT,
    BenchDatabase,
    Server,
    delete_redis_keys,
    free_port,
    own_cpu_seconds,
    setup_django,
    summary_ms,
)

BENCH_DB = "commonplace_bench_live"
# The browser client (static/js/realtime.js) stops on these close codes, reconnects on others.
STOP_CODES = {4401, 4409}
CLOSE_FLOOD = 4429
OPEN_TRIES = 4  # tries to open a socket the first time before it is left out
POST_ID = re.compile(r'"post":\{"id":(\d+)')
POST_BODY = "listening before acting, and asking who is not in the room yet. " * 6


class LiveDatabase(BenchDatabase):
    """The bench database of this script, so it never collides with bench/posts.py's."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = urlunsplit(urlsplit(url)._replace(path=f"/{BENCH_DB}"))

    def create(self) -> None:
        self.drop()
        self._execute(f'CREATE DATABASE "{BENCH_DB}"')

    def drop(self) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')


# --- arguments ------------------------------------------------------------------------------
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add = parser.add_argument
    add("--name", default="live", help="prefix of the result file")
    add("--sockets", type=int, default=2000, help="sockets in the many-threads scenario")
    add("--threads", type=int, default=150, help="threads the sockets are spread over")
    add("--min-subscribers", type=int, default=8, help="fewest sockets on one thread")
    add("--max-subscribers", type=int, default=17, help="most sockets on one thread")
    add("--cohorts", type=int, default=5, help="cohorts the threads and people belong to")
    add("--people", type=int, default=300, help="people whose sockets listen")
    add("--writers", type=int, default=10, help="API accounts that post (throttle is per user)")
    add(
        "--writer-concurrency",
        type=int,
        default=32,
        help="posts in flight at most (open loop: posts do not wait for earlier answers)",
    )
    add("--rate", type=float, default=20.0, help="posts per second across threads")
    add("--seconds", type=float, default=60.0, help="length of the posting window")
    add(
        "--stop-at",
        type=float,
        default=30.0,
        help="seconds into the window when server B is stopped (0: never)",
    )
    add("--no-graceful", action="store_true", help="skip the SIGTERM run after the SIGKILL one")
    add(
        "--all-on-a",
        action="store_true",
        help="every socket's home is server A (what one process holding them all costs)",
    )
    add("--no-relay", action="store_true", help="skip the bare relay run")
    add("--samples", type=int, default=200, help="POSTs and GETs each in the request scenario")
    add("--page-posts", type=int, default=50, help="posts on the measured thread page")
    add("--page-seconds", type=float, default=5.0, help="requests/s loop length per page")
    add("--page-requests", type=int, default=500, help="requests/s loop bound per page")
    add("--page-concurrency", type=int, default=4)
    add("--probe-rate", type=float, default=1.0, help="thread page GETs per second under load")
    add("--flood-frames", type=int, default=600, help="frames the flooding socket sends")
    add("--throttle-concurrency", type=int, default=8, help="connections of the API flood")
    add("--connect-concurrency", type=int, default=50, help="sockets opening at once")
    add(
        "--drain-seconds",
        type=float,
        default=45.0,
        help="after the window, wait at most this long for late arrivals and catch-ups",
    )
    add("--seed", type=int, default=14)
    add("--time-limit", type=float, default=2400.0, help="hard limit for the whole run")
    args = parser.parse_args(argv)
    if not 2 <= args.threads <= 1000 or not 1 <= args.min_subscribers <= args.max_subscribers:
        parser.error("--threads 2..1000 and 1 <= --min-subscribers <= --max-subscribers")
    low, high = args.threads * args.min_subscribers, args.threads * args.max_subscribers
    if not low <= args.sockets <= high:
        parser.error("--sockets must lie between threads x min and threads x max subscribers")
    if args.sockets > 5000 or not 1 <= args.cohorts <= 20:
        parser.error("--sockets up to 5000, --cohorts 1..20")
    per_cohort = args.people // args.cohorts
    if per_cohort < args.max_subscribers or per_cohort + args.writers + 3 > 200:
        parser.error("--people / --cohorts must be >= --max-subscribers and leave room (200)")
    if not 0 < args.rate <= 100 or not 1 <= args.seconds <= 600 or args.stop_at >= args.seconds:
        parser.error("--rate 0..100, --seconds 1..600, --stop-at below --seconds")
    if args.rate / args.writers > 10:
        # The API's per-user throttle (1200/min by default): each writer stays well under it.
        parser.error("--rate / --writers must be at most 10 posts/s per writer")
    if not 1 <= args.samples <= 1000 or not 1 <= args.page_posts <= 1000:
        parser.error("--samples 1..1000, --page-posts 1..1000")
    return args


def subscriber_counts(args: argparse.Namespace, rng: random.Random) -> list[int]:
    """Random thread sizes between the bounds that sum exactly to ``--sockets``."""
    sizes = [args.min_subscribers] * args.threads
    open_ = list(range(args.threads))
    for _ in range(args.sockets - sum(sizes)):
        i = rng.choice(open_)
        sizes[i] += 1
        if sizes[i] == args.max_subscribers:
            open_.remove(i)
    return sizes


# --- world ----------------------------------------------------------------------------------
@dataclass
class LiveWorld:
    thread_ids: list[int]  # the small threads, in order
    sessions: list[str]  # one login session per person
    plan: list[tuple[int, int]]  # per socket: (thread id, person index)
    writer_tokens: list[str]
    timer_token: str  # the account of the POST-vs-GET scenario
    throttle_token: str  # the account that exceeds the API throttle
    throttle_user_id: int
    flood_session: str  # the person whose extra socket floods frames
    post_thread_id: int  # where the POST-vs-GET scenario posts (nobody listens)
    page: World  # the 50-post thread and the reader who opens it (posts.py's helpers)


def build_world(args: argparse.Namespace) -> LiveWorld:
    """Cohorts, people, writers and threads, made through the real services."""
    import io

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from accounts.roles import PlatformRole
    from accounts.services import role_grant, user_create_verified
    from cohorts import services as cs
    from cohorts.models import Cohort, CohortReview, Membership
    from competencies.models import Framework
    from discussions.services import thread_create

    rng = random.Random(args.seed)
    call_command("import_framework", stdout=io.StringIO())
    area = Framework.objects.get(slug="cep").areas.order_by("order").first()

    def person(email: str, name: str) -> Any:
        # No password (unusable): hashing hundreds of them would dominate the set-up.
        user, _ = user_create_verified(email=email, password=None, name=name)  # type: ignore[arg-type]
        return user

    staff = person("live-staff@example.org", "Live Staff")
    role_grant(user=staff, role=PlatformRole.PROGRAM_STAFF)
    people = [person(f"live-person-{i}@example.org", f"Person {i}") for i in range(args.people)]
    writers = [person(f"live-writer-{i}@example.org", f"Writer {i}") for i in range(args.writers)]
    timer = person("live-timer@example.org", "Live Timer")
    throttled = person("live-throttled@example.org", "Live Throttled")
    cohorts = []
    for c in range(args.cohorts):
        facilitator = person(f"live-facilitator-{c}@example.org", f"Facilitator {c}")
        cohort = cs.cohort_propose(
            by=facilitator,
            title=f"Live cohort {c}",
            areas=[area],
            description="A cohort for the live bench.",
            term_start=date(2031, 9, 1),
            term_end=date(2031, 12, 15),
            cadence="Weekly",
            time_zone="UTC",
            capacity=200,
            join_policy=Cohort.JoinPolicy.OPEN,
            listed=True,
            design_knowledge="Members share practice stories.",
            design_learning="Facilitators learn too.",
            design_identities="Many ways to share.",
            design_democratic="Members shape the agenda.",
        )
        cs.cohort_submit(cohort=cohort, by=facilitator)
        cs.cohort_review(
            cohort=cohort,
            reviewer=staff,
            decision="approve",
            message="Approved for the bench.",
            judgements={name: ("met", "Fine.") for name, _ in CohortReview.CRITERIA},
        )
        members = [p for i, p in enumerate(people) if i % args.cohorts == c] + writers
        if c == 0:
            members += [timer, throttled]
        for user in members:
            membership = cs.membership_join(cohort=cohort, user=user)
            if membership.status != Membership.Status.ACTIVE:
                raise RuntimeError(f"membership of {user.email} is {membership.status}")
        cohorts.append(cohort)

    threads = [
        thread_create(
            cohort=cohorts[t % args.cohorts],
            author=writers[t % args.writers],
            title=f"Small group {t}",
            body="Opening",
        )
        for t in range(args.threads)
    ]
    post_thread = thread_create(cohort=cohorts[0], author=timer, title="Timing", body="Opening")
    page_thread = thread_create(cohort=cohorts[0], author=timer, title="Page", body="Opening")

    sessions = []
    for user in people:
        client = Client(HTTP_HOST=HOST)
        client.force_login(user)
        sessions.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    plan: list[tuple[int, int]] = []
    for t, size in enumerate(subscriber_counts(args, rng)):
        members = [i for i in range(args.people) if i % args.cohorts == t % args.cohorts]
        plan += [(threads[t].pk, i) for i in rng.sample(members, size)]
    rng.shuffle(plan)  # so each server holds sockets of every thread
    reader = people[0]
    world = LiveWorld(
        thread_ids=[t.pk for t in threads],
        sessions=sessions,
        plan=plan,
        writer_tokens=[Token.objects.create(user=w).key for w in writers],
        timer_token=Token.objects.create(user=timer).key,
        throttle_token=Token.objects.create(user=throttled).key,
        throttle_user_id=throttled.pk,
        flood_session=sessions[1 % len(sessions)],
        post_thread_id=post_thread.pk,
        page=World(
            cohort_slug=cohorts[0].slug,
            thread_id=page_thread.pk,
            volume_thread_id=page_thread.pk,
            reader_id=reader.pk,
            writer_id=timer.pk,
            session_key=sessions[0],
            token="",
        ),
    )
    connections.close_all()
    return world


# --- /proc --------------------------------------------------------------------------------
RSS_EVERY_SECONDS = 5.0


def rss_kib(server: Server) -> int | None:
    """VmRSS of a server process (Linux), None once it has gone."""
    if server.process is None or server.process.poll() is not None:
        return None
    try:
        for line in Path(f"/proc/{server.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def error_excerpts(server: Server, limit: int = 3, size: int = 1500) -> list[str]:
    """The first few error reports (tracebacks) in a server's log."""
    try:
        text = server.log_path.read_text(errors="replace")
    except OSError:
        return []
    found = []
    for match in re.finditer(r"^.*(ERROR|Traceback).*$", text, re.MULTILINE):
        if found and match.start() < found[-1][1]:
            continue
        found.append((match.start(), match.start() + size))
        if len(found) == limit:
            break
    return [text[a:b] for a, b in found]


# --- HTTP -----------------------------------------------------------------------------------
class Http:
    """Keep-alive connections to each server, reopened after a failure."""

    def __init__(self, servers: list[Server]) -> None:
        self.servers = servers
        self.conns: dict[str, http.client.HTTPConnection] = {}

    def call(
        self,
        server: Server,
        method: str,
        path: str,
        *,
        token: str | None = None,
        cookie: str | None = None,
        body: dict[str, Any] | None = None,
    ) -> tuple[int, bytes]:
        conn = self.conns.get(server.name)
        if conn is None:
            conn = http.client.HTTPConnection(HOST, server.port, timeout=30)
            self.conns[server.name] = conn
        headers = {"Host": f"{HOST}:{server.port}", "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Token {token}"
        if cookie:
            headers["Cookie"] = f"sessionid={cookie}"
        data = None
        if body is not None:
            data = json.dumps(body)
            headers["Content-Type"] = "application/json"
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException):
            conn.close()
            self.conns.pop(server.name, None)
            raise

    def close(self) -> None:
        for conn in self.conns.values():
            conn.close()


# --- scenario 1: the post request against a bare authenticated GET --------------------------
def post_vs_get(servers: list[Server], world: LiveWorld, args: argparse.Namespace) -> dict:
    """Sequential, interleaved: per round one GET /api/v1/me/ and one POST (order alternating),
    the same token, alternating servers."""
    client = Http(servers)
    times: dict[str, list[float]] = {"post": [], "get": []}
    statuses: dict[str, dict[str, int]] = {"post": {}, "get": {}}
    path = f"/api/v1/threads/{world.post_thread_id}/posts/"
    try:
        for i in range(args.samples):
            server = servers[i % len(servers)]
            for kind in ("get", "post") if i % 2 == 0 else ("post", "get"):
                started = time.perf_counter()
                if kind == "get":
                    status, _ = client.call(server, "GET", "/api/v1/me/", token=world.timer_token)
                else:
                    body = {"body": f"Timing post {i}: {POST_BODY}"}
                    token = world.timer_token
                    status, _ = client.call(server, "POST", path, token=token, body=body)
                times[kind].append(time.perf_counter() - started)
                statuses[kind][str(status)] = statuses[kind].get(str(status), 0) + 1
    finally:
        client.close()
    post, get = summary_ms(times["post"]), summary_ms(times["get"])
    return {
        "post": {"path": "POST /api/v1/threads/{id}/posts/", **post, "statuses": statuses["post"]},
        "get": {"path": "GET /api/v1/me/", **get, "statuses": statuses["get"]},
        "ratio_p50": round(post["p50_ms"] / get["p50_ms"], 2),
        "ratio_p99": round(post["p99_ms"] / get["p99_ms"], 2),
        "goal_ratio_p50": 2.0,
    }


# --- scenario 2: the thread page against a bare page -----------------------------------------
def pages(servers: list[Server], world: LiveWorld, args: argparse.Namespace) -> dict:
    posts = grow_thread(world.page, args.page_posts)
    thread_path = f"/cohorts/{world.page.cohort_slug}/threads/{world.page.thread_id}/"
    result: dict[str, Any] = {"posts_in_thread": posts}
    for name, path in (("thread_page", thread_path), ("bare_page", "/bench/bare/")):
        result[name] = {
            "path": path,
            **count_queries(path, world.page),
            "http": requests_per_second(servers[0], path, world.page, args),
        }
    page, bare = result["thread_page"]["http"], result["bare_page"]["http"]
    result["ratio_requests_per_second"] = round(
        page["requests_per_second"] / bare["requests_per_second"], 2
    )
    result["ratio_p50"] = round(page["latency"]["p50_ms"] / bare["latency"]["p50_ms"], 2)
    result["ratio_p99"] = round(page["latency"]["p99_ms"] / bare["latency"]["p99_ms"], 2)
    return result


# --- scenarios 3-5: many small threads ----------------------------------------------------------
@dataclass
class Sock:
    index: int
    thread: int
    session: str | None
    home: int  # index of the server it opens on first
    after: int = 0
    seen: dict[int, list[float]] = field(default_factory=dict)  # post id -> [first wall, count]
    newest: int = 0
    server: str = ""
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    failed: bool = False  # the first connection could not be opened
    open_failures: list[str] = field(default_factory=list)  # why first tries failed
    lost: int = 0  # connections lost while the run went on
    attempts: int = 0  # reconnect attempts (connection tries after a loss)
    reconnects: int = 0  # reconnections that opened
    recovered: float | None = None  # seconds from the stop to "subscribed" after catch-up
    closes: list[int] = field(default_factory=list)
    errors: int = 0
    other: int = 0
    ws: Any = None


@dataclass
class RunState:
    servers: list[Server]
    kind: str  # "project" or "relay"
    limit: asyncio.Semaphore
    stopping: bool = False
    stopped_at: float | None = None  # monotonic time the server was signalled
    last_frame: float = 0.0
    reconnect_errors: dict[str, int] = field(default_factory=dict)  # failed reconnections
    refused: set[str] = field(default_factory=set)  # servers that refused a connection


def backoff(attempt: int, minimum: float = 0.0) -> float:
    """static/js/realtime.js: exponential with jitter, 0.5-1 s first, capped at 30 s."""
    ceiling = min(30.0, 0.5 * 2 ** min(attempt, 6))
    return max(minimum, ceiling / 2 + random.random() * ceiling / 2)


def next_server(state: RunState, current: int) -> int:
    """The next server in turn, passing over one that has refused a connection, as a load
    balancer that has marked it down would (all refused: plain turn)."""
    count = len(state.servers)
    for step in range(1, count + 1):
        candidate = (current + step) % count
        if state.servers[candidate].name not in state.refused:
            return candidate
    return (current + 1) % count


def sock_url(state: RunState, server: Server, sock: Sock) -> str:
    if state.kind == "relay":
        return f"{server.ws_url}?group=bench.relay.{sock.thread}"
    return server.ws_url


async def read_frames(sock: Sock, ws: Any, state: RunState) -> int:
    """Record arrivals until the socket closes; returns the close code. Only the post id is
    parsed out of a post frame (a regex, json.loads as a fallback)."""
    from websockets.exceptions import ConnectionClosed

    try:
        async for raw in ws:
            wall = time.time()
            state.last_frame = time.monotonic()
            if raw.startswith('{"type":"post.created"'):
                match = POST_ID.search(raw, 0, 200)
                post_id = int(match.group(1)) if match else int(json.loads(raw)["post"]["id"])
                entry = sock.seen.get(post_id)
                if entry is None:
                    sock.seen[post_id] = [wall, 1]
                    sock.newest = max(sock.newest, post_id)
                else:
                    entry[1] += 1
            elif raw.startswith('{"type":"subscribed"'):
                if sock.lost and sock.recovered is None and state.stopped_at is not None:
                    sock.recovered = time.monotonic() - state.stopped_at
                sock.ready.set()
            elif raw.startswith('{"type":"error"'):
                sock.errors += 1
            else:
                sock.other += 1  # presence
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else 1006
    return ws.close_code or 1000


async def keep_open(sock: Sock, state: RunState) -> None:
    """One socket as the browser client keeps it: open, subscribe (after = the newest post
    seen), read; on a close (other than 4401/4409) wait with back-off and reconnect, to the
    next server in turn, and resubscribe from the newest id seen."""
    from websockets.asyncio.client import connect

    servers, target, attempt, first = state.servers, sock.home, 0, True
    headers = {"Cookie": f"sessionid={sock.session}"} if sock.session else {}
    while not state.stopping:
        server = servers[target]
        try:
            opening = connect(
                sock_url(state, server, sock),
                origin=server.origin,  # type: ignore[arg-type]
                additional_headers=headers,
                open_timeout=30,
                ping_interval=None,
                compression=None,
                max_queue=None,
            )
            if first:
                async with state.limit:
                    ws = await opening
            else:
                ws = await opening
        except Exception as exc:
            if first:
                # The first opening, under the semaphore: retried a few times (as a browser
                # would), then the socket is left out of the counts and reported.
                sock.open_failures.append(f"{type(exc).__name__}: {exc}"[:160])
                if len(sock.open_failures) >= OPEN_TRIES:
                    sock.failed = True
                    sock.ready.set()
                    return
                await asyncio.sleep(backoff(len(sock.open_failures)))
                continue
            attempt += 1
            sock.attempts += 1
            reason = type(exc).__name__
            state.reconnect_errors[reason] = state.reconnect_errors.get(reason, 0) + 1
            await asyncio.sleep(backoff(attempt))
            if isinstance(exc, ConnectionRefusedError):
                state.refused.add(server.name)
            target = next_server(state, target)
            continue
        sock.ws, sock.server, attempt = ws, server.name, 0
        if not first:
            sock.reconnects += 1
        if state.kind == "project":
            after = sock.newest or sock.after
            await ws.send(json.dumps({"type": "subscribe", "thread": sock.thread, "after": after}))
        else:
            sock.ready.set()
        first = False
        code = await read_frames(sock, ws, state)
        sock.closes.append(code)
        if state.stopping or code in STOP_CODES:
            return
        sock.lost += 1
        attempt += 1
        sock.attempts += 1
        await asyncio.sleep(backoff(attempt, 10.0 if code == CLOSE_FLOOD else 0.0))
        target = next_server(state, target)


async def settle(state: RunState, quiet: float = 1.0, limit: float = 60.0) -> float:
    """Wait until no frame has arrived for ``quiet`` seconds (presence after subscribing)."""
    started = time.monotonic()
    while time.monotonic() - started < limit and time.monotonic() - state.last_frame < quiet:
        await asyncio.sleep(0.1)
    return time.monotonic() - started


@dataclass
class Schedule:
    """Which thread each post of the window goes to, and when (steady rate)."""

    start: float  # perf_counter
    rate: float
    threads: list[int]
    sent: list[dict[str, Any]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    lateness: list[float] = field(default_factory=list)
    retried: int = 0
    down: set[str] = field(default_factory=set)  # servers a writer found gone
    lock: threading.Lock = field(default_factory=threading.Lock)
    done: float = 0.0

    def wait_for(self, k: int) -> None:
        delay = self.start + k / self.rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        with self.lock:
            self.lateness.append(max(0.0, -delay))


def api_post(
    k: int, servers: list[Server], world: LiveWorld, schedule: Schedule, local: threading.local
) -> None:
    """Post k of the window, by writer k % writers, through POST /api/v1/threads/{id}/posts/
    on alternating servers. A server that fails is marked down and the post is retried on
    the next one with the same client_id (the API makes that idempotent)."""
    if not hasattr(local, "client"):
        local.client = Http(servers)
    client: Http = local.client
    token = world.writer_tokens[k % len(world.writer_tokens)]
    thread_id = schedule.threads[k]
    body = {"body": f"Live post {k}: {POST_BODY}", "client_id": str(uuid.uuid4())}
    path = f"/api/v1/threads/{thread_id}/posts/"
    requested, outcome = time.time(), "no server answered"
    for attempt in range(len(servers) + 1):
        up = [s for s in servers if s.name not in schedule.down] or servers
        server = up[(k + attempt) % len(up)]
        try:
            status, data = client.call(server, "POST", path, token=token, body=body)
        except (OSError, http.client.HTTPException) as exc:
            schedule.down.add(server.name)
            outcome = f"{server.name}: {exc!r}"
            continue
        if status in (200, 201):
            post = json.loads(data)
            with schedule.lock:
                schedule.retried += attempt > 0
                schedule.sent.append(
                    {
                        "id": int(post["id"]),
                        "thread": thread_id,
                        "request": requested,
                        "response": time.time(),
                        "via": server.name,
                    }
                )
            return
        outcome = f"{server.name}: HTTP {status} {data[:200]!r}"
        break
    with schedule.lock:
        schedule.failures.append(outcome)


def api_writers(
    servers: list[Server], world: LiveWorld, schedule: Schedule, concurrency: int
) -> None:
    """Open loop: post k is sent at start + k / rate whatever the answers to the earlier ones
    (people do not wait for each other), by a pool of ``concurrency`` threads. Only when
    every thread is busy does a post start late (``start_lateness``)."""
    local = threading.local()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for k in range(len(schedule.threads)):
            schedule.wait_for(k)
            pool.submit(api_post, k, servers, world, schedule, local)
        # Each thread closes its connections when the pool shuts down.
    schedule.done = time.perf_counter()


def relay_writer(schedule: Schedule, payload: dict[str, Any]) -> None:
    """group_send a real post's payload (ids from 10,000,000) to each thread's relay group,
    on the same schedule, from one event loop in this thread."""
    from channels.layers import get_channel_layer

    from core.realtime import encode

    async def publish_all() -> None:
        layer = get_channel_layer()
        for k, thread_id in enumerate(schedule.threads):
            delay = schedule.start + k / schedule.rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            schedule.lateness.append(max(0.0, -delay))
            post_id = 10_000_000 + k
            text = encode({"type": "post.created", "post": {**payload, "id": post_id}})
            requested = time.time()
            try:
                await layer.group_send(
                    f"bench.relay.{thread_id}", {"type": "relay.message", "text": text}
                )
            except Exception as exc:
                schedule.failures.append(repr(exc))
                continue
            schedule.sent.append(
                {"id": post_id, "thread": thread_id, "request": requested, "response": time.time()}
            )

    asyncio.run(publish_all())


def page_probe(servers: list[Server], world: LiveWorld, rate: float, stop: threading.Event) -> dict:
    """GET the thread page at ``rate``/s as a reader, alternating servers; a server that
    fails is skipped from then on."""
    client = Http(servers)
    path = f"/cohorts/{world.page.cohort_slug}/threads/{world.page.thread_id}/"
    times: list[float] = []
    statuses: dict[str, int] = {}
    down: set[str] = set()
    n = 0
    try:
        while not stop.is_set():
            up = [s for s in servers if s.name not in down] or servers
            server = up[n % len(up)]
            n += 1
            started = time.perf_counter()
            try:
                status, _ = client.call(server, "GET", path, cookie=world.page.session_key)
                times.append(time.perf_counter() - started)
                key = str(status)
            except (OSError, http.client.HTTPException):
                down.add(server.name)
                key = "connection_error"
            statuses[key] = statuses.get(key, 0) + 1
            stop.wait(max(0.0, 1 / rate - (time.perf_counter() - started)))
    finally:
        client.close()
    return {"path": path, "rate_per_second": rate, **summary_ms(times), "statuses": statuses}


def throttle_probe(server: Server, world: LiveWorld, concurrency: int) -> dict:
    """One API user sends GET /api/v1/me/ over ``concurrency`` connections, back to back,
    until it is throttled (429), bounded by the configured rate plus 50. Concurrency, so
    that the rate is exceeded within the throttle's window even on a slow server."""
    from django.conf import settings

    from core.throttles import BUCKETS, UserThrottle

    rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["user"]
    allowed = int(rate.split("/")[0])
    # Start from empty counters (an earlier run of this bench used the same account).
    throttle = UserThrottle()
    base = throttle.cache_format % {"scope": "user", "ident": world.throttle_user_id}
    width = throttle.duration / BUCKETS
    bucket = int(throttle.timer() // width)
    # The counters of the last period and of the next two (the probe lasts well under that).
    windows = [f"{base}:b{b}" for b in range(bucket - BUCKETS, bucket + 2 * BUCKETS + 1)]
    throttle.cache.delete_many(windows)
    statuses: dict[str, int] = {}
    lock = threading.Lock()
    numbers = iter(range(1, allowed + 51))
    first_429: list[int] = []

    def flood() -> None:
        client = Http([server])
        try:
            while not first_429:
                with lock:
                    n = next(numbers, None)
                if n is None:
                    return
                try:
                    status, _ = client.call(
                        server, "GET", "/api/v1/me/", token=world.throttle_token
                    )
                    answer = str(status)
                except (OSError, http.client.HTTPException):
                    answer = "connection_error"
                with lock:
                    statuses[answer] = statuses.get(answer, 0) + 1
                    if answer == "429" and not first_429:
                        first_429.append(sum(statuses.values()))
        finally:
            client.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=flood) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # What the throttle counted: fewer than the requests answered would mean concurrent
    # requests were lost from the count.
    recorded = sum(throttle.cache.get_many(windows).values())
    throttle.cache.delete_many(windows)
    return {
        "configured_rate": rate,
        "concurrency": concurrency,
        "requests_counted": recorded,
        "requests": sum(statuses.values()),
        "first_429_at_request": first_429[0] if first_429 else None,
        "held": bool(first_429),
        "seconds": round(time.perf_counter() - started, 2),
        "requests_per_second": round(sum(statuses.values()) / (time.perf_counter() - started), 1),
        "statuses": statuses,
        "server": server.name,
    }


async def flood_probe(server: Server, session: str, frames: int) -> dict:
    """One socket sends ``frames`` pings back to back: past the burst it must get
    ``rate_limited`` errors, then be closed with 4429."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    pongs = limited = 0
    code = None
    sent = 0
    async with connect(
        server.ws_url,
        origin=server.origin,  # type: ignore[arg-type]
        additional_headers={"Cookie": f"sessionid={session}"},
        ping_interval=None,
        compression=None,
    ) as ws:
        try:
            for _ in range(frames):
                await ws.send('{"type":"ping"}')
                sent += 1
        except ConnectionClosed:
            pass
        try:
            while True:
                raw = await asyncio.wait_for(ws.recv(), 10)
                if '"pong"' in raw:
                    pongs += 1
                elif '"rate_limited"' in raw:
                    limited += 1
        except ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd else 1006
        except TimeoutError:
            code = None
    return {
        "server": server.name,
        "frames_sent": sent,
        "pongs": pongs,
        "rate_limited_errors": limited,
        "close_code": code,
        "held": limited > 0 and code == CLOSE_FLOOD,
    }


def cpu_of(servers: list[Server]) -> dict[str, float]:
    return {s.name: s.cpu() for s in servers}


async def many_threads(
    servers: list[Server],
    world: LiveWorld,
    args: argparse.Namespace,
    *,
    kind: str,
    stop_signal: int | None,
    payload: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Scenario 3 (and 4 and 5 on the project servers): open every socket, subscribe, post at
    a steady rate across threads for the window, optionally stop server B part-way, drain,
    and count."""
    from django.db import connections

    from discussions.models import Thread

    rng = random.Random(args.seed + 1)
    state = RunState(servers=servers, kind=kind, limit=asyncio.Semaphore(args.connect_concurrency))
    lasts: dict[int, int] = {}
    if kind == "project":

        def newest_posts() -> dict[int, int]:
            try:
                rows = Thread.objects.filter(pk__in=world.thread_ids)
                return {pk: last or 0 for pk, last in rows.values_list("pk", "last_post_id")}
            finally:
                connections.close_all()

        lasts = await asyncio.to_thread(newest_posts)
    socks = [
        Sock(
            index=i,
            thread=thread_id,
            session=world.sessions[person] if kind == "project" else None,
            home=0 if args.all_on_a else i % len(servers),
            after=lasts.get(thread_id, 0),
        )
        for i, (thread_id, person) in enumerate(world.plan)
    ]
    by_thread: dict[int, list[Sock]] = {}
    for sock in socks:
        by_thread.setdefault(sock.thread, []).append(sock)
    result: dict[str, Any] = {"kind": kind, "sockets": len(socks), "threads": len(by_thread)}
    sizes = [len(v) for v in by_thread.values()]
    result["subscribers_per_thread"] = {
        "min": min(sizes),
        "max": max(sizes),
        "mean": round(sum(sizes) / len(sizes), 2),
    }
    rss_start = {s.name: rss_kib(s) for s in servers}
    started, own_opening = time.monotonic(), own_cpu_seconds()
    tasks = [asyncio.create_task(keep_open(s, state)) for s in socks]
    try:
        # Bounded: about a quarter of a second per socket on a busy machine, at least 3 min.
        opening_limit = max(180.0, 0.25 * len(socks))
        await asyncio.wait_for(asyncio.gather(*(s.ready.wait() for s in socks)), opening_limit)
        opened = [s for s in socks if not s.failed]
        reasons: dict[str, int] = {}
        for sock in socks:
            for reason in sock.open_failures:
                reasons[reason] = reasons.get(reason, 0) + 1
        result["connect"] = {
            "opened": len(opened),
            "failed": len(socks) - len(opened),
            "retried_first_opening": sum(1 for s in socks if s.open_failures),
            "first_opening_errors": dict(sorted(reasons.items(), key=lambda r: -r[1])[:5]),
            "seconds_to_subscribed": round(time.monotonic() - started, 2),
            "client_cpu_seconds": round(own_cpu_seconds() - own_opening, 2),
            "per_server": {s.name: sum(k.server == s.name for k in opened) for s in servers},
        }
        result["presence_settle_seconds"] = round(await settle(state), 2)
        # A socket that never opened is left out of what is expected (reported above).
        by_thread = {t: [s for s in group if not s.failed] for t, group in by_thread.items()}

        plan_threads = [rng.choice(world.thread_ids) for _ in range(int(args.rate * args.seconds))]
        schedule = Schedule(start=time.perf_counter() + 0.2, rate=args.rate, threads=plan_threads)
        rss_before = {s.name: rss_kib(s) for s in servers}
        cpu_before, own_before = cpu_of(servers), own_cpu_seconds()
        cpu_at_stop: dict[str, float] = {}
        rss_at_stop: dict[str, int | None] = {}
        window_started = time.monotonic()
        if kind == "project":
            writers = [
                threading.Thread(
                    target=api_writers,
                    args=(servers, world, schedule, args.writer_concurrency),
                    daemon=True,
                )
            ]
        else:
            assert payload is not None
            writers = [threading.Thread(target=relay_writer, args=(schedule, payload), daemon=True)]
        probe_stop = threading.Event()
        probe_result: dict[str, Any] = {}
        probe = None
        if kind == "project":

            def run_probe() -> None:
                probe_result.update(page_probe(servers, world, args.probe_rate, probe_stop))

            probe = threading.Thread(target=run_probe, daemon=True)
            probe.start()
        for writer in writers:
            writer.start()
        flood: asyncio.Task[dict] | None = None
        victim = servers[-1]
        stop_at = window_started + args.stop_at if args.stop_at > 0 else None
        flood_at = window_started + (args.stop_at or args.seconds) / 2
        # Every server's RSS every few seconds of the window: whether memory levels off
        # with the same sockets, and what taking over the lost server's sockets adds.
        rss_series: list[dict[str, Any]] = []
        next_rss = window_started
        while any(w.is_alive() for w in writers):
            now = time.monotonic()
            if now >= next_rss:
                rss_series.append(
                    {"t": round(now - window_started, 1), **{s.name: rss_kib(s) for s in servers}}
                )
                next_rss += RSS_EVERY_SECONDS
            if kind == "project" and flood is None and now >= flood_at:
                flood = asyncio.create_task(
                    flood_probe(servers[0], world.flood_session, args.flood_frames)
                )
            due = stop_at is not None and now >= stop_at and state.stopped_at is None
            if stop_signal is not None and due:
                cpu_at_stop[victim.name] = victim.cpu()
                rss_at_stop.update({s.name: rss_kib(s) for s in servers})
                state.stopped_at = time.monotonic()
                assert victim.process is not None
                victim.process.send_signal(stop_signal)
            await asyncio.sleep(0.02)
        posted_seconds = time.monotonic() - window_started
        # Drain: every subscribed socket should hold every post of its thread.
        expected_by_thread: dict[int, list[int]] = {}
        for s in schedule.sent:
            expected_by_thread.setdefault(s["thread"], []).append(s["id"])
        expected = sum(len(ids) * len(by_thread[t]) for t, ids in expected_by_thread.items())

        def distinct() -> int:
            return sum(
                sum(1 for i in ids if i in sock.seen)
                for t, ids in expected_by_thread.items()
                for sock in by_thread[t]
            )

        drain_until = time.monotonic() + args.drain_seconds
        while time.monotonic() < drain_until and distinct() < expected:
            await asyncio.sleep(0.25)
        await asyncio.sleep(0.5)  # late duplicates
        # Frames still coming at the end of the drain: a backlog was left, so "missing" may
        # count posts that were late rather than lost.
        still_arriving = distinct() < expected and time.monotonic() - state.last_frame < 1.0
        wall = time.monotonic() - window_started
        own_cpu = own_cpu_seconds() - own_before
        cpu_after = cpu_of(servers)
        rss_end = {s.name: rss_kib(s) for s in servers}
        rss_series.append(
            {"t": round(time.monotonic() - window_started, 1), **rss_end, "end": True}
        )
        probe_stop.set()
        if probe is not None:
            probe.join(timeout=30)
        if flood is not None:
            result_flood = await asyncio.wait_for(flood, 30)
        else:
            result_flood = None
        throttle = None
        if kind == "project":
            alive = [s for s in servers if s.process and s.process.poll() is None]
            throttle = await asyncio.to_thread(
                throttle_probe, alive[0], world, args.throttle_concurrency
            )
        # Posts sent at least a second before the stop were delivered live before it; the
        # relay run (never stopped) is cut at the same point of its window.
        if state.stopped_at is not None:
            cut: float | None = state.stopped_at - 1.0
        else:
            cut = window_started + args.stop_at - 1.0 if args.stop_at > 0 else None
        result.update(measure(socks, by_thread, schedule, expected_by_thread, cut, window_started))
        result["window"] = {
            "posting_seconds": round(posted_seconds, 2),
            "wall_seconds_with_drain": round(wall, 2),
            "rate_per_second": args.rate,
            "planned_posts": len(plan_threads),
            "published_posts": len(schedule.sent),
            "failed_posts": len(schedule.failures),
            "failures_first": schedule.failures[:5],
            "retried_on_other_server": schedule.retried,
            "start_lateness": summary_ms(schedule.lateness),
            "frames_still_arriving_after_drain": still_arriving,
        }
        server_cpu = {
            name: round(cpu_at_stop.get(name, cpu_after[name]) - before, 2)
            for name, before in cpu_before.items()
        }
        result["cpu"] = {
            "server_cpu_seconds": server_cpu,
            "client_cpu_seconds": round(own_cpu, 2),
            "client_wall_seconds": round(wall, 2),
            "client_cpu_share": round(own_cpu / wall, 2),
            # One Python process cannot use more than one core for its event loop: near 1.0
            # the clients themselves are the bottleneck and every latency is inflated.
            "client_saturated": own_cpu / wall > 0.85,
        }
        result["rss_kib"] = {
            s.name: {
                "before_sockets": rss_start[s.name],
                "window_start": rss_before[s.name],
                "window_end": rss_end[s.name],
                **({"at_stop": rss_at_stop[s.name]} if s.name in rss_at_stop else {}),
            }
            for s in servers
        }
        result["rss_series_kib"] = rss_series
        if kind == "project":
            result["probes"] = {
                "thread_page": probe_result,
                "socket_flood": result_flood,
                "api_throttle": throttle,
            }
        answered = [probe_result.get("statuses") or {}, (throttle or {}).get("statuses") or {}]
        server_error = any(code.startswith("5") for codes in answered for code in codes)
        if schedule.failures or server_error:
            # Server errors during the run: keep the end of each server's log to explain them.
            result["server_errors"] = {s.name: error_excerpts(s) for s in servers}
        if stop_signal is not None and state.stopped_at is not None:
            result["server_stop"] = stop_report(socks, state, victim, stop_signal, window_started)
        return result
    finally:
        state.stopping = True
        for sock in socks:
            if sock.ws is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(sock.ws.close(), 5)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def measure(
    socks: list[Sock],
    by_thread: dict[int, list[Sock]],
    schedule: Schedule,
    expected_by_thread: dict[int, list[int]],
    cut_monotonic: float | None,
    window_started: float,
) -> dict[str, Any]:
    """Latency per (socket, post) first arrival; delivered, missing and raw duplicates."""
    sent = {s["id"]: s for s in schedule.sent}
    offset = time.time() - time.monotonic()
    cut = cut_monotonic + offset if cut_monotonic is not None else None
    from_request: list[float] = []
    before_stop: list[float] = []
    from_response: list[float] = []
    per_second: dict[int, list[float]] = {}
    delivered = missing = duplicates = 0
    window_wall = window_started + offset
    for thread_id, ids in expected_by_thread.items():
        for sock in by_thread[thread_id]:
            for post_id in ids:
                entry = sock.seen.get(post_id)
                if entry is None:
                    missing += 1
                    continue
                s = sent[post_id]
                delivered += 1
                duplicates += int(entry[1]) - 1
                latency = entry[0] - s["request"]
                from_request.append(latency)
                from_response.append(entry[0] - s["response"])
                if cut is None or s["request"] < cut:
                    before_stop.append(latency)
                per_second.setdefault(int(s["request"] - window_wall), []).append(latency)
    expected = delivered + missing
    calls = [s["response"] - s["request"] for s in schedule.sent]
    return {
        "latency_from_request": summary_ms(from_request),
        "latency_from_request_before_stop": summary_ms(before_stop),
        "latency_from_response": summary_ms(from_response),
        "publish_call": summary_ms(calls),
        "expected": expected,
        "delivered": delivered,
        "missing": missing,
        "duplicates_raw": duplicates,
        "delivered_ratio": round(delivered / expected, 6) if expected else None,
        "per_second_p50_ms": [summary_ms(per_second[k]).get("p50_ms") for k in sorted(per_second)],
        "per_second_p99_ms": [summary_ms(per_second[k]).get("p99_ms") for k in sorted(per_second)],
        "error_frames": sum(s.errors for s in socks),
        "other_frames": sum(s.other for s in socks),
    }


def stop_report(
    socks: list[Sock], state: RunState, victim: Server, sig: int, window_started: float
) -> dict[str, Any]:
    lost = [s for s in socks if s.lost]
    recovered = [s.recovered for s in lost if s.recovered is not None]
    codes: dict[str, int] = {}
    for sock in lost:
        for code in sock.closes[:-1] or sock.closes:
            codes[str(code)] = codes.get(str(code), 0) + 1
    attempts = [s.attempts for s in lost]
    assert state.stopped_at is not None
    return {
        "signal": signal.Signals(sig).name,
        "server": victim.name,
        "at_seconds": round(state.stopped_at - window_started, 2),
        "sockets_lost": len(lost),
        "sockets_on_other_server_lost": sum(1 for s in lost if s.home != len(state.servers) - 1),
        "reconnected": sum(1 for s in lost if s.reconnects),
        "recovered": len(recovered),
        "never_recovered": len(lost) - len(recovered),
        "recover_from_stop": summary_ms(recovered),
        "reconnect_attempts": sum(attempts),
        "reconnect_attempts_max_per_socket": max(attempts, default=0),
        "reconnect_errors": state.reconnect_errors,
        "close_codes_seen": codes,
    }


# --- reporting ---------------------------------------------------------------------------
def ratio(a: Any, b: Any) -> float | None:
    return round(a / b, 2) if a is not None and b else None


def headline(document: dict[str, Any]) -> dict[str, Any]:
    runs = document["many_threads"]
    real = runs.get("sigkill") or runs.get("sigterm")
    relay = runs.get("relay")
    head: dict[str, Any] = {}
    if document.get("post_vs_get"):
        pg = document["post_vs_get"]
        head["post_p50_over_get_p50"] = pg["ratio_p50"]
    if document.get("pages"):
        head["thread_page_rps_over_bare_rps"] = document["pages"]["ratio_requests_per_second"]
    if real and relay:
        a, b = real["latency_from_request_before_stop"], relay["latency_from_request_before_stop"]
        head["many_threads_ratio_before_stop"] = {
            k: ratio(a.get(k), b.get(k)) for k in ("p50_ms", "p95_ms", "p99_ms")
        }
    for name, run in runs.items():
        head[f"{name}_delivered"] = f"{run['delivered']}/{run['expected']}"
        head[f"{name}_duplicates_raw"] = run["duplicates_raw"]
    return head


def print_report(document: dict[str, Any]) -> None:
    def pcts(stats: dict[str, Any]) -> str:
        return "".join(
            f"{stats.get(k, float('nan')) if stats.get(k) is not None else float('nan'):>9.1f}"
            for k in ("p50_ms", "p95_ms", "p99_ms")
        )

    print()
    pg = document.get("post_vs_get")
    if pg:
        print(f"Post request against a bare GET (ms)  {'p50':>9}{'p95':>9}{'p99':>9}")
        print(f"  POST /api/v1/threads/{{id}}/posts/   {pcts(pg['post'])}")
        print(f"  GET /api/v1/me/                     {pcts(pg['get'])}")
        print(f"  ratio p50 {pg['ratio_p50']} (goal <= 2), p99 {pg['ratio_p99']}")
    pages_ = document.get("pages")
    if pages_:
        print(f"\nThread page at {pages_['posts_in_thread']} posts against a bare page")
        for name in ("thread_page", "bare_page"):
            p = pages_[name]
            latency = p["http"]["latency"]
            print(
                f"  {name:<12} {p['queries']:>3} queries {p['bytes']:>8} B  "
                f"{p['http']['requests_per_second']:>6} req/s  p50 "
                f"{latency.get('p50_ms')} ms  p99 {latency.get('p99_ms')} ms"
            )
        print(f"  ratio req/s {pages_['ratio_requests_per_second']}")
    for name, run in document["many_threads"].items():
        print(f"\nMany small threads, {name}: {run['sockets']} sockets, {run['threads']} threads")
        print(f"  {'(ms, submit -> arrival)':<34}{'p50':>9}{'p95':>9}{'p99':>9}")
        print(f"  {'all posts':<34}{pcts(run['latency_from_request'])}")
        print(f"  {'posts before the stop':<34}{pcts(run['latency_from_request_before_stop'])}")
        print(
            f"  delivered {run['delivered']}/{run['expected']}, missing {run['missing']}, "
            f"raw duplicates {run['duplicates_raw']}; posts {run['window']['published_posts']}"
            f"/{run['window']['planned_posts']} (failed {run['window']['failed_posts']})"
        )
        cpu = run["cpu"]
        print(
            "  CPU s: "
            + ", ".join(f"server {k} {v}" for k, v in cpu["server_cpu_seconds"].items())
            + f", client {cpu['client_cpu_seconds']} over {cpu['client_wall_seconds']} s"
            + (" (CLIENT SATURATED)" if cpu["client_saturated"] else "")
        )
        rss = run["rss_kib"]
        print(
            "  RSS KiB: "
            + ", ".join(
                f"{k} {v['window_start']} -> "
                + (f"{v['at_stop']} at the stop -> " if "at_stop" in v else "")
                + f"{v['window_end']}"
                for k, v in rss.items()
            )
        )
        stop = run.get("server_stop")
        if stop:
            rec = stop["recover_from_stop"]
            print(
                f"  {stop['signal']} server {stop['server']} at {stop['at_seconds']} s: "
                f"{stop['sockets_lost']} lost, {stop['recovered']} recovered "
                f"(p50 {rec.get('p50_ms')} ms, p99 {rec.get('p99_ms')} ms), "
                f"{stop['reconnect_attempts']} attempts, codes {stop['close_codes_seen']}"
            )
        probes = run.get("probes")
        if probes:
            page = probes["thread_page"]
            print(
                f"  page probe: p50 {page.get('p50_ms')} ms p99 {page.get('p99_ms')} ms "
                f"{page.get('statuses')}"
            )
            flood = probes["socket_flood"] or {}
            print(
                f"  flood: {flood.get('rate_limited_errors')} rate_limited, close "
                f"{flood.get('close_code')}; API throttle: 429 at request "
                f"{(probes['api_throttle'] or {}).get('first_429_at_request')}"
            )
    print()
    print(f"Headline: {json.dumps(document['headline'])}")
    print()


# --- main -----------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url or not redis_url:
        print("bench: set DATABASE_URL (PostgreSQL) and REDIS_URL, or run `make bench`")
        return 2
    for url in (database_url, redis_url):
        if urlsplit(url).hostname not in {"127.0.0.1", "localhost", "::1"}:
            print("bench: refusing a non-local service")
            return 2
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 2 * args.sockets + 512)), hard))
    random.seed(args.seed)
    run_id = f"commonplace-bench-live-{os.getpid()}-{secrets.token_hex(3)}"
    database = LiveDatabase(database_url)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
        "DATABASE_URL": database.url,
        "REDIS_URL": redis_url,
        "CHANNEL_PREFIX": run_id,
        "CACHE_PREFIX": f"{run_id}-cache",
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "ROOT_URLCONF": "bench.urls",
        # People hold several sockets (one per thread they follow): lift the per-person cap.
        "WS_MAX_SOCKETS_PER_USER": "10000",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        "EMAIL_URL": "dummymail://",
    }
    env.pop("CSRF_TRUSTED_ORIGINS", None)
    logs = Path(tempfile.mkdtemp(prefix="commonplace-bench-live-"))
    load_before = os.getloadavg()
    began = time.monotonic()
    document: dict[str, Any] = {"post_vs_get": None, "pages": None, "many_threads": {}}
    ok = False

    def step(label: str) -> None:
        elapsed = time.monotonic() - began
        if elapsed > args.time_limit:
            raise TimeoutError(f"--time-limit {args.time_limit:.0f} s reached before {label}")
        print(f"bench: live: {label} ({elapsed:.0f} s) …", flush=True)

    def run_async(coro: Any) -> Any:
        left = max(1.0, args.time_limit - (time.monotonic() - began))
        return asyncio.run(asyncio.wait_for(coro, left))

    def on_project(body: Callable[[list[Server]], None]) -> None:
        with serving("project", ports, env, logs) as servers:
            body(servers)

    try:
        step("creating the database and migrating")
        database.create()
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=300,
        )
        setup_django(env)
        step(f"building {args.cohorts} cohorts, {args.people} people, {args.threads} threads")
        world = build_world(args)
        ports = [free_port(), free_port()]

        def requests_and_pages(servers: list[Server]) -> None:
            step(f"POST vs GET, {args.samples} each")
            document["post_vs_get"] = post_vs_get(servers, world, args)
            step(f"thread page at {args.page_posts} posts vs bare page")
            document["pages"] = pages(servers, world, args)

        on_project(requests_and_pages)
        variants = [("sigkill", signal.SIGKILL)]
        if not args.no_graceful:
            variants.append(("sigterm", signal.SIGTERM))
        for name, sig in variants:

            def real(servers: list[Server], name: str = name, sig: int = sig) -> None:
                step(f"many small threads, {args.sockets} sockets, stop with {name}")
                stop = sig if args.stop_at > 0 else None
                document["many_threads"][name] = run_async(
                    many_threads(servers, world, args, kind="project", stop_signal=stop)
                )

            on_project(real)
        if not args.no_relay:
            from discussions.events import post_payload
            from discussions.models import Post

            sample = Post.objects.filter(thread_id=world.thread_ids[0]).last()
            payload = json.loads(json.dumps(post_payload(sample), default=str))
            from django.db import connections

            connections.close_all()
            with serving("relay", ports, env, logs) as servers:
                step(f"many small threads, {args.sockets} sockets, bare relay")
                document["many_threads"]["relay"] = run_async(
                    many_threads(
                        servers, world, args, kind="relay", stop_signal=None, payload=payload
                    )
                )
        ok = True
    except (Exception, KeyboardInterrupt) as exc:
        print(f"bench: live failed: {exc!r}", file=sys.stderr)
        for log in sorted(logs.glob("*.log")):
            tail = log.read_text(errors="replace")[-3000:]
            if tail.strip():
                print(f"--- {log.name} ---\n{tail}", file=sys.stderr)
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        try:
            database.drop()
        except Exception as exc:
            print(f"bench: could not drop {BENCH_DB}: {exc!r}", file=sys.stderr)
        try:
            # The run's own keys, and the task queue's (RQ keeps its keys under rq:).
            delete_redis_keys(redis_url, [run_id, "rq:"])
        except Exception as exc:
            print(f"bench: could not clean Redis keys {run_id}*: {exc!r}", file=sys.stderr)
        shutil.rmtree(logs, ignore_errors=True)

    document = {
        "benchmark": args.name,
        "complete": ok,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(time.monotonic() - began, 1),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "loadavg_before": [round(x, 2) for x in load_before],
            "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        },
        "setup": {
            "servers": "two daphne processes, `manage.py serve`, access log off, "
            "ROOT_URLCONF=bench.urls (config.urls plus /bench/bare/)",
            "baseline_servers": "two daphne processes on the same ports running "
            "bench/relay_asgi.py; each socket joins the group named in its URL "
            "(bench.relay.<thread id>) and gets the pre-encoded text relayed",
            "channel_layer": "channels_redis RedisChannelLayer, one local Redis",
            "database": "local PostgreSQL",
            "clients": "one asyncio process (websockets) on the same machine; writers, the "
            "page probe and the throttle probe are threads of the same process",
            "stopped_server": "the second server (B), at --stop-at seconds into the window",
        },
        "parameters": dict(vars(args)),
        **document,
    }
    document["headline"] = headline(document)
    if document["post_vs_get"] or document["many_threads"]:
        path = write(document, args.name)
        print_report(document)
        print(f"bench: wrote {path.relative_to(ROOT)} and bench/results/{args.name}-latest.json")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
