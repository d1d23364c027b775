"""Packet exports: the PDF (pypdf reads it back), the DOCX (python-docx), the ZIP, what the
owner may no longer see, the API, the packet page part, the notification and who may
download."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from accounts.models import Notification, User
from cohorts.models import Cohort
from competencies.models import Competency
from files.models import Export, StoredFile
from journals.models import Entry, SelfAssessment, SelfRating
from journals.services import EvidenceInput, evidence_add
from packets.exports.document import BATCH, PacketDocument
from packets.models import Artifact, DevelopmentItem, LetterRequest, Packet, Section
from packets.services.exports import packet_export_request

pytestmark = pytest.mark.django_db

SECTION_TEXTS = [
    "Reciprocity means **listening first** and planning second.",
    "We co-designed the garden survey with the neighbourhood council.",
    "I noticed I spoke for partners before asking them.",
    "Next year I will share the budget decisions with partners.",
    "The university's civic office funds two coordinators.",
    "I close with thanks to the partners who taught me.",
]


def pdf_bytes(text: str) -> bytes:
    import weasyprint

    return weasyprint.HTML(string=f"<p>{text}</p>").write_pdf()


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def full_packet(packet: Packet, member: User, write: Callable[..., Entry], home: Cohort) -> Packet:
    """``member``'s packet with every part filled: six sections, a self-assessment, five
    artifacts (a link, a PDF, an image, one from a deleted entry, one whose file is gone),
    two development lines (one left out) and a partner's letter."""
    for section, text in zip(packet.sections.order_by("order", "pk"), SECTION_TEXTS, strict=True):
        section.body = text
        section.word_count = len(text.split())
        section.save(update_fields=["body", "word_count"])
    competencies = list(Competency.objects.filter(area=packet.area).order_by("order", "pk")[:2])
    sitting = SelfAssessment.objects.create(user=member, area=packet.area, note="Before Fall.")
    for level, competency in enumerate(competencies, start=1):
        SelfRating.objects.create(
            assessment=sitting, competency=competency, level=level, note=f"note {level}"
        )

    entry = write(title="Garden survey")
    link = evidence_add(
        entry=entry,
        by=member,
        data=EvidenceInput(kind="url", url="https://example.org/survey", label="Survey"),
    )
    pdf = evidence_add(
        entry=entry,
        by=member,
        data=EvidenceInput(kind="file", label="Partner agreement"),
        upload=SimpleUploadedFile("agreement.pdf", pdf_bytes("APPENDED AGREEMENT TEXT")),
    )
    image = evidence_add(
        entry=entry,
        by=member,
        data=EvidenceInput(kind="file", label="Garden photo"),
        upload=SimpleUploadedFile("garden.png", png_bytes()),
    )
    gone_entry = write(title="Deleted later")
    deleted = evidence_add(
        entry=gone_entry,
        by=member,
        data=EvidenceInput(kind="url", url="https://secret.example/hidden", label="Hidden"),
    )
    Entry.objects.filter(pk=gone_entry.pk).update(deleted_at=timezone.now())
    lost = evidence_add(
        entry=entry,
        by=member,
        data=EvidenceInput(kind="file", label="Lost scan"),
        upload=SimpleUploadedFile("lost.pdf", pdf_bytes("LOST FILE TEXT")),
    )
    StoredFile.objects.filter(pk=lost.file_id).delete()  # the evidence's file is gone

    for order, (ev, note) in enumerate(
        [
            (link, "The survey we wrote together."),
            (pdf, "Our signed agreement."),
            (image, "The garden in May."),
            (deleted, "From an entry I deleted."),
            (lost, "A scan that was removed."),
        ]
    ):
        artifact = Artifact.objects.create(
            packet=packet, evidence=ev, title="", annotation=note, order=order
        )
        artifact.competencies.set(competencies[:1])

    DevelopmentItem.objects.create(
        packet=packet,
        source="manual",
        title="Facilitation intensive",
        organiser="Campus Compact",
        started_on=timezone.localdate() - timedelta(days=90),
        detail="12 hours",
        order=0,
    )
    DevelopmentItem.objects.create(
        packet=packet, source="manual", title="Left out course", included=False, order=1
    )
    LetterRequest.objects.create(
        packet=packet,
        partner_name="Rosa Partner",
        partner_email="rosa@example.org",
        message="Please write about our garden work.",
        token_hash="a" * 64,
        expires_at=timezone.now() + timedelta(days=30),
        received_at=timezone.now(),
        letter_text="Maria was a *generous* partner.",
        signed_by="Rosa Partner, Director",
    )
    return packet


