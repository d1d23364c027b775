#!/usr/bin/env python
"""Discussions benchmark: live posts to N sockets on two daphne processes, against a bare
relay baseline on the same ports; and the thread page and thread list at 10, 1,000 and
100,000 posts (queries per request, requests per second).

Run by ``make bench`` (after the round-trip bench, see bench/run.py) or on its own with
DATABASE_URL (PostgreSQL) and REDIS_URL set, both local. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import io
import json
import os
import platform
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from run import (
    HOST,
    RESULTS,
    ROOT,
    BenchDatabase,
    Server,
    delete_redis_keys,
    free_port,
    launched,
    own_cpu_seconds,
    setup_django,
    summary_ms,
)

RELAY_APP = "bench.relay_asgi:application"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", default="discussions")
    parser.add_argument("--sockets", default="100,500")
    parser.add_argument("--posts", type=int, default=40, help="posts per socket level")
    parser.add_argument("--rate", type=float, default=4.0, help="posts per second")
    parser.add_argument("--volumes", default="10,1000,100000", help="posts in the thread")
    parser.add_argument("--page-seconds", type=float, default=3.0, help="RPS loop length")
    parser.add_argument("--page-requests", type=int, default=300, help="RPS loop bound")
    parser.add_argument("--page-concurrency", type=int, default=4)
    parser.add_argument(
        "--page-budget",
        type=float,
        default=20.0,
        help="skip a page whose projected time per request exceeds this many seconds",
    )
    parser.add_argument("--drain-seconds", type=float, default=15.0)
    parser.add_argument("--time-limit", type=float, default=420.0)
    args = parser.parse_args(argv)
    args.socket_counts = [int(n) for n in args.sockets.split(",") if n.strip()]
    args.volume_levels = [int(n) for n in args.volumes.split(",") if n.strip()]
    if not args.socket_counts or min(args.socket_counts) < 2 or max(args.socket_counts) > 2000:
        parser.error("--sockets: counts between 2 and 2000")
    if not 1 <= args.posts <= 500 or not 0 < args.rate <= 15:
        # The API's per-user throttle is 1200/min: stay well under it.
        parser.error("--posts 1..500 and --rate 0..15")
    if not args.volume_levels or max(args.volume_levels) > 200_000:
        parser.error("--volumes up to 200000")
    return args


# --- servers ---------------------------------------------------------------------------------
@contextlib.contextmanager
def serving(kind: str, ports: list[int], env: dict[str, str], logs: Path) -> Iterator[list[Server]]:
    """Two daphne processes on ``ports``: the project (``manage.py serve``, the production
    command) or the bare relay (daphne on bench/relay_asgi.py with the same frame limits)."""
    from django.conf import settings

    limit = str(settings.REALTIME["MAX_FRAME_BYTES"])
    servers = [Server(n, p, logs / f"{kind}-{n}.log") for n, p in zip("AB", ports, strict=True)]

    def command_for(server: Server) -> list[str]:
        if kind == "project":
            command = [sys.executable, "manage.py", "serve", "--host", HOST]
            if server.name == "A":
                # One task worker (RQ, as in production with REDIS_URL) runs what posts
                # queue (telling followers), on the same cores, during the measurement.
                command.append("--with-worker")
            return [*command, "--port", str(server.port), "--access-log", os.devnull]
        command = [sys.executable, "-m", "daphne", "-b", HOST, "-p", str(server.port)]
        command += ["--websocket-max-message-size", limit]
        command += ["--websocket-max-frame-size", limit]
        return [*command, "--access-log", os.devnull, RELAY_APP]

    with launched(servers, command_for, {**env, "PYTHONPATH": str(ROOT)}) as started:
        yield started


# --- data --------------------------------------------------------------------------------------
@dataclass
class World:
    cohort_slug: str
    thread_id: int  # the thread the sockets follow
    volume_thread_id: int  # the thread grown to 10 / 1,000 / 100,000 posts
    reader_id: int
    writer_id: int
    session_key: str
    token: str


def build_world() -> World:
    """A cohort made through the real services: a facilitator, a reader (whose sockets
    listen), a writer (who posts through the API), and 25 threads."""
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

    call_command("import_framework", stdout=io.StringIO())
    area = Framework.objects.get(slug="cep").areas.order_by("order").first()

    def person(email: str, name: str) -> Any:
        user, _ = user_create_verified(email=email, password=secrets.token_urlsafe(24), name=name)
        return user

    facilitator = person("bench-facilitator@example.org", "Bench Facilitator")
    reader = person("bench-reader@example.org", "Bench Reader")
    writer = person("bench-writer@example.org", "Bench Writer")
    staff = person("bench-staff@example.org", "Bench Staff")
    role_grant(user=staff, role=PlatformRole.PROGRAM_STAFF)
    cohort = cs.cohort_propose(
        by=facilitator,
        title="Bench partnerships",
        areas=[area],
        description="A cohort for the benchmark.",
        term_start=date(2031, 9, 1),
        term_end=date(2031, 12, 15),
        cadence="Weekly",
        time_zone="UTC",
        capacity=12,
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
    for user in (reader, writer):
        membership = cs.membership_join(cohort=cohort, user=user)
        if membership.status == Membership.Status.REQUESTED:
            cs.membership_accept(membership=membership, by=facilitator)
    threads = [
        thread_create(cohort=cohort, author=writer, title=f"Bench thread {i}", body="Opening")
        for i in range(25)
    ]
    client = Client(HTTP_HOST=HOST)
    client.force_login(reader)
    world = World(
        cohort_slug=cohort.slug,
        thread_id=threads[0].pk,
        volume_thread_id=threads[1].pk,
        reader_id=reader.pk,
        writer_id=writer.pk,
        session_key=client.cookies[settings.SESSION_COOKIE_NAME].value,
        token=Token.objects.create(user=writer).key,
    )
    connections.close_all()
    return world


# --- sockets -----------------------------------------------------------------------------------
@dataclass
class Conn:
    ws: Any
    server: str
    arrivals: dict[int, list[float]] = field(default_factory=dict)  # post id -> wall times
    subscribed: asyncio.Event = field(default_factory=asyncio.Event)
    errors: int = 0
    other: int = 0
    close_code: int | None = None
    reader: asyncio.Task[None] | None = None


LAST_FRAME = {"at": 0.0}


async def read_frames(conn: Conn) -> None:
    from websockets.exceptions import ConnectionClosed

    try:
        async for raw in conn.ws:
            wall = time.time()
            LAST_FRAME["at"] = time.monotonic()
            message = json.loads(raw)
            kind = message.get("type")
            if kind == "post.created":
                conn.arrivals.setdefault(message["post"]["id"], []).append(wall)
            elif kind == "subscribed":
                conn.subscribed.set()
            elif kind == "error":
                conn.errors += 1
            else:
                conn.other += 1  # presence, pong
    except ConnectionClosed as closed:
        conn.close_code = closed.rcvd.code if closed.rcvd else 1006
    else:
        conn.close_code = conn.ws.close_code


async def open_sockets(servers: list[Server], count: int, session_key: str | None) -> list[Conn]:
    from websockets.asyncio.client import connect

    limit = asyncio.Semaphore(50)
    headers = {"Cookie": f"sessionid={session_key}"} if session_key else {}

    async def open_one(i: int) -> Conn:
        server = servers[i % len(servers)]
        async with limit:
            ws = await connect(
                server.ws_url,
                origin=server.origin,  # type: ignore[arg-type]
                additional_headers=headers,
                open_timeout=30,
                ping_interval=None,
                compression=None,
                max_queue=None,
            )
        conn = Conn(ws=ws, server=server.name)
        conn.reader = asyncio.create_task(read_frames(conn))
        return conn

    return list(await asyncio.gather(*(open_one(i) for i in range(count))))


async def close_sockets(conns: list[Conn]) -> None:
    async def close(conn: Conn) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(conn.ws.close(), 5)
        if conn.reader:
            conn.reader.cancel()
            with contextlib.suppress(BaseException):
                await conn.reader

    await asyncio.gather(*(close(c) for c in conns))


async def settle(quiet: float = 1.0, limit: float = 60.0) -> float:
    """Wait until no frame has arrived for ``quiet`` seconds (presence storms after a mass
    subscribe); returns how long that took."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if time.monotonic() - LAST_FRAME["at"] > quiet:
            break
        await asyncio.sleep(0.1)
    return time.monotonic() - started


