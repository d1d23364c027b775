#!/usr/bin/env python
"""WebSocket round-trip benchmark: two real daphne processes sharing one Redis channel layer.

Run with ``make bench`` (which supplies DATABASE_URL and REDIS_URL). See bench/README.md for
what is measured and how to read the figures. Everything is bounded in count and time, all
traffic stays on 127.0.0.1, and the bench database, the server processes and the Redis keys
of the run are removed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import platform
import random
import resource
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BENCH_DB = "commonplace_bench"
HOST = "127.0.0.1"
STARTUP_TIMEOUT = 60.0
PONG_TIMEOUT = 10.0
SERVE = [sys.executable, "manage.py", "serve", "--host", HOST]


# --- arguments ------------------------------------------------------------------------------
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", default="ws-roundtrip", help="prefix of the result file")
    parser.add_argument(
        "--sockets",
        default="100,500",
        help="comma-separated socket counts, each split evenly across the two servers",
    )
    parser.add_argument(
        "--idle-pings", type=int, default=200, help="sequential pings, one in flight"
    )
    parser.add_argument(
        "--pings-per-socket", type=int, default=10, help="pings per socket under load"
    )
    parser.add_argument(
        "--ping-interval",
        type=float,
        default=0.5,
        help="mean seconds between one socket's pings under load (jittered)",
    )
    parser.add_argument("--publishes", type=int, default=40, help="fan-out messages per level")
    parser.add_argument("--rate", type=float, default=4.0, help="fan-out publishes per second")
    parser.add_argument("--payload-bytes", type=int, default=1024, help="encoded payload size")
    parser.add_argument("--connect-concurrency", type=int, default=50)
    parser.add_argument("--drain-seconds", type=float, default=15.0)
    parser.add_argument(
        "--time-limit", type=float, default=600.0, help="hard limit for the measurements"
    )
    parser.add_argument(
        "--no-posts",
        action="store_true",
        help="skip the discussions bench (bench/posts.py) that runs after this one",
    )
    parser.add_argument(
        "--no-repertoire",
        action="store_true",
        help="skip the repertoire bench (bench/repertoire.py) that runs after the others",
    )
    parser.add_argument(
        "--no-exports",
        action="store_true",
        help="skip the packet exports bench (bench/exports.py) that runs last",
    )
    parser.add_argument(
        "--no-live",
        action="store_true",
        help="skip the live path bench (bench/live.py) that runs after the discussions bench",
    )
    args = parser.parse_args(argv)
    args.socket_counts = [int(n) for n in args.sockets.split(",") if n.strip()]
    if not args.socket_counts or min(args.socket_counts) < 2 or max(args.socket_counts) > 2000:
        parser.error("--sockets: counts between 2 and 2000")
    if not 1 <= args.publishes <= 1000 or not 0 < args.rate <= 100:
        parser.error("--publishes 1..1000 and --rate 0..100")
    if not 1 <= args.pings_per_socket <= 28:
        # The consumer's token bucket allows a burst of 30 frames.
        parser.error("--pings-per-socket 1..28")
    return args


# --- statistics -----------------------------------------------------------------------------
def percentile(ordered: list[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def summary_ms(seconds: list[float]) -> dict[str, Any]:
    if not seconds:
        return {"count": 0}
    ordered = sorted(s * 1000 for s in seconds)
    return {
        "count": len(ordered),
        "p50_ms": round(percentile(ordered, 50), 2),
        "p95_ms": round(percentile(ordered, 95), 2),
        "p99_ms": round(percentile(ordered, 99), 2),
        "max_ms": round(ordered[-1], 2),
        "mean_ms": round(sum(ordered) / len(ordered), 2),
    }


# --- database -------------------------------------------------------------------------------
class BenchDatabase:
    """A throwaway PostgreSQL database next to the one DATABASE_URL names."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
            raise SystemExit(f"bench needs a PostgreSQL DATABASE_URL, got {parts.scheme!r}")
        self.admin_url = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
        self.url = urlunsplit(parts._replace(path=f"/{BENCH_DB}"))

    def _execute(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def create(self) -> None:
        self.drop()
        self._execute(f'CREATE DATABASE "{BENCH_DB}"')

    def drop(self) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')


# --- servers --------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc (Linux); NaN elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def _children(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError, ValueError):
                found += [int(c) for c in (task / "children").read_text().split()]
    return found


def tree_cpu_seconds(pid: int) -> float:
    """CPU time of a process and everything it started (a server's task worker, and what
    that worker forked): each live process's own time plus that of its children it has
    already waited for, so a child that ends moves its time into its parent's count."""
    total, todo, seen = 0.0, [pid], set()
    tick = os.sysconf("SC_CLK_TCK")
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            if current == pid:
                return float("nan")
            continue
        total += sum(int(fields[i]) for i in (11, 12, 13, 14)) / tick
        todo += _children(current)
    return total


@dataclass
class Server:
    name: str
    port: int
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def ws_url(self) -> str:
        return f"ws://{HOST}:{self.port}/ws/"

    @property
    def origin(self) -> str:
        return f"http://{HOST}:{self.port}"

    def cpu(self) -> float:
        """CPU time of the server and what it started (its task worker, with --with-worker)."""
        return tree_cpu_seconds(self.process.pid) if self.process else float("nan")

    def output(self, limit: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-limit:]
        except OSError:
            return ""

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.origin}/healthz", timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False


