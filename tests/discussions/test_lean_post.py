"""The lean post: what a post request does inside its transaction (at most 12 queries,
whatever the size of the cohort or the number of followers), and the announcing that waits
for the commit and runs as a task (``discussions.tasks.post_announce``): rows appear only
once it has run, rights are read again when it runs, a failure is retried and a retry never
tells anyone twice."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Notification, User
from cohorts import services as cohort_services
from cohorts.models import Cohort, Membership
from discussions import tasks
from discussions.models import Mention, Post, ReadState, Thread, ThreadSubscription
from discussions.services import post_create, post_hide, thread_subscribe

# Inside the transaction: the thread locked and the right to post read (1), the reply's
# post (1), the cohort's handles (1), the post (1), its mentions (1), the search index (1 on
# SQLite), the thread's counters (1), the author's subscription (1, only when they have
# none yet) and read pointer (1);
# before it the token (1); after it the task queued (1). Transaction control (BEGIN, COMMIT,
# savepoints), which SQLite reports as statements and PostgreSQL does not, is not counted.
QUERY_BUDGET = 12
CONTROL = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK")


def _work(queries: CaptureQueriesContext) -> list[str]:
    """The statements that read or write data."""
    return [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(CONTROL)]


pytestmark = pytest.mark.django_db(transaction=True)


def _token_client(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def db_queue(settings: Any) -> None:
    """Tasks go to the database queue, as in production (enqueueing is one INSERT)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def crowd(
    cohort: Cohort, thread: Thread, make_user: Callable[..., User], seat: Callable[..., Any]
) -> list[User]:
    """Thirty more members of the cohort, all following ``thread``."""
    people = []
    for n in range(30):
        person = make_user(f"crowd{n}@example.org", name=f"Crowd Person {n}")
        seat(cohort, person)
        thread_subscribe(thread=thread, user=person, level=ThreadSubscription.Level.FOLLOWING)
        people.append(person)
    return people