# --- publishers (run in a thread, like a client of the API would) ---------------------------------
def api_writer(servers: list[Server], world: World, args: argparse.Namespace, record: dict) -> None:
    """POST /api/v1/threads/{id}/posts/ at a steady rate, alternating servers A and B."""
    conns = {s.name: http.client.HTTPConnection(HOST, s.port, timeout=30) for s in servers}
    sent: list[dict[str, Any]] = []
    started = time.perf_counter()
    try:
        for seq in range(args.posts):
            delay = started + seq / args.rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            server = servers[seq % len(servers)]
            body = json.dumps({"body": f"Bench post {seq}: " + "listening before acting. " * 30})
            t_request = time.time()
            conns[server.name].request(
                "POST",
                f"/api/v1/threads/{world.thread_id}/posts/",
                body=body,
                headers={
                    "Host": f"{HOST}:{server.port}",
                    "Authorization": f"Token {world.token}",
                    "Content-Type": "application/json",
                    "Accept": "application/json",
                },
            )
            response = conns[server.name].getresponse()
            data = response.read()
            t_response = time.time()
            if response.status != 201:
                raise RuntimeError(f"API answered {response.status}: {data[:300]!r}")
            post = json.loads(data)
            sent.append(
                {"id": post["id"], "request": t_request, "response": t_response, "via": server.name}
            )
            record["published"] = len(sent)
    except Exception as exc:  # reported in the results, never swallowed
        record["error"] = repr(exc)
    finally:
        for conn in conns.values():
            conn.close()
    record["sent"] = sent
    record["seconds"] = round(time.perf_counter() - started, 2)