@contextlib.contextmanager
def launched(
    servers: list[Server], command_for: Callable[[Server], list[str]], env: dict[str, str]
) -> Iterator[list[Server]]:
    """Start one process per server with ``command_for(server)``, wait until each answers
    /healthz, and always stop them afterwards."""
    try:
        for server in servers:
            with server.log_path.open("wb") as log:
                server.process = subprocess.Popen(
                    command_for(server),
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
        deadline = time.monotonic() + STARTUP_TIMEOUT
        waiting = list(servers)
        while waiting:
            for server in list(waiting):
                assert server.process is not None
                if server.process.poll() is not None:
                    raise RuntimeError(f"daphne {server.name} exited:\n{server.output()}")
                if server.healthy():
                    waiting.remove(server)
            if waiting and time.monotonic() > deadline:
                raise RuntimeError(f"daphne did not become healthy:\n{waiting[0].output()}")
            time.sleep(0.1)
        yield servers
    finally:
        for server in servers:
            if server.process and server.process.poll() is None:
                server.process.terminate()
        for server in servers:
            if server.process:
                try:
                    server.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    server.process.kill()
                    server.process.wait(timeout=10)


@contextlib.contextmanager
def running_servers(env: dict[str, str], logs: Path, count: int = 2) -> Iterator[list[Server]]:
    names = "ABCDEFGH"[:count]
    servers = [Server(name, free_port(), logs / f"daphne-{name}.log") for name in names]
    with launched(
        servers,
        lambda server: [*SERVE, "--port", str(server.port), "--access-log", os.devnull],
        env,
    ) as started:
        yield started


# --- Django in this process (user, session, publisher) ---------------------------------------
def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def create_session() -> tuple[int, str]:
    """A verified user and a logged-in session for it, committed to the bench database."""
    from django.conf import settings
    from django.db import connections
    from django.test import Client

    from accounts.services import user_create_verified

    user, _ = user_create_verified(
        email="bench-reader@example.org", password=secrets.token_urlsafe(24), name="Bench Reader"
    )
    client = Client()
    client.force_login(user)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    connections.close_all()
    return user.pk, key


def make_payload(seq: int, size: int) -> dict[str, Any]:
    """A ``post.created`` event shaped like the real one, padded to about ``size`` bytes."""
    from core.realtime import encode

    payload: dict[str, Any] = {
        "type": "post.created",
        "thread": 1,
        "post": {
            "id": 100000 + seq,
            "thread": 1,
            "author": {"id": 1, "name": "Bench Writer"},
            "body": "",
            "body_html": "",
            "created_at": datetime.now(UTC).isoformat(),
            "edited_at": None,
            "version": 1,
        },
        "bench": {"seq": seq, "sent": time.time()},
    }
    words = "Community engagement is a practice of listening before acting. "
    room = max(0, size - len(encode(payload)))
    body = (words * (room // (2 * len(words)) + 1))[: room // 2]
    payload["post"]["body"] = body
    payload["post"]["body_html"] = f"<p>{body}"[: max(0, room - len(body))]
    return payload


# --- WebSocket clients ------------------------------------------------------------------------
@dataclass
class Conn:
    ws: Any
    server: str
    pongs: asyncio.Queue[float] = field(default_factory=asyncio.Queue)
    # seq -> arrival latencies (seconds); more than one entry is a duplicate delivery
    arrivals: dict[int, list[float]] = field(default_factory=dict)
    errors: int = 0
    other: int = 0
    close_code: int | None = None
    reader: asyncio.Task[None] | None = None


async def read_frames(conn: Conn) -> None:
    from websockets.exceptions import ConnectionClosed

    try:
        async for raw in conn.ws:
            wall, mono = time.time(), time.perf_counter()
            message = json.loads(raw)
            kind = message.get("type")
            if kind == "pong":
                conn.pongs.put_nowait(mono)
            elif "bench" in message:
                bench = message["bench"]
                conn.arrivals.setdefault(bench["seq"], []).append(wall - bench["sent"])
            elif kind == "error":
                conn.errors += 1
            else:
                conn.other += 1
    except ConnectionClosed as closed:
        conn.close_code = closed.rcvd.code if closed.rcvd else 1006
    else:
        conn.close_code = conn.ws.close_code


async def open_sockets(
    servers: list[Server], count: int, session_key: str, concurrency: int
) -> tuple[list[Conn], float, int]:
    from websockets.asyncio.client import connect

    limit = asyncio.Semaphore(concurrency)
    failures = 0

    async def open_one(i: int) -> Conn | None:
        nonlocal failures
        server = servers[i % len(servers)]
        async with limit:
            try:
                ws = await connect(
                    server.ws_url,
                    origin=server.origin,  # type: ignore[arg-type]
                    additional_headers={"Cookie": f"sessionid={session_key}"},
                    open_timeout=30,
                    ping_interval=None,
                    compression=None,
                    max_queue=None,
                )
            except Exception:
                failures += 1
                return None
        conn = Conn(ws=ws, server=server.name)
        conn.reader = asyncio.create_task(read_frames(conn))
        return conn

    started = time.perf_counter()
    opened = await asyncio.gather(*(open_one(i) for i in range(count)))
    elapsed = time.perf_counter() - started
    return [c for c in opened if c is not None], elapsed, failures


async def close_sockets(conns: list[Conn]) -> None:
    async def close(conn: Conn) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(conn.ws.close(), 5)
        if conn.reader:
            conn.reader.cancel()
            with contextlib.suppress(BaseException):
                await conn.reader

    await asyncio.gather(*(close(c) for c in conns))


async def ping(conn: Conn) -> float | None:
    started = time.perf_counter()
    await conn.ws.send('{"type":"ping"}')
    try:
        arrived = await asyncio.wait_for(conn.pongs.get(), PONG_TIMEOUT)
    except TimeoutError:
        return None
    return arrived - started


async def ready(conns: list[Conn]) -> None:
    """One ping per socket: a pong means connect() has finished joining the groups."""
    results = await asyncio.gather(*(ping(c) for c in conns))
    missing = sum(r is None for r in results)
    if missing:
        raise RuntimeError(f"{missing} sockets did not answer a ping")


async def ping_idle(conns: list[Conn], total: int) -> dict[str, Any]:
    """One ping in flight at a time, rotating over sockets (within each one's rate limit)."""
    sample = conns[: min(len(conns), 40)]
    rtts, lost = [], 0
    for i in range(total):
        rtt = await ping(sample[i % len(sample)])
        if rtt is None:
            lost += 1
        else:
            rtts.append(rtt)
    return {**summary_ms(rtts), "lost": lost}


async def ping_loaded(conns: list[Conn], per_socket: int, interval: float) -> dict[str, Any]:
    """Every socket pings ``per_socket`` times, a jittered ``interval`` apart, all at once."""
    rtts: list[float] = []
    lost = 0

    async def run(conn: Conn) -> None:
        nonlocal lost
        await asyncio.sleep(random.uniform(0, interval))
        for _ in range(per_socket):
            rtt = await ping(conn)
            if rtt is None:
                lost += 1
            else:
                rtts.append(rtt)
            await asyncio.sleep(random.uniform(0.5 * interval, 1.5 * interval))

    started = time.perf_counter()
    await asyncio.gather(*(run(c) for c in conns))
    elapsed = time.perf_counter() - started
    sent = len(conns) * per_socket
    return {**summary_ms(rtts), "lost": lost, "pings_per_second": round(sent / elapsed, 1)}


def publisher(group: str, count: int, rate: float, size: int, record: dict[str, Any]) -> None:
    """Publish ``count`` payloads at ``rate``/s from a plain thread, as a sync service would."""
    from core.realtime import encode, publish_now

    calls: list[float] = []
    started = time.perf_counter()
    try:
        for seq in range(count):
            delay = started + seq / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            payload = make_payload(seq, size)
            record.setdefault("payload_bytes", len(encode(payload)))
            call = time.perf_counter()
            payload["bench"]["sent"] = time.time()
            publish_now(group, payload)
            calls.append(time.perf_counter() - call)
            record["published"] = seq + 1
    except Exception as exc:  # reported, never swallowed silently
        record["error"] = repr(exc)
    record["publish_call"] = summary_ms(calls)
    record["publish_seconds"] = round(time.perf_counter() - started, 2)


async def fan_out(conns: list[Conn], user_id: int, args: argparse.Namespace) -> dict[str, Any]:
    from core.realtime import user_group

    for conn in conns:
        conn.arrivals.clear()
    record: dict[str, Any] = {"published": 0}
    thread = threading.Thread(
        target=publisher,
        args=(user_group(user_id), args.publishes, args.rate, args.payload_bytes, record),
        daemon=True,
    )
    thread.start()
    while thread.is_alive():
        await asyncio.sleep(0.05)
    expected = record["published"] * len(conns)
    deadline = time.perf_counter() + args.drain_seconds
    while time.perf_counter() < deadline:
        if sum(len(c.arrivals) for c in conns) >= expected:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)  # late duplicates

    latencies: list[float] = []
    by_server: dict[str, list[float]] = {}
    by_seq: dict[int, list[float]] = {}
    duplicates = 0
    for conn in conns:
        for seq, seen in conn.arrivals.items():
            latencies.append(seen[0])
            by_server.setdefault(conn.server, []).append(seen[0])
            by_seq.setdefault(seq, []).append(seen[0])
            duplicates += len(seen) - 1
    # Median and last arrival of each message, in publish order: a rising trend means a
    # backlog is building (deliveries slower than the publish rate), a flat one means not.
    each = [summary_ms(by_seq.get(seq, [])) for seq in range(record["published"])]
    return {
        **summary_ms(latencies),
        "payload_bytes": record.get("payload_bytes"),
        "published": record["published"],
        "rate_per_second": args.rate,
        "delivered": len(latencies),
        "expected": expected,
        "duplicates": duplicates,
        "publish_call": record.get("publish_call"),
        "publisher_error": record.get("error"),
        "by_server": {name: summary_ms(values) for name, values in sorted(by_server.items())},
        "per_message_p50_ms": [m.get("p50_ms") for m in each],
        "per_message_max_ms": [m.get("max_ms") for m in each],
    }


async def measure_level(
    servers: list[Server], count: int, user_id: int, session_key: str, args: argparse.Namespace
) -> dict[str, Any]:
    conns, connect_seconds, failures = await open_sockets(
        servers, count, session_key, args.connect_concurrency
    )
    result: dict[str, Any] = {
        "sockets": count,
        "connect": {
            "opened": len(conns),
            "failed": failures,
            "seconds": round(connect_seconds, 2),
            "per_server": {s.name: sum(c.server == s.name for c in conns) for s in servers},
        },
    }
    try:
        await ready(conns)
        result["ping_idle"] = await ping_idle(conns, args.idle_pings)
        cpu, own = [s.cpu() for s in servers], own_cpu_seconds()
        result["ping_loaded"] = await ping_loaded(conns, args.pings_per_socket, args.ping_interval)
        result["ping_loaded"]["server_cpu_seconds"] = {
            s.name: round(s.cpu() - before, 2) for s, before in zip(servers, cpu, strict=True)
        }
        result["ping_loaded"]["client_cpu_seconds"] = round(own_cpu_seconds() - own, 2)
        await asyncio.sleep(1.0)  # let the rate-limit buckets refill
        cpu, own, started = [s.cpu() for s in servers], own_cpu_seconds(), time.perf_counter()
        result["fanout"] = await fan_out(conns, user_id, args)
        result["fanout"]["seconds"] = round(time.perf_counter() - started, 2)
        result["fanout"]["server_cpu_seconds"] = {
            s.name: round(s.cpu() - before, 2) for s, before in zip(servers, cpu, strict=True)
        }
        result["fanout"]["client_cpu_seconds"] = round(own_cpu_seconds() - own, 2)
        result["errors_received"] = sum(c.errors for c in conns)
        result["closed_by_server"] = sum(c.close_code is not None for c in conns)
    finally:
        await close_sockets(conns)
    return result


# --- reporting ------------------------------------------------------------------------------
def print_table(results: list[dict[str, Any]]) -> None:
    def row(label: str, stats: dict[str, Any] | None, extra: str = "") -> str:
        stats = stats or {}
        cells = [f"{stats.get(k, float('nan')):>8.1f}" for k in ("p50_ms", "p95_ms", "p99_ms")]
        return f"  {label:<22}{stats.get('count', 0):>8} " + " ".join(cells) + f"  {extra}"

    print()
    print(f"  {'':<22}{'count':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for level in results:
        connect = level["connect"]
        print(
            f"{level['sockets']} sockets on {len(connect['per_server'])} servers "
            f"(opened {connect['opened']}, failed {connect['failed']}, "
            f"in {connect['seconds']} s)"
        )
        if "ping_idle" not in level:
            print("  (not measured)")
            continue
        idle, loaded, fan = level["ping_idle"], level["ping_loaded"], level["fanout"]
        print(row("ping, one in flight", idle, f"lost {idle['lost']}"))
        print(
            row(
                "ping, all sockets",
                loaded,
                f"lost {loaded['lost']}, {loaded['pings_per_second']} pings/s",
            )
        )
        print(
            row(
                f"fan-out {fan['payload_bytes']} B",
                fan,
                f"delivered {fan['delivered']}/{fan['expected']}, "
                f"duplicates {fan['duplicates']}, {fan['rate_per_second']}/s",
            )
        )
        for name, stats in fan["by_server"].items():
            print(row(f"  via server {name}", stats))
        print(row("  publish_now() call", fan["publish_call"]))
        cpu = fan["server_cpu_seconds"]
        print(
            f"  CPU seconds during the {fan['seconds']} s of fan-out: "
            + ", ".join(f"server {k} {v}" for k, v in cpu.items())
            + f", clients + publisher {fan['client_cpu_seconds']}"
        )
        p50s = [f"{v:.0f}" for v in fan["per_message_p50_ms"] if v is not None]
        if len(p50s) > 10:
            p50s = [*p50s[:5], "…", *p50s[-5:]]
        print(f"  p50 ms per message, in publish order: {' '.join(p50s)}")
    print()


def write_results(name: str, document: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"{name}-{stamp}.json"
    text = json.dumps(document, indent=2) + "\n"
    path.write_text(text)
    (RESULTS / "latest.json").write_text(text)
    return path


def delete_redis_keys(url: str, prefixes: list[str]) -> int:
    import redis

    client = redis.Redis.from_url(url)
    deleted = 0
    try:
        for prefix in prefixes:
            for key in client.scan_iter(match=f"{prefix}*", count=500):
                deleted += int(client.delete(key))
    finally:
        client.close()
    return deleted


# --- main -----------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url or not redis_url:
        print("bench: set DATABASE_URL (PostgreSQL) and REDIS_URL, or run `make bench`")
        return 2
    for url in (database_url, redis_url):
        host = urlsplit(url).hostname
        if host not in {"127.0.0.1", "localhost", "::1"}:
            print(f"bench: refusing a non-local service at {host!r}")
            return 2

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = min(hard, max(soft, 4 * max(args.socket_counts) + 256))
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))

    run_id = f"commonplace-bench-{os.getpid()}-{secrets.token_hex(3)}"
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
    }
    env.pop("CSRF_TRUSTED_ORIGINS", None)
    logs = Path(tempfile.mkdtemp(prefix="commonplace-bench-"))
    load_before = os.getloadavg()
    results: list[dict[str, Any]] = []
    document: dict[str, Any] = {}
    ok = False
    try:
        print(f"bench: creating database {BENCH_DB} and migrating …", flush=True)
        database.create()
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=300,
        )
        setup_django(env)
        user_id, session_key = create_session()
        with running_servers(env, logs) as servers:
            print(f"bench: daphne on ports {', '.join(str(s.port) for s in servers)}", flush=True)

            async def measure_all() -> None:
                for count in args.socket_counts:
                    print(f"bench: {count} sockets …", flush=True)
                    results.append(await measure_level(servers, count, user_id, session_key, args))

            asyncio.run(asyncio.wait_for(measure_all(), args.time_limit))
            stopped = [s.name for s in servers if s.process and s.process.poll() is not None]
            if stopped:
                raise RuntimeError(f"daphne {stopped} died during the run")
        ok = True
    except (Exception, KeyboardInterrupt) as exc:
        print(f"bench: failed: {exc!r}", file=sys.stderr)
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
            delete_redis_keys(redis_url, [run_id])
        except Exception as exc:
            print(f"bench: could not clean Redis keys {run_id}*: {exc!r}", file=sys.stderr)
        shutil.rmtree(logs, ignore_errors=True)

    if results:
        document = {
            "benchmark": args.name,
            "complete": ok,
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {
                "cpus": os.cpu_count(),
                "platform": platform.platform(),
                "python": platform.python_version(),
                # Other work on the machine skews every figure; this shows how busy it was.
                "loadavg_before": [round(x, 2) for x in load_before],
                "loadavg_after": [round(x, 2) for x in os.getloadavg()],
            },
            "setup": {
                "servers": 2,
                "server_command": "manage.py serve (daphne), access log off",
                "channel_layer": "channels_redis.core.RedisChannelLayer, one Redis",
                "clients": "one asyncio process (websockets), same machine",
            },
            "parameters": {
                k: v for k, v in vars(args).items() if k not in {"socket_counts", "sockets"}
            }
            | {"sockets": args.socket_counts},
            "results": results,
        }
        print_table(results)
        load_after = os.getloadavg()[0]
        print(f"bench: load average {load_before[0]:.2f} before, {load_after:.2f} after")
        path = write_results(args.name, document)
        print(f"bench: wrote {path.relative_to(ROOT)} and bench/results/latest.json")
    return 0 if ok else 1


if __name__ == "__main__":
    status = main()
    if not parse_args().no_posts:
        # The discussions bench: its own process, database and Redis key space.
        print("bench: discussions (bench/posts.py) …", flush=True)
        posts = subprocess.run([sys.executable, str(ROOT / "bench" / "posts.py")], check=False)
        status = status or posts.returncode
    if not parse_args().no_live:
        # The live path bench: many small threads, a server lost, pages; its own database.
        print("bench: live path (bench/live.py) …", flush=True)
        live = subprocess.run([sys.executable, str(ROOT / "bench" / "live.py")], check=False)
        status = status or live.returncode
    if not parse_args().no_repertoire:
        # The repertoire bench: its own process, database and Redis key space.
        print("bench: repertoire (bench/repertoire.py) …", flush=True)
        shelf = subprocess.run([sys.executable, str(ROOT / "bench" / "repertoire.py")], check=False)
        status = status or shelf.returncode
    if not parse_args().no_exports:
        # The packet exports bench: its own process and database.
        print("bench: exports (bench/exports.py) …", flush=True)
        built = subprocess.run([sys.executable, str(ROOT / "bench" / "exports.py")], check=False)
        status = status or built.returncode
    sys.exit(status)
