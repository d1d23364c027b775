"""Reading a thread (its page's script or "Mark as read" both post to the read endpoint)
marks read the notifications that point into it, up to where the person has read; other
threads' notifications stay unread."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts import services as account_services
from accounts.models import Notification, User
from cohorts.models import Cohort
from discussions.models import Thread, ThreadSubscription
from discussions.services import thread_create, thread_subscribe

pytestmark = pytest.mark.django_db


def _unread(user: User) -> list[str]:
    return sorted(
        Notification.objects.filter(user=user, read_at__isnull=True).values_list("title", flat=True)
    )


def test_reading_a_thread_marks_its_notifications_read_up_to_the_pointer(
    cohort: Cohort,
    member: User,
    peer: User,
    signed_in: Any,
    monkeypatch: pytest.MonkeyPatch,
    announced: Any,
) -> None:
    account_services.notifications_mark_read(user=member)  # the welcome
    thread = thread_create(cohort=cohort, author=peer, title="Busy", body="first")
    other = thread_create(cohort=cohort, author=peer, title="Elsewhere", body="first")
    thread_subscribe(thread=thread, user=member, level=ThreadSubscription.Level.FOLLOWING)
    second, _ = announced(thread=thread, author=peer, body="second")
    third, _ = announced(thread=thread, author=peer, body="third")
    assert len(_unread(member)) == 4  # two new threads, two replies
    pushed: list[dict[str, Any]] = []
    monkeypatch.setattr(
        account_services, "publish_on_commit", lambda group, payload, **kw: pushed.append(payload)
    )
    client: Client = signed_in(member)
    url = reverse("discussions:read", args=[cohort.slug, thread.pk])
    client.post(url, {"up_to": str(second.pk)})
    # The thread itself and the reply read so far; the later reply and the other thread stay.
    assert _unread(member) == [
        "New reply in “Busy” from Pat Peer",
        f"New thread in “{cohort.title}”: Elsewhere",
    ]
    client.post(url)
    assert _unread(member) == [f"New thread in “{cohort.title}”: Elsewhere"]
    assert [p["unread"] for p in pushed if p["type"] == "notifications.count"] == [2, 1]
    assert other.pk != thread.pk and third.pk > second.pk


def test_marking_every_thread_of_a_cohort_read_clears_their_notifications(
    cohort: Cohort, member: User, peer: User, signed_in: Any
) -> None:
    account_services.notifications_mark_read(user=member)  # the welcome
    thread_create(cohort=cohort, author=peer, title="One", body="first")
    thread_create(cohort=cohort, author=peer, title="Two", body="first")
    account_services.notify(users=[member], kind="t", title="Elsewhere", url="/cohorts/other/")
    signed_in(member).post(reverse("discussions:read_all", args=[cohort.slug]))
    assert _unread(member) == ["Elsewhere"]


def test_a_thread_whose_number_starts_the_same_keeps_its_notifications(
    cohort: Cohort, member: User, peer: User, thread: Thread, signed_in: Any
) -> None:
    base = reverse("discussions:thread", args=[cohort.slug, thread.pk])
    account_services.notify(users=[member], kind="t", title="Longer id", url=f"{base[:-1]}0/")
    signed_in(member).post(reverse("discussions:read", args=[cohort.slug, thread.pk]))
    assert "Longer id" in _unread(member)