def relay_publisher(args: argparse.Namespace, payload: dict[str, Any], record: dict) -> None:
    """group_send a post-sized, pre-encoded event to the relay group at the same rate."""
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from core.realtime import encode

    layer = get_channel_layer()
    sent: list[dict[str, Any]] = []
    started = time.perf_counter()
    try:
        for seq in range(args.posts):
            delay = started + seq / args.rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            message = {"type": "post.created", "post": {**payload, "id": 1_000_000 + seq}}
            text = encode(message)
            record.setdefault("payload_bytes", len(text))
            t_request = time.time()
            async_to_sync(layer.group_send)("bench.relay", {"type": "relay.message", "text": text})
            sent.append({"id": 1_000_000 + seq, "request": t_request, "response": time.time()})
            record["published"] = len(sent)
    except Exception as exc:
        record["error"] = repr(exc)
    record["sent"] = sent
    record["seconds"] = round(time.perf_counter() - started, 2)


async def deliver(conns: list[Conn], target: Any, target_args: tuple, args) -> dict[str, Any]:
    for conn in conns:
        conn.arrivals.clear()
        conn.other = 0
    record: dict[str, Any] = {"published": 0}
    thread = threading.Thread(target=target, args=(*target_args, record), daemon=True)
    cpu_own = own_cpu_seconds()
    thread.start()
    while thread.is_alive():
        await asyncio.sleep(0.05)
    sent = record.get("sent", [])
    ids = {s["id"] for s in sent}
    expected = len(sent) * len(conns)
    deadline = time.perf_counter() + args.drain_seconds
    while time.perf_counter() < deadline:
        if sum(len(ids & c.arrivals.keys()) for c in conns) >= expected:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)  # late duplicates

    by_id = {s["id"]: s for s in sent}
    from_response: list[float] = []
    from_request: list[float] = []
    by_server: dict[str, list[float]] = {}
    per_post: dict[int, list[float]] = {}
    delivered = duplicates = foreign = 0
    for conn in conns:
        for post_id, seen in conn.arrivals.items():
            if post_id not in by_id:
                foreign += 1
                continue
            delivered += 1
            duplicates += len(seen) - 1
            s = by_id[post_id]
            from_response.append(seen[0] - s["response"])
            from_request.append(seen[0] - s["request"])
            by_server.setdefault(conn.server, []).append(seen[0] - s["response"])
            per_post.setdefault(post_id, []).append(seen[0] - s["response"])
    call = [s["response"] - s["request"] for s in sent]
    order = [s["id"] for s in sent]
    return {
        "from_response": summary_ms(from_response),
        "from_request": summary_ms(from_request),
        "publish_call": summary_ms(call),
        "published": len(sent),
        "delivered": delivered,
        "expected": expected,
        "delivered_ratio": round(delivered / expected, 6) if expected else None,
        "duplicates": duplicates,
        "unexpected_posts": foreign,
        "payload_bytes": record.get("payload_bytes"),
        "publisher_error": record.get("error"),
        "publisher_seconds": record.get("seconds"),
        "by_server": {k: summary_ms(v) for k, v in sorted(by_server.items())},
        "per_post_p50_ms": [summary_ms(per_post.get(i, [])).get("p50_ms") for i in order],
        "per_post_call_ms": [round(c * 1000, 1) for c in call],
        "client_cpu_seconds": round(own_cpu_seconds() - cpu_own, 2),
        "other_frames_received": sum(c.other for c in conns),
        "errors_received": sum(c.errors for c in conns),
        "closed_by_server": sum(c.close_code is not None for c in conns),
    }


