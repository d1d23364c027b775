"""The catalog, detail, provider, reviewer and completion pages."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.urls import reverse
from icalendar import Calendar

from trainings import services
from trainings.models import Training

from .conftest import TODAY

pytestmark = pytest.mark.django_db

LD_RE = re.compile(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', re.S)


def jsonld(response) -> dict:
    found = LD_RE.findall(response.content.decode())
    assert len(found) == 1
    return json.loads(found[0])


def test_catalog_is_public_and_lists_only_current_trainings(anon, make_training):
    shown = make_training("approved", title="Shown training")
    make_training("submitted", title="Waiting training")
    make_training("draft", title="Draft training")
    response = anon.get(reverse("trainings:catalog"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Shown training" in text
    assert "Waiting training" not in text and "Draft training" not in text
    assert shown.get_absolute_url() in text


def test_catalog_explains_and_links_to_communities_of_practice(anon, framework):
    text = anon.get(reverse("trainings:catalog")).content.decode()
    assert reverse("cohorts:directory") in text
    assert "community of practice" in text


def test_catalog_is_sorted_by_next_start_date(anon, make_training):
    later = TODAY() + dt.timedelta(days=90)
    sooner = TODAY() + dt.timedelta(days=10)
    make_training("approved", title="Later one", runs=[(later, later)])
    make_training("approved", title="Self paced one", runs=[], self_paced=True)
    make_training("approved", title="Sooner one", runs=[(sooner, sooner)])
    text = anon.get(reverse("trainings:catalog")).content.decode()
    positions = [text.index(t) for t in ("Sooner one", "Later one", "Self paced one")]
    assert positions == sorted(positions)


def test_filters_on_a_fixture_with_a_known_answer(anon, make_training):
    make_training("approved", title="Free online PAR", codes=("PAR-1",))
    make_training(
        "approved", title="Paid workshop FUN", format="workshop", delivery="in_person",
        cost_amount="120", cost_currency="USD", codes=("FUN-1",),
    )  # fmt: skip
    make_training(
        "approved", title="Free webinar FUN", format="webinar_series", codes=("FUN-1", "FUN-2")
    )
    response = anon.get(reverse("trainings:catalog"), {"area": "fundamentals", "free": "1"})
    titles = [t.title for t in response.context["trainings"]]
    assert titles == ["Free webinar FUN"]
    facets = {f.name: {v: n for v, _label, n in f.values} for f in response.context["facets"]}
    # Each facet counts with the other filters applied: free trainings by area, and
    # trainings of the fundamentals area by cost.
    assert facets["area"] == {"fundamentals": 1, "partnerships": 1}
    assert facets["free"] == {"1": 1}
    assert facets["format"]["webinar_series"] == 1 and facets["format"]["workshop"] == 0
    text = response.content.decode()
    assert "Free (1)" in text
    by_competency = anon.get(reverse("trainings:catalog"), {"competency": "FUN-1"})
    assert {t.title for t in by_competency.context["trainings"]} == {
        "Paid workshop FUN", "Free webinar FUN",
    }  # fmt: skip
    by_delivery = anon.get(reverse("trainings:catalog"), {"delivery": "in_person"})
    assert [t.title for t in by_delivery.context["trainings"]] == ["Paid workshop FUN"]


def test_catalog_jsonld_lists_courses_with_instances(anon, make_training):
    start = TODAY() + dt.timedelta(days=14)
    training = make_training("approved", runs=[(start, start + dt.timedelta(days=2))])
    response = anon.get(reverse("trainings:catalog"))
    data = jsonld(response)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "ItemList"
    course = data["itemListElement"][0]["item"]
    assert course["@type"] == "Course"
    assert course["name"] == training.title
    assert course["provider"] == {
        "@type": "Organization", "name": "Tove Institute", "sameAs": "https://tove.edu",
    }  # fmt: skip
    instance = course["hasCourseInstance"][0]
    assert instance["@type"] == "CourseInstance"
    assert instance["courseMode"] == "online"
    assert instance["startDate"] == start.isoformat()


def test_detail_jsonld_escapes_markup_and_the_csp_allows_no_inline_script(anon, make_training):
    training = make_training("approved", title="Partners </script><b>bold</b> & co")
    response = anon.get(training.get_absolute_url())
    assert response.status_code == 200
    assert "</script><b>" not in response.content.decode()
    data = jsonld(response)
    assert data["@type"] == "Course"
    assert data["name"] == "Partners </script><b>bold</b> & co"
    assert data["offers"]["price"] == "0"
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_detail_names_the_board_dates_and_competencies(anon, approved):
    text = anon.get(approved.get_absolute_url()).content.decode()
    assert "Reviewed by the Content Advisory Board on" in text
    assert f"approved until {approved.approved_until:%B %-d, %Y}" in text
    assert "PAR-1" in text and "PAR-2" in text


def test_unapproved_or_expired_training_is_404_to_the_public(
    anon, member_client, make_training, monkeypatch
):
    from trainings import permissions

    waiting = make_training("submitted")
    until = TODAY() + dt.timedelta(days=3)
    expiring = make_training("approved", approved_until=until, title="Expiring")
    assert anon.get(waiting.get_absolute_url()).status_code == 404
    assert member_client.get(waiting.get_absolute_url()).status_code == 404
    assert anon.get(expiring.get_absolute_url()).status_code == 200
    monkeypatch.setattr(permissions, "today", lambda: until + dt.timedelta(days=1))
    assert anon.get(expiring.get_absolute_url()).status_code == 404
    assert "Expiring" not in anon.get(reverse("trainings:catalog")).content.decode()


def test_calendar_feed_has_upcoming_runs_for_the_filter(anon, make_training):
    start = TODAY() + dt.timedelta(days=5)
    make_training(
        "approved", title="Partnership runs", runs=[(start, start + dt.timedelta(days=1))]
    )
    make_training("approved", title="Fundamentals run", codes=("FUN-1",), runs=[(start, start)])
    make_training(
        "approved",
        title="Past run",
        runs=[(TODAY() - dt.timedelta(days=9), TODAY() - dt.timedelta(days=8))],
    )
    response = anon.get(reverse("trainings:calendar"), {"area": "partnerships"})
    assert response["Content-Type"].startswith("text/calendar")
    events = [c for c in Calendar.from_ical(response.content).walk("VEVENT")]
    assert [str(e["summary"]) for e in events] == ["Partnership runs (Tove Institute)"]
    assert events[0].decoded("dtstart") == start
    assert events[0].decoded("dtend") == start + dt.timedelta(days=2)


@pytest.mark.parametrize("n", [10, 1000])
def test_catalog_query_count_is_constant(anon, make_training, django_assert_max_num_queries, n):
    template = make_training("approved")
    services_bulk_copy(template, n - 1)
    with django_assert_max_num_queries(14):
        response = anon.get(reverse("trainings:catalog"))
    assert response.context["page"].paginator.count == n


def services_bulk_copy(template: Training, n: int) -> None:
    """``n`` copies of an approved training, written in bulk (the services are measured
    elsewhere; this is volume)."""
    from trainings.models import TrainingRun

    codes = list(template.competencies.all())
    copies = Training.objects.bulk_create(
        [
            Training(
                provider=template.provider, title=f"Copy {i}", format=template.format,
                description="x", delivery=template.delivery, duration_hours=3,
                status="approved", approved_until=template.approved_until,
                reviewed_on=template.reviewed_on,
            )
            for i in range(n)
        ]
    )  # fmt: skip
    through = Training.competencies.through
    through.objects.bulk_create([through(training=t, competency=c) for t in copies for c in codes])
    TrainingRun.objects.bulk_create(
        [
            TrainingRun(training=t, starts_on=TODAY() + dt.timedelta(days=i % 50 + 1),
                        ends_on=TODAY() + dt.timedelta(days=i % 50 + 2))
            for i, t in enumerate(copies)
        ]
    )  # fmt: skip


def test_provider_drafts_submits_and_sees_the_boards_message_but_not_the_reviewer(
    framework, provider, org, reviewer, signed_in
):
    client = signed_in(provider)
    start = (TODAY() + dt.timedelta(days=20)).isoformat()
    response = client.post(
        reverse("trainings:create"),
        {
            "title": "Listening first", "format": "workshop", "description": "A day on listening.",
            "curriculum": "Morning: stories.", "learning_goals": "Listen\nReflect",
            "delivery": "online", "runs": f"{start} to {start}", "duration_hours": "6",
            "competencies": ["PAR-1"], "submit": "1",
        },
    )  # fmt: skip
    training = Training.objects.get(title="Listening first")
    assert response.status_code == 302
    assert training.status == "submitted"
    review = signed_in(reviewer).post(
        reverse("trainings:review", args=[training.pk]),
        {
            "guided_instruction": "meets", "curriculum": "partly", "learning_goals": "meets",
            "curriculum_note": "Thin afternoon.", "decision": "request_changes",
            "message": "Please describe the afternoon.", "competencies": ["PAR-1", "PAR-2"],
        },
    )  # fmt: skip
    assert review.status_code == 302
    page = client.get(reverse("trainings:manage", args=[training.pk])).content.decode()
    assert "Please describe the afternoon." in page
    assert "Changes requested" in page
    assert reviewer.name not in page and reviewer.email not in page
    assert "Thin afternoon." not in page  # the reviewers' notes stay with the board


def test_bad_input_rerenders_the_form_with_what_was_typed(framework, provider, org, signed_in):
    response = signed_in(provider).post(
        reverse("trainings:create"),
        {
            "title": "Kept title", "format": "course", "description": "Kept description",
            "delivery": "online", "duration_hours": "-2", "runs": "2027-05-02 to 2027-05-01",
        },
    )  # fmt: skip
    assert response.status_code == 200
    text = response.content.decode()
    assert "cannot end" in text or "more than zero" in text
    assert "Kept title" in text and "Kept description" in text
    assert not Training.objects.exists()


def test_review_page_shows_the_diff_since_the_last_review(
    make_training, provider, reviewer, signed_in
):
    training = make_training("changes_requested")
    services.training_update(by=provider, training=training, description="A new description.")
    services.training_submit(by=provider, training=training)
    text = signed_in(reviewer).get(reverse("trainings:review", args=[training.pk])).content.decode()
    assert "What changed since the last review" in text
    assert '<ins><span class="visually-hidden">Added: </span>A new description.</ins>' in text


def test_queue_is_oldest_first_with_age_and_hides_conflicts(
    make_training, reviewer, conflicted_reviewer, signed_in
):
    first = make_training("submitted", title="First in")
    Training.objects.filter(pk=first.pk).update(
        submitted_at=first.submitted_at - dt.timedelta(days=3)
    )
    make_training("submitted", title="Second in")
    text = signed_in(reviewer).get(reverse("trainings:queue")).content.decode()
    assert text.index("First in") < text.index("Second in")
    assert "3 days" in text
    assert (
        "First in"
        not in signed_in(conflicted_reviewer).get(reverse("trainings:queue")).content.decode()
    )


def _today_for(user):
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    return timezone.localdate(timezone=ZoneInfo(user.time_zone))


def test_member_records_a_completion_with_a_certificate_and_only_they_download_it(
    approved, member, outsider, signed_in, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client = signed_in(member)
    pdf = SimpleUploadedFile("cert.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    response = client.post(
        reverse("trainings:complete", args=[approved.pk]),
        # "Today" is the member's own day (the page runs in their time zone).
        {"completed_on": _today_for(member).isoformat(), "hours": "12", "certificate": pdf},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    page = client.get(reverse("trainings:completions")).content.decode()
    assert approved.title in page and "cert.pdf" in page
    completion = approved.completions.get()
    url = reverse("files:download", args=[completion.certificate_id])
    assert client.get(url).status_code == 200
    assert signed_in(outsider).get(url).status_code == 404


def test_csv_upload_page_reports_bad_rows(approved, provider, member, signed_in):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = SimpleUploadedFile(
        "c.csv", b"email\nmember@example.org\nnope\n", content_type="text/csv"
    )
    response = signed_in(provider).post(
        reverse("trainings:confirm", args=[approved.pk]), {"file": data}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Nothing was imported" in text and "Line 3" in text
    assert not approved.completions.exists()


def test_search_finds_approved_trainings_only(anon, make_training, member):
    from core.search import Query
    from trainings.search import TrainingsSearch

    make_training("approved", title="Reciprocity workshop")
    make_training("submitted", title="Reciprocity hidden")
    total, hits = TrainingsSearch().find(member, Query("reciprocity"), limit=10)
    assert total == 1
    results = TrainingsSearch().results(member, Query("reciprocity"), hits)
    assert [str(r.title) for r in results.values()] == ["<mark>Reciprocity</mark> workshop"]


def test_dashboard_panel_shows_trainings_for_my_cohorts_competencies(
    active_cohort_member, make_training, signed_in, outsider
):
    make_training("approved", title="For partnerships")
    make_training("approved", title="For fundamentals", codes=("FUN-1",))
    text = signed_in(active_cohort_member).get(reverse("dashboard:home")).content.decode()
    assert "Trainings for your cohorts" in text
    assert "For partnerships" in text and "For fundamentals" not in text
    assert (
        "For partnerships"
        not in signed_in(outsider).get(reverse("dashboard:home")).content.decode()
    )


def test_recommendations_give_trainings_and_open_cohorts_for_competencies(
    active_cohort, make_training
):
    from trainings.selectors import recommendations

    both = make_training("approved", title="Both", codes=("PAR-1", "PAR-2"))
    one = make_training("approved", title="One", codes=("PAR-2",))
    make_training("approved", title="Elsewhere", codes=("FUN-1",))
    make_training("submitted", title="Not yet", codes=("PAR-1",))
    found = recommendations(["PAR-1", "PAR-2"])
    assert found.trainings == [both, one]
    assert found.cohorts == [active_cohort]
    assert recommendations(["FUN-3"]).cohorts == []


def test_site_search_page_finds_a_training(make_training, member_client):
    training = make_training("approved", title="Reciprocity workshop")
    text = member_client.get(reverse("search"), {"q": "reciprocity"}).content.decode()
    assert training.get_absolute_url() in text


def test_reminder_command_queues_the_task(make_training, provider):
    import io

    from django.core.management import call_command

    from accounts.models import Notification

    make_training("approved", approved_until=TODAY() + dt.timedelta(days=7))
    call_command("send_training_reminders", stdout=io.StringIO())
    assert Notification.objects.filter(user=provider, kind="training.expiring").count() == 1


def test_a_too_long_renewal_message_is_shown_again_with_the_error(approved, provider, signed_in):
    typed = "Our new module on facilitation. " * 130  # over the 4,000 characters allowed
    response = signed_in(provider).post(
        reverse("trainings:renew", args=[approved.pk]), {"message": typed}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Our new module on facilitation." in text
    assert "at most 4000 characters" in text or "4,000" in text
    approved.refresh_from_db()
    assert approved.renewal_requested_at is None


@pytest.mark.parametrize("withdraw", ["abc", "1.5", "", "99999999999999999999999"])
def test_withdrawing_a_conflict_with_a_tampered_id_changes_nothing(
    reviewer, org, signed_in, withdraw
):
    from trainings.models import Conflict

    services.conflict_declare(reviewer=reviewer, provider=org)
    response = signed_in(reviewer).post(reverse("trainings:conflicts"), {"withdraw": withdraw})
    assert response.status_code == 302
    assert Conflict.objects.filter(reviewer=reviewer, provider=org).exists()