@pytest.fixture
def build(django_capture_on_commit_callbacks: Any) -> Callable[..., Export]:
    def run(packet: Packet, fmt: str) -> Export:
        with django_capture_on_commit_callbacks(execute=True):
            export = packet_export_request(packet=packet, by=packet.owner, fmt=fmt)
        export.refresh_from_db()
        assert export.status == Export.Status.DONE, export.error
        return export

    return run


def page_texts(export: Export) -> list[str]:
    assert export.path is not None
    return [page.extract_text() or "" for page in PdfReader(str(export.path)).pages]


# --- PDF ------------------------------------------------------------------------------------


def test_pdf_has_cover_contents_sections_and_page_numbers(
    full_packet: Packet, member: User, build: Callable[..., Export]
) -> None:
    export = build(full_packet, "pdf")
    assert export.content_type == "application/pdf"
    assert export.filename == "community-partnerships-packet-fall-2031.pdf"
    pages = page_texts(export)
    cover = pages[0]
    assert member.display_name in cover
    assert full_packet.area.name in cover and "Fall 2031" in cover
    assert "Page " not in cover  # no number on the cover

    contents = pages[1]
    assert "Contents" in contents
    titles = list(full_packet.sections.order_by("order", "pk").values_list("title", flat=True))
    for title in titles:
        # Each contents line ends with the page its section starts on.
        found = re.search(re.escape(title) + r"[ .]*?(\d+)\s*$", contents, re.MULTILINE)
        assert found, title
        page = int(found.group(1))
        assert title in pages[page - 1]
    # Each section's heading and its text, in order.
    joined = "\n".join(pages)
    body_start = len(cover) + len(contents)
    rest = joined[body_start:]
    last = -1
    for title, text in zip(titles, SECTION_TEXTS, strict=True):
        at = rest.index(title)
        assert at > last
        plain = text.replace("**", "")
        assert plain in " ".join(rest.split())
        last = at
    numbered = re.search(r"Page 2 of (\d+)", contents)
    assert numbered
    total = int(numbered.group(1))
    assert len(pages) == total + 1  # and one appended page: the artifact PDF
    for number, text in enumerate(pages[1:total], start=2):
        assert f"Page {number} of {total}" in text


def test_pdf_shows_assessment_artifacts_development_and_letter(
    full_packet: Packet, build: Callable[..., Export]
) -> None:
    pages = page_texts(build(full_packet, "pdf"))
    text = " ".join(" ".join(pages).split())
    assert "Self-assessment" in text and "note 1" in text
    assert "The survey we wrote together." in text
    assert "https://example.org/survey" in text
    assert "Our signed agreement." in text
    # The deleted entry's link and the removed file are listed as no longer available.
    assert "From an entry I deleted." in text
    assert text.count("No longer available") >= 2
    assert "secret.example" not in text
    assert "LOST FILE TEXT" not in text
    assert "Facilitation intensive" in text and "Left out course" not in text
    assert "Rosa Partner" in text and "generous partner" in text
    # The PDF artifact is appended after the packet's own pages.
    assert "APPENDED AGREEMENT TEXT" in pages[-1]