async def real_level(servers: list[Server], world: World, count: int, args) -> dict[str, Any]:
    from django.db import connections

    from discussions.models import Thread

    conns = await open_sockets(servers, count, world.session_key)
    try:

        def last_post_id() -> int | None:
            try:
                return Thread.objects.get(pk=world.thread_id).last_post_id
            finally:
                connections.close_all()

        last = await asyncio.to_thread(last_post_id)
        started = time.monotonic()
        for conn in conns:
            await conn.ws.send(
                json.dumps({"type": "subscribe", "thread": world.thread_id, "after": last})
            )
        await asyncio.wait_for(asyncio.gather(*(c.subscribed.wait() for c in conns)), 60)
        subscribed_in = time.monotonic() - started
        settled_in = await settle()
        cpu = [s.cpu() for s in servers]
        result = await deliver(conns, api_writer, (servers, world, args), args)
        result["server_cpu_seconds"] = {
            s.name: round(s.cpu() - c, 2) for s, c in zip(servers, cpu, strict=True)
        }
        result["subscribe_seconds"] = round(subscribed_in, 2)
        result["presence_settle_seconds"] = round(settled_in, 2)
        return {"sockets": count, **result}
    finally:
        await close_sockets(conns)


async def relay_level(servers: list[Server], payload: dict, count: int, args) -> dict[str, Any]:
    conns = await open_sockets(servers, count, None)
    try:
        await asyncio.sleep(0.5)
        cpu = [s.cpu() for s in servers]
        result = await deliver(conns, relay_publisher, (args, payload), args)
        result["server_cpu_seconds"] = {
            s.name: round(s.cpu() - c, 2) for s, c in zip(servers, cpu, strict=True)
        }
        return {"sockets": count, **result}
    finally:
        await close_sockets(conns)


# --- pages -------------------------------------------------------------------------------------
def grow_thread(world: World, target: int) -> int:
    """bulk_create posts in the volume thread up to ``target``, then rebuild its stats."""
    from django.db import connections

    from discussions.models import Post
    from discussions.services import thread_rebuild_stats

    have = Post.objects.filter(thread_id=world.volume_thread_id).count()
    authors = [world.writer_id, world.reader_id]
    batch: list[Post] = []
    for n in range(have, target):
        body = f"Volume post {n}: what we heard at the partner site this week."
        batch.append(
            Post(
                thread_id=world.volume_thread_id,
                author_id=authors[n % 2],
                body=body,
                body_html=f"<p>{body}</p>\n",
            )
        )
        if len(batch) == 5000:
            Post.objects.bulk_create(batch)
            batch = []
    if batch:
        Post.objects.bulk_create(batch)
    thread_rebuild_stats(thread_ids=[world.volume_thread_id])
    count = Post.objects.filter(thread_id=world.volume_thread_id).count()
    connections.close_all()
    return count


