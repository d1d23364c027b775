"""A person's own data: the "My data" export (a ZIP of ``data.json`` and their files, built
in the background by the export helper) and account deletion.

Both read the ``core.data`` registry, where every app with personal data declares what it
holds (``<app>/data.py``): the export gathers each source under its own key; deletion shows
each source's summary first, then runs the sources' erase hooks, deletes the account (the
foreign keys CASCADE what is private and SET_NULL what stays in shared spaces), removes the
stored files nobody else holds, and closes the person's sockets.
"""

from __future__ import annotations

import io
import json
import logging
import re
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import ForeignObjectRel
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.consumers import CLOSE_UNAUTHENTICATED
from core.data import Summary, data_sources, erase_all, summarize_all
from core.errors import ServiceError
from core.realtime import close_group_on_commit, user_group
from files.exports import BuiltFile, Progress, export_delete, export_request, export_workdir
from files.models import Export, StoredFile
from files.services import file_delete

logger = logging.getLogger(__name__)

DATA_EXPORT_KIND = "accounts.data"
DATA_EXPORT_LABEL = "All my data (ZIP)"
NOTIFICATION_KIND = "accounts.data_export"

README = """Your data from Commonplace, exported {when}.

data.json holds everything you wrote or chose on Commonplace, one key per part of the site:
{keys}.
Dates and times are in UTC (ISO 8601). Text you wrote is Markdown, as you typed it.

files/ holds the files you uploaded (evidence, certificates, resource files) and the
letters written for your application packets; data.json names each by its path here.
"""


class AccountDataError(ServiceError):
    pass


# --- the export -----------------------------------------------------------------------------


def data_export_request(*, user: User) -> Export:
    """Queue a ZIP of everything ``user`` has; built by the export task, which notifies them
    with the download link when it is ready."""
    return export_request(owner=user, kind=DATA_EXPORT_KIND, label=DATA_EXPORT_LABEL)


_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def _arcname(wanted: str, taken: set[str]) -> str:
    """A safe, unique path under files/ for ``wanted`` (folders kept, no "..")."""
    parts = [_UNSAFE.sub("_", p).strip(" .") or "file" for p in PurePosixPath(wanted).parts]
    path = PurePosixPath("files", *[p for p in parts if p not in ("", "..")])
    candidate, n = str(path), 1
    while candidate.lower() in taken:
        n += 1
        candidate = str(path.with_name(f"{path.stem} ({n}){path.suffix}"))
    taken.add(candidate.lower())
    return candidate


def data_export_build(export: Export, progress: Progress) -> BuiltFile:
    """The ZIP: ``data.json`` (one key per data source), ``files/`` and a README. Files are
    copied into the archive from disk as it is written (never read whole into memory)."""
    user = export.owner
    path = export_workdir(export) / "data.zip"
    taken: set[str] = set()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:

        def add_file(item: Any, arcname: str) -> str | None:
            source = Path(item) if isinstance(item, (str, Path)) else item.path
            if not source.is_file():
                logger.warning("data export %s: %s is missing on disk", export.pk, source)
                return None
            name = _arcname(arcname, taken)
            archive.write(source, name)
            return name

        sources = data_sources()
        data: dict[str, Any] = {}
        for done, source in enumerate(sources):
            progress(5 + done * 85 // max(1, len(sources)), f"Gathering: {source.label}")
            data[source.name] = source.collect(user, add_file)
        progress(92, "Writing data.json")
        with (
            archive.open("data.json", "w", force_zip64=True) as raw,
            io.TextIOWrapper(raw, encoding="utf-8") as out,
        ):
            json.dump(data, out, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1)
        archive.writestr(
            "README.txt",
            README.format(
                when=timezone.now().strftime("%Y-%m-%d %H:%M UTC"),
                keys=", ".join(s.name for s in sources),
            ),
        )
    stamp = timezone.now().strftime("%Y-%m-%d")
    return BuiltFile(path, f"commonplace-my-data-{stamp}.zip", "application/zip")


def data_export_done(export: Export) -> None:
    """Tell the owner the ZIP is ready, with the link to the My data page."""
    from accounts.services import notify

    notify(
        users=[export.owner],
        kind=NOTIFICATION_KIND,
        title="Your data export is ready",
        body="Download it from the My data page before it expires.",
        url=reverse("accounts:my_data"),
    )


# --- deletion -------------------------------------------------------------------------------


def deletion_summary(*, user: User) -> list[Summary]:
    """What deleting ``user`` would remove and what would stay, per data source."""
    return summarize_all(user)


def _unreferenced(file_ids: set[Any]) -> list[StoredFile]:
    """The stored files among ``file_ids`` that no row refers to any more."""
    if not file_ids:
        return []
    held = set(file_ids)
    # Every foreign key to StoredFile, the hidden ones (related_name="+") included.
    for rel in StoredFile._meta.get_fields(include_hidden=True):
        if not isinstance(rel, ForeignObjectRel) or not (rel.one_to_many or rel.one_to_one):
            continue
        field = rel.field
        model: Any = rel.related_model
        still = model._default_manager.filter(**{f"{field.name}__in": list(held)}).values_list(
            field.attname, flat=True
        )
        held -= set(still)
        if not held:
            return []
    return list(StoredFile.objects.filter(pk__in=held))


def account_delete(*, user: User) -> int:
    """Delete ``user`` at once: their private things go (entries, packets, self-
    assessments, files only they hold, exports), shared ones stay attributed to a former
    member, and every socket they have open is closed. Returns the deleted account's id.
    The caller ends the request's own login session (``logout``)."""
    with transaction.atomic():
        locked = User.objects.select_for_update().filter(pk=user.pk).first()
        if locked is None:
            raise AccountDataError("This account no longer exists.", code="not_found")
        user_id = locked.pk
        held = erase_all(locked)
        held.update(StoredFile.objects.filter(uploaded_by=locked).values_list("pk", flat=True))
        for export in Export.objects.filter(owner=locked):
            export_delete(export)
        close_group_on_commit(
            user_group(user_id), code=CLOSE_UNAUTHENTICATED, reason="account deleted"
        )
        locked.delete()
        for stored in _unreferenced(held):
            file_delete(stored)
    logger.info("account %s deleted by its owner", user_id)
    return user_id