def test_pdf_fetches_nothing_from_outside(
    packet: Packet, build: Callable[..., Export], monkeypatch: Any
) -> None:
    section = packet.sections.first()
    assert section is not None
    section.body = "![tracker](https://tracker.example/pixel.png) and ![local](/media/x.png)"
    section.save(update_fields=["body"])
    import urllib.request

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the PDF builder made a request")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    export = build(packet, "pdf")
    assert export.size > 0


# --- DOCX -----------------------------------------------------------------------------------


def test_docx_has_real_headings_and_paragraphs_in_order(
    full_packet: Packet, member: User, build: Callable[..., Export]
) -> None:
    export = build(full_packet, "docx")
    assert export.filename.endswith(".docx")
    assert export.path is not None
    document = docx.Document(str(export.path))
    assert document.core_properties.author == member.display_name
    paragraphs = document.paragraphs
    assert paragraphs[0].style.name == "Title"
    assert paragraphs[0].text == f"{full_packet.area.name} application packet"
    headings = [p.text for p in paragraphs if p.style.name == "Heading 1"]
    titles = list(full_packet.sections.order_by("order", "pk").values_list("title", flat=True))
    assert headings == [
        *titles,
        "Self-assessment",
        "Artifacts",
        "Professional development",
        "Community partner letter",
    ]
    texts = [p.text for p in paragraphs]
    # Each section's text follows its heading.
    last = 0
    for title, body in zip(titles, SECTION_TEXTS, strict=True):
        heading = texts.index(title, last)
        last = texts.index(body.replace("**", ""), heading)
    first = next(p for p in paragraphs if p.text.startswith("Reciprocity means"))
    assert any(run.bold and run.text == "listening first" for run in first.runs)
    artifacts = [p.text for p in paragraphs if p.style.name == "Heading 2"]
    assert artifacts[:3] == ["1. Survey", "2. Partner agreement", "3. Garden photo"]
    assert "No longer available" in " ".join(texts)
    assert "secret.example" not in " ".join(texts)
    tables = document.tables
    assert tables[0].cell(0, 0).text == "Competency"
    assert tables[1].cell(1, 0).text == "Facilitation intensive"


# --- ZIP ------------------------------------------------------------------------------------


def test_zip_has_markdown_per_section_and_the_files_the_owner_may_still_see(
    full_packet: Packet, build: Callable[..., Export]
) -> None:
    export = build(full_packet, "zip")
    assert export.content_type == "application/zip"
    assert export.path is not None
    with zipfile.ZipFile(export.path) as archive:
        names = archive.namelist()
        assert names[0] == "README.md"
        sections = [n for n in names if re.match(r"\d\d-.*\.md$", n)]
        assert len(sections) == 6
        assert archive.read(sections[0]).decode().startswith("# ")
        assert SECTION_TEXTS[0] in archive.read(sections[0]).decode()
        for name in ("self-assessment.md", "artifacts.md", "development.md", "letter.md"):
            assert name in names
        files = sorted(n for n in names if n.startswith("files/"))
        assert len(files) == 2
        assert any(n.endswith(".pdf") for n in files) and any(n.endswith(".png") for n in files)
        listing = archive.read("artifacts.md").decode()
        for name in files:
            assert f"({name})" in listing
        assert "No longer available" in listing and "secret.example" not in listing
        assert "Left out course" not in archive.read("development.md").decode()
        assert "generous" in archive.read("letter.md").decode()
        assert archive.testzip() is None


def test_an_artifact_file_the_owner_can_no_longer_download_is_not_included(
    full_packet: Packet, build: Callable[..., Export]
) -> None:
    from files import services

    original = services._download_checks.copy()
    services._download_checks.clear()  # nobody may download anything now
    try:
        export = build(full_packet, "zip")
    finally:
        services._download_checks.update(original)
    assert export.path is not None
    with zipfile.ZipFile(export.path) as archive:
        assert not [n for n in archive.namelist() if n.startswith("files/")]


