"""The repertoire's list pages: a cohort's repertoire, the library, sharing a resource
(each kind, refused addresses and refused uploads), recently deleted resources, tag
suggestions; who may open each; filters and their counts; constant query counts."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import Truncator

from accounts.models import User
from cohorts.models import Cohort
from competencies.models import Competency
from core.registry import nav_items
from files.models import StoredFile
from resources import search_index, services
from resources.models import Resource, Tag
from tests.files.conftest import pdf_bytes
from tests.resources.conftest import upload

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "outsider", "member", "contributor", "facilitator", "staff"]


@pytest.fixture
def as_role(
    home: Cohort,
    member: User,
    member2: User,
    outsider: User,
    facilitator: User,
    staff: User,
    signed_in: Callable[[User], Client],
) -> Callable[[str], Client]:
    """A client for a role: ``contributor`` is ``member2``, who shared something."""
    people = {
        "outsider": outsider,
        "member": member,
        "contributor": member2,
        "facilitator": facilitator,
        "staff": staff,
    }

    def make(role: str) -> Client:
        return Client() if role == "anonymous" else signed_in(people[role])

    return make


@pytest.fixture
def shared(share: Callable[..., Resource], member2: User) -> Resource:
    return share("link", by=member2, title="Asset mapping guide", tags=["reciprocity"])


def titles(response: Any) -> list[str]:
    html = response.content.decode()
    return re.findall(r'class="resource-card__title"><a href="[^"]+">([^<]+)</a>', html)


# --- who may open each page ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    zip(ROLES, [404, 404, 200, 200, 200, 200], strict=True),
)
def test_the_repertoire_is_for_people_who_see_the_cohorts_content(
    as_role: Callable[[str], Client], home: Cohort, shared: Resource, role: str, status: int
) -> None:
    response = as_role(role).get(reverse("resources:repertoire", args=[home.slug]))
    assert response.status_code == status
    if status == 200:
        assert titles(response) == ["Asset mapping guide"]
    else:
        assert b"Asset mapping guide" not in response.content


@pytest.mark.parametrize(
    ("role", "status"),
    zip(ROLES, [302, 200, 200, 200, 200, 200], strict=True),
)
def test_the_library_is_for_signed_in_people_and_shows_what_each_may_see(
    as_role: Callable[[str], Client],
    share: Callable[..., Resource],
    shared: Resource,
    member: User,
    role: str,
    status: int,
) -> None:
    share("note", by=member, title="Open to everyone", scope="platform")
    response = as_role(role).get(reverse("resources:library"))
    assert response.status_code == status
    if role == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))
    elif role == "outsider":
        assert titles(response) == ["Open to everyone"]
    else:
        assert sorted(titles(response)) == ["Asset mapping guide", "Open to everyone"]


@pytest.mark.parametrize(
    ("role", "status"),
    zip(ROLES, [404, 404, 200, 200, 200, 404], strict=True),
)
def test_only_active_members_and_facilitators_open_the_add_form(
    as_role: Callable[[str], Client], home: Cohort, role: str, status: int
) -> None:
    url = reverse("resources:create", args=[home.slug])
    assert as_role(role).get(url).status_code == status
    response = as_role(role).post(
        url, {"kind": "link", "title": "X", "url": "https://example.org", "scope": "cohort"}
    )
    assert response.status_code == (302 if status == 200 else 404)


def test_a_member_who_left_no_longer_adds_resources(
    home: Cohort, member: User, signed_in: Callable[[User], Client]
) -> None:
    from cohorts.models import Membership
    from cohorts.services import membership_leave

    membership_leave(membership=Membership.objects.get(cohort=home, user=member))
    response = signed_in(member).get(reverse("resources:create", args=[home.slug]))
    assert response.status_code == 404


def home_facilitator(cohort: Cohort) -> User:
    return User.objects.get(
        memberships__cohort=cohort, memberships__role="facilitator", memberships__status="active"
    )


@pytest.mark.parametrize(
    ("role", "status", "sees"),
    [
        ("anonymous", 404, False),
        ("outsider", 404, False),
        ("member", 200, False),
        ("contributor", 200, True),
        ("facilitator", 200, True),
        ("staff", 404, False),
    ],
)
def test_recently_deleted_lists_what_each_person_may_restore(
    as_role: Callable[[str], Client],
    home: Cohort,
    shared: Resource,
    member2: User,
    role: str,
    status: int,
    sees: bool,
) -> None:
    gone = services.resource_delete(resource=shared, by=member2)
    response = as_role(role).get(reverse("resources:deleted", args=[home.slug]))
    assert response.status_code == status
    html = response.content.decode()
    assert ("Asset mapping guide" in html) == sees
    if sees:
        assert reverse("resources:restore", args=[shared.pk]) in html
        # The page writes dates in the viewer's own time zone.
        viewer = {"contributor": member2, "facilitator": home_facilitator(home)}[role]
        until = timezone.localtime(gone.restorable_until, ZoneInfo(viewer.time_zone)).strftime(
            "%-d %b %Y"
        )
        assert 'restorable until <time datetime="' in html and f">{until}</time>" in html


def test_the_recently_deleted_link_shows_only_to_people_with_something_to_restore(
    as_role: Callable[[str], Client], home: Cohort, shared: Resource, member2: User
) -> None:
    url = reverse("resources:repertoire", args=[home.slug])
    deleted_url = reverse("resources:deleted", args=[home.slug])
    assert deleted_url not in as_role("contributor").get(url).content.decode()
    services.resource_delete(resource=shared, by=member2)
    assert deleted_url in as_role("contributor").get(url).content.decode()
    assert deleted_url in as_role("facilitator").get(url).content.decode()
    assert deleted_url not in as_role("member").get(url).content.decode()


@pytest.mark.parametrize(
    ("role", "status"), zip(ROLES, [302, 200, 200, 200, 200, 200], strict=True)
)
def test_tag_suggestions_answer_signed_in_people(
    as_role: Callable[[str], Client],
    shared: Resource,
    share: Callable[..., Resource],
    role: str,
    status: int,
) -> None:
    share("note", tags=["resilience"])
    response = as_role(role).get(reverse("resources:tags"), {"q": "re"})
    assert response.status_code == status
    if status == 200:
        # Outsiders cannot read the cohort, so its tags are not suggested to them.
        expected = [] if role == "outsider" else ["reciprocity", "resilience"]
        assert response.json() == {"tags": expected}


def test_the_add_button_shows_to_people_who_may_add(
    as_role: Callable[[str], Client], home: Cohort
) -> None:
    url = reverse("resources:repertoire", args=[home.slug])
    add = reverse("resources:create", args=[home.slug])
    assert add in as_role("member").get(url).content.decode()
    assert add not in as_role("staff").get(url).content.decode()


def test_the_header_links_to_the_library_for_signed_in_people(
    as_role: Callable[[str], Client],
) -> None:
    assert "resources" in [item.name for item in nav_items()]
    library = reverse("resources:library")
    assert (
        f'href="{library}"' in as_role("member").get(reverse("cohorts:directory")).content.decode()
    )
    assert (
        f'href="{library}"'
        not in as_role("anonymous").get(reverse("cohorts:directory")).content.decode()
    )


# --- the list: markup, filters and counts -----------------------------------------------------


def test_the_repertoire_follows_the_markup_contract_of_the_live_script(
    as_role: Callable[[str], Client], home: Cohort, shared: Resource
) -> None:
    html = as_role("member").get(reverse("resources:repertoire", args=[home.slug])).content.decode()
    assert (
        f'<ol class="resource-list" id="resource-list" data-cohort="{home.slug}" data-live="on">'
        in html
    )
    assert (
        '<p id="resource-live-status" class="visually-hidden" role="status" aria-live="polite"></p>'
        in html
    )
    assert (
        f'<li class="resource-card" id="resource-{shared.pk}" data-resource-id="{shared.pk}">'
        in html
    )
    assert f'<article aria-labelledby="resource-{shared.pk}-title">' in html
    assert '<span class="resource-kind resource-kind--link">Link</span>' in html
    assert "shared by Mateo Member" in html
    assert 'src="/static/js/repertoire.js"' in html and 'type="module"' in html
    assert reverse("resources:collections", args=[home.slug]) in html


@pytest.fixture
def catalogue(share: Callable[..., Resource], member: User, member2: User) -> dict[str, Resource]:
    """Four resources with known kinds, tags and competencies."""
    return {
        "guide": share(
            "link",
            by=member,
            title="Asset mapping guide",
            tags=["reciprocity", "mapping"],
            competencies=["PAR-1"],
            areas=["partnerships"],
            description="A **practical** guide to mapping community assets & strengths.",
        ),
        "notes": share(
            "note",
            by=member2,
            title="Partner meeting notes",
            tags=["reciprocity"],
            competencies=["PAR-1", "PAR-2"],
        ),
        "slides": share("file", by=member2, title="Kick-off slides", tags=["kickoff"]),
        "video": share("link", by=member, title="Listening video", competencies=["PAR-2"]),
    }


def test_a_tag_filter_narrows_the_list_and_counts_the_other_filters_within_it(
    as_role: Callable[[str], Client], home: Cohort, catalogue: dict[str, Resource], member: User
) -> None:
    response = as_role("member").get(
        reverse("resources:repertoire", args=[home.slug]), {"tag": "reciprocity"}
    )
    html = response.content.decode()
    assert sorted(titles(response)) == ["Asset mapping guide", "Partner meeting notes"]
    assert "2 resources" in html
    # Within the tag, one link and one note; the tag facet itself counts over everything.
    assert '<option value="link">Link (1)</option>' in html
    assert '<option value="note">Note (1)</option>' in html
    assert 'value="file"' not in html
    assert '<option value="reciprocity" selected>reciprocity (2)</option>' in html
    assert '<option value="kickoff">kickoff (1)</option>' in html
    assert re.search(r'<option value="PAR-1">PAR-1 [^<]+ \(2\)</option>', html)
    assert re.search(r'<option value="PAR-2">PAR-2 [^<]+ \(1\)</option>', html)
    assert f'<option value="{member.pk}">Mei Member (1)</option>' in html
    # The chip takes the tag away again.
    assert 'class="resource-chip"' in html and "Tag: reciprocity" in html
    assert (
        f'href="{reverse("resources:repertoire", args=[home.slug])}" class="resource-chip__remove"'
        in html
    )


def test_competency_kind_and_contributor_filters_combine(
    as_role: Callable[[str], Client], home: Cohort, catalogue: dict[str, Resource], member2: User
) -> None:
    url = reverse("resources:repertoire", args=[home.slug])
    client = as_role("facilitator")
    assert sorted(titles(client.get(url, {"competency": "PAR-2"}))) == [
        "Listening video",
        "Partner meeting notes",
    ]
    assert titles(client.get(url, {"competency": "PAR-2", "kind": "link"})) == ["Listening video"]
    assert titles(client.get(url, {"contributor": member2.pk, "kind": "file"})) == [
        "Kick-off slides"
    ]
    assert titles(client.get(url, {"area": "partnerships"})) == ["Asset mapping guide"]
    nothing = client.get(url, {"tag": "no-such-tag"})
    assert titles(nothing) == [] and "No resources match these filters" in nothing.content.decode()


def test_tags_on_a_card_link_to_the_list_filtered_by_them(
    as_role: Callable[[str], Client], home: Cohort, catalogue: dict[str, Resource]
) -> None:
    url = reverse("resources:repertoire", args=[home.slug])
    html = as_role("member").get(url).content.decode()
    assert f'href="{url}?tag=reciprocity"' in html
    library = as_role("member").get(reverse("resources:library")).content.decode()
    assert f'href="{reverse("resources:library")}?tag=reciprocity"' in library


def test_cards_show_competencies_excerpt_useful_count_featured_and_file_type(
    as_role: Callable[[str], Client],
    home: Cohort,
    catalogue: dict[str, Resource],
    member2: User,
    facilitator: User,
) -> None:
    services.useful_mark(resource=catalogue["guide"], user=member2, note="Used it in class.")
    services.resource_set_featured(resource=catalogue["guide"], by=facilitator, featured=True)
    html = as_role("member").get(reverse("resources:repertoire", args=[home.slug])).content.decode()
    title = Competency.objects.get(code="PAR-1").title
    assert f"PAR-1</span> {escape(Truncator(title).chars(80))}</li>" in html
    assert "A practical guide to mapping community assets &amp; strengths." in html
    assert "<strong>" not in html.split('id="resource-list"')[1]
    assert "1 person found this useful" in html
    assert '<span class="badge badge--featured">Featured</span>' in html
    assert "resource-thumb--pdf" in html and ">PDF<" in html


@pytest.mark.parametrize(
    ("role", "sees"),
    [("member", False), ("contributor", True), ("facilitator", True), ("staff", False)],
)
def test_a_hidden_resource_shows_only_to_its_contributor_and_facilitators_marked_hidden(
    as_role: Callable[[str], Client],
    home: Cohort,
    shared: Resource,
    facilitator: User,
    role: str,
    sees: bool,
) -> None:
    services.resource_set_hidden(resource=shared, by=facilitator, hidden=True)
    for url in (reverse("resources:repertoire", args=[home.slug]), reverse("resources:library")):
        response = as_role(role).get(url)
        assert titles(response) == (["Asset mapping guide"] if sees else [])
        assert (
            '<span class="badge badge--hidden">Hidden</span>' in response.content.decode()
        ) == sees


def test_the_library_filters_by_cohort_with_counts(
    as_role: Callable[[str], Client],
    home: Cohort,
    catalogue: dict[str, Resource],
) -> None:
    response = as_role("member").get(reverse("resources:library"), {"cohort": home.slug})
    html = response.content.decode()
    assert len(titles(response)) == 4
    assert f'<option value="{home.slug}" selected>{home.title} (4)</option>' in html
    assert (
        titles(as_role("member").get(reverse("resources:library"), {"cohort": "elsewhere"})) == []
    )


def test_search_and_sorting(
    as_role: Callable[[str], Client],
    home: Cohort,
    catalogue: dict[str, Resource],
    member2: User,
) -> None:
    url = reverse("resources:repertoire", args=[home.slug])
    client = as_role("member")
    found = client.get(url, {"q": "mapping"})
    assert titles(found) == ["Asset mapping guide"]
    assert '<option value="relevance" selected>Best match</option>' in found.content.decode()
    by_title = titles(client.get(url, {"sort": "title"}))
    assert by_title == sorted(by_title)
    services.useful_mark(resource=catalogue["video"], user=member2, note="")
    assert titles(client.get(url, {"sort": "useful"}))[0] == "Listening video"
    assert "Best match" not in client.get(url).content.decode()


def test_pages_of_twenty_five(as_role: Callable[[str], Client], home: Cohort, member: User) -> None:
    _bulk(home, member, 30)
    url = reverse("resources:repertoire", args=[home.slug])
    first = as_role("member").get(url)
    assert len(titles(first)) == 25 and "30 resources, showing 1\u201325" in first.content.decode()
    assert 'href="?page=2"' in first.content.decode()
    second = as_role("member").get(url, {"page": 2})
    assert len(titles(second)) == 5
    # New resources are inserted live only where they belong: the top of the newest first.
    assert 'data-live="on"' in first.content.decode()
    assert 'data-live="off"' in second.content.decode()
    assert 'data-live="off"' in as_role("member").get(url, {"sort": "title"}).content.decode()


# --- sharing a resource ----------------------------------------------------------------------


def _form(**fields: Any) -> dict[str, Any]:
    return {"scope": "cohort", "licence": "", **fields}


def test_a_member_shares_a_link_and_lands_on_its_page(
    as_role: Callable[[str], Client], home: Cohort, member: User
) -> None:
    url = reverse("resources:create", args=[home.slug])
    response = as_role("member").post(
        url,
        _form(
            kind="link",
            title="Community asset map",
            url="https://example.org/map",
            description="Start **here**.",
            tags="mapping, Reciprocity",
            competencies=["PAR-1"],
            areas=["partnerships"],
            licence="cc-by",
            source="City partners",
            scope="platform",
        ),
    )
    resource = Resource.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("resources:detail", args=[resource.pk])
    assert resource.contributor == member and resource.cohort == home
    assert resource.scope == "platform" and resource.licence == "cc-by"
    assert sorted((t.name for t in resource.tags.all()), key=str.lower) == [
        "mapping",
        "Reciprocity",
    ]
    assert [c.code for c in resource.competencies.all()] == ["PAR-1"]
    assert [a.slug for a in resource.areas.all()] == ["partnerships"]


def test_a_member_shares_a_note(as_role: Callable[[str], Client], home: Cohort) -> None:
    response = as_role("member").post(
        reverse("resources:create", args=[home.slug]),
        _form(kind="note", title="What we learned", body="We **listened** first."),
    )
    assert response.status_code == 302
    note = Resource.objects.get()
    assert note.kind == "note" and "<strong>listened</strong>" in note.body_html


def test_a_member_uploads_a_file(as_role: Callable[[str], Client], home: Cohort) -> None:
    response = as_role("member").post(
        reverse("resources:create", args=[home.slug]),
        _form(kind="file", title="Partnership guide", file=upload("guide.pdf", pdf_bytes("Hi"))),
    )
    assert response.status_code == 302
    resource = Resource.objects.get()
    assert resource.current_version is not None
    assert resource.current_version.file.content_type == "application/pdf"


def test_the_form_offers_existing_tags_and_groups_competencies_by_area(
    as_role: Callable[[str], Client], home: Cohort, shared: Resource
) -> None:
    html = as_role("member").get(reverse("resources:create", args=[home.slug])).content.decode()
    assert 'list="resource-tag-options"' in html
    assert '<datalist id="resource-tag-options"><option value="reciprocity"></option>' in html
    assert 'enctype="multipart/form-data"' in html
    assert html.count("<legend>") >= 6
    for label in ("This cohort", "Everyone signed in to Commonplace", "Public: anyone on the web"):
        assert label in html


@pytest.mark.parametrize(
    "address", ["javascript:alert(1)", "data:text/html,<b>x</b>", "file:///etc/passwd"]
)
def test_addresses_other_than_web_ones_are_refused_keeping_what_was_typed(
    as_role: Callable[[str], Client], home: Cohort, address: str
) -> None:
    response = as_role("member").post(
        reverse("resources:create", args=[home.slug]),
        _form(
            kind="link",
            title="My typed title",
            url=address,
            description="Kept words",
            tags="kept-tag",
            competencies=["PAR-1"],
        ),
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert Resource.objects.count() == 0
    field = html.split('id="id_url_error"')[1].split("</ul>")[0]
    assert "Links must be web addresses starting with http:// or https://." in field
    assert 'value="My typed title"' in html and "Kept words</textarea>" in html
    assert 'value="kept-tag"' in html
    assert re.search(r'value="PAR-1"[^>]*checked', html)


@pytest.fixture
def no_files_kept(settings: Any) -> Callable[[], None]:
    def check() -> None:
        assert Resource.objects.count() == 0
        assert StoredFile.objects.count() == 0
        folder = Path(settings.MEDIA_ROOT) / "files"
        assert not folder.exists() or list(folder.iterdir()) == []

    return check


@pytest.mark.parametrize(
    ("name", "data", "status", "why"),
    [
        ("big.pdf", b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024), 413, "larger than 2 MB"),
        ("guide.pdf", b"#!/bin/sh\nrm -rf ~\n", 415, "Scripts are not accepted."),
        ("tool.exe", b"MZ\x90\x00" + b"\x00" * 64, 415, "Files ending .exe are not accepted."),
    ],
    ids=["oversize", "script-renamed-pdf", "exe"],
)
def test_refused_uploads_say_why_and_what_is_allowed_and_store_nothing(
    as_role: Callable[[str], Client],
    home: Cohort,
    no_files_kept: Callable[[], None],
    name: str,
    data: bytes,
    status: int,
    why: str,
) -> None:
    response = as_role("member").post(
        reverse("resources:create", args=[home.slug]),
        _form(kind="file", title="My upload", description="About it", file=upload(name, data)),
    )
    html = response.content.decode()
    assert response.status_code == status
    field = html.split('id="id_file_error"')[1].split("</ul>")[0]
    assert why in field
    if status == 415:
        assert "Allowed: PDF, DOCX" in field
    assert "choose the file again" in html
    assert 'value="My upload"' in html and "About it</textarea>" in html
    no_files_kept()


def test_a_file_resource_without_a_file_is_refused_at_the_file_field(
    as_role: Callable[[str], Client], home: Cohort
) -> None:
    response = as_role("member").post(
        reverse("resources:create", args=[home.slug]), _form(kind="file", title="Nothing")
    )
    assert response.status_code == 400
    assert "Choose a file to upload." in response.content.decode().split('id="id_file_error"')[1]
    assert "choose the file again" not in response.content.decode()


def test_a_blank_title_is_refused_at_the_title(
    as_role: Callable[[str], Client], home: Cohort
) -> None:
    response = as_role("member").post(
        reverse("resources:create", args=[home.slug]),
        _form(kind="note", title="", body="My note text"),
    )
    html = response.content.decode()
    assert response.status_code == 400 and Resource.objects.count() == 0
    assert "Give the resource a title." in html.split('id="id_title_error"')[1]
    assert "My note text</textarea>" in html


# --- query counts ----------------------------------------------------------------------------


def _bulk(cohort: Cohort, by: User, n: int) -> None:
    """``n`` resources with a tag, a competency and an area each, made in bulk."""
    now = timezone.now()
    tag, _ = Tag.objects.get_or_create(name="bulk")
    competency = Competency.objects.get(framework_id=cohort.framework_id, code="PAR-1")
    area = competency.area
    start = Resource.objects.count()
    rows = Resource.objects.bulk_create(
        Resource(
            cohort=cohort,
            kind="note",
            title=f"Bulk note {start + i:05d}",
            body="Text",
            body_html="<p>Text</p>",
            description_html="<p>A bulk note.</p>",
            contributor=by,
            scope="platform" if i % 3 == 0 else "cohort",
            created_at=now,
            updated_at=now,
        )
        for i in range(n)
    )
    Resource.tags.through.objects.bulk_create(
        Resource.tags.through(resource_id=r.pk, tag_id=tag.pk) for r in rows
    )
    Resource.competencies.through.objects.bulk_create(
        Resource.competencies.through(resource_id=r.pk, competency_id=competency.pk) for r in rows
    )
    Resource.areas.through.objects.bulk_create(
        Resource.areas.through(resource_id=r.pk, area_id=area.pk) for r in rows
    )
    search_index.rebuild()  # bulk rows bypass the services that index them


@pytest.mark.parametrize(
    ("page", "params"),
    [
        ("repertoire", {}),
        ("repertoire", {"tag": "bulk", "competency": "PAR-1", "sort": "useful"}),
        ("library", {}),
        ("library", {"area": "partnerships", "kind": "note", "sort": "title"}),
        ("repertoire", {"q": "bulk note"}),
        ("library", {"q": "bulk", "tag": "bulk", "sort": "recent"}),
    ],
)
def test_list_queries_do_not_grow_with_the_number_of_resources(
    as_role: Callable[[str], Client],
    home: Cohort,
    member: User,
    django_assert_max_num_queries: Any,
    page: str,
    params: dict[str, str],
) -> None:
    url = (
        reverse("resources:repertoire", args=[home.slug])
        if page == "repertoire"
        else reverse("resources:library")
    )
    client = as_role("member")
    _bulk(home, member, 10)
    client.get(url, params)  # warm up (session, content types)
    with CaptureQueriesContext(connection) as at_ten:
        small = client.get(url, params)
    assert len(titles(small)) == 10
    _bulk(home, member, 990)
    with django_assert_max_num_queries(len(at_ten)):
        large = client.get(url, params)
    assert len(titles(large)) == 25 and "1000 resources" in large.content.decode()


def test_tag_suggestions_never_reveal_tags_used_only_where_the_person_cannot_read(
    share: Any, signed_in: Any, outsider: Any, member: Any
) -> None:
    share("link", tags=["confidential-partner"])
    share("link", tags=["open-practice"], scope="platform")
    seen = signed_in(outsider).get("/resources/tags/?q=").json()["tags"]
    assert seen == ["open-practice"]
    assert "confidential-partner" in signed_in(member).get("/resources/tags/?q=c").json()["tags"]