def _api_post_queries(client: APIClient, thread: Thread, reply_to: int) -> int:
    body = {
        "body": "Thank you @pat-peer, this is what we heard at the partner site.",
        "client_id": str(uuid.uuid4()),
        "reply_to": reply_to,
    }
    with CaptureQueriesContext(connection) as queries:
        response = client.post(f"/api/v1/threads/{thread.pk}/posts/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["reply_to"] == reply_to
    return len(_work(queries))


def test_an_api_post_with_a_reply_and_a_mention_stays_within_the_budget(
    db_queue: None, member: User, peer: User, thread: Thread, crowd: list[User]
) -> None:
    client = _token_client(member)
    first = thread.posts.get()
    many = _api_post_queries(client, thread, first.pk)
    assert many <= QUERY_BUDGET, many
    # Thirty followers more or less change nothing: telling them is the task's work.
    ThreadSubscription.objects.filter(user__in=crowd).delete()
    few = _api_post_queries(client, thread, first.pk)
    assert few == many
    # Nobody was told inside the requests; two announcements wait in the queue.
    assert not Notification.objects.filter(kind__in=tasks.ANNOUNCE_KINDS).exists()
    queued = DBTaskResult.objects.filter(task_path="discussions.tasks.post_announce")
    assert queued.count() == 2


def test_a_page_post_stays_within_the_budget(
    db_queue: None, member: User, thread: Thread, signed_in: Callable[[User], Any]
) -> None:
    page = signed_in(member)
    url = f"/cohorts/{thread.cohort.slug}/threads/{thread.pk}/posts/"
    with CaptureQueriesContext(connection) as queries:
        response = page.post(url, {"body": "Plain words.", "client_id": str(uuid.uuid4())})
    assert response.status_code == 302
    assert len(_work(queries)) <= QUERY_BUDGET, _work(queries)
    post = Post.objects.latest("pk")
    assert response["Location"].endswith(f"#post-{post.pk}")


def test_what_must_hold_inside_the_transaction_holds(
    db_queue: None, member: User, peer: User, thread: Thread
) -> None:
    client = _token_client(peer)
    before = Thread.objects.get(pk=thread.pk)
    response = client.post(
        f"/api/v1/threads/{thread.pk}/posts/", {"body": "Hello @mei-member"}, format="json"
    )
    assert response.status_code == 201
    post = Post.objects.get(pk=response.json()["id"])
    after = Thread.objects.get(pk=thread.pk)
    assert after.post_count == before.post_count + 1
    assert (after.last_post_id, after.last_poster_id) == (post.pk, peer.pk)
    assert ReadState.objects.get(user=peer, thread=thread).last_read_post_id == post.pk
    assert ThreadSubscription.objects.get(user=peer, thread=thread).level == "following"
    assert list(Mention.objects.filter(post=post).values_list("user_id", flat=True)) == [member.pk]
    # The answer is the post as it stands, with its html.
    assert response.json()["html"].startswith(f'<li id="post-{post.pk}"')


def test_a_muted_author_stays_muted_when_they_post(
    db_queue: None, member: User, thread: Thread
) -> None:
    thread_subscribe(thread=thread, user=member, level=ThreadSubscription.Level.MUTED)
    post_create(thread=thread, author=member, body="Quietly")
    assert ThreadSubscription.objects.get(user=member, thread=thread).level == "muted"


def test_a_subscription_is_written_only_for_the_first_post(
    db_queue: None, peer: User, thread: Thread
) -> None:
    """Whether the author follows the thread is read with the thread (one query), so their
    later posts do not write the subscription again."""
    client = _token_client(peer)
    url = f"/api/v1/threads/{thread.pk}/posts/"
    writes = []
    for body in ("First words here", "Second words here"):
        with CaptureQueriesContext(connection) as queries:
            assert client.post(url, {"body": body}, format="json").status_code == 201
        writes.append([q for q in _work(queries) if "threadsubscription" in q.lower()])
    first, second = writes
    assert len(first) == 2 and first[1].upper().startswith("INSERT"), first  # read, written
    assert len(second) == 1 and second[0].upper().startswith("SELECT"), second  # read only
    assert ThreadSubscription.objects.get(user=peer, thread=thread).level == "following"


def test_notification_rows_appear_when_the_task_runs(
    member: User, peer: User, thread: Thread, task_worker: Callable[[], None]
) -> None:
    thread_subscribe(thread=thread, user=peer, level=ThreadSubscription.Level.FOLLOWING)
    Notification.objects.all().delete()
    post, _ = post_create(thread=thread, author=member, body="What did you hear, @pat-peer?")
    assert not Notification.objects.exists()
    task_worker()
    (told,) = Notification.objects.filter(user=peer)
    assert told.kind == "discussions.mention"
    assert told.url == f"{thread.get_absolute_url()}#post-{post.pk}"
    assert not Notification.objects.filter(user=member).exists()


def test_someone_who_lost_access_before_the_task_ran_is_not_told(
    member: User,
    peer: User,
    facilitator: User,
    thread: Thread,
    make_user: Callable[..., User],
    seat: Callable[..., Any],
    task_worker: Callable[[], None],
) -> None:
    follower = make_user("follower@example.org", name="Fran Follower")
    seat(thread.cohort, follower)
    thread_subscribe(thread=thread, user=follower, level=ThreadSubscription.Level.FOLLOWING)
    Notification.objects.all().delete()
    post_create(thread=thread, author=member, body="For @pat-peer and everyone following")
    # Both leave the cohort after the post, before the task runs.
    for person in (peer, follower):
        membership = Membership.objects.get(cohort=thread.cohort, user=person)
        cohort_services.membership_remove(membership=membership, by=facilitator)
    task_worker()
    assert not Notification.objects.filter(kind__in=tasks.ANNOUNCE_KINDS).exists()


def test_a_post_hidden_before_the_task_ran_is_announced_to_nobody(
    member: User, peer: User, facilitator: User, thread: Thread, task_worker: Callable[[], None]
) -> None:
    thread_subscribe(thread=thread, user=peer, level=ThreadSubscription.Level.FOLLOWING)
    post, _ = post_create(thread=thread, author=member, body="Something to take back")
    post_hide(post=post, by=facilitator)
    Notification.objects.all().delete()
    task_worker()
    assert not Notification.objects.exists()


def test_a_failed_announcement_is_retried_and_tells_each_person_once(
    member: User,
    peer: User,
    thread: Thread,
    task_worker: Callable[[], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    thread_subscribe(thread=thread, user=peer, level=ThreadSubscription.Level.FOLLOWING)
    Notification.objects.all().delete()
    real_notify = tasks.notify
    calls = {"n": 0}

    def flaky(**kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionError("the mail queue is down")
        return real_notify(**kwargs)

    monkeypatch.setattr(tasks, "notify", flaky)
    post, _ = post_create(thread=thread, author=member, body="Worth hearing")
    task_worker()
    # The first attempt failed and wrote nothing; the second waits a few seconds.
    assert not Notification.objects.exists()
    retry = DBTaskResult.objects.get(task_path="discussions.tasks.post_announce", status="READY")
    assert retry.args_kwargs["args"] == [post.pk, 2]
    assert retry.run_after > timezone.now()
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    task_worker()
    assert list(Notification.objects.values_list("user_id", "kind")) == [
        (peer.pk, "discussions.reply")
    ]
    # Announcing the same post again (a duplicate delivery of the task) tells nobody twice.
    assert tasks.announce(post.pk) == 0
    assert Notification.objects.count() == 1


def test_the_last_attempt_gives_up_loudly(
    member: User, thread: Thread, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.DISCUSSIONS_ANNOUNCE_ATTEMPTS = 2
    post, _ = post_create(thread=thread, author=member, body="Nobody will hear")

    def broken(post_id: int) -> int:
        raise ConnectionError("still down")

    monkeypatch.setattr(tasks, "announce", broken)
    with pytest.raises(ConnectionError):
        tasks.post_announce.call(post.pk, 2)
    assert tasks.retry_delay(1).total_seconds() == 5
    assert tasks.retry_delay(9).total_seconds() == 600


def test_a_retried_submit_gets_its_post_back_after_the_thread_was_locked(
    member: User, facilitator: User, thread: Thread
) -> None:
    from discussions.services import thread_set_flags

    client_id = uuid.uuid4()
    first, created = post_create(thread=thread, author=member, body="Once", client_id=client_id)
    thread_set_flags(thread=thread, by=facilitator, locked=True)
    again, created_again = post_create(
        thread=thread.pk, author=member, body="Once", client_id=client_id
    )
    assert (created, created_again, again.pk) == (True, False, first.pk)


def test_a_new_submit_looks_for_its_client_id_without_joins(member: User, thread: Thread) -> None:
    """Only a retry reads the earlier post with its author, thread and reply; a new submit
    asks the unique index alone."""
    client_id = uuid.uuid4()
    with CaptureQueriesContext(connection) as queries:
        post_create(thread=thread.pk, author=member, body="New", client_id=client_id)
    key = client_id.hex  # as the SQL shows it on SQLite and, without dashes, on PostgreSQL
    looks = [
        sql for sql in _work(queries) if sql.startswith("SELECT") and key in sql.replace("-", "")
    ]
    assert len(looks) == 1 and "JOIN" not in looks[0], looks
    with CaptureQueriesContext(connection) as queries:
        again, created = post_create(
            thread=thread.pk, author=member, body="New", client_id=client_id
        )
    assert not created and any("JOIN" in sql for sql in _work(queries))
    assert again.author == member and again.thread_id == thread.pk


def test_the_answer_does_not_wait_for_the_notices_to_be_queued(
    member: User, thread: Thread, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the server's ASGI handler: the post's answer is sent, then the task that tells
    followers is queued (core.deferred). The stand-in queue waits until the client has the
    whole answer; were it queued first, the answer would wait for it and time out."""
    import asyncio
    import json
    import threading

    from asgiref.testing import ApplicationCommunicator
    from django.test import override_settings

    from core.asgi import KeptThreadsASGIHandler
    from tests.core.test_asgi_threads import http_scope

    answered = threading.Event()
    queued: list[tuple[bool, int]] = []

    class Queue:
        def enqueue(self, post_id: int) -> None:
            queued.append((answered.wait(10), post_id))

    monkeypatch.setattr(tasks, "post_announce", Queue())
    token = Token.objects.create(user=member).key
    path = f"/api/v1/threads/{thread.pk}/posts/"
    body = json.dumps({"body": "Heard at the partner site."}).encode()
    scope = {
        **http_scope(path),
        "method": "POST",
        "headers": [
            (b"host", b"testserver"),
            (b"authorization", f"Token {token}".encode()),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
    }

    async def exchange() -> dict[str, Any]:
        communicator = ApplicationCommunicator(KeptThreadsASGIHandler(), scope)
        await communicator.send_input({"type": "http.request", "body": body, "more_body": False})
        start = await communicator.receive_output(5)
        answer = await communicator.receive_output(5)
        assert start["status"] == 201, answer
        assert queued == []
        answered.set()
        await communicator.wait(10)
        for _ in range(500):
            if queued:
                break
            await asyncio.sleep(0.01)
        return json.loads(answer["body"])

    with override_settings(ALLOWED_HOSTS=["testserver"]):
        post = asyncio.run(exchange())
    assert queued == [(True, post["id"])]
