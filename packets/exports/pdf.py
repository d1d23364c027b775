"""The packet as a PDF (WeasyPrint): a cover page, contents with page numbers, the sections,
the self-assessment table, the artifacts (images shown, PDFs appended at the end), the
professional development list and the partner's letter.

The HTML is written to the export's work directory a batch of artifacts at a time, never
held whole in memory. WeasyPrint fetches nothing from the network or the disk except the
artifact images this export allows (:class:`OnlyTheseFiles`).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.template.loader import get_template, render_to_string

from files.exports import BuiltFile, Progress, export_workdir
from files.models import Export
from packets.exports.common import packet_of
from packets.exports.document import ArtifactFile, PacketDocument

logger = logging.getLogger(__name__)

CONTENT_TYPE = "application/pdf"
# PDFs (artifacts, a letter) appended after the packet, at most this many bytes in all;
# beyond it they are listed (and are in the ZIP export).
APPEND_MAX_BYTES = 60 * 1024 * 1024
FILE_SCHEME = "packet-file:"


class OnlyTheseFiles:
    """WeasyPrint's URL fetcher for a packet: ``packet-file:<id>`` for the images this
    export includes, and nothing else (no web request, no other file)."""

    def __init__(self) -> None:
        self.allowed: dict[str, ArtifactFile] = {}

    def allow(self, file: ArtifactFile) -> None:
        self.allowed[file.id] = file

    def __call__(self, url: str, *args: Any, **kwargs: Any) -> Any:
        from weasyprint.urls import URLFetcherResponse

        if not url.startswith(FILE_SCHEME):
            raise ValueError("only the packet's own files are fetched")
        file = self.allowed.get(url.removeprefix(FILE_SCHEME))
        if file is None:
            raise ValueError("not a file of this packet")
        return URLFetcherResponse(
            url, body=file.path.open("rb"), headers={"Content-Type": file.content_type}
        )


def _append(main: Path, appendix: list[ArtifactFile], out: Path) -> None:
    """The packet's pages, then each appended PDF (a bookmark for each); one that cannot be
    read is skipped (it is still in the ZIP)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(str(main))
    for file in appendix:
        try:
            reader = PdfReader(str(file.path))
            writer.append(reader, outline_item=f"Appendix: {file.name}")
        except Exception:
            logger.warning("could not append %s to a packet PDF", file.id, exc_info=True)
    with out.open("wb") as handle:
        writer.write(handle)


def build_pdf(export: Export, progress: Progress) -> BuiltFile:
    import weasyprint

    packet = packet_of(export)
    doc = PacketDocument(packet)
    work = export_workdir(export)
    progress(2, "Reading the packet")
    sections = doc.sections()
    letter = doc.letter()
    count = doc.artifact_count()
    context: dict[str, Any] = {
        "doc": doc,
        "cover": doc.cover(),
        "sections": sections,
        "assessment": doc.assessment(),
        "artifact_count": count,
        "show_artifacts": doc.requirements.wants_artifacts or count > 0,
        "show_letter": doc.requirements.wants_letter or letter is not None,
        "letter": letter,
    }
    fetcher = OnlyTheseFiles()
    appendix: list[ArtifactFile] = []
    appended: set[str] = set()
    budget = APPEND_MAX_BYTES

    def take(file: ArtifactFile | None) -> None:
        nonlocal budget
        if file is None:
            return
        if file.is_image:
            fetcher.allow(file)
        elif file.is_pdf and file.size <= budget:
            budget -= file.size
            appendix.append(file)
            appended.add(file.id)

    html_path = work / "packet.html"
    with html_path.open("w", encoding="utf-8") as html:
        html.write(render_to_string("packets/pdf/start.html", context))
        progress(10, "Sections written")
        done = 0
        for batch in doc.artifact_batches():
            for artifact in batch:
                take(artifact.file)
            html.write(
                render_to_string(
                    "packets/pdf/_artifacts.html", {"artifacts": batch, "appended": appended}
                )
            )
            done += len(batch)
            progress(10 + 40 * done // max(count, 1), f"Artifacts: {done} of {count}")
        take(letter.file if letter else None)
        context["development"] = doc.development()
        context["appended"] = appended
        html.write(render_to_string("packets/pdf/end.html", context))
    progress(55, "Laying out pages")
    css = weasyprint.CSS(string=get_template("packets/pdf/packet.css").render({}))
    main = work / "main.pdf"
    weasyprint.HTML(filename=str(html_path), url_fetcher=fetcher).write_pdf(
        str(main), stylesheets=[css]
    )
    html_path.unlink(missing_ok=True)
    if not appendix:
        return BuiltFile(main, doc.filename("pdf"), CONTENT_TYPE)
    progress(90, "Appending files")
    out = work / "packet.pdf"
    _append(main, appendix, out)
    main.unlink(missing_ok=True)
    return BuiltFile(out, doc.filename("pdf"), CONTENT_TYPE)
