"""The packet as a ZIP: README.md (the cover), one Markdown file per section,
self-assessment.md, artifacts.md, development.md, letter.md, and files/ with the uploaded
files the owner may still download. Files are streamed into the archive from disk."""

from __future__ import annotations

import zipfile

from django.utils.text import slugify

from files.exports import BuiltFile, Progress, export_workdir
from files.models import Export
from packets.exports.common import packet_of
from packets.exports.document import NOT_AVAILABLE, ArtifactFile, PacketDocument

CONTENT_TYPE = "application/zip"
CHUNK = 1024 * 1024
# Already compressed: stored as they are.
STORED_TYPES = {"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"}


def _md_escape_line(text: str) -> str:
    return " ".join((text or "").split())


def _cell(text: str) -> str:
    return _md_escape_line(text).replace("|", "\\|")


def _add_file(archive: zipfile.ZipFile, file: ArtifactFile, seen: set[str]) -> str:
    """Stream ``file`` into ``files/`` once; its name in the archive."""
    name = f"files/{file.arcname}"
    if name in seen:
        return name
    seen.add(name)
    compress = zipfile.ZIP_STORED if file.content_type in STORED_TYPES else zipfile.ZIP_DEFLATED
    info = zipfile.ZipInfo(name)
    info.compress_type = compress
    with file.path.open("rb") as source, archive.open(info, "w", force_zip64=True) as target:
        while chunk := source.read(CHUNK):
            target.write(chunk)
    return name


def _write(archive: zipfile.ZipFile, name: str, text: str) -> None:
    archive.writestr(name, text.rstrip() + "\n", compress_type=zipfile.ZIP_DEFLATED)


def build_zip(export: Export, progress: Progress) -> BuiltFile:
    packet = packet_of(export)
    doc = PacketDocument(packet)
    work = export_workdir(export)
    out = work / "packet.zip"
    seen: set[str] = set()
    progress(2, "Reading the packet")
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        cover = doc.cover()
        sections = doc.sections()
        lines = [
            f"# {doc.title}",
            "",
            f"- Applicant: {cover.applicant}",
            f"- Area: {cover.area} ({cover.framework})",
        ]
        if cover.period:
            lines.append(f"- Enrollment period: {cover.period}")
        lines.append(f"- Status: {cover.status}")
        lines.append(f"- Prepared: {cover.generated_text}")
        lines += ["", "## Contents", ""]
        names: list[str] = []
        for section in sections:
            name = f"{section.number:02d}-{slugify(section.title)[:60] or 'section'}.md"
            names.append(name)
            lines.append(f"- [{section.title}]({name})")
        lines += [
            "- [Self-assessment](self-assessment.md)",
            "- [Artifacts](artifacts.md)",
            "- [Professional development](development.md)",
            "- [Community partner letter](letter.md)",
        ]
        _write(archive, "README.md", "\n".join(lines))

        for name, section in zip(names, sections, strict=True):
            parts = [f"# {section.title}", ""]
            if section.guidance:
                parts += [f"> {_md_escape_line(section.guidance)}", ""]
            parts.append(section.body or "_Not written yet._")
            _write(archive, f"{name}", "\n".join(parts))
        progress(10, "Sections written")

        assessment = doc.assessment()
        parts = ["# Self-assessment", ""]
        if assessment is None:
            parts.append("No self-assessment has been taken for this area.")
        else:
            parts += [f"Taken {assessment.taken_text}.", ""]
            if assessment.note:
                parts += [assessment.note, ""]
            parts += ["| Competency | Level | Note |", "| --- | --- | --- |"]
            for r in assessment.ratings:
                cells = [f"{r.code} {r.competency}", r.level, r.note]
                parts.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        _write(archive, "self-assessment.md", "\n".join(parts))

        count = doc.artifact_count()
        done = 0
        # artifacts.md is written as a stream beside the files it links to.
        with archive.open("artifacts.md", "w") as listing:
            listing.write(b"# Artifacts\n\n")
            if not count:
                listing.write(b"No artifacts chosen.\n")
            for batch in doc.artifact_batches():
                for artifact in batch:
                    text: list[str] = [
                        f"## {artifact.number}. {_md_escape_line(artifact.title)}",
                        "",
                    ]
                    if artifact.kind:
                        text.append(f"- Kind: {artifact.kind}")
                    if not artifact.available:
                        text.append(f"- **{NOT_AVAILABLE}**: removed or can no longer be seen.")
                    elif artifact.detail:
                        text.append(f"- {_md_escape_line(artifact.detail)}")
                    if artifact.competencies:
                        text.append("- Competencies: " + "; ".join(artifact.competencies))
                    if artifact.url:
                        text.append(f"- Link: <{artifact.url}>")
                    if artifact.file:
                        # Written to the archive after this listing is closed (one open
                        # member at a time); its name is known now.
                        text.append(
                            f"- File: [{artifact.file.name}](files/{artifact.file.arcname})"
                        )
                    if artifact.annotation:
                        text += ["", artifact.annotation]
                    listing.write(("\n".join(text) + "\n\n").encode())
                done += len(batch)
                progress(10 + 30 * done // max(count, 1), f"Listing artifacts: {done} of {count}")

        # The files, a batch at a time (the listing above is closed: one member at a time).
        done = 0
        for batch in doc.artifact_batches():
            for artifact in batch:
                if artifact.file is not None:
                    _add_file(archive, artifact.file, seen)
            done += len(batch)
            progress(40 + 50 * done // max(count, 1), f"Adding files: {done} of {count}")

        rows = doc.development()
        parts = ["# Professional development", ""]
        if not rows:
            parts.append("No professional development listed.")
        for line in rows:
            bits = [b for b in (line.organiser, line.dates, line.detail) if b]
            parts.append(
                f"- **{_md_escape_line(line.title)}**" + (f" — {'; '.join(bits)}" if bits else "")
            )
        _write(archive, "development.md", "\n".join(parts))

        letter = doc.letter()
        parts = ["# Community partner letter", ""]
        if letter is None:
            parts.append("No letter has been received yet.")
        else:
            signed = f" ({letter.signed_by})" if letter.signed_by else ""
            parts += [f"From {letter.partner_name}{signed}, received {letter.received_text}.", ""]
            if letter.text:
                parts.append(letter.text)
            if letter.file:
                name = _add_file(archive, letter.file, seen)
                parts.append(f"The letter as uploaded: [{letter.file.name}]({name})")
        _write(archive, "letter.md", "\n".join(parts))
    progress(95, "Archive written")
    return BuiltFile(out, doc.filename("zip"), CONTENT_TYPE)
