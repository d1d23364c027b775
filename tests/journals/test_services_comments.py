"""Feedback on entries: written only on an entry shared with the commenter, by the cohort's
facilitators (co-facilitators too) and by the author replying; never by a co-member, the
facilitator of another cohort, or staff; seen only by the author and the facilitators."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from accounts.models import User
from cohorts.models import Cohort
from cohorts.services import invitation_accept, invitation_create
from journals import events, permissions
from journals.models import Comment, Entry
from journals.services import (
    JournalError,
    comment_create,
    entry_delete,
    entry_set_visibility,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cofac(home: Cohort, facilitator: User, cofacilitator: User) -> User:
    """``cofacilitator`` invited by ``facilitator`` to co-facilitate ``home``."""
    _, token = invitation_create(
        cohort=home, by=facilitator, email=cofacilitator.email, role="facilitator"
    )
    invitation_accept(token=token, user=cofacilitator)
    return User.objects.get(pk=cofacilitator.pk)


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def test_facilitators_comment_and_the_author_replies(
    write: Callable[..., Entry], member: User, facilitator: User, cofac: User
) -> None:
    entry = write(visibility="facilitators")
    first = comment_create(entry=entry, by=facilitator, body="What did your **partner** say?")
    second = comment_create(entry=entry, by=cofac, body="I wondered the same.")
    reply = comment_create(entry=entry, by=member, body="  She said: library cards.  ")
    assert "<strong>partner</strong>" in first.body_html
    assert reply.body == "She said: library cards."
    assert list(permissions.comments_visible_to(member, entry)) == [first, second, reply]
    assert list(permissions.comments_visible_to(fresh(facilitator), entry)) == [
        first,
        second,
        reply,
    ]


def test_a_comment_is_announced_to_the_entrys_open_pages(
    write: Callable[..., Entry], facilitator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(
        events, "publish_on_commit", lambda group, payload: sent.append((group, payload))
    )
    entry = write(visibility="facilitators")
    comment = comment_create(entry=entry, by=facilitator, body="Thank you.")
    assert sent == [
        (
            events.entry_group(entry.pk),
            {"type": "journals.comment", "entry": entry.pk, "comment": comment.pk},
        )
    ]


@pytest.mark.parametrize("visibility", ["facilitators", "cohort"])
def test_nobody_else_comments_on_a_shared_entry(
    write: Callable[..., Entry],
    visibility: str,
    member2: User,
    other_facilitator: User,
    other_cohort: Cohort,
    staff: User,
    outsider: User,
    make_user: Callable[..., User],
) -> None:
    admin = make_user("root@example.org", is_staff=True, is_superuser=True)
    entry = write(visibility=visibility)
    for who in (member2, other_facilitator, staff, admin, outsider):
        with pytest.raises(JournalError) as caught:
            comment_create(entry=entry, by=who, body="Let me in")
        assert caught.value.code == "not_found"
        assert not permissions.comments_visible_to(who, entry).exists()
    assert not Comment.objects.exists()


def test_no_comment_on_a_private_entry_not_even_by_its_author(
    write: Callable[..., Entry], member: User, facilitator: User, home: Cohort
) -> None:
    entry = write(cohort=home)
    for who in (facilitator, member):
        with pytest.raises(JournalError):
            comment_create(entry=entry, by=who, body="Hello")
    assert not Comment.objects.exists()


def test_a_blank_or_overlong_comment_is_refused(
    write: Callable[..., Entry], facilitator: User
) -> None:
    entry = write(visibility="facilitators")
    with pytest.raises(JournalError) as blank:
        comment_create(entry=entry, by=facilitator, body="   \n ")
    assert (blank.value.code, blank.value.field) == ("blank", "body")
    with pytest.raises(JournalError):
        comment_create(entry=entry, by=facilitator, body="a" * 5001)
    assert not Comment.objects.exists()


def test_a_comment_script_is_never_markup(write: Callable[..., Entry], facilitator: User) -> None:
    entry = write(visibility="facilitators")
    comment = comment_create(
        entry=entry, by=facilitator, body="<script>alert(1)</script> [x](javascript:alert(1))"
    )
    assert "<script" not in comment.body_html and "href=" not in comment.body_html


def test_made_private_again_the_conversation_is_the_authors_alone(
    write: Callable[..., Entry], member: User, facilitator: User
) -> None:
    entry = write(visibility="facilitators")
    comment_create(entry=entry, by=facilitator, body="A thought")
    entry = entry_set_visibility(entry=entry, by=member, visibility="private")
    assert not permissions.can_see_feedback(fresh(facilitator), entry)
    assert not permissions.comments_visible_to(fresh(facilitator), entry).exists()
    with pytest.raises(JournalError):
        comment_create(entry=entry, by=fresh(facilitator), body="Another")
    assert permissions.comments_visible_to(member, entry).count() == 1
    with pytest.raises(JournalError):
        comment_create(entry=entry, by=member, body="Replying to nobody")


def test_no_comment_on_a_deleted_entry(
    write: Callable[..., Entry], member: User, facilitator: User
) -> None:
    entry = write(visibility="facilitators")
    entry = entry_delete(entry=entry, by=member)
    for who in (facilitator, member):
        with pytest.raises(JournalError):
            comment_create(entry=entry, by=who, body="Too late")
        assert not permissions.comments_visible_to(who, entry).exists()


def test_a_co_member_reads_a_cohort_entry_but_not_its_feedback(
    write: Callable[..., Entry], member2: User, facilitator: User
) -> None:
    entry = write(visibility="cohort")
    comment_create(entry=entry, by=facilitator, body="For Mei only")
    assert permissions.can_view_entry(member2, entry)
    assert not permissions.can_see_feedback(member2, entry)
    assert not permissions.comments_visible_to(member2, entry).exists()
