"""Feedback on shared entries: written and seen only by the author and the cohort's
facilitators, only while the entry is shared; the others in the conversation are told."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.models import Notification, User
from cohorts.models import Cohort
from journals import permissions
from journals.models import Comment, Entry
from journals.selectors.prompts import recent_feedback_for
from journals.services import comment_create, entry_delete, entry_set_visibility

# The entry-pages stand-in and the post_prompt fixture.
pytest_plugins = ["tests.journals.prompts_support"]
pytestmark = pytest.mark.django_db


def _url(entry: Entry) -> str:
    return reverse("journals:comment_create", args=[entry.pk])


def _partial(user: User, entry: Entry, **extra: Any) -> str:
    """``_feedback.html`` as the entry page includes it for ``user``."""
    request = RequestFactory().get("/")
    request.user = user
    return render_to_string(
        "journals/_feedback.html",
        {
            "entry": entry,
            "comments": permissions.comments_visible_to(user, entry),
            "can_comment": permissions.can_comment(user, entry),
            **extra,
        },
        request=request,
    )


@pytest.fixture
def shared(write: Callable[..., Entry]) -> Entry:
    return write(title="Listening first", visibility="facilitators")


def test_a_facilitator_comments_and_the_author_replies(
    shared: Entry, fac_client: Client, member_client: Client, member: User, facilitator: User
) -> None:
    response = fac_client.post(_url(shared), {"body": "What did **you** hear? <script>x</script>"})
    comment = Comment.objects.get(entry=shared)
    assert response.status_code == 302
    assert response["Location"] == f"{shared.get_absolute_url()}#comment-{comment.pk}"
    assert comment.author == facilitator
    assert "<strong>you</strong>" in comment.body_html and "<script" not in comment.body_html
    reply = member_client.post(_url(shared), {"body": "Mostly silence, at first."})
    assert reply.status_code == 302
    assert list(shared.comments.values_list("author_id", flat=True)) == [
        facilitator.pk,
        member.pk,
    ]
    # Both see the whole conversation, the author's reply marked as the author's.
    for client in (member_client, fac_client):
        html = client.get(_url(shared)).content.decode()
        assert "What did <strong>you</strong> hear?" in html
        assert "Mostly silence, at first." in html
        assert "Fay Facilitator" in html and "Mei Member" in html
    html = _partial(member, shared)
    assert "Your reply" in html and "Send reply" in html
    html = _partial(facilitator, shared)
    assert "Your feedback" in html and "Send feedback" in html


@pytest.mark.parametrize("who", ["member2", "other_facilitator", "staff", "outsider"])
def test_nobody_else_sees_or_writes_feedback(
    who: str,
    request: pytest.FixtureRequest,
    write: Callable[..., Entry],
    facilitator: User,
    signed_in: Callable[[User], Client],
    other_cohort: Cohort,
) -> None:
    # Shared with the whole cohort: a co-member reads the entry, not its feedback.
    entry = write(title="Open to all", visibility="cohort")
    comment_create(entry=entry, by=facilitator, body="Between us: well done.")
    person = request.getfixturevalue(who)
    client = signed_in(person)
    assert client.get(_url(entry)).status_code == 404
    assert client.post(_url(entry), {"body": "Me too"}).status_code == 404
    assert (
        client.post(_url(entry), {"body": "Me too"}, HTTP_ACCEPT="application/json").status_code
        == 404
    )
    assert entry.comments.count() == 1
    html = _partial(person, entry)
    assert "Between us" not in html and "feedback" not in html.lower()


def test_anonymous_visitors_cannot_comment(anon: Client, shared: Entry) -> None:
    response = anon.post(_url(shared), {"body": "Hello"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not shared.comments.exists()


def test_a_private_entry_takes_no_feedback_and_its_comments_stay_with_the_author(
    write: Callable[..., Entry],
    shared: Entry,
    member: User,
    facilitator: User,
    fac_client: Client,
    member_client: Client,
) -> None:
    never = write(title="Mine alone")
    assert fac_client.post(_url(never), {"body": "Hi"}).status_code == 404
    comment_create(entry=shared, by=facilitator, body="Earlier feedback")
    entry_set_visibility(entry=shared, by=member, visibility="private")
    shared.refresh_from_db()
    # Narrowed: the facilitator loses the conversation at once...
    assert fac_client.get(_url(shared)).status_code == 404
    assert fac_client.post(_url(shared), {"body": "Still here?"}).status_code == 404
    assert "Earlier feedback" not in _partial(facilitator, shared)
    # ...the author keeps it, and is told why they cannot reply.
    response = member_client.post(_url(shared), {"body": "My careful reply"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "share it with the cohort" in html and "Earlier feedback" in html
    assert "My careful reply" in html  # nothing typed is lost
    assert shared.comments.count() == 1
    partial = _partial(member, shared)
    assert "Earlier feedback" in partial and "This entry is private" in partial
    assert "<textarea" not in partial


def test_a_blank_or_overlong_comment_is_refused_keeping_the_text(
    shared: Entry, fac_client: Client
) -> None:
    blank = fac_client.post(_url(shared), {"body": "   "})
    assert blank.status_code == 400
    assert "Write the comment first." in blank.content.decode()
    long_text = "Thoughtful words. " * 400
    long = fac_client.post(_url(shared), {"body": long_text})
    assert long.status_code == 400
    html = long.content.decode()
    assert "Thoughtful words. Thoughtful words." in html
    assert 'aria-invalid="true"' in html
    assert not shared.comments.exists()


def test_json_callers_get_json(shared: Entry, fac_client: Client) -> None:
    ok = fac_client.post(_url(shared), {"body": "Nice *work*"}, HTTP_ACCEPT="application/json")
    assert ok.status_code == 201
    body = json.loads(ok.content)["comment"]
    assert body["author"]["name"] == "Fay Facilitator" and body["by_author"] is False
    assert "<em>work</em>" in body["body_html"]
    bad = fac_client.post(_url(shared), {"body": ""}, HTTP_ACCEPT="application/json")
    assert bad.status_code == 400
    assert json.loads(bad.content) == {"detail": "Write the comment first.", "code": "invalid"}


def test_comments_need_a_post_with_a_csrf_token(shared: Entry, facilitator: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(facilitator)
    assert client.post(_url(shared), {"body": "Hi"}).status_code == 403
    assert not shared.comments.exists()


# --- notifications ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_author_is_told_of_feedback_and_the_facilitator_of_the_reply_once_the_task_runs(
    write: Callable[..., Entry],
    member: User,
    facilitator: User,
    cofacilitator: User,
    home: Cohort,
    task_worker: Callable[[], None],
) -> None:
    from cohorts.services import invitation_accept, invitation_create

    _, token = invitation_create(
        cohort=home, by=facilitator, email=cofacilitator.email, role="facilitator"
    )
    invitation_accept(token=token, user=cofacilitator)
    entry = write(title="Listening first", visibility="facilitators")
    Notification.objects.all().delete()
    comment_create(entry=entry, by=facilitator, body="What did you hear?")
    assert not Notification.objects.filter(kind="journals.feedback").exists()
    task_worker()
    (told,) = Notification.objects.filter(kind="journals.feedback")
    assert told.user == member
    assert told.title == "Fay Facilitator commented on “Listening first”"
    assert told.url == f"{entry.get_absolute_url()}#feedback"
    comment_create(entry=entry, by=member, body="Mostly silence.")
    task_worker()
    replies = Notification.objects.filter(kind="journals.feedback").exclude(pk=told.pk)
    # The facilitator who commented is told; the co-facilitator who did not is not.
    assert [n.user for n in replies] == [facilitator]
    assert replies[0].title == "Mei Member replied to your feedback on “Listening first”"


def test_an_author_who_writes_first_reaches_the_cohorts_facilitators(
    write: Callable[..., Entry], member: User, facilitator: User
) -> None:
    from journals.tasks import notify_comment

    entry = write(title="Asking for eyes", visibility="facilitators")
    first = comment_create(entry=entry, by=member, body="Could you look at the second part?")
    assert notify_comment.call(first.pk) == 1
    (told,) = Notification.objects.filter(kind="journals.feedback")
    assert told.user == facilitator
    assert told.title == "Mei Member asks for feedback on “Asking for eyes”"


def test_nobody_is_told_when_the_entry_was_made_private_before_the_task_ran(
    write: Callable[..., Entry],
    member: User,
    facilitator: User,
) -> None:
    from journals.tasks import notify_comment

    entry = write(title="Listening first", visibility="facilitators")
    comment = comment_create(entry=entry, by=facilitator, body="What did you hear?")
    reply = comment_create(entry=entry, by=member, body="Mostly silence.")
    entry_set_visibility(entry=entry, by=member, visibility="private")
    assert notify_comment.call(reply.pk) == 0  # the facilitator lost the entry
    assert notify_comment.call(comment.pk) == 1  # the author is always told


# --- the journal home's "Recent feedback" ------------------------------------------------------


def test_recent_feedback_lists_what_others_wrote_on_my_entries(
    write: Callable[..., Entry], member: User, member2: User, facilitator: User
) -> None:
    first = write(title="First shared", visibility="facilitators")
    second = write(title="Second shared", visibility="cohort")
    gone = write(title="Deleted later", visibility="facilitators")
    theirs = write(member2, title="Not mine", visibility="facilitators")
    comment_create(entry=first, by=facilitator, body="Early note")
    comment_create(entry=first, by=member, body="My own reply")
    latest = comment_create(entry=second, by=facilitator, body="Latest note")
    comment_create(entry=gone, by=facilitator, body="On a deleted entry")
    comment_create(entry=theirs, by=facilitator, body="For Mateo")
    entry_delete(entry=gone, by=member)
    feedback = recent_feedback_for(member)
    assert [c.body for c in feedback] == ["Latest note", "Early note"]
    html = render_to_string("journals/_recent_feedback.html", {"feedback": feedback})
    assert f"{second.get_absolute_url()}#comment-{latest.pk}" in html
    assert "Fay Facilitator" in html and "For Mateo" not in html
    empty = render_to_string("journals/_recent_feedback.html", {"feedback": []})
    assert "No feedback yet" in empty
