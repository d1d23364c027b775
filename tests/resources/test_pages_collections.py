"""Collections and session materials: who may read and curate them (a table over every
URL), ordering, withdrawn resources, the session page's links, and constant queries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from cohorts.models import Cohort, Session
from resources import services
from resources.models import Collection, CollectionItem, Resource
from resources.session_links import materials_links

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "outsider", "member", "contributor", "facilitator", "staff"]
READERS = ["member", "contributor", "facilitator", "staff"]


@pytest.fixture
def client_as(
    request: pytest.FixtureRequest, signed_in: Callable[[User], Client]
) -> Callable[[str], Client]:
    def make(role: str) -> Client:
        if role == "anonymous":
            return Client()
        name = {"contributor": "member", "member": "member2"}.get(role, role)
        return signed_in(request.getfixturevalue(name))

    return make


@pytest.fixture
def session(home: Cohort, add_session: Callable[..., Session]) -> Session:
    return add_session(home, title="Asset mapping")


@pytest.fixture
def readings(
    home: Cohort, facilitator: User, share: Callable[..., Resource], session: Session
) -> Collection:
    """A collection of three resources (shared by ``member``), attached to ``session``."""
    collection = services.collection_create(
        cohort=home, by=facilitator, title="Week 1 readings", session=session
    )
    for title in ["First", "Second", "Third"]:
        services.collection_add(
            collection=collection, by=facilitator, resource=share("link", title=title)
        )
    return collection


def _titles(client: Client, url: str) -> list[str]:
    return [item.title for item in client.get(url).context["items"]]


TABLE: list[
    tuple[
        str,
        str,
        Callable[[Collection], list[Any]],
        Callable[[Collection], dict[str, Any]],
        list[str],
        int,
    ]
] = [
    ("get", "resources:collections", lambda c: [c.cohort.slug], lambda c: {}, READERS, 200),
    (
        "get",
        "resources:collection_new",
        lambda c: [c.cohort.slug],
        lambda c: {},
        ["facilitator"],
        200,
    ),
    (
        "post",
        "resources:collection_new",
        lambda c: [c.cohort.slug],
        lambda c: {"title": "More"},
        ["facilitator"],
        302,
    ),
    ("get", "resources:collection", lambda c: [c.cohort.slug, c.pk], lambda c: {}, READERS, 200),
    (
        "post",
        "resources:collection",
        lambda c: [c.cohort.slug, c.pk],
        lambda c: {"action": "down", "resource": c.items.first().resource_id},
        ["facilitator"],
        302,
    ),
    (
        "get",
        "resources:collection_edit",
        lambda c: [c.cohort.slug, c.pk],
        lambda c: {},
        ["facilitator"],
        200,
    ),
    (
        "post",
        "resources:collection_edit",
        lambda c: [c.cohort.slug, c.pk],
        lambda c: {"title": "Renamed"},
        ["facilitator"],
        302,
    ),
    (
        "get",
        "resources:session_materials",
        lambda c: [c.cohort.slug, c.session_id],
        lambda c: {},
        READERS,
        200,
    ),
    (
        "post",
        "resources:session_materials",
        lambda c: [c.cohort.slug, c.session_id],
        lambda c: {"resource": c.items.first().resource_id},
        ["facilitator"],
        302,
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "method,name,args,data,allowed,status",
    TABLE,
    ids=[f"{t[0]}-{t[1]}-{i}" for i, t in enumerate(TABLE)],
)
def test_every_collection_url_answers_only_those_with_the_right(
    readings: Collection,
    client_as: Callable[[str], Client],
    role: str,
    method: str,
    name: str,
    args: Callable[[Collection], list[Any]],
    data: Callable[[Collection], dict[str, Any]],
    allowed: list[str],
    status: int,
) -> None:
    url = reverse(name, args=args(readings))
    response = getattr(client_as(role), method)(url, data(readings))
    assert response.status_code == (status if role in allowed else 404), (role, url)


def test_a_collection_of_another_cohort_is_not_found_under_this_one(
    readings: Collection,
    make_cohort: Callable[..., Cohort],
    facilitator: User,
    fac_client: Client,
) -> None:
    other = make_cohort(by=facilitator, title="Another cohort")
    url = reverse("resources:collection", args=[other.slug, readings.pk])
    assert fac_client.get(url).status_code == 404


def test_facilitators_order_add_and_remove_items(
    readings: Collection, fac_client: Client, share: Callable[..., Resource]
) -> None:
    url = readings.get_absolute_url()
    assert _titles(fac_client, url) == ["First", "Second", "Third"]
    third = Resource.objects.get(title="Third")
    fac_client.post(url, {"action": "up", "resource": third.pk})
    assert _titles(fac_client, url) == ["First", "Third", "Second"]
    fac_client.post(url, {"action": "up", "resource": third.pk})
    fac_client.post(url, {"action": "up", "resource": third.pk})  # already first: no change
    assert _titles(fac_client, url) == ["Third", "First", "Second"]
    fac_client.post(url, {"action": "down", "resource": Resource.objects.get(title="First").pk})
    assert _titles(fac_client, url) == ["Third", "Second", "First"]
    fourth = share("note", title="Fourth")
    page = fac_client.get(url).content.decode()
    assert f'<option value="{fourth.pk}">Fourth' in page
    fac_client.post(url, {"action": "add", "resource": fourth.pk})
    fac_client.post(url, {"action": "remove", "resource": Resource.objects.get(title="Second").pk})
    assert _titles(fac_client, url) == ["Third", "First", "Fourth"]
    assert Resource.objects.filter(title="Second").exists()


def test_a_withdrawn_item_shows_without_its_title_or_a_link(
    readings: Collection, member: User, client_as: Callable[[str], Client]
) -> None:
    second = Resource.objects.get(title="Second")
    services.resource_delete(resource=second, by=member)
    page = client_as("member").get(readings.get_absolute_url()).content.decode()
    assert "Withdrawn resource" in page
    assert "Second" not in page and second.get_absolute_url() not in page
    assert Resource.objects.get(title="First").get_absolute_url() in page


def test_creating_editing_and_deleting_a_collection(
    home: Cohort, session: Session, fac_client: Client
) -> None:
    response = fac_client.post(
        reverse("resources:collection_new", args=[home.slug]),
        {"title": "Toolkits", "description": "Hands-on", "session": session.pk},
    )
    made = Collection.objects.get(title="Toolkits")
    assert response["Location"] == made.get_absolute_url() and made.session == session
    blank = fac_client.post(reverse("resources:collection_new", args=[home.slug]), {"title": ""})
    assert blank.status_code == 400
    edit = reverse("resources:collection_edit", args=[home.slug, made.pk])
    fac_client.post(edit, {"title": "Toolkits and guides", "session": ""})
    made.refresh_from_db()
    assert made.title == "Toolkits and guides" and made.session is None
    fac_client.post(edit, {"action": "delete"})
    assert not Collection.objects.filter(pk=made.pk).exists()


def test_attaching_a_collection_to_a_session_from_its_page(
    home: Cohort, facilitator: User, fac_client: Client, session: Session
) -> None:
    collection = services.collection_create(cohort=home, by=facilitator, title="Extra")
    fac_client.post(collection.get_absolute_url(), {"action": "attach", "session": session.pk})
    collection.refresh_from_db()
    assert collection.session == session


def test_the_session_page_lists_available_materials_and_the_materials_page_shows_withdrawn(
    readings: Collection,
    session: Session,
    home: Cohort,
    member: User,
    client_as: Callable[[str], Client],
) -> None:
    second = Resource.objects.get(title="Second")
    services.resource_delete(resource=second, by=member)
    client = client_as("member")
    page = client.get(reverse("cohorts:session", args=[home.slug, session.pk])).content.decode()
    materials_url = reverse("resources:session_materials", args=[home.slug, session.pk])
    assert Resource.objects.get(title="First").get_absolute_url() in page
    assert second.get_absolute_url() not in page
    assert "All materials for this session" in page and materials_url in page
    materials = client.get(materials_url).content.decode()
    assert "Withdrawn resource" in materials and "Third" in materials
    assert second.get_absolute_url() not in materials


def test_facilitators_add_session_materials_from_the_repertoire(
    home: Cohort, session: Session, fac_client: Client, share: Callable[..., Resource]
) -> None:
    guide = share("link", title="Facilitation guide")
    url = reverse("resources:session_materials", args=[home.slug, session.pk])
    page = fac_client.get(url).content.decode()
    assert reverse("resources:create", args=[home.slug]) in page
    fac_client.post(url, {"resource": guide.pk})
    assert "Facilitation guide" in fac_client.get(url).content.decode()
    assert CollectionItem.objects.filter(collection__session=session, resource=guide).exists()


def test_a_session_of_another_cohort_has_no_materials_page_here(
    home: Cohort,
    make_cohort: Callable[..., Cohort],
    facilitator: User,
    add_session: Callable[..., Session],
    fac_client: Client,
) -> None:
    other = make_cohort(by=facilitator, title="Elsewhere")
    theirs = add_session(other, title="Theirs")
    url = reverse("resources:session_materials", args=[home.slug, theirs.pk])
    assert fac_client.get(url).status_code == 404


def _collection_of(
    n: int,
    home: Cohort,
    facilitator: User,
    share: Callable[..., Resource],
    session: Session | None = None,
) -> Collection:
    collection = services.collection_create(
        cohort=home, by=facilitator, title=f"{n} items", session=session
    )
    for i in range(n):
        # Some with competencies, some without (both are cited without a query each).
        codes = ["PAR-1"] if i % 2 else []
        resource = share("link", title=f"Item {n}-{i}", competencies=codes)
        services.collection_add(collection=collection, by=facilitator, resource=resource)
    # One withdrawn item in each, so both branches are counted.
    services.resource_delete(resource=resource, by=facilitator)
    return collection


@pytest.mark.parametrize("role", ["member", "facilitator"])
def test_the_collection_page_costs_the_same_queries_for_3_or_30_items(
    home: Cohort,
    facilitator: User,
    share: Callable[..., Resource],
    client_as: Callable[[str], Client],
    role: str,
) -> None:
    small = _collection_of(3, home, facilitator, share)
    large = _collection_of(30, home, facilitator, share)
    client = client_as(role)
    client.get(small.get_absolute_url())
    with CaptureQueriesContext(connection) as small_run:
        assert client.get(small.get_absolute_url()).status_code == 200
    with CaptureQueriesContext(connection) as large_run:
        response = client.get(large.get_absolute_url())
    assert len(response.context["items"]) == 30
    assert len(large_run.captured_queries) == len(small_run.captured_queries)


def test_the_session_links_cost_the_same_queries_for_3_or_30_materials(
    home: Cohort,
    facilitator: User,
    member: User,
    share: Callable[..., Resource],
    add_session: Callable[..., Session],
) -> None:
    few = add_session(home, title="Few")
    many = add_session(home, days=14, title="Many")
    _collection_of(3, home, facilitator, share, session=few)
    _collection_of(30, home, facilitator, share, session=many)
    few = Session.objects.select_related("cohort").get(pk=few.pk)
    many = Session.objects.select_related("cohort").get(pk=many.pk)
    materials_links(few, member)
    with CaptureQueriesContext(connection) as few_run:
        few_links = materials_links(few, member)
    with CaptureQueriesContext(connection) as many_run:
        many_links = materials_links(many, member)
    assert len(few_links) == 3 and len(many_links) == 30  # two available + one "all"; 29 + 1
    assert many_links[-1].title == "All materials for this session"
    assert len(many_run.captured_queries) == len(few_run.captured_queries) <= 3


def test_the_session_page_costs_the_same_queries_with_3_or_30_materials(
    home: Cohort,
    facilitator: User,
    share: Callable[..., Resource],
    add_session: Callable[..., Session],
    client_as: Callable[[str], Client],
) -> None:
    few = add_session(home, title="Few")
    many = add_session(home, days=14, title="Many")
    _collection_of(3, home, facilitator, share, session=few)
    _collection_of(30, home, facilitator, share, session=many)
    client = client_as("member")
    client.get(reverse("cohorts:session", args=[home.slug, few.pk]))
    with CaptureQueriesContext(connection) as few_run:
        client.get(reverse("cohorts:session", args=[home.slug, few.pk]))
    with CaptureQueriesContext(connection) as many_run:
        page = client.get(reverse("cohorts:session", args=[home.slug, many.pk]))
    assert page.content.decode().count("<dt>Material</dt>") == 29
    assert len(many_run.captured_queries) == len(few_run.captured_queries)
