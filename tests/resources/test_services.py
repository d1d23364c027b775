"""The repertoire's services: sharing, editing, versions, deleting and restoring, useful
marks, collections and session materials, and what the cohort keeps when people go."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from cohorts.models import Cohort, Membership
from cohorts.services import membership_leave
from core.errors import ServiceError
from resources import permissions, selectors, services
from resources.models import Collection, FileVersion, Resource, Tag
from resources.services import ResourceInput
from tests.files.conftest import docx_bytes, pdf_bytes
from tests.resources.conftest import upload

pytestmark = pytest.mark.django_db


def test_a_member_shares_a_link_with_competencies_areas_tags_and_licence(
    share: Callable[..., Resource], home: Cohort
) -> None:
    link = share(
        "link",
        title="Asset mapping guide",
        url="https://example.org/assets",
        description="**Start** here.",
        competencies=["PAR-1", "PAR-2"],
        areas=["partnerships"],
        tags=["asset mapping", "Asset Mapping", "toolkits"],
        licence="cc-by",
        source="Campus partners network",
    )
    assert link.cohort == home and link.scope == Resource.Scope.COHORT
    assert sorted(c.code for c in link.competencies.all()) == ["PAR-1", "PAR-2"]
    assert [a.slug for a in link.areas.all()] == ["partnerships"]
    assert sorted(t.name for t in link.tags.all()) == ["asset mapping", "toolkits"]
    assert "<strong>Start</strong>" in link.description_html
    assert "asset mapping" in link.search_text


def test_tags_are_reused_whatever_their_case(share: Callable[..., Resource]) -> None:
    share("link", tags=["Reciprocity"])
    share("note", tags=["reciprocity"])
    assert Tag.objects.filter(name__iexact="reciprocity").count() == 1


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "data:text/html,<b>x</b>",
        "file:///etc/passwd",
        "ftp://example.org/x",
        "https://",
        "http://exa mple.org",
        "",
    ],
)
def test_links_must_be_http_or_https_addresses(share: Callable[..., Resource], url: str) -> None:
    with pytest.raises(ServiceError) as refused:
        share("link", url=url)
    assert "http" in refused.value.message
    assert not Resource.objects.exists()


def test_competencies_must_come_from_the_cohorts_framework(
    share: Callable[..., Resource],
) -> None:
    with pytest.raises(ServiceError, match="framework"):
        share("link", competencies=["NOPE-9"])
    assert not Resource.objects.exists()


def test_a_note_needs_text_and_a_title(share: Callable[..., Resource]) -> None:
    with pytest.raises(ServiceError, match="note's text"):
        share("note", body="   ")
    with pytest.raises(ServiceError, match="title"):
        share("note", title="  ")


def test_people_outside_the_cohort_cannot_share_into_it(
    share: Callable[..., Resource], outsider: User
) -> None:
    with pytest.raises(ServiceError) as refused:
        share("link", by=outsider)
    assert refused.value.code == "forbidden"


def test_a_file_is_stored_through_the_upload_module_as_version_one(
    share: Callable[..., Resource], member: User
) -> None:
    resource = share("file", file=upload("plan.docx", docx_bytes("Reciprocity plan")))
    version = resource.current_version
    assert version is not None and version.number == 1
    assert version.file.purpose == "resources.file"
    assert version.file.original_name == "plan.docx"
    assert version.uploaded_by == member


def test_a_disguised_file_is_refused_and_nothing_is_stored(
    share: Callable[..., Resource],
) -> None:
    with pytest.raises(ServiceError) as refused:
        share("file", file=upload("report.pdf", b"#!/bin/sh\nrm -rf /\n"))
    assert refused.value.code == "unsupported_type"
    assert not Resource.objects.exists() and not FileVersion.objects.exists()


def test_new_versions_keep_history_and_the_latest_is_current(
    share: Callable[..., Resource], member: User, facilitator: User
) -> None:
    resource = share("file")
    v2 = services.resource_add_version(
        resource=resource,
        by=facilitator,
        upload=upload("guide.pdf", pdf_bytes("Second edition")),
        note="Fixed the dates",
    )
    resource.refresh_from_db()
    assert resource.current_version == v2 and v2.number == 2 and v2.note == "Fixed the dates"
    assert [v.number for v in selectors.versions_of(resource)] == [2, 1]


def test_only_the_contributor_edits_and_a_stale_edit_overwrites_nothing(
    share: Callable[..., Resource], member: User, member2: User, facilitator: User
) -> None:
    resource = share("note", title="Draft", body="v1")
    with pytest.raises(ServiceError) as refused:
        services.resource_edit(
            resource=resource, by=member2, data=ResourceInput(title="Mine now", body="x")
        )
    assert refused.value.code == "forbidden"
    edited = services.resource_edit(
        resource=resource, by=member, data=ResourceInput(title="Final", body="v2"), version=1
    )
    assert edited.version == 2 and edited.title == "Final"
    with pytest.raises(ServiceError) as stale:
        services.resource_edit(
            resource=resource, by=member, data=ResourceInput(title="Older", body="v1b"), version=1
        )
    assert stale.value.code == "stale"
    resource.refresh_from_db()
    assert resource.title == "Final" and resource.body == "v2"


def test_only_contributor_and_facilitators_delete_and_restore_within_30_days(
    share: Callable[..., Resource], member: User, member2: User, facilitator: User
) -> None:
    resource = share("link")
    with pytest.raises(ServiceError):
        services.resource_delete(resource=resource, by=member2)
    services.resource_delete(resource=resource, by=member)
    resource.refresh_from_db()
    assert resource.is_deleted
    assert not permissions.can_view_resource(member, resource)
    assert list(permissions.restorable_for(member, resource.cohort)) == [resource]
    assert list(permissions.restorable_for(member2, resource.cohort)) == []
    services.resource_restore(resource=resource, by=facilitator)
    resource.refresh_from_db()
    assert not resource.is_deleted

    services.resource_delete(resource=resource, by=facilitator)
    Resource.objects.filter(pk=resource.pk).update(deleted_at=timezone.now() - timedelta(days=31))
    resource.refresh_from_db()
    with pytest.raises(ServiceError):
        services.resource_restore(resource=resource, by=member)


def test_search_finds_a_restored_resource_and_never_a_deleted_one(
    share: Callable[..., Resource], member: User
) -> None:
    resource = share("note", title="Listening sessions", body="Zygomorphic framing")
    find = selectors.Filters(q="zygomorphic")
    assert list(selectors.resources_list(member, find)) == [resource]
    services.resource_delete(resource=resource, by=member)
    assert list(selectors.resources_list(member, find)) == []
    services.resource_restore(resource=resource, by=member)
    assert list(selectors.resources_list(member, find)) == [resource]


def test_the_cohort_keeps_what_a_leaver_shared_and_anonymises_on_account_deletion(
    share: Callable[..., Resource], member: User, member2: User, home: Cohort
) -> None:
    resource = share("link", by=member2)
    membership_leave(membership=Membership.objects.get(cohort=home, user=member2))
    assert permissions.can_view_resource(member, resource)
    assert selectors.cite(member, resource).contributor == "Mateo Member"
    assert not permissions.can_edit_resource(member2, resource)
    member2.delete()
    resource.refresh_from_db()
    assert resource.contributor is None
    assert selectors.cite(member, resource).contributor == "A former member"


def test_useful_counts_once_per_person_and_keeps_the_latest_why(
    share: Callable[..., Resource], member: User, member2: User, facilitator: User
) -> None:
    resource = share("link")
    services.useful_mark(resource=resource, user=member2, note="Used it to plan a retreat")
    services.useful_mark(resource=resource, user=member2, note="And again for orientation")
    services.useful_mark(resource=resource, user=facilitator)
    resource.refresh_from_db()
    assert resource.useful_count == 2
    assert [m.note for m in selectors.useful_notes(resource)] == ["And again for orientation"]
    services.useful_unmark(resource=resource, user=facilitator)
    resource.refresh_from_db()
    assert resource.useful_count == 1


def test_hidden_resources_are_seen_only_by_facilitators_and_the_contributor(
    share: Callable[..., Resource], member: User, member2: User, facilitator: User
) -> None:
    resource = share("link")
    services.resource_set_hidden(resource=resource, by=facilitator, hidden=True)
    resource.refresh_from_db()
    assert permissions.can_view_resource(member, resource)
    assert permissions.can_view_resource(facilitator, resource)
    assert not permissions.can_view_resource(member2, resource)
    assert resource not in permissions.resources_visible_to(member2)
    with pytest.raises(ServiceError):
        services.resource_set_hidden(resource=resource, by=member, hidden=False)


def test_scope_widens_reading_beyond_the_cohort(
    share: Callable[..., Resource], outsider: User
) -> None:
    from django.contrib.auth.models import AnonymousUser

    cohort_only = share("link", title="Ours")
    platform = share("link", title="Everyone signed in", scope="platform")
    public = share("link", title="Anyone", scope="public")
    anonymous = AnonymousUser()
    assert set(permissions.resources_visible_to(outsider)) == {platform, public}
    assert set(permissions.resources_visible_to(anonymous)) == {public}
    assert not permissions.can_view_resource(outsider, cohort_only)
    assert not permissions.can_discuss_resource(outsider, platform)


def test_facilitators_order_collections_and_attach_them_to_a_session(
    share: Callable[..., Resource],
    home: Cohort,
    facilitator: User,
    member: User,
    add_session: Callable[..., Any],
) -> None:
    a, b, c = share("link", title="A"), share("link", title="B"), share("link", title="C")
    with pytest.raises(ServiceError):
        services.collection_create(cohort=home, by=member, title="Mine")
    session = add_session(home, title="Session 3")
    readings = services.collection_create(
        cohort=home, by=facilitator, title="Session 3 readings", session=session
    )
    for resource in (a, b, c):
        services.collection_add(collection=readings, by=facilitator, resource=resource)
    services.collection_move(collection=readings, by=facilitator, resource=c, offset=-1)
    titles = [r.title for r in selectors.collection_items(member, readings)]
    assert titles == ["A", "C", "B"]
    assert [r.title for r in selectors.session_materials(member, session)] == ["A", "C", "B"]


def test_a_session_lists_resources_picked_there(
    share: Callable[..., Resource],
    home: Cohort,
    facilitator: User,
    member: User,
    add_session: Callable[..., Any],
) -> None:
    session = add_session(home, title="Kickoff")
    resource = share("link", title="Welcome pack")
    services.session_material_add(session=session, by=facilitator, resource=resource)
    services.session_material_add(session=session, by=facilitator, resource=resource)
    assert Collection.objects.filter(session=session).count() == 1
    assert [r.title for r in selectors.session_materials(member, session)] == ["Welcome pack"]


def test_a_deleted_resource_in_session_materials_shows_as_withdrawn_and_survives_purge(
    share: Callable[..., Resource],
    home: Cohort,
    facilitator: User,
    member: User,
    add_session: Callable[..., Any],
) -> None:
    session = add_session(home, title="Kickoff")
    cited = share("file", title="Cited handout")
    loose = share("file", title="Nobody cites me")
    services.session_material_add(session=session, by=facilitator, resource=cited)
    for resource in (cited, loose):
        services.resource_delete(resource=resource, by=facilitator)
    [shown] = selectors.session_materials(member, session)
    assert shown.available is False and shown.title == selectors.WITHDRAWN_TITLE

    Resource.objects.update(deleted_at=timezone.now() - timedelta(days=40))
    assert services.resources_purge() == 1
    assert Resource.objects.filter(pk=cited.pk).exists()
    assert not Resource.objects.filter(pk=loose.pk).exists()
    assert selectors.resource_citation(member, cited.pk) is not None
    assert selectors.resource_citation(member, loose.pk) is None


def test_the_citation_selector_gives_journals_what_they_need(
    share: Callable[..., Resource], member: User, member2: User
) -> None:
    resource = share("file", title="Toolkit", competencies=["PAR-3"])
    services.resource_add_version(
        resource=resource, by=member, upload=upload("guide.pdf", pdf_bytes("v2"))
    )
    cited = selectors.resource_citation(member2, resource.pk, version=1)
    assert cited is not None and cited.available
    assert (cited.title, cited.contributor, cited.competencies, cited.version) == (
        "Toolkit",
        member.display_name,
        ("PAR-3",),
        1,
    )
    assert cited.version_url == f"/resources/{resource.pk}/versions/1/"
    assert selectors.resource_citation(member2, resource.pk, version=9) is None


@pytest.mark.django_db(transaction=True)
def test_text_inside_a_pdf_becomes_searchable_when_extraction_finishes(
    share: Callable[..., Resource], member: User, task_worker: Callable[[], None]
) -> None:
    resource = share("file", file=upload("zine.pdf", pdf_bytes("Quixotic stewardship ledger")))
    task_worker()
    resource.refresh_from_db()
    assert "Quixotic stewardship ledger" in resource.search_text
    found = selectors.resources_list(member, selectors.Filters(q="stewardship ledger"))
    assert [r.pk for r in found] == [resource.pk]


@pytest.mark.django_db
def test_a_new_tag_made_by_two_people_at_once_is_reused_not_a_crash(monkeypatch):
    from django.db.models import QuerySet

    made = Tag.objects.create(name="Facilitation")
    # The other request made the tag after this one looked for it.
    monkeypatch.setattr(QuerySet, "first", lambda self: None)
    tags = services._tags(["Facilitation"])
    monkeypatch.undo()
    assert tags == [made]
    assert Tag.objects.filter(name__iexact="facilitation").count() == 1