def _mark_thread_read(world: World) -> None:
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connections

    from accounts.models import User
    from discussions.models import Thread
    from discussions.services import thread_mark_read

    user_id = SessionStore(session_key=world.session_key).get("_auth_user_id")
    thread = Thread.objects.get(pk=world.volume_thread_id)
    thread_mark_read(thread=thread, user=User.objects.get(pk=user_id))
    connections.close_all()


def count_queries(path: str, world: World) -> dict[str, Any]:
    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=HOST)
    client.cookies["sessionid"] = world.session_key
    client.get(path)  # warm (first-visit writes such as the read pointer)
    # Measure a reader who is caught up, so every level opens the same page (the latest)
    # and no level pays for moving the read pointer: only the thread's size differs.
    _mark_thread_read(world)
    # Timed three times, the fastest kept: one request can stall behind the servers' work
    # left from the live scenario (on the same cores), and the time decides whether the
    # next level is measured at all (see measure_pages).
    timings, counts = [], []
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(path)
            timings.append(time.perf_counter() - started)
        counts.append(len(queries))
    connections.close_all()
    return {
        "status": response.status_code,
        "queries": max(counts),
        "queries_each": counts,
        "bytes": len(response.content),
        "in_process_ms": round(min(timings) * 1000, 1),
        "in_process_each_ms": [round(t * 1000, 1) for t in timings],
    }