# --- at build time --------------------------------------------------------------------------


def test_a_packet_deleted_before_the_build_fails_with_a_message(
    packet: Packet, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        export = packet_export_request(packet=packet, by=packet.owner, fmt="pdf")
    packet.delete()
    for callback in callbacks:
        callback()
    export.refresh_from_db()
    assert export.status == Export.Status.FAILED
    assert export.error == "This packet no longer exists."


def test_owner_is_notified_with_the_download_link(
    packet: Packet, member: User, build: Callable[..., Export]
) -> None:
    export = build(packet, "docx")
    note = Notification.objects.get(user=member, kind="packets.export")
    assert note.url == reverse("files:export_download", args=[export.pk])
    assert export.filename in note.body


def test_artifacts_are_read_in_batches_with_queries_per_batch_not_per_artifact(
    packet: Packet, member: User, write: Callable[..., Entry], django_assert_max_num_queries: Any
) -> None:
    from journals.models import Evidence

    entry = write(title="Many")
    competency = Competency.objects.filter(area=packet.area).first()

    def add(n: int, start: int) -> None:
        rows = Evidence.objects.bulk_create(
            Evidence(entry=entry, kind="url", url=f"https://example.org/{start + i}", order=i)
            for i in range(n)
        )
        artifacts = Artifact.objects.bulk_create(
            Artifact(packet=packet, evidence=ev, order=start + i) for i, ev in enumerate(rows)
        )
        Artifact.competencies.through.objects.bulk_create(
            Artifact.competencies.through(artifact_id=a.pk, competency_id=competency.pk)
            for a in artifacts
        )

    add(3, 0)
    doc = PacketDocument(packet)
    with django_assert_max_num_queries(4):
        batches = list(doc.artifact_batches())
    assert [len(b) for b in batches] == [3]
    add(BATCH + 20, 3)
    with django_assert_max_num_queries(7):
        batches = list(doc.artifact_batches())
    assert [len(b) for b in batches] == [BATCH, 23]
    assert [a.number for a in batches[1]][-1] == BATCH + 23


# --- API ------------------------------------------------------------------------------------


def test_api_starts_an_export_and_reports_it_done_with_a_download_url(
    packet: Packet,
    member: User,
    api: Callable[..., Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = api(member)
    url = reverse("api:packet-exports", args=[packet.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"format": "zip"}, format="json")
    assert response.status_code == 202
    body = response.json()
    assert set(body) == {"id", "status", "url"}
    assert body["status"] == "pending"
    status = client.get(body["url"]).json()
    assert status["status"] == "done" and status["progress"] == 100
    assert status["download_url"].endswith(reverse("files:export_download", args=[body["id"]]))
    listed = client.get(url).json()
    assert [e["id"] for e in listed["results"]] == [body["id"]]


def test_api_refuses_a_bad_format_with_json(packet: Packet, member: User, api: Any) -> None:
    response = api(member).post(
        reverse("api:packet-exports", args=[packet.pk]), {"format": "exe"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and "format" in body["errors"]
    assert not Export.objects.exists()


def test_api_refuses_too_many_exports_on_the_way(
    packet: Packet, member: User, api: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = api(member)
    url = reverse("api:packet-exports", args=[packet.pk])
    with django_capture_on_commit_callbacks(execute=False):
        codes = [client.post(url, {"format": "pdf"}, format="json").status_code for _ in range(4)]
    assert codes == [202, 202, 202, 429]


@pytest.mark.parametrize("who", ["reader", "other_member", "staff", "anonymous"])
def test_only_the_owner_exports_a_packet_or_reads_its_exports(
    who: str,
    packet: Packet,
    home: Cohort,
    facilitator: User,
    member2: User,
    staff: User,
    api: Any,
    client_for: Callable[[User | None], Client],
    build: Callable[..., Export],
) -> None:
    Packet.objects.filter(pk=packet.pk).update(shared_with=home)  # the reader can view it
    export = build(packet, "pdf")
    user = {"reader": facilitator, "other_member": member2, "staff": staff, "anonymous": None}[who]
    client = api(user)
    post = client.post(reverse("api:packet-exports", args=[packet.pk]), {"format": "pdf"})
    assert post.status_code in ({401, 403} if user is None else {404})
    got = client.get(reverse("api:export", args=[export.pk]))
    assert got.status_code in ({401, 403} if user is None else {404})
    page = client_for(user)
    assert page.get(reverse("files:export_download", args=[export.pk])).status_code == 404
    created = page.post(reverse("packets:export_create", args=[packet.pk]), {"format": "pdf"})
    assert created.status_code in ({302} if user is None else {404})
    assert Export.objects.count() == 1


def test_api_export_status_is_in_the_openapi_schema(client: Client) -> None:
    schema = client.get(reverse("schema"), HTTP_ACCEPT="application/json")
    text = schema.content.decode()
    assert "/api/v1/journal/packets/{id}/exports/" in text
    assert "/api/v1/journal/packets/exports/{export_id}/" in text


# --- the packet page ------------------------------------------------------------------------


def test_packet_page_offers_exports_to_the_owner_and_follows_one_on_its_status_page(
    packet: Packet,
    member_client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    page = member_client.get(packet.get_absolute_url()).content.decode()
    assert 'name="format" value="pdf"' in page and 'value="docx"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(
            reverse("packets:export_create", args=[packet.pk]), {"format": "pdf"}
        )
    export = Export.objects.get()
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("files:export", args=[export.pk]))
    status = member_client.get(response["Location"]).content.decode()
    assert reverse("files:export_download", args=[export.pk]) in status
    assert f'href="{packet.get_absolute_url()}"' in status
    page = member_client.get(packet.get_absolute_url()).content.decode()
    assert reverse("files:export_download", args=[export.pk]) in page


def test_packet_page_bad_format_says_why_and_makes_nothing(
    packet: Packet, member_client: Client
) -> None:
    response = member_client.post(
        reverse("packets:export_create", args=[packet.pk]), {"format": "exe"}, follow=True
    )
    assert "Choose a format" in response.content.decode()
    assert not Export.objects.exists()


def test_reader_sees_no_export_part(
    packet: Packet, home: Cohort, fac_client: Client, build: Callable[..., Export]
) -> None:
    Packet.objects.filter(pk=packet.pk).update(shared_with=home)
    export = build(packet, "pdf")
    page = fac_client.get(packet.get_absolute_url())
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="exports"' not in text and str(export.pk) not in text


def test_packet_page_exports_part_query_count_is_constant(
    packet: Packet,
    member: User,
    member_client: Client,
    django_assert_max_num_queries: Any,
) -> None:
    def add(n: int) -> None:
        Export.objects.bulk_create(
            Export(
                owner=member,
                kind="packets.pdf",
                subject=str(packet.pk),
                status="running",
                progress=40,
                expires_at=timezone.now() + timedelta(hours=1),
            )
            for _ in range(n)
        )

    from packets.selectors.exports import exports_context

    add(3)
    with django_assert_max_num_queries(1):
        shown = exports_context(packet, member)["packet_exports"]
    assert len(shown) == 3
    add(27)
    with django_assert_max_num_queries(1):
        shown = exports_context(packet, member)["packet_exports"]
    assert len(shown) == 5
    page = member_client.get(packet.get_absolute_url()).content.decode()
    assert page.count("<progress") == 5
    assert (
        json.loads(member_client.get(reverse("files:export_status", args=[shown[0].pk])).content)[
            "progress"
        ]
        == 40
    )


def test_section_heading_survives_markdown_headings_in_docx(
    packet: Packet, build: Callable[..., Export]
) -> None:
    section = Section.objects.filter(packet=packet).first()
    assert section is not None
    section.body = "# Inner heading\n\n- one\n- two\n\n> quoted [link](https://example.org/q)"
    section.save(update_fields=["body"])
    export = build(packet, "docx")
    assert export.path is not None
    document = docx.Document(str(export.path))
    styles = [(p.style.name, p.text) for p in document.paragraphs]
    at = styles.index(("Heading 1", section.title))
    assert styles[at + 2] == ("Heading 3", "Inner heading")
    assert styles[at + 3] == ("List Bullet", "one")
    assert styles[at + 5][0] == "Quote"
    assert any(rel.target_ref == "https://example.org/q" for rel in document.part.rels.values())


def test_pdf_shows_uploaded_images(full_packet: Packet, build: Callable[..., Export]) -> None:
    export = build(full_packet, "pdf")
    assert export.path is not None
    reader = PdfReader(str(export.path))
    assert sum(len(page.images) for page in reader.pages[:-1]) >= 1


def test_an_uploaded_letter_is_appended_to_the_pdf_and_put_in_the_zip(
    packet: Packet, member: User, build: Callable[..., Export]
) -> None:
    from files.services import file_store
    from packets.models import LETTER_PURPOSE

    stored = file_store(
        SimpleUploadedFile("letter.pdf", pdf_bytes("SIGNED LETTER FROM ROSA")),
        by=None,
        purpose=LETTER_PURPOSE,
    )
    LetterRequest.objects.create(
        packet=packet,
        partner_name="Rosa Partner",
        partner_email="rosa@example.org",
        message="Please.",
        token_hash="b" * 64,
        expires_at=timezone.now() + timedelta(days=30),
        received_at=timezone.now(),
        letter_file=stored,
    )
    pages = page_texts(build(packet, "pdf"))
    assert "SIGNED LETTER FROM ROSA" in pages[-1]
    assert "appended at the end" in " ".join(" ".join(pages[:-1]).split())
    export = build(packet, "zip")
    assert export.path is not None
    with zipfile.ZipFile(export.path) as archive:
        letter_files = [n for n in archive.namelist() if n.startswith("files/letter")]
        assert len(letter_files) == 1
        assert f"({letter_files[0]})" in archive.read("letter.md").decode()


def test_the_chosen_sitting_is_shown_and_otherwise_the_latest(
    packet: Packet, member: User, member2: User
) -> None:
    older = SelfAssessment.objects.create(
        user=member, area=packet.area, taken_at=timezone.now() - timedelta(days=30), note="old"
    )
    SelfAssessment.objects.create(user=member, area=packet.area, note="latest")
    assert (PacketDocument(packet).assessment() or pytest.fail()).note == "latest"
    Packet.objects.filter(pk=packet.pk).update(assessment=older)
    assert (PacketDocument(packet).assessment() or pytest.fail()).note == "old"
    # Someone else's sitting never shows, even if it were set.
    theirs = SelfAssessment.objects.create(user=member2, area=packet.area, note="theirs")
    Packet.objects.filter(pk=packet.pk).update(assessment=theirs)
    assert (PacketDocument(packet).assessment() or pytest.fail()).note == "latest"


def test_api_exports_list_query_count_is_constant(
    packet: Packet, member: User, api: Any, django_assert_max_num_queries: Any
) -> None:
    client = api(member)
    url = reverse("api:packet-exports", args=[packet.pk])

    def add(n: int) -> None:
        Export.objects.bulk_create(
            Export(
                owner=member,
                kind="packets.zip",
                subject=str(packet.pk),
                expires_at=timezone.now() + timedelta(hours=1),
            )
            for _ in range(n)
        )

    add(3)
    client.get(url)  # warm the session and the user
    with django_assert_max_num_queries(4):
        assert len(client.get(url).json()["results"]) == 3
    add(27)
    with django_assert_max_num_queries(4):
        assert client.get(url).json()["count"] == 30
