"""The repertoire's demo data (its part of ``seed_demo``): a dozen resources of the three
kinds in the demo cohort, real PDF and Word files whose words search finds right after
seeding, useful marks with reasons, a session's materials, a second file version, one
resource shared platform-wide; a second run adds nothing. ``--scale`` adds volume."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.models import User
from cohorts.models import Cohort
from cohorts.seed import DEMO_SLUG
from core.registry import seeders
from core.search import Query, search
from files.extract import extract
from files.models import StoredFile
from resources import samples
from resources.models import Collection, CollectionItem, FileVersion, Resource, UsefulMark
from resources.search import RESOURCE

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", "--force", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Resource, FileVersion, UsefulMark, Collection, CollectionItem, StoredFile)
    }


def found(email: str, text: str) -> list[str]:
    user = User.objects.get(email=email)
    page = search(user, Query(text, kind=RESOURCE))
    return [str(r.title).replace("<mark>", "").replace("</mark>", "") for r in page.results]


def test_the_resources_seeder_runs_after_discussions() -> None:
    names = [s.name for s in seeders()]
    assert names.index("resources") > names.index("discussions")


def test_sample_documents_are_real_files_whose_text_is_extracted(tmp_path: Path) -> None:
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(samples.pdf_document("Title (one)", ["Café “quotes” and a \\ slash"] * 80))
    text = extract(pdf, "application/pdf")
    assert "Title (one)" in text and "Café “quotes” and a \\ slash" in text
    docx = tmp_path / "a.docx"
    docx.write_bytes(samples.docx_document("Heading <&>", ["First paragraph.", "Second."]))
    word = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert extract(docx, word) == "Heading <&> First paragraph. Second."


def test_demo_repertoire_is_realistic_searchable_and_idempotent() -> None:
    out = seed()
    assert "Demo resources: 12 created" in out
    cohort = Cohort.objects.get(slug=DEMO_SLUG)
    resources = Resource.objects.filter(cohort=cohort)
    assert resources.count() == 12
    assert set(resources.values_list("kind", flat=True)) == {"link", "file", "note"}
    assert resources.filter(scope=Resource.Scope.PLATFORM).count() == 1
    assert all(r.competencies.exists() and r.tags.exists() for r in resources)
    assert resources.exclude(licence="").count() >= 6
    # Real PDF and Word files, their text extracted during seeding.
    files = StoredFile.objects.filter(pk__in=FileVersion.objects.values("file_id"))
    assert {f.content_type.split("/")[-1] for f in files} >= {
        "pdf",
        "vnd.openxmlformats-officedocument.wordprocessingml.document",
    }
    assert all(f.extraction == StoredFile.Extraction.DONE and f.text for f in files)
    # One file has two versions, the newer one current.
    two = [r for r in resources.filter(kind="file") if r.versions.count() == 2]
    assert len(two) == 1 and two[0].current_version.number == 2
    # Useful marks with reasons, by several people.
    marks = UsefulMark.objects.filter(resource__cohort=cohort).exclude(note="")
    assert marks.count() >= 6 and marks.values("user").distinct().count() >= 5
    # A collection listed as a session's materials.
    materials = Collection.objects.get(cohort=cohort, session__isnull=False)
    assert materials.items.count() == 3
    # Words inside the files are found right away (PDF, its second version, Word).
    member = "member@example.org"
    assert found(member, '"graceful exit clause"') == [
        "Reciprocity MOU template: a two-page partnership agreement"
    ]
    assert found(member, '"data stewardship clause"') == [
        "Reciprocity MOU template: a two-page partnership agreement"
    ]
    assert found(member, '"gifts of the head, hands and heart"') == [
        "Community asset-mapping guide for first partner meetings"
    ]
    # An outsider finds only what is shared beyond the cohort.
    assert found("outsider@example.org", '"church basement"') == [
        "Case study: a food-access coalition between a college and seven partners"
    ]
    assert found("outsider@example.org", '"graceful exit clause"') == []

    before = counts()
    again = seed()
    assert "Demo resources: all already there." in again
    assert counts() == before


def test_scale_adds_synthetic_resources_in_bulk_and_indexes_them() -> None:
    out = seed("--scale", "1")
    assert "500 resources" in out
    synthetic = Resource.objects.filter(title__startswith="Synthetic resource ")
    assert synthetic.count() == 500
    assert synthetic.values("cohort").distinct().count() == 2
    assert not synthetic.filter(contributor__isnull=True).exists()
    someone = synthetic.first().contributor
    assert "Synthetic resource" in " ".join(found(someone.email, "synthetic"))
