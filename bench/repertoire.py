#!/usr/bin/env python
"""Repertoire benchmark: the library page and search (the library's ``?q=`` and the
site-wide /search/) at 10, 1,000 and 100,000 resources: queries per request and
requests per second.

Run by ``make bench`` (after the discussions bench) or on its own with DATABASE_URL
(PostgreSQL) and REDIS_URL set, both local: ``python bench/repertoire.py``. See
bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from posts import requests_per_second
from run import HOST, RESULTS, ROOT, BenchDatabase, delete_redis_keys, running_servers, setup_django

# Its own database, so it never collides with a round-trip or discussions run.
BENCH_DB = "commonplace_bench_repertoire"
SEARCH = "partnership reciprocity"


class RepertoireDatabase(BenchDatabase):
    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = urlunsplit(urlsplit(url)._replace(path=f"/{BENCH_DB}"))

    def create(self) -> None:
        self.drop()
        self._execute(f'CREATE DATABASE "{BENCH_DB}"')

    def drop(self) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", default="repertoire")
    parser.add_argument("--volumes", default="10,1000,100000", help="resources in all")
    parser.add_argument("--page-seconds", type=float, default=3.0, help="RPS loop length")
    parser.add_argument("--page-requests", type=int, default=300, help="RPS loop bound")
    parser.add_argument("--page-concurrency", type=int, default=4)
    parser.add_argument(
        "--page-budget",
        type=float,
        default=20.0,
        help="skip a page whose projected time per request exceeds this many seconds",
    )
    args = parser.parse_args(argv)
    args.volume_levels = [int(n) for n in args.volumes.split(",") if n.strip()]
    if not args.volume_levels or min(args.volume_levels) < 1 or max(args.volume_levels) > 200_000:
        parser.error("--volumes between 1 and 200000")
    return args


# --- data --------------------------------------------------------------------------------------
@dataclass
class World:
    cohort_ids: list[int]
    cohort_slug: str
    contributors: dict[int, list[int]]
    reader_id: int
    session_key: str


def build_world() -> World:
    """Two active cohorts made through the real services; the reader is a member of the
    first, so the library holds their cohort's resources and the other's platform-wide
    ones (every third resource of the other cohort is shared platform-wide)."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client

    from accounts.roles import PlatformRole
    from accounts.services import role_grant, user_create_verified
    from cohorts import services as cs
    from cohorts.models import Cohort, CohortReview, Membership
    from competencies.models import Framework

    call_command("import_framework", stdout=io.StringIO())
    area = Framework.objects.get(slug="cep").areas.get(slug="partnerships")

    def person(email: str, name: str) -> Any:
        user, _ = user_create_verified(email=email, password=secrets.token_urlsafe(24), name=name)
        return user

    staff = person("bench-staff@example.org", "Bench Staff")
    role_grant(user=staff, role=PlatformRole.PROGRAM_STAFF)
    reader = person("bench-reader@example.org", "Bench Reader")
    cohorts, contributors = [], {}
    for n in range(2):
        facilitator = person(f"bench-facilitator-{n}@example.org", f"Bench Facilitator {n}")
        writer = person(f"bench-writer-{n}@example.org", f"Bench Writer {n}")
        cohort = cs.cohort_propose(
            by=facilitator,
            title=f"Bench repertoire {n}",
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
        members = [writer, reader] if n == 0 else [writer]
        for user in members:
            membership = cs.membership_join(cohort=cohort, user=user)
            if membership.status == Membership.Status.REQUESTED:
                cs.membership_accept(membership=membership, by=facilitator)
        cohorts.append(cohort)
        contributors[cohort.pk] = [writer.pk, facilitator.pk]
    client = Client(HTTP_HOST=HOST)
    client.force_login(reader)
    world = World(
        cohort_ids=[c.pk for c in cohorts],
        cohort_slug=cohorts[0].slug,
        contributors=contributors,
        reader_id=reader.pk,
        session_key=client.cookies[settings.SESSION_COOKIE_NAME].value,
    )
    connections.close_all()
    return world


def grow(world: World, target: int) -> int:
    """bulk_create synthetic links and notes (resources.seed) up to ``target`` in all,
    alternating the two cohorts; every third of the other cohort's shared platform-wide."""
    from django.db import connections

    from cohorts.models import Cohort
    from resources import search_index
    from resources.models import Resource
    from resources.seed import synthetic_resources

    have = Resource.objects.count()
    if target > have:
        cohorts = list(Cohort.objects.filter(pk__in=world.cohort_ids).order_by("pk"))
        synthetic_resources(cohorts, world.contributors, target - have, start=have)
        other = Resource.objects.filter(cohort_id=world.cohort_ids[1], scope="cohort")
        Resource.objects.filter(
            pk__in=other.filter(pk__gt=0).values("pk")[: (target - have) // 6 + 1]
        ).update(scope=Resource.Scope.PLATFORM)
        search_index.rebuild()  # SQLite only; PostgreSQL's column is filled on write
        from django.db import connection

        if connection.vendor == "postgresql":
            # What autovacuum would soon do after a bulk load: without statistics the
            # planner guesses a few dozen rows and picks sorts over the indexes.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
    count = Resource.objects.count()
    connections.close_all()
    return count


def count_queries(path: str, world: World) -> dict[str, Any]:
    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=HOST)
    client.cookies["sessionid"] = world.session_key
    client.get(path)  # warm
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(path)
        elapsed = time.perf_counter() - started
    connections.close_all()
    return {
        "status": response.status_code,
        "queries": len(queries),
        "bytes": len(response.content),
        "in_process_ms": round(elapsed * 1000, 1),
    }


def _projected_ms(levels: list[dict[str, Any]], name: str, count: int) -> float | None:
    for level in reversed(levels):
        measured = level.get(name, {})
        if "in_process_ms" in measured and level["resources"]:
            return float(measured["in_process_ms"]) * count / level["resources"]
    return None


PAGES = {
    "library": "/resources/",
    "library_search": f"/resources/?q={SEARCH.replace(' ', '+')}",
    "site_search": f"/search/?q={SEARCH.replace(' ', '+')}",
}


def measure(server: Any, world: World, args: argparse.Namespace) -> list[dict[str, Any]]:
    levels: list[dict[str, Any]] = []
    for target in args.volume_levels:
        print(f"bench: repertoire at {target} resources …", flush=True)
        started = time.perf_counter()
        count = grow(world, target)
        level: dict[str, Any] = {
            "resources": count,
            "build_seconds": round(time.perf_counter() - started, 1),
        }
        for name, path in PAGES.items():
            projected = _projected_ms(levels, name, count)
            if projected is not None and projected > args.page_budget * 1000:
                level[name] = {
                    "path": path,
                    "skipped": f"projected {projected / 1000:.0f} s per request in-process "
                    f"(linear in resources from the previous level), over --page-budget "
                    f"{args.page_budget:.0f} s",
                    "projected_in_process_ms": round(projected),
                }
                continue
            level[name] = {
                "path": path,
                **count_queries(path, world),
                "http": requests_per_second(server, path, world, args),  # type: ignore[arg-type]
            }
        levels.append(level)
    return levels


def print_report(levels: list[dict[str, Any]]) -> None:
    print()
    print("Repertoire pages (queries per request, in-process; requests/s over HTTP)")
    for level in levels:
        for name in PAGES:
            p = level[name]
            if "skipped" in p:
                print(f"  {level['resources']:>7} resources  {name:<15} skipped: {p['skipped']}")
                continue
            print(
                f"  {level['resources']:>7} resources  {name:<15} status {p['status']}  "
                f"queries {p['queries']:>3}  {p['bytes']:>8} B  "
                f"{p['in_process_ms']:>8} ms  {p['http']['requests_per_second']} req/s  "
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
    run_id = f"commonplace-bench-repertoire-{os.getpid()}-{secrets.token_hex(3)}"
    database = RepertoireDatabase(database_url)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
        "DATABASE_URL": database.url,
        "REDIS_URL": redis_url,
        "CHANNEL_PREFIX": run_id,
        "CACHE_PREFIX": f"{run_id}-cache",
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        "EMAIL_URL": "dummymail://",
    }
    env.pop("CSRF_TRUSTED_ORIGINS", None)
    logs = Path(tempfile.mkdtemp(prefix="commonplace-bench-repertoire-"))
    load_before = os.getloadavg()
    began = time.monotonic()
    levels: list[dict[str, Any]] = []
    ok = False
    try:
        print("bench: repertoire: creating database and migrating …", flush=True)
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
        with running_servers(env, logs, count=1) as servers:
            levels = measure(servers[0], world, args)
        ok = True
    except (Exception, KeyboardInterrupt) as exc:
        print(f"bench: repertoire failed: {exc!r}", file=sys.stderr)
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
            delete_redis_keys(redis_url, [run_id])
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
            "server": "one daphne process, `manage.py serve`, access log off",
            "database": "local PostgreSQL",
            "data": "two active cohorts; the reader is a member of the first. Resources "
            "(links and notes, two tags and one competency each) made with bulk_create by "
            "resources.seed.synthetic_resources, alternating the cohorts; about a third of "
            "the other cohort's are shared platform-wide, so the library mixes both",
            "search": f"the words {SEARCH!r}: every synthetic resource says 'partnership', "
            "about one in seven 'reciprocity' too",
            "pages": "queries counted in-process with Django's test client after a warm-up "
            "request; requests/s over HTTP to the server with a bounded loop",
        },
        "parameters": dict(vars(args)),
        "pages": levels,
    }
    if levels:
        path = write(document, args.name)
        print_report(levels)
        print(f"bench: wrote {path.relative_to(ROOT)} and bench/results/{args.name}-latest.json")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
