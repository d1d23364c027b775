"""Notification kinds are declared by the app that sends them, not listed in accounts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django.utils.html import escape

from accounts import notifications
from accounts.models import Delivery, NotificationPreference, User
from accounts.services import email_deliveries

pytestmark = pytest.mark.django_db

SETTINGS = "/accounts/notifications/settings/"

# Every kind the settings page offered before the kinds moved into their apps.
TODAY = {
    "accounts.data_export": ("Your data export is ready", Delivery.OFF),
    "discussions.mention": ("Someone @mentions you", Delivery.DIGEST),
    "discussions.reply": ("New posts in threads you follow", Delivery.DIGEST),
    "discussions.new_thread": ("New threads in your cohorts", Delivery.DIGEST),
    "discussions.announcement": ("Facilitator announcements", Delivery.DIGEST),
    "session.scheduled": ("A session is scheduled", Delivery.OFF),
    "session.changed": ("A session is moved or changed", Delivery.INSTANT),
    "session.cancelled": ("A session is cancelled", Delivery.INSTANT),
    "membership.requested": ("Someone asks to join a cohort you facilitate", Delivery.OFF),
    "membership.accepted": ("Your request to join is accepted", Delivery.INSTANT),
    "membership.declined": ("Your request to join is declined", Delivery.INSTANT),
    "membership.promoted": ("You get a place off the waitlist", Delivery.INSTANT),
    "cohort.submitted": ("A cohort is submitted for review", Delivery.OFF),
    "cohort.reviewed": ("Your cohort proposal is reviewed", Delivery.INSTANT),
    "resources.new": ("New resources in your cohorts", Delivery.DIGEST),
    "resources.useful": ("Someone found your resource useful", Delivery.DIGEST),
    # the trainings app
    "training.submitted": ("A training is submitted for review", Delivery.OFF),
    "training.reviewed": ("The board reviews your training", Delivery.INSTANT),
    "training.expiring": ("The approval of your training is ending", Delivery.INSTANT),
    "training.provider_requested": (
        "Someone asks to become a training provider",
        Delivery.INSTANT,
    ),
    # the journals app
    "journals.feedback": ("Feedback on your journal entries", Delivery.INSTANT),
    "journals.prompt": ("New reflection prompts in your cohorts", Delivery.DIGEST),
    "journals.reminder": ("Reminders before a reflection prompt is due", Delivery.INSTANT),
    # the packets app
    "packets.feedback": ("Feedback on your application packets", Delivery.INSTANT),
    "packets.letter": ("A partner's letter arrived for your packet", Delivery.INSTANT),
    "packets.export": ("Your packet exports are ready", Delivery.OFF),
}

FAKE = notifications.NotificationKind("fieldnotes.due", "A field note is due", "instant")


@pytest.fixture
def fake_kind() -> Iterator[notifications.NotificationKind]:
    notifications.register_kind(FAKE)
    yield FAKE
    notifications.unregister_kind(FAKE.kind)


def test_the_installed_apps_declare_every_kind_with_its_label_and_default() -> None:
    declared = {k.kind: (k.label, k.default) for k in notifications.kinds()}
    assert declared == TODAY
    # each app's kinds stay together on the page
    prefixes = [k.kind.split(".")[0] for k in notifications.kinds()]
    assert prefixes == sorted(prefixes, key=prefixes.index)


def test_the_settings_page_lists_every_kind_of_every_app(member_client: Client) -> None:
    page = member_client.get(SETTINGS).content.decode()
    for name, (label, _) in TODAY.items():
        assert f'name="{name}"' in page
        assert escape(label) in page


def test_a_kind_registered_by_a_new_app_is_offered_and_saved(
    fake_kind: notifications.NotificationKind, member: User, member_client: Client
) -> None:
    page = member_client.get(SETTINGS).content.decode()
    assert "A field note is due" in page and 'name="fieldnotes.due"' in page
    assert email_deliveries(user_ids=[member.pk], kind="fieldnotes.due") == {
        member.pk: Delivery.INSTANT
    }
    member_client.post(SETTINGS, {"fieldnotes.due": Delivery.DIGEST})
    assert NotificationPreference.objects.get(user=member).delivery == Delivery.DIGEST
    notifications.unregister_kind("fieldnotes.due")
    assert "A field note is due" not in member_client.get(SETTINGS).content.decode()
    # no app declares it any more: in-app only unless the person chose otherwise
    assert email_deliveries(user_ids=[member.pk], kind="fieldnotes.other") == {
        member.pk: Delivery.OFF
    }


def test_a_second_app_cannot_take_a_kind_name_already_declared(
    fake_kind: notifications.NotificationKind,
) -> None:
    notifications.register_kind(FAKE)  # the same declaration again is harmless
    with pytest.raises(ValueError, match=r"fieldnotes\.due"):
        notifications.register_kind(
            notifications.NotificationKind("fieldnotes.due", "Something else", "off")
        )
    assert notifications.kind("fieldnotes.due") == FAKE
