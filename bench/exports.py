#!/usr/bin/env python
"""Packet export benchmark: time and peak memory of the PDF, DOCX and ZIP builders for a
packet of 10, 100 and 300 artifacts (one in ten an uploaded file: PDFs appended to the PDF,
images shown, all streamed into the ZIP).

Run by ``make bench`` (after the others) or on its own: ``python bench/exports.py``. With a
local PostgreSQL DATABASE_URL it works in its own database (dropped at the end); without,
in a temporary SQLite file. Each build runs twice: once timed, once under tracemalloc for
the peak of Python allocations; the process's resident set (VmRSS, and the high-water mark
VmHWM) is read after each. JSON lands in bench/results/exports-<time>.json.
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
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from run import RESULTS, ROOT, BenchDatabase, setup_django

BENCH_DB = "commonplace_bench_exports"
FORMATS = ("pdf", "docx", "zip")


class ExportsDatabase(BenchDatabase):
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
    parser.add_argument("--name", default="exports")
    parser.add_argument("--artifacts", default="10,100,300", help="artifacts per packet")
    parser.add_argument("--file-every", type=int, default=10, help="one uploaded file per N")
    args = parser.parse_args(argv)
    args.levels = [int(n) for n in args.artifacts.split(",") if n.strip()]
    if not args.levels or min(args.levels) < 1 or max(args.levels) > 500:
        parser.error("--artifacts between 1 and 500 (a packet holds at most 500)")
    return args


def memory_kib() -> dict[str, int]:
    """VmRSS and VmHWM of this process, in KiB (Linux)."""
    found: dict[str, int] = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in {"VmRSS", "VmHWM"}:
                found[key.lower()] = int(value.split()[0])
    return found


# --- data -----------------------------------------------------------------------------------
def small_pdf(text: str) -> bytes:
    import weasyprint

    return weasyprint.HTML(string=f"<h1>{text}</h1><p>{'Appendix text. ' * 200}</p>").write_pdf()


def small_png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (800, 600), (30, 120, 80)).save(out, format="PNG")
    return out.getvalue()


def make_packet(owner: Any, area: Any, period: Any, artifacts: int, file_every: int) -> Any:
    """A packet with every section written, a self-assessment, ``artifacts`` artifacts and
    a development list, created directly (fast), as the services would leave them."""
    import hashlib

    from competencies.models import Competency
    from files.models import StoredFile
    from files.services import storage_dir
    from journals.models import FILE_PURPOSE, Entry, Evidence, SelfAssessment, SelfRating
    from packets.models import Artifact, DevelopmentItem, Section
    from packets.services.packets import packet_create

    packet = packet_create(owner=owner, area=area, period=period)
    paragraph = (
        "We met the neighbourhood council every second week and planned the survey with "
        "them, not for them. **Reciprocity** meant sharing the budget and the credit. "
    )
    for section in Section.objects.filter(packet=packet):
        section.body = "\n\n".join([paragraph * 3] * 6)
        section.word_count = len(section.body.split())
        section.save(update_fields=["body", "word_count"])
    competencies = list(Competency.objects.filter(area=area).order_by("order", "pk"))
    sitting = SelfAssessment.objects.create(user=owner, area=area, note="Bench sitting.")
    SelfRating.objects.bulk_create(
        SelfRating(assessment=sitting, competency=c, level=i % 3)
        for i, c in enumerate(competencies)
    )
    entries = [
        Entry.objects.create(
            author=owner, title=f"Entry {n}", body="Body", written_on=period.opens_on
        )
        for n in range(max(1, artifacts // 40 + 1))
    ]
    pdf, png = small_pdf("Artifact"), small_png()
    directory = storage_dir()
    directory.mkdir(parents=True, exist_ok=True)
    evidence = []
    for n in range(artifacts):
        entry = entries[n % len(entries)]
        if file_every and n % file_every == 0:
            data, ext, ctype = (
                (pdf, ".pdf", "application/pdf")
                if n % (2 * file_every) == 0
                else (
                    png,
                    ".png",
                    "image/png",
                )
            )
            name = f"{secrets.token_hex(16)}{ext}"
            (directory / name).write_bytes(data)
            stored = StoredFile.objects.create(
                purpose=FILE_PURPOSE,
                storage_name=name,
                original_name=f"artifact-{n}{ext}",
                size=len(data),
                content_type=ctype,
                sha256=hashlib.sha256(data).hexdigest(),
                uploaded_by=owner,
                extraction=StoredFile.Extraction.NONE,
            )
            evidence.append(
                Evidence(entry=entry, kind="file", file=stored, label=f"File {n}", order=n)
            )
        else:
            evidence.append(
                Evidence(entry=entry, kind="url", url=f"https://example.org/work/{n}", order=n)
            )
    evidence = Evidence.objects.bulk_create(evidence)
    rows = Artifact.objects.bulk_create(
        Artifact(
            packet=packet,
            evidence=ev,
            annotation=f"What artifact {n} shows about the partnership. " * 3,
            order=n,
        )
        for n, ev in enumerate(evidence)
    )
    through = Artifact.competencies.through
    through.objects.bulk_create(
        through(artifact_id=a.pk, competency_id=competencies[n % len(competencies)].pk)
        for n, a in enumerate(rows)
    )
    DevelopmentItem.objects.bulk_create(
        DevelopmentItem(packet=packet, source="manual", title=f"Workshop {n}", order=n)
        for n in range(12)
    )
    return packet


# --- measuring ------------------------------------------------------------------------------
def build_once(owner: Any, packet: Any, fmt: str) -> Any:
    from django.utils import timezone

    from files.exports import export_run
    from files.models import Export

    export = Export.objects.create(
        owner=owner,
        kind=f"packets.{fmt}",
        subject=str(packet.pk),
        expires_at=timezone.now() + timedelta(hours=1),
    )
    export_run(export_id=export.pk)
    export.refresh_from_db()
    if export.status != Export.Status.DONE:
        raise RuntimeError(f"{fmt} export failed: {export.error}")
    return export


def measure(owner: Any, packet: Any, artifacts: int) -> dict[str, Any]:
    from files.exports import export_delete

    level: dict[str, Any] = {"artifacts": artifacts, "formats": {}}
    for fmt in FORMATS:
        began = time.perf_counter()
        export = build_once(owner, packet, fmt)
        seconds = time.perf_counter() - began
        size = export.size
        export_delete(export)
        tracemalloc.start()
        tracemalloc.reset_peak()
        export = build_once(owner, packet, fmt)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        export_delete(export)
        level["formats"][fmt] = {
            "seconds": round(seconds, 3),
            "bytes": size,
            "python_peak_mib": round(peak / 1024 / 1024, 2),
            **{f"{k}_mib": round(v / 1024, 1) for k, v in memory_kib().items()},
        }
        print(f"bench: exports: {artifacts} artifacts, {fmt}: {level['formats'][fmt]}", flush=True)
    return level


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    database_url = os.environ.get("DATABASE_URL", "")
    work = Path(tempfile.mkdtemp(prefix="commonplace-bench-exports-"))
    database: ExportsDatabase | None = None
    if database_url and urlsplit(database_url).scheme.startswith("postgres"):
        if urlsplit(database_url).hostname not in {"127.0.0.1", "localhost", "::1"}:
            print("bench: refusing a non-local database")
            return 2
        database = ExportsDatabase(database_url)
        url = database.url
    else:
        url = f"sqlite:///{work / 'bench.sqlite3'}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
        "DATABASE_URL": url,
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        "MEDIA_ROOT": str(work / "media"),
        "EMAIL_URL": "dummymail://",
    }
    env.pop("REDIS_URL", None)  # nothing here needs the queue or the shared cache
    began = time.monotonic()
    levels: list[dict[str, Any]] = []
    ok = False
    try:
        if database is not None:
            database.create()
        print("bench: exports: migrating …", flush=True)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=300,
        )
        setup_django(env)
        os.environ.pop("REDIS_URL", None)
        from django.core.management import call_command

        from accounts.services import user_create_verified
        from cohorts.models import EnrollmentPeriod
        from competencies.models import Area

        call_command("import_framework", stdout=io.StringIO())
        area = Area.objects.get(slug="partnerships")
        for number, artifacts in enumerate(args.levels):
            owner, _ = user_create_verified(
                email=f"bench-exports-{number}@example.org",
                password=secrets.token_urlsafe(24),
                name=f"Bench Applicant {number}",
            )
            period = EnrollmentPeriod.objects.create(
                slug=f"bench-{number}",
                name=f"Bench period {number}",
                opens_on=datetime.now(UTC).date(),
                closes_on=datetime.now(UTC).date() + timedelta(days=40),
            )
            packet = make_packet(owner, area, period, artifacts, args.file_every)
            levels.append(measure(owner, packet, artifacts))
        ok = True
    except (Exception, KeyboardInterrupt) as exc:
        print(f"bench: exports failed: {exc!r}", file=sys.stderr)
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        if database is not None:
            try:
                database.drop()
            except Exception as exc:
                print(f"bench: could not drop {BENCH_DB}: {exc!r}", file=sys.stderr)
        shutil.rmtree(work, ignore_errors=True)
    result = {
        "name": args.name,
        "ok": ok,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "host": {
            "python": platform.python_version(),
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
        },
        "database": "postgresql" if database is not None else "sqlite",
        "file_every": args.file_every,
        "seconds": round(time.monotonic() - began, 1),
        "levels": levels,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{args.name}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"bench: wrote {path.relative_to(ROOT)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
