"""E-mail that follows each person's choice: instant, daily digest (sent once) or off; the
preferences page; signed one-click unsubscribe without login; rebuild_thread_stats."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from accounts.models import Delivery, Notification, NotificationPreference, User
from accounts.services import (
    digests_send,
    notification_preference_set,
    notify,
    unsubscribe_token,
)
from discussions.models import Thread
from discussions.services import post_create

pytestmark = pytest.mark.django_db


def unsubscribe_path(token: str) -> str:
    return f"/accounts/notifications/unsubscribe/{token}/"


def digests(*args: str) -> str:
    out = io.StringIO()
    call_command("send_digests", *args, stdout=out)
    return out.getvalue()


# --- delivery choices ----------------------------------------------------------------------


def test_discussion_notifications_default_to_the_digest(
    member: User, peer: User, thread: Thread, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        post_create(thread=thread, author=peer, body="Thanks @mei-member, good question")
    note = Notification.objects.get(user=member, kind="discussions.mention")
    assert note.delivery == Delivery.DIGEST and note.emailed_at is None
    assert mail.outbox == []


def test_instant_choice_mails_at_once_with_unsubscribe_headers(
    member: User, peer: User, thread: Thread, django_capture_on_commit_callbacks
) -> None:
    notification_preference_set(user=member, kind="discussions.mention", delivery="instant")
    with django_capture_on_commit_callbacks(execute=True):
        post_create(thread=thread, author=peer, body="@mei-member look at this")
    (message,) = mail.outbox
    assert message.to == ["member@example.org"]
    assert "mentioned you" in message.subject
    assert f"/cohorts/{thread.cohort.slug}/threads/{thread.pk}/#post-" in message.body
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert link in message.body and "/accounts/notifications/unsubscribe/" in link
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Notification.objects.get(user=member, kind="discussions.mention").emailed_at


def test_email_true_callers_stay_instant_unless_the_person_chose_otherwise(
    member: User, outsider: User, django_capture_on_commit_callbacks
) -> None:
    notification_preference_set(user=outsider, kind="session.changed", delivery="off")
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[member, outsider], kind="session.changed", title="Moved", email=True)
    assert [m.to for m in mail.outbox] == [["member@example.org"]]
    notification_preference_set(user=member, kind="session.changed", delivery="digest")
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[member], kind="session.changed", title="Moved again", email=True)
    assert len(mail.outbox) == 1
    assert Notification.objects.get(title="Moved again").delivery == "digest"


def test_callers_that_never_mailed_still_do_not_and_email_false_forces_none(
    member: User, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[member], kind="session.scheduled", title="New session")
        notify(users=[member], kind="some.unknown", title="Unknown kind")
    notification_preference_set(user=member, kind="discussions.reply", delivery="instant")
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[member], kind="discussions.reply", title="Forced quiet", email=False)
    assert mail.outbox == []
    assert set(Notification.objects.values_list("delivery", flat=True)) == {""}


def test_choosing_the_default_removes_the_row(member: User) -> None:
    notification_preference_set(user=member, kind="discussions.reply", delivery="off")
    assert NotificationPreference.objects.filter(user=member).count() == 1
    notification_preference_set(user=member, kind="discussions.reply", delivery="digest")
    assert not NotificationPreference.objects.filter(user=member).exists()


# --- digests -------------------------------------------------------------------------------


def test_digest_sends_each_notification_once_in_one_mail_per_person(
    member: User, peer: User, outsider: User
) -> None:
    notify(
        users=[member, peer], kind="discussions.new_thread", title="New thread: MOUs", url="/t/1/"
    )
    notify(users=[member], kind="discussions.reply", title="Reply in MOUs", url="/t/1/#post-2")
    notify(users=[outsider], kind="session.scheduled", title="Not for the digest")
    assert "Digests sent: 2 people, 3 notifications." in digests()
    by_person = {m.to[0]: m for m in mail.outbox}
    assert set(by_person) == {"member@example.org", "peer@example.org"}
    body = by_person["member@example.org"].body
    assert "New thread: MOUs" in body and "Reply in MOUs" in body
    assert "http://testserver/t/1/#post-2" in body or "/t/1/#post-2" in body
    assert "/accounts/notifications/unsubscribe/" in body
    assert by_person["member@example.org"].extra_headers["List-Unsubscribe-Post"]
    assert not Notification.objects.filter(delivery="digest", emailed_at__isnull=True).exists()
    # Idempotent: nothing is sent twice.
    assert "Digests sent: 0 people, 0 notifications." in digests()
    assert len(mail.outbox) == 2


def test_one_digest_a_day_and_new_ones_wait_for_the_next(member: User) -> None:
    notify(users=[member], kind="discussions.reply", title="First")
    assert digests_send() == (1, 1)
    notify(users=[member], kind="discussions.reply", title="Second")
    assert digests_send() == (0, 0)
    tomorrow = timezone.now() + dt.timedelta(hours=21)
    assert digests_send(now=tomorrow) == (1, 1)
    assert "Second" in mail.outbox[-1].body and "First" not in mail.outbox[-1].body


def test_digest_leaves_out_read_ones_and_kinds_turned_off(member: User) -> None:
    notify(users=[member], kind="discussions.reply", title="Already seen")
    Notification.objects.filter(title="Already seen").update(read_at=timezone.now())
    notify(users=[member], kind="discussions.new_thread", title="Turned off since")
    notification_preference_set(user=member, kind="discussions.new_thread", delivery="off")
    assert digests_send() == (0, 0)
    assert mail.outbox == []


def test_a_failing_address_does_not_stop_the_others(member: User, peer: User, monkeypatch) -> None:
    from django.core.mail import EmailMessage

    notify(users=[member, peer], kind="discussions.reply", title="Hello")
    real_send = EmailMessage.send

    def send(self, *args, **kwargs):
        if self.to == ["member@example.org"]:
            raise OSError("mailbox unavailable")
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", send)
    assert digests_send() == (1, 1)
    assert Notification.objects.get(user=member, title="Hello").emailed_at is None  # retried


# --- unsubscribe ---------------------------------------------------------------------------


def test_unsubscribe_link_works_logged_out_and_asks_first(member: User) -> None:
    token = unsubscribe_token(user=member, kinds=["discussions.reply", "discussions.mention"])
    client = Client(enforce_csrf_checks=True)
    page = client.get(unsubscribe_path(token))
    assert page.status_code == 200
    assert "New posts in threads you follow" in page.content.decode()
    assert not NotificationPreference.objects.exists()  # a GET changes nothing
    done = client.post(unsubscribe_path(token))
    assert done.status_code == 200
    assert "You are unsubscribed" in done.content.decode()
    assert dict(
        NotificationPreference.objects.filter(user=member).values_list("kind", "delivery")
    ) == {"discussions.reply": "off", "discussions.mention": "off"}


def test_rfc8058_one_click_post(member: User) -> None:
    token = unsubscribe_token(user=member, kinds=["session.changed"])
    response = Client(enforce_csrf_checks=True).post(
        unsubscribe_path(token),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert NotificationPreference.objects.get(user=member, kind="session.changed").delivery == "off"


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
        lambda t: t.replace(t.split(":")[0], "eyJ1Ijo5OTksImsiOlsieCJdfQ"),
        lambda t: "not-a-token",
    ],
)
def test_tampered_unsubscribe_links_are_refused(member: User, mangle) -> None:
    token = mangle(unsubscribe_token(user=member, kinds=["discussions.reply"]))
    assert Client().get(unsubscribe_path(token)).status_code == 400
    assert Client().post(unsubscribe_path(token)).status_code == 400
    assert not NotificationPreference.objects.exists()


def test_unsubscribe_for_a_deleted_account_is_404(make_user) -> None:
    person = make_user()
    token = unsubscribe_token(user=person, kinds=["discussions.reply"])
    person.delete()
    assert Client().post(unsubscribe_path(token)).status_code == 404


# --- the preferences page ------------------------------------------------------------------


def test_preferences_page_shows_and_saves_choices(member: User, member_client: Client) -> None:
    page = member_client.get("/accounts/notifications/settings/").content.decode()
    assert 'name="discussions.mention" value="digest" checked' in page
    assert 'name="session.cancelled" value="instant" checked' in page
    response = member_client.post(
        "/accounts/notifications/settings/",
        {
            "discussions.mention": "instant",
            "session.cancelled": "off",
            "discussions.reply": "bogus",
        },
    )
    assert response.status_code == 302
    assert dict(
        NotificationPreference.objects.filter(user=member).values_list("kind", "delivery")
    ) == {"discussions.mention": "instant", "session.cancelled": "off"}
    page = member_client.get("/accounts/notifications/settings/").content.decode()
    assert 'name="discussions.mention" value="instant" checked' in page


def test_preferences_page_needs_a_login() -> None:
    response = Client().get("/accounts/notifications/settings/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- rebuild_thread_stats ------------------------------------------------------------------


def test_rebuild_thread_stats_repairs_drift_and_reports(thread: Thread, peer: User) -> None:
    post, _ = post_create(thread=thread, author=peer, body="Second")
    Thread.objects.filter(pk=thread.pk).update(post_count=99, last_post=None, last_poster=None)
    out = io.StringIO()
    call_command("rebuild_thread_stats", stdout=out)
    assert "Threads rebuilt: 1; corrected: 1." in out.getvalue()
    thread.refresh_from_db()
    assert (thread.post_count, thread.last_post_id, thread.last_poster_id) == (2, post.pk, peer.pk)
    out = io.StringIO()
    call_command("rebuild_thread_stats", "--thread", str(thread.pk), stdout=out)
    assert "Threads rebuilt: 1; corrected: 0." in out.getvalue()
