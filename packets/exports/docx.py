"""The packet as a Word document (python-docx) with real Heading styles, so a reader's
navigation pane and a program's template work with it: Title, then Heading 1 per part,
Heading 2 per artifact; the sections' Markdown becomes paragraphs, lists, quotes and
tables with bold, italic and links kept."""

from __future__ import annotations

from typing import Any

from docx import Document
from docx.enum.text import WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from markdown_it import MarkdownIt
from markdown_it.token import Token

from files.exports import BuiltFile, Progress, export_workdir
from files.models import Export
from packets.exports.common import packet_of
from packets.exports.document import NOT_AVAILABLE, PacketDocument

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_md = MarkdownIt("commonmark", {"html": False}).enable("table").enable("strikethrough")


# --- Markdown into the document -------------------------------------------------------------


def _hyperlink(paragraph: Any, url: str, text: str, bold: bool, italic: bool) -> None:
    part = paragraph.part
    rel = part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    style = OxmlElement("w:rStyle")
    style.set(qn("w:val"), "Hyperlink")
    props.append(style)
    color = OxmlElement("w:color")
    color.set(qn("w:val"), "1A4D8F")
    props.append(color)
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    props.append(underline)
    if bold:
        props.append(OxmlElement("w:b"))
    if italic:
        props.append(OxmlElement("w:i"))
    run.append(props)
    node = OxmlElement("w:t")
    node.text = text
    node.set(qn("xml:space"), "preserve")
    run.append(node)
    link.append(run)
    paragraph._p.append(link)


def _safe_url(url: str) -> bool:
    return url.startswith(("http://", "https://", "mailto:"))


def _inline(paragraph: Any, token: Token) -> None:
    """The inline children of ``token`` as runs of ``paragraph``."""
    bold = italic = strike = False
    link: str | None = None
    link_text: list[str] = []
    for child in token.children or []:
        kind = child.type
        if kind == "strong_open":
            bold = True
        elif kind == "strong_close":
            bold = False
        elif kind == "em_open":
            italic = True
        elif kind == "em_close":
            italic = False
        elif kind == "s_open":
            strike = True
        elif kind == "s_close":
            strike = False
        elif kind == "link_open":
            href = str(child.attrs.get("href", ""))
            link, link_text = (href if _safe_url(href) else None), []
        elif kind == "link_close":
            if link is not None:
                _hyperlink(paragraph, link, "".join(link_text) or link, bold, italic)
            link = None
        elif kind in {"text", "code_inline", "image"}:
            text = child.content
            if kind == "image":
                text = f"[image: {child.content or 'no description'}]"
            if link is not None:
                link_text.append(text)
                continue
            run = paragraph.add_run(text)
            run.bold, run.italic = bold or None, italic or None
            if strike:
                run.font.strike = True
            if kind == "code_inline":
                run.font.name = "Courier New"
        elif kind == "softbreak":
            if link is not None:
                link_text.append(" ")
            else:
                paragraph.add_run(" ")
        elif kind == "hardbreak":
            paragraph.add_run().add_break(WD_BREAK.LINE)


def add_markdown(document: Any, text: str, *, heading_offset: int = 2) -> None:
    """Append Markdown ``text`` to ``document`` as Word paragraphs (headings inside a
    section are demoted below the section's own heading)."""
    tokens = _md.parse(text or "")
    lists: list[str] = []
    quote = 0
    i = 0
    while i < len(tokens):
        token = tokens[i]
        kind = token.type
        if kind == "heading_open":
            level = min(9, int(token.tag[1]) + heading_offset)
            paragraph = document.add_heading("", level=level)
            _inline(paragraph, tokens[i + 1])
            i += 3
            continue
        if kind in {"bullet_list_open", "ordered_list_open"}:
            lists.append("List Bullet" if kind == "bullet_list_open" else "List Number")
        elif kind in {"bullet_list_close", "ordered_list_close"}:
            lists.pop()
        elif kind == "blockquote_open":
            quote += 1
        elif kind == "blockquote_close":
            quote -= 1
        elif kind == "paragraph_open":
            if lists:
                style = lists[-1] if len(lists) == 1 else f"{lists[-1]} 2"
            elif quote:
                style = "Quote"
            else:
                style = None
            paragraph = document.add_paragraph(style=style)
            _inline(paragraph, tokens[i + 1])
            i += 3
            continue
        elif kind in {"fence", "code_block"}:
            paragraph = document.add_paragraph()
            run = paragraph.add_run(token.content.rstrip("\n"))
            run.font.name = "Courier New"
            run.font.size = Pt(9)
        elif kind == "hr":
            document.add_paragraph("* * *")
        elif kind == "table_open":
            i = _table(document, tokens, i)
            continue
        i += 1


