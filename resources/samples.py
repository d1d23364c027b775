"""Real small documents made in code, for the demo repertoire and the benchmark: a PDF with
text on its pages and a minimal Word document. Both are what the upload module accepts
(its type check reads the bytes, not the name) and what its text extraction reads, so the
words written here are found by search once the file's text is extracted."""

from __future__ import annotations

import io
import textwrap
import zipfile
from collections.abc import Sequence
from xml.sax.saxutils import escape

PAGE_WIDTH, PAGE_HEIGHT = 612, 792  # US Letter, in points
MARGIN = 72
FONT_SIZE = 11
LEADING = 15
WRAP = 90  # characters a line (Helvetica 11 pt fits about that in 6.5 inches)
LINES_PER_PAGE = (PAGE_HEIGHT - 2 * MARGIN) // LEADING


def _pdf_string(text: str) -> str:
    """A PDF literal string in WinAnsiEncoding (Windows-1252: Latin letters, curly quotes,
    dashes), with its delimiters escaped; other characters become "?"."""
    safe = text.encode("cp1252", "replace").decode("cp1252")
    return "(" + safe.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def _lines(title: str, paragraphs: Sequence[str]) -> list[tuple[str, bool]]:
    """Every line to print, with whether it is the heading."""
    out: list[tuple[str, bool]] = [(title, True), ("", False)]
    for paragraph in paragraphs:
        out += [(line, False) for line in textwrap.wrap(paragraph, WRAP) or [""]]
        out.append(("", False))
    return out


def pdf_document(title: str, paragraphs: Sequence[str]) -> bytes:
    """A text PDF (one or more Letter pages, Helvetica): the title in bold, then the
    paragraphs wrapped to the page."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    fonts = DictionaryObject()
    for name, base in (("/F1", "/Helvetica"), ("/F2", "/Helvetica-Bold")):
        font = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject(base),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            }
        )
        fonts[NameObject(name)] = writer._add_object(font)
    lines = _lines(title, paragraphs)
    for start in range(0, len(lines), LINES_PER_PAGE):
        page = writer.add_blank_page(width=PAGE_WIDTH, height=PAGE_HEIGHT)
        page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): fonts})
        ops = [f"BT {LEADING} TL {MARGIN} {PAGE_HEIGHT - MARGIN} Td"]
        for line, heading in lines[start : start + LINES_PER_PAGE]:
            face = "/F2 14" if heading else f"/F1 {FONT_SIZE}"
            ops.append(f"{face} Tf {_pdf_string(line)} Tj T*")
        ops.append("ET")
        stream = DecodedStreamObject()
        stream.set_data("\n".join(ops).encode("cp1252"))
        page[NameObject("/Contents")] = writer._add_object(stream)
    writer.add_metadata({"/Title": title, "/Producer": "Commonplace demo data"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/word/document.xml" ContentType="{DOCX_MAIN}"/>'
    "</Types>"
)
PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{R}/officeDocument" Target="word/document.xml"/>'
    "</Relationships>"
)


def _paragraph(text: str, *, heading: bool = False) -> str:
    style = '<w:pPr><w:pStyle w:val="Title"/></w:pPr>' if heading else ""
    bold = "<w:rPr><w:b/></w:rPr>" if heading else ""
    return f'<w:p>{style}<w:r>{bold}<w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def docx_document(title: str, paragraphs: Sequence[str]) -> bytes:
    """A minimal valid Word document (the three parts a .docx needs): the title, then one
    Word paragraph per paragraph given."""
    body = _paragraph(title, heading=True) + "".join(_paragraph(p) for p in paragraphs)
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<w:document xmlns:w="{W}" xmlns:r="{R}"><w:body>{body}'
        '<w:sectPr><w:pgSz w:w="12240" w:h="15840"/></w:sectPr></w:body></w:document>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", PACKAGE_RELS)
        archive.writestr("word/document.xml", document)
    return out.getvalue()