def requests_per_second(server: Server, path: str, world: World, args) -> dict[str, Any]:
    """Bounded GET loop over keep-alive connections to one server (localhost only)."""
    times: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    stop_at = time.perf_counter() + args.page_seconds
    budget = {"left": args.page_requests}

    def worker() -> None:
        conn = http.client.HTTPConnection(HOST, server.port, timeout=120)
        try:
            while time.perf_counter() < stop_at:
                with lock:
                    if budget["left"] <= 0:
                        return
                    budget["left"] -= 1
                started = time.perf_counter()
                conn.request(
                    "GET",
                    path,
                    headers={
                        "Host": f"{HOST}:{server.port}",
                        "Cookie": f"sessionid={world.session_key}",
                    },
                )
                response = conn.getresponse()
                response.read()
                with lock:
                    times.append(time.perf_counter() - started)
                    statuses[response.status] = statuses.get(response.status, 0) + 1
        finally:
            conn.close()

    started = time.perf_counter()
    workers = [threading.Thread(target=worker) for _ in range(args.page_concurrency)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - started
    return {
        "requests": len(times),
        "seconds": round(elapsed, 2),
        "requests_per_second": round(len(times) / elapsed, 1) if elapsed else None,
        "latency": summary_ms(times),
        "statuses": {str(k): v for k, v in statuses.items()},
        "concurrency": args.page_concurrency,
    }


def _projected_ms(levels: list[dict[str, Any]], name: str, posts: int) -> float | None:
    for level in reversed(levels):
        measured = level.get(name, {})
        if "in_process_ms" in measured and level["posts_in_thread"]:
            return float(measured["in_process_ms"]) * posts / level["posts_in_thread"]
    return None


def measure_pages(servers: list[Server], world: World, args) -> list[dict[str, Any]]:
    base = f"/cohorts/{world.cohort_slug}/threads/"
    pages = {"thread_page": f"{base}{world.volume_thread_id}/", "thread_list": base}
    levels = []
    for target in args.volume_levels:
        print(f"bench: pages at {target} posts …", flush=True)
        started = time.perf_counter()
        count = grow_thread(world, target)
        level: dict[str, Any] = {
            "posts_in_thread": count,
            "build_seconds": round(time.perf_counter() - started, 1),
        }
        for name, path in pages.items():
            projected = _projected_ms(levels, name, count)
            if projected is not None and projected > args.page_budget * 1000:
                # One request would take longer than the whole page budget (and as much
                # memory): say so instead of hanging the bench on it.
                level[name] = {
                    "path": path,
                    "skipped": f"projected {projected / 1000:.0f} s per request in-process "
                    f"(linear in posts from the previous level), over --page-budget "
                    f"{args.page_budget:.0f} s",
                    "projected_in_process_ms": round(projected),
                }
                continue
            level[name] = {
                "path": path,
                **count_queries(path, world),
                "http": requests_per_second(servers[0], path, world, args),
            }
        levels.append(level)
    return levels


# --- reporting ---------------------------------------------------------------------------------
PCTS = ("p50_ms", "p95_ms", "p99_ms")


def ratio(real: dict[str, Any], base: dict[str, Any], key: str) -> float | None:
    a, b = real.get(key), base.get(key)
    if a is None or not b:
        return None
    return round(a / b, 2)


def headline(real: list[dict], relay: list[dict]) -> list[dict[str, Any]]:
    rows = []
    for r in real:
        b = next((x for x in relay if x["sockets"] == r["sockets"]), None)
        if b is None:
            continue
        rows.append(
            {
                "sockets": r["sockets"],
                "ratio_to_baseline": {
                    k: ratio(r["from_request"], b["from_request"], k)
                    for k in ("p50_ms", "p95_ms", "p99_ms")
                },
                "ratio_basis": "from_request (see setup.latency_origin)",
                "discussions_ms": {k: r["from_request"].get(k) for k in PCTS},
                "baseline_ms": {k: b["from_request"].get(k) for k in PCTS},
                "discussions_from_response_ms": {k: r["from_response"].get(k) for k in PCTS},
                "discussions_delivered": f"{r['delivered']}/{r['expected']}",
                "discussions_duplicates": r["duplicates"],
                "baseline_delivered": f"{b['delivered']}/{b['expected']}",
                "baseline_duplicates": b["duplicates"],
            }
        )
    return rows


def print_report(document: dict[str, Any]) -> None:
    print()
    print("Live posts: submit → arrival on every socket (ms), against the bare relay")
    print(f"  {'sockets':>7}  {'':<12}{'p50':>8}{'p95':>8}{'p99':>8}  delivered     dup")
    for row in document["headline"]:
        for label, key, dkey, dup in (
            ("discussions", "discussions_ms", "discussions_delivered", "discussions_duplicates"),
            ("baseline", "baseline_ms", "baseline_delivered", "baseline_duplicates"),
        ):
            ms = row[key]
            print(
                f"  {row['sockets']:>7}  {label:<12}"
                + "".join(f"{(ms[k] if ms[k] is not None else float('nan')):>8.1f}" for k in ms)
                + f"  {row[dkey]:<13} {row[dup]}"
            )
        r = row["ratio_to_baseline"]
        print(f"  {'':>7}  {'ratio':<12}" + "".join(f"{r[k]!s:>8}" for k in PCTS))
        ms = row["discussions_from_response_ms"]
        print(
            f"  {'':>7}  {'from resp.':<12}"
            + "".join(f"{(ms[k] if ms[k] is not None else float('nan')):>8.1f}" for k in ms)
            + "  (discussions, from the API response)"
        )
    print()
    print("Pages (queries per request, in-process; requests/s over HTTP on server A)")
    for level in document.get("pages", []):
        for name in ("thread_page", "thread_list"):
            p = level[name]
            if "skipped" in p:
                print(f"  {level['posts_in_thread']:>7} posts  {name:<12} skipped: {p['skipped']}")
                continue
            print(
                f"  {level['posts_in_thread']:>7} posts  {name:<12} status {p['status']}  "
                f"queries {p['queries']:>3}  {p['bytes']:>9} B  "
                f"{p['http']['requests_per_second']} req/s  "
                f"p50 {p['http']['latency'].get('p50_ms')} ms"
            )
    print()


def write(document: dict[str, Any], name: str) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"{name}-{stamp}.json"
    text = json.dumps(document, indent=2) + "\n"
    path.write_text(text)
    (RESULTS / f"{name}-latest.json").write_text(text)
    return path


# --- main ----------------------------------------------------------------------------------------
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
    resource.setrlimit(
        resource.RLIMIT_NOFILE, (min(hard, max(soft, 4 * max(args.socket_counts) + 256)), hard)
    )
    run_id = f"commonplace-bench-posts-{os.getpid()}-{secrets.token_hex(3)}"
    database = BenchDatabase(database_url)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
        "DATABASE_URL": database.url,
        "REDIS_URL": redis_url,
        "CHANNEL_PREFIX": run_id,
        "CACHE_PREFIX": f"{run_id}-cache",
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # One benchmark user holds every socket: lift the per-person cap past the largest run.
        "WS_MAX_SOCKETS_PER_USER": "10000",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        "EMAIL_URL": "dummymail://",
    }
    env.pop("CSRF_TRUSTED_ORIGINS", None)
    logs = Path(tempfile.mkdtemp(prefix="commonplace-bench-posts-"))
    load_before = os.getloadavg()
    began = time.monotonic()
    document: dict[str, Any] = {"real": [], "baseline": [], "pages": []}
    ok = False
    try:
        print("bench: posts: creating database and migrating …", flush=True)
        database.create()
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=300,
        )
        setup_django(env)
        world = build_world()
        ports = [free_port(), free_port()]

        with serving("project", ports, env, logs) as servers:

            async def run_real() -> None:
                for count in args.socket_counts:
                    print(f"bench: posts: {count} sockets, discussions …", flush=True)
                    document["real"].append(await real_level(servers, world, count, args))

            asyncio.run(asyncio.wait_for(run_real(), args.time_limit))
            document["pages"] = measure_pages(servers, world, args)

        from discussions.events import post_payload
        from discussions.models import Post

        sample = Post.objects.filter(thread_id=world.thread_id).select_related("author").last()
        payload = json.loads(json.dumps(post_payload(sample), default=str))
        with serving("relay", ports, env, logs) as servers:

            async def run_relay() -> None:
                for count in args.socket_counts:
                    print(f"bench: posts: {count} sockets, bare relay …", flush=True)
                    document["baseline"].append(await relay_level(servers, payload, count, args))

            asyncio.run(asyncio.wait_for(run_relay(), args.time_limit))
        ok = True
    except (Exception, KeyboardInterrupt) as exc:
        print(f"bench: posts failed: {exc!r}", file=sys.stderr)
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
            print(f"bench: could not drop the bench database: {exc!r}", file=sys.stderr)
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
            "servers": "two daphne processes, `manage.py serve`, access log off",
            "baseline_servers": "two daphne processes on the same ports, bench/relay_asgi.py "
            "(joins one group, relays the pre-encoded text; no auth, no protocol, no DB)",
            "channel_layer": "channels_redis RedisChannelLayer, one local Redis",
            "database": "local PostgreSQL",
            "posts_created_via": "HTTP API POST /api/v1/threads/{id}/posts/ with token auth, "
            "alternating servers A and B (a real post: validation, Markdown, DB, publish)",
            "baseline_published_via": "channel_layer.group_send of a real post's payload "
            "(pre-encoded once) from the bench process",
            "latency_origin": "from_response: the moment the API response (baseline: the "
            "group_send call) returned to the publisher; from_request: when it was sent. "
            "A post is published on commit, before the response is written, so from_response "
            "can be negative for the fastest sockets",
            "sockets": "one session (one reader), split evenly over A and B, each subscribed "
            "to the same thread",
            "pages": "thread page and thread list of the reader's cohort (25 threads); the "
            "volume thread grown with bulk_create; queries counted in-process with Django's "
            "test client; requests/s over HTTP to server A with a bounded loop",
        },
        "parameters": {k: v for k, v in vars(args).items()},
        **document,
    }
    document["headline"] = headline(document.get("real", []), document.get("baseline", []))
    if document["real"] or document["pages"]:
        path = write(document, args.name)
        print_report(document)
        print(f"bench: wrote {path.relative_to(ROOT)} and bench/results/{args.name}-latest.json")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
