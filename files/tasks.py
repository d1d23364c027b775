"""Background work of the files app: text extraction for search."""

from __future__ import annotations

import logging

from django_tasks import task

from files.extract import extract
from files.models import StoredFile
from files.services import extraction_finished

logger = logging.getLogger(__name__)


@task()
def extract_text(file_id: str) -> str:
    """Read the text of a stored document into ``StoredFile.text``; any parser error marks
    it failed (logged) and is not retried: the same bytes would fail the same way."""
    stored = StoredFile.objects.filter(pk=file_id).first()
    if stored is None:
        return "gone"
    try:
        text = extract(stored.path, stored.content_type)
    except Exception:
        logger.exception("text extraction failed for file %s", file_id)
        StoredFile.objects.filter(pk=file_id).update(
            extraction=StoredFile.Extraction.FAILED, text=""
        )
        _finished(file_id)
        return StoredFile.Extraction.FAILED
    StoredFile.objects.filter(pk=file_id).update(
        extraction=StoredFile.Extraction.DONE, text=text.replace("\x00", "")
    )
    _finished(file_id)
    return StoredFile.Extraction.DONE


def _finished(file_id: str) -> None:
    """Tell the owning app; its failure is logged and does not undo the extraction."""
    stored = StoredFile.objects.filter(pk=file_id).first()
    if stored is None:
        return
    try:
        extraction_finished(stored)
    except Exception:
        logger.exception("after-extraction listener failed for file %s", file_id)


@task()
def run_export(export_id: str) -> str:
    """Build one export (``files.exports.export_run``): progress, file, failure and the
    kind's after-build hook are all handled there."""
    from files.exports import export_run

    return export_run(export_id=export_id)