def _table(document: Any, tokens: list[Token], start: int) -> int:
    rows: list[list[Token]] = []
    i = start + 1
    while tokens[i].type != "table_close":
        if tokens[i].type == "tr_open":
            rows.append([])
        elif tokens[i].type == "inline":
            rows[-1].append(tokens[i])
        i += 1
    width = max((len(r) for r in rows), default=0)
    if rows and width:
        table = document.add_table(rows=len(rows), cols=width)
        table.style = "Table Grid"
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                paragraph = table.cell(r, c).paragraphs[0]
                _inline(paragraph, cell)
                if r == 0:
                    for run in paragraph.runs:
                        run.bold = True
    return i + 1


def _table_of(document: Any, header: list[str], rows: list[list[str]]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.paragraphs[0].add_run(text).bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text


# --- the packet -----------------------------------------------------------------------------


def build_docx(export: Export, progress: Progress) -> BuiltFile:
    packet = packet_of(export)
    doc = PacketDocument(packet)
    work = export_workdir(export)
    progress(2, "Reading the packet")
    cover = doc.cover()
    document = Document()
    props = document.core_properties
    props.title = doc.title
    props.author = cover.applicant
    props.subject = cover.area
    document.styles["Normal"].font.size = Pt(11)

    document.add_heading(doc.title, level=0)
    document.add_paragraph(cover.applicant).runs[0].bold = True
    document.add_paragraph(f"{cover.framework} · {cover.area}")
    if cover.period:
        document.add_paragraph(f"Enrollment period: {cover.period}")
    status = f"Status: {cover.status}"
    if cover.submitted_on:
        status += f" (submitted {cover.submitted_on:%d %B %Y})"
    document.add_paragraph(status)
    document.add_paragraph(f"Prepared {cover.generated_text}")

    for section in doc.sections():
        document.add_page_break()
        document.add_heading(section.title, level=1)
        if section.guidance:
            document.add_paragraph(section.guidance, style="Intense Quote")
        if section.body.strip():
            add_markdown(document, section.body)
        else:
            document.add_paragraph("Not written yet.").runs[0].italic = True
        words = f"{section.word_count} words"
        if section.word_limit:
            words += f" (limit {section.word_limit})"
        document.add_paragraph(words).runs[0].font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    progress(15, "Sections written")

    document.add_page_break()
    document.add_heading("Self-assessment", level=1)
    assessment = doc.assessment()
    if assessment is None:
        document.add_paragraph("No self-assessment has been taken for this area.")
    else:
        document.add_paragraph(f"Taken {assessment.taken_text}.")
        if assessment.note:
            document.add_paragraph(assessment.note)
        _table_of(
            document,
            ["Competency", "Level", "Note"],
            [[f"{r.code} {r.competency}", r.level, r.note] for r in assessment.ratings],
        )

    count = doc.artifact_count()
    letter = doc.letter()
    if doc.requirements.wants_artifacts or count:
        document.add_page_break()
        document.add_heading("Artifacts", level=1)
        if not count:
            document.add_paragraph("No artifacts chosen.")
        done = 0
        for batch in doc.artifact_batches():
            for artifact in batch:
                document.add_heading(f"{artifact.number}. {artifact.title}", level=2)
                meta = artifact.kind
                if artifact.available and artifact.detail:
                    meta = f"{meta} · {artifact.detail}" if meta else artifact.detail
                if meta:
                    document.add_paragraph(meta)
                if not artifact.available:
                    run = document.add_paragraph().add_run(
                        f"{NOT_AVAILABLE}: this item was removed or can no longer be seen."
                    )
                    run.bold = True
                if artifact.competencies:
                    document.add_paragraph("Competencies: " + "; ".join(artifact.competencies))
                if artifact.annotation:
                    document.add_paragraph(artifact.annotation)
                if artifact.url:
                    _hyperlink(document.add_paragraph(), artifact.url, artifact.url, False, False)
                if artifact.file:
                    document.add_paragraph(
                        f"File: {artifact.file.name} (included with the ZIP export)."
                    )
            done += len(batch)
            progress(15 + 60 * done // max(count, 1), f"Artifacts: {done} of {count}")

    document.add_page_break()
    document.add_heading("Professional development", level=1)
    lines = doc.development()
    if lines:
        _table_of(
            document,
            ["Activity", "Organiser", "Dates", "Detail"],
            [[line.title, line.organiser, line.dates, line.detail] for line in lines],
        )
    else:
        document.add_paragraph("No professional development listed.")

    if doc.requirements.wants_letter or letter is not None:
        document.add_page_break()
        document.add_heading("Community partner letter", level=1)
        if letter is None:
            document.add_paragraph("No letter has been received yet.")
        else:
            signed = f" ({letter.signed_by})" if letter.signed_by else ""
            document.add_paragraph(
                f"From {letter.partner_name}{signed}, received {letter.received_text}."
            )
            if letter.text:
                add_markdown(document, letter.text)
            if letter.file:
                document.add_paragraph(
                    f"The letter was uploaded as a file ({letter.file.name}); it is included "
                    "with the ZIP export."
                )
    progress(90, "Saving the document")
    out = work / "packet.docx"
    document.save(str(out))
    return BuiltFile(out, doc.filename("docx"), CONTENT_TYPE)
