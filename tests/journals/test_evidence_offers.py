""" "Use as evidence": the chooser page (start a new entry, or add to one of mine), the
offers on a resource's page, a session's page and a post, the post-action seam of the
discussions, and the resources' citer (a purge keeps what an entry cites)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from cohorts.models import Cohort
from cohorts.services import attendance_record
from discussions import post_actions
from discussions.models import Post
from discussions.selectors import empty_reaction_buttons
from discussions.services import post_hide
from journals.citations import post_action
from journals.models import Entry, Evidence
from resources.citations import cited_ids
from resources.models import Resource
from resources.services import resource_delete, resources_purge
from tests.journals import test_evidence_view as evidence_fixtures

pytestmark = pytest.mark.django_db

world = evidence_fixtures.world
cite = evidence_fixtures.cite
shared_entry = evidence_fixtures.shared_entry
org = evidence_fixtures.org
board = evidence_fixtures.board
make_training = evidence_fixtures.make_training

USE = "/journal/use/"


def _use(ref: str) -> str:
    return f"{reverse('journals:use_as_evidence')}?evidence={ref}"


# --- the chooser ---------------------------------------------------------------------------


def test_the_chooser_offers_a_new_entry_or_one_of_mine(
    world: SimpleNamespace,
    shared_entry: Entry,
    write: Callable[..., Entry],
    member_client: Client,
    cite: Callable[..., Evidence],
) -> None:
    assert reverse("journals:use_as_evidence") == USE
    older = write(title="An older entry")
    cite(older, "post", target=world.post.pk)
    page = member_client.get(_use(f"post:{world.post.pk}"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "We asked the partners what they needed first." in html
    new_entry = f"{reverse('journals:entry_new')}?evidence=post%3A{world.post.pk}"
    assert f'href="{new_entry}"' in html
    assert "Listening first" in html and "An older entry" in html
    assert "cites it already" in html  # the older entry cites this post


def test_adding_to_one_of_my_entries(
    world: SimpleNamespace, shared_entry: Entry, member_client: Client, framework: Any
) -> None:
    competency = framework.competencies.first()
    done = member_client.post(
        _use(f"resource:{world.file_resource.pk}:1"),
        {
            "entry": shared_entry.pk,
            "annotation": "The guide we used",
            "competency": competency.pk,
        },
    )
    item = shared_entry.evidence.get()
    assert done.status_code == 302
    assert done["Location"] == f"{shared_entry.get_absolute_url()}#evidence-{item.pk}"
    assert item.resource_id == world.file_resource.pk
    assert item.resource_version.number == 1
    assert (item.annotation, item.competency_id) == ("The guide we used", competency.pk)


def test_the_chooser_keeps_what_was_typed_when_refused(
    world: SimpleNamespace, shared_entry: Entry, member_client: Client
) -> None:
    page = member_client.post(
        _use(f"post:{world.post.pk}"), {"entry": "", "annotation": "Careful words"}
    )
    assert page.status_code == 400
    assert b"Careful words" in page.content and b"Choose the entry" in page.content
    answer = member_client.post(
        _use(f"post:{world.post.pk}"),
        {"entry": shared_entry.pk, "annotation": "x" * 2001},
        HTTP_ACCEPT="application/json",
    )
    assert answer.status_code == 400 and answer.json()["code"] == "invalid"
    assert not shared_entry.evidence.exists()


def test_someone_elses_entry_cannot_be_chosen(
    world: SimpleNamespace,
    write: Callable[..., Entry],
    member2: User,
    member_client: Client,
) -> None:
    theirs = write(author=member2, title="Mateo's entry")
    page = member_client.post(_use(f"post:{world.post.pk}"), {"entry": theirs.pk})
    assert page.status_code == 400
    assert not theirs.evidence.exists()
    assert b"Mateo&#x27;s entry" not in page.content and b"Mateo's entry" not in page.content


def test_what_the_person_may_not_cite(
    world: SimpleNamespace,
    member: User,
    member2: User,
    signed_in: Callable[[User], Client],
    anon: Client,
) -> None:
    other = signed_in(member2)
    # What they may not see at all is a 404, exactly like what does not exist.
    assert other.get(_use(f"resource:{world.secret_resource.pk}")).status_code == 404
    assert other.get(_use(f"post:{world.secret_post.pk}")).status_code == 404
    assert other.get(_use("resource:999999")).status_code == 404
    assert other.get(_use("nonsense")).status_code == 404
    assert other.get(USE).status_code == 404
    # What they see but may not cite says why.
    someone_elses = other.get(_use(f"post:{world.post.pk}"))
    assert someone_elses.status_code == 400 and b"Cite a post you wrote" in someone_elses.content
    missed = other.get(_use(f"session:{world.session.pk}"))
    assert missed.status_code == 400 and b"session you attended" in missed.content
    refused = other.get(_use(f"post:{world.post.pk}"), HTTP_ACCEPT="application/json")
    assert refused.json()["code"] == "invalid"
    # Signed out: to the sign-in page first.
    answer = anon.get(_use(f"post:{world.post.pk}"))
    assert answer.status_code == 302 and "login" in answer["Location"]


# --- the offers on other apps' pages --------------------------------------------------------


def test_a_resource_page_offers_use_as_evidence(
    world: SimpleNamespace, member_client: Client, anon: Client
) -> None:
    html = member_client.get(world.resource.get_absolute_url()).content.decode()
    assert f'href="{USE}?evidence=resource%3A{world.resource.pk}"' in html
    assert "Use as evidence" in html


def test_a_session_page_offers_it_to_those_who_attended(
    world: SimpleNamespace,
    member_client: Client,
    signed_in: Callable[[User], Client],
    member2: User,
    home: Cohort,
    facilitator: User,
    django_assert_max_num_queries: Any,
) -> None:
    url = reverse("cohorts:session", args=[home.slug, world.session.pk])
    offer = f'href="{USE}?evidence=session%3A{world.session.pk}"'
    assert offer in member_client.get(url).content.decode()
    assert offer not in signed_in(member2).get(url).content.decode()
    attendance_record(session=world.session, by=facilitator, statuses={member2.pk: "absent"})
    assert offer not in signed_in(member2).get(url).content.decode()


def test_a_post_offers_it_to_its_author_only(
    world: SimpleNamespace,
    member: User,
    member_client: Client,
    signed_in: Callable[[User], Client],
    facilitator: User,
    member2: User,
) -> None:
    thread = world.post.thread
    offer = f'href="{USE}?evidence=post%3A{world.post.pk}"'
    assert offer in member_client.get(thread.get_absolute_url()).content.decode()
    for reader in (member2, facilitator):
        assert offer not in signed_in(reader).get(thread.get_absolute_url()).content.decode()
    post_hide(post=world.post, by=facilitator)
    assert offer not in member_client.get(thread.get_absolute_url()).content.decode()


def test_the_live_post_carries_the_offer_for_its_author_only(world: SimpleNamespace) -> None:
    post = Post.objects.select_related("author", "thread__cohort").get(pk=world.post.pk)
    post.reaction_buttons = empty_reaction_buttons()
    with timezone.override(dt.UTC):
        html = render_to_string(
            "discussions/_post.html",
            {"post": post, "thread": post.thread, "cohort": post.thread.cohort, "live": True},
        )
    assert (
        f'href="{USE}?evidence=post%3A{post.pk}" class="post__extra-action" data-for="author"'
        in html
    )


def test_post_actions_query_nothing_and_skip_others_posts(
    world: SimpleNamespace,
    member: User,
    member2: User,
    django_assert_num_queries: Any,
) -> None:
    post = Post.objects.get(pk=world.post.pk)
    with django_assert_num_queries(0):
        assert post_actions.actions_for(member, post) == [
            {"label": "Use as evidence", "url": f"{USE}?evidence=post%3A{post.pk}"}
        ]
        assert post_actions.actions_for(member2, post) == []
        assert post_actions.actions_for(None, post) == []
        assert post_action(member2, post) is None


def test_the_post_action_seam_takes_other_apps(
    world: SimpleNamespace, member2: User, signed_in: Callable[[User], Client]
) -> None:
    def bookmark(user: Any, post: Any) -> post_actions.PostAction | None:
        return {"label": "Bookmark it", "url": f"/bookmarks/?post={post.pk}"}

    post_actions.register_post_action("tests.bookmark", bookmark)
    try:
        with pytest.raises(ValueError, match="already registered"):
            post_actions.register_post_action("tests.bookmark", lambda user, post: None)
        page = signed_in(member2).get(world.post.thread.get_absolute_url()).content.decode()
        assert f'href="/bookmarks/?post={world.post.pk}"' in page
    finally:
        post_actions.unregister_post_action("tests.bookmark")


def test_the_thread_page_costs_no_more_queries_with_the_offers(
    world: SimpleNamespace,
    member: User,
    member_client: Client,
    make_post: Callable[..., Any],
    django_assert_max_num_queries: Any,
) -> None:
    thread = world.post.thread
    url = thread.get_absolute_url()
    member_client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        member_client.get(url)
    for i in range(12):
        make_post(thread, member, body=f"More of my thoughts {i}")
    with django_assert_max_num_queries(len(few)):
        html = member_client.get(url).content.decode()
    assert html.count("Use as evidence") >= 13


# --- citations ------------------------------------------------------------------------------


def test_a_purge_keeps_a_resource_an_entry_cites(
    world: SimpleNamespace,
    shared_entry: Entry,
    write: Callable[..., Entry],
    cite: Callable[..., Evidence],
    member: User,
    member2: User,
) -> None:
    cite(shared_entry, "resource", target=world.resource.pk, annotation="Cited")
    versioned = write(title="Cites a version")
    cite(versioned, "resource", target=world.file_resource.pk, version=1)
    uncited = world.secret_resource
    assert cited_ids({world.resource.pk, world.file_resource.pk, uncited.pk}) == {
        world.resource.pk,
        world.file_resource.pk,
    }
    resource_delete(resource=world.resource, by=member2)
    resource_delete(resource=uncited, by=member)
    resources_purge(now=timezone.now() + dt.timedelta(days=31))
    assert Resource.objects.filter(pk=world.resource.pk).exists()
    assert not Resource.objects.filter(pk=uncited.pk).exists()
    item = shared_entry.evidence.get()
    assert item.resource_id == world.resource.pk and item.annotation == "Cited"
