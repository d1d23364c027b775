"""One-line fields stay one line, long texts are bounded, and mail that fails after a
commit never turns the finished action into an error."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification, User
from accounts.services import instant_mails_retry
from cohorts.models import SESSION_TEXT_MAX, Cohort, Session
from cohorts.services import CohortError, session_create, session_update
from tests.helpers import SESSION_FORM as FORM

pytestmark = pytest.mark.django_db


def test_a_line_break_in_a_session_title_is_refused_with_a_message(
    active_cohort: Cohort, fac_client: Client
) -> None:
    data = FORM | {"title": "Sharing\r\nBcc: everyone@example.net"}
    response = fac_client.post(reverse("cohorts:session_create", args=[active_cohort.slug]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "single line" in page
    assert "Bcc: everyone@example.net" in page  # what was typed is kept
    assert not Session.objects.filter(cohort=active_cohort).exists()


@pytest.mark.parametrize("title", ["A\nB", "A\rB", "A\tB", "A\x00B", "A\u2028B", "A\x1b[31mB"])
def test_session_service_refuses_control_characters_in_one_line_fields(
    active_cohort: Cohort, facilitator: User, title: str
) -> None:
    now = timezone.now()
    with pytest.raises(CohortError, match="single line"):
        session_create(
            cohort=active_cohort,
            by=facilitator,
            title=title,
            starts_at=now + timedelta(days=3),
            ends_at=now + timedelta(days=3, hours=1),
        )


def test_oversized_agenda_is_refused_by_the_page_and_the_service(
    active_cohort: Cohort,
    fac_client: Client,
    facilitator: User,
    add_session: Callable[..., Session],
) -> None:
    huge = "x" * (SESSION_TEXT_MAX + 1)
    response = fac_client.post(
        reverse("cohorts:session_create", args=[active_cohort.slug]), FORM | {"agenda": huge}
    )
    assert response.status_code == 400
    assert f"at most {SESSION_TEXT_MAX} characters" in response.content.decode()
    session = add_session(active_cohort)
    with pytest.raises(CohortError, match="Agenda"):
        session_update(session=session, by=facilitator, agenda=huge)
    session.refresh_from_db()
    assert session.agenda != huge


def test_multiline_texts_keep_line_breaks_and_lose_other_control_characters(
    active_cohort: Cohort, facilitator: User, add_session: Callable[..., Session]
) -> None:
    session = add_session(active_cohort)
    session_update(session=session, by=facilitator, agenda="One\r\n\tTwo\x00\x07 three\u2028")
    session.refresh_from_db()
    assert session.agenda == "One\n\tTwo three"


def test_cohort_description_has_a_maximum(
    make_active_cohort: Callable[..., Cohort],
) -> None:
    with pytest.raises(CohortError, match="Description"):
        make_active_cohort(description="d" * 10_001)


def test_admin_refuses_a_line_break_in_a_session_title(
    active_cohort: Cohort, add_session: Callable[..., Session], make_user: Callable[..., User]
) -> None:
    admin_user = make_user("root@example.org", is_staff=True, is_superuser=True)
    session = add_session(active_cohort)
    client = Client()
    client.force_login(admin_user)
    url = reverse("admin:cohorts_session_change", args=[session.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {
        name: (value if value is not None else "")
        for name, value in form.initial.items()
        if not isinstance(value, list)
    }
    local = session.starts_at
    data.update(
        {
            "cohort": active_cohort.pk,
            "title": "Injected\r\nSubject",
            "starts_at_0": f"{local:%Y-%m-%d}",
            "starts_at_1": f"{local:%H:%M:%S}",
            "ends_at_0": f"{session.ends_at:%Y-%m-%d}",
            "ends_at_1": f"{session.ends_at:%H:%M:%S}",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 200  # the form again, with its error
    assert "single line" in response.content.decode()
    session.refresh_from_db()
    assert "\n" not in session.title


def test_cancelling_a_session_whose_title_has_a_line_break_does_not_fail(
    active_cohort: Cohort,
    fac_client: Client,
    active_cohort_member: User,
    add_session: Callable[..., Session],
    django_capture_on_commit_callbacks: Any,
) -> None:
    session = add_session(active_cohort)
    # A title stored before the rule existed.
    Session.objects.filter(pk=session.pk).update(title="Old\r\ntitle")
    with django_capture_on_commit_callbacks(execute=True):
        response = fac_client.post(
            reverse("cohorts:session_cancel", args=[active_cohort.slug, session.pk]), {"reason": ""}
        )
    assert response.status_code == 302
    (sent,) = mail.outbox
    assert "\n" not in sent.subject and "Old title" in sent.subject


def test_a_mail_server_failure_after_cancelling_is_logged_and_retried(
    active_cohort: Cohort,
    fac_client: Client,
    active_cohort_member: User,
    add_session: Callable[..., Session],
    settings: Any,
    django_capture_on_commit_callbacks: Any,
    caplog: Any,
) -> None:
    session = add_session(active_cohort)
    # Set-up notifications (their mails were never due: the test transaction never commits).
    Notification.objects.update(emailed_at=timezone.now())
    settings.EMAIL_BACKEND = "tests.helpers.BrokenBackend"
    with django_capture_on_commit_callbacks(execute=True):
        response = fac_client.post(
            reverse("cohorts:session_cancel", args=[active_cohort.slug, session.pk]),
            {"reason": "Snow day"},
        )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.is_cancelled
    note = Notification.objects.get(user=active_cohort_member, kind="session.cancelled")
    assert note.emailed_at is None
    assert "will be retried" in caplog.text

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert instant_mails_retry() == (0, 0)  # too soon: the first try may still be running
    later = timezone.now() + timedelta(minutes=10)
    assert instant_mails_retry(now=later) == (1, 0)
    note.refresh_from_db()
    assert note.emailed_at is not None
    (sent,) = mail.outbox
    assert sent.to == [active_cohort_member.email]
    assert "Session cancelled" in sent.subject
    assert instant_mails_retry(now=later) == (0, 0)
