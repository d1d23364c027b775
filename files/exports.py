"""Files built in the background for their owner: one helper for every export.

An app registers a builder per kind (``register_exporter("packets.pdf", build)``) in its
``AppConfig.ready``; a view calls :func:`export_request`; the task (``files.tasks.run_export``)
runs the builder, which writes its file inside :func:`export_workdir` (streaming, never the
whole file in memory) and reports progress through the :class:`Progress` it is given. The
finished file is kept until ``expires_at`` (``EXPORT_TTL_HOURS``, default 72) and served
only to its owner (``files:export_download``); ``manage.py purge_exports`` deletes it then.

A build that raises marks the export failed with a message for its owner (the
``ServiceError`` message, or a general one) and leaves no file behind.
"""

from __future__ import annotations

import logging
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from core.errors import ServiceError, not_found
from core.registry import Registry
from files.models import Export

logger = logging.getLogger(__name__)

# How many exports one person may have waiting or building at once.
MAX_ACTIVE = 3
# A waiting or building export older than this is taken for abandoned (a worker died):
# it no longer counts against the limit, and the purge marks it failed.
STALE_AFTER = timedelta(hours=2)
FAILED_MESSAGE = "The export could not be built. Please try again later."


@dataclass(frozen=True)
class BuiltFile:
    """What a builder made: a file inside the export's work directory."""

    path: Path
    filename: str
    content_type: str


class Progress:
    """Saves an export's progress (0-100) and a short message as the builder goes; a call
    that changes neither costs no query."""

    def __init__(self, export: Export) -> None:
        self.export = export
        self.percent = export.progress
        self.message = export.message

    def __call__(self, percent: int, message: str = "") -> None:
        percent = max(0, min(99, int(percent)))  # 100 only once the file is in place
        message = message[:200]
        if percent == self.percent and message == self.message:
            return
        self.percent, self.message = percent, message
        Export.objects.filter(pk=self.export.pk).update(progress=percent, message=message)
        self.export.progress, self.export.message = percent, message


Builder = Callable[[Export, Progress], BuiltFile]
Finisher = Callable[[Export], None]


@dataclass(frozen=True)
class Exporter:
    kind: str
    build: Builder
    on_done: Finisher | None = None


_exporters: Registry[Exporter] = Registry("exporter")


def register_exporter(kind: str, build: Builder, *, on_done: Finisher | None = None) -> None:
    """Declare how exports of ``kind`` are built (call in AppConfig.ready). ``on_done``
    runs after a successful build (e.g. to notify the owner); its failure is logged."""
    _exporters.register(kind, Exporter(kind, build, on_done))


def unregister_exporter(kind: str) -> None:
    _exporters.unregister(kind)


def exporter(kind: str) -> Exporter | None:
    return _exporters.get(kind)


def exports_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "exports"


def export_workdir(export: Export) -> Path:
    """A private, empty-at-start directory for the builder's files (removed afterwards)."""
    path = exports_dir() / "work" / str(export.pk)
    path.mkdir(parents=True, exist_ok=True)
    return path


def ttl() -> timedelta:
    return timedelta(hours=int(getattr(settings, "EXPORT_TTL_HOURS", 72)))


# --- reads ----------------------------------------------------------------------------------


def exports_for(
    owner: Any, kind: str | None = None, subject: str | None = None
) -> QuerySet[Export]:
    """``owner``'s exports that have not expired, newest first."""
    rows = Export.objects.filter(owner_id=owner.pk, expires_at__gt=timezone.now())
    if kind is not None:
        rows = rows.filter(kind=kind)
    if subject is not None:
        rows = rows.filter(subject=str(subject))
    return rows.order_by("-created_at")


def access_export(user: Any, export_id: Any) -> Export:
    """The export if ``user`` owns it and it has not expired; otherwise the same 404."""
    if not getattr(user, "is_authenticated", False):
        raise not_found()
    try:
        pk = export_id if isinstance(export_id, UUID) else UUID(str(export_id))
    except ValueError:
        raise not_found() from None
    found = Export.objects.filter(pk=pk, owner_id=user.pk).first()
    if found is None or found.expires_at <= timezone.now():
        raise not_found()
    return found


def active_count(owner: Any) -> int:
    return Export.objects.filter(
        owner_id=owner.pk,
        status__in=[Export.Status.PENDING, Export.Status.RUNNING],
        created_at__gt=timezone.now() - STALE_AFTER,
    ).count()


# --- writes ---------------------------------------------------------------------------------


def export_request(*, owner: Any, kind: str, subject: str = "", label: str = "") -> Export:
    """A new waiting export of ``kind``, built by the task once this transaction commits.
    Refused (``rate_limited``) while ``owner`` already has ``MAX_ACTIVE`` on the way."""
    if exporter(kind) is None:
        raise ServiceError(f"Unknown export kind {kind!r}.", code="invalid")
    from accounts.models import User

    with transaction.atomic():
        # One request at a time per person, so two at once cannot both pass the count.
        User.objects.select_for_update().filter(pk=owner.pk).first()
        if active_count(owner) >= MAX_ACTIVE:
            raise ServiceError(
                f"You already have {MAX_ACTIVE} exports on the way. Please wait for one to finish.",
                code="rate_limited",
            )
        export = Export.objects.create(
            owner=owner,
            kind=kind,
            subject=str(subject)[:100],
            label=label[:200],
            expires_at=timezone.now() + ttl(),
        )
        from files.tasks import run_export

        transaction.on_commit(partial(run_export.enqueue, str(export.pk)), robust=True)
    return export


def _remove_workdir(export: Export) -> None:
    shutil.rmtree(exports_dir() / "work" / str(export.pk), ignore_errors=True)


def export_run(*, export_id: Any) -> str:
    """Build one waiting export (the task's body). Claims it first, so a task delivered
    twice builds it once. Returns the export's final status."""
    claimed = Export.objects.filter(pk=export_id, status=Export.Status.PENDING).update(
        status=Export.Status.RUNNING, started_at=timezone.now(), progress=0, message=""
    )
    if not claimed:
        return "skipped"
    export = Export.objects.select_related("owner").get(pk=export_id)
    found = exporter(export.kind)
    final: Path | None = None
    try:
        if found is None:
            raise ServiceError("This kind of export is no longer offered.", code="invalid")
        built = found.build(export, Progress(export))
        storage_name = f"{secrets.token_hex(16)}{Path(built.filename).suffix[:10]}"
        final = exports_dir() / storage_name
        exports_dir().mkdir(parents=True, exist_ok=True)
        shutil.move(str(built.path), final)
        now = timezone.now()
        export.status = Export.Status.DONE
        export.progress = 100
        export.message = ""
        export.storage_name = storage_name
        export.filename = built.filename[:200]
        export.content_type = built.content_type[:120]
        export.size = final.stat().st_size
        export.finished_at = now
        export.expires_at = now + ttl()
        export.save(
            update_fields=[
                "status",
                "progress",
                "message",
                "storage_name",
                "filename",
                "content_type",
                "size",
                "finished_at",
                "expires_at",
            ]
        )
    except Exception as exc:
        logger.exception("export %s (%s) failed", export.pk, export.kind)
        if final is not None:
            final.unlink(missing_ok=True)
        message = exc.message if isinstance(exc, ServiceError) else FAILED_MESSAGE
        Export.objects.filter(pk=export.pk).update(
            status=Export.Status.FAILED,
            error=message[:500],
            message="",
            storage_name="",
            finished_at=timezone.now(),
        )
        return Export.Status.FAILED
    finally:
        _remove_workdir(export)
    if found is not None and found.on_done is not None:
        try:
            found.on_done(export)
        except Exception:
            logger.exception("after-export hook failed for export %s", export.pk)
    return Export.Status.DONE


def export_delete(export: Export) -> None:
    """Remove the export's row and its file (after the commit)."""
    path = export.path
    export.delete()
    _remove_workdir(export)
    if path is not None:
        transaction.on_commit(lambda: path.unlink(missing_ok=True))


def exports_purge() -> int:
    """Delete expired exports with their files, and fail the abandoned ones; the count
    deleted. Run daily (``manage.py purge_exports``)."""
    now = timezone.now()
    Export.objects.filter(
        status__in=[Export.Status.PENDING, Export.Status.RUNNING], created_at__lte=now - STALE_AFTER
    ).update(status=Export.Status.FAILED, error=FAILED_MESSAGE, finished_at=now)
    purged = 0
    for export in Export.objects.filter(expires_at__lte=now).iterator():
        path = export.path
        Export.objects.filter(pk=export.pk).delete()
        if path is not None:
            path.unlink(missing_ok=True)
        _remove_workdir(export)
        purged += 1
    return purged
