"""Services of the trainings app: drafts, submission, review, conflicts, expiry,
renewal, reminders, completions and the provider's CSV."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail

from accounts.models import Notification
from trainings import permissions, selectors, services
from trainings.models import Event, Review, Training
from trainings.services import TrainingError

from .conftest import JUDGE_ALL, TODAY, fields

pytestmark = pytest.mark.django_db


def test_provider_registers_organisation_with_lowercased_domains(provider):
    org = services.provider_save(by=provider, name="Acme", domains=["Acme.EDU", "@acme.org"])
    assert org.domain_list == ["acme.edu", "acme.org"]
    assert provider in org.users.all()


def test_member_cannot_register_an_organisation(member):
    with pytest.raises(TrainingError) as err:
        services.provider_save(by=member, name="Acme", domains=["acme.edu"])
    assert err.value.code == "forbidden"


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"duration_hours": "0"}, "more than zero hours"),
        ({"duration_hours": "-3"}, "more than zero hours"),
        ({"cost_amount": "-5", "cost_currency": "USD"}, "cannot be negative"),
        ({"cost_amount": "50"}, "three-letter code"),
        ({"registration_url": "javascript:alert(1)"}, "http:// or https://"),
        ({"registration_url": "ftp://tove.edu/x"}, "http:// or https://"),
        ({"title": "  "}, "title"),
    ],
)
def test_bad_training_input_is_refused_with_a_clear_message(
    framework, provider, org, overrides, message
):
    with pytest.raises(TrainingError) as err:
        services.training_create(by=provider, provider=org, **fields(**overrides))
    assert message in err.value.message
    assert not Training.objects.exists()


def test_a_run_that_ends_before_it_starts_is_refused(framework, provider, org):
    day = TODAY()
    with pytest.raises(TrainingError, match="cannot end"):
        services.training_create(
            by=provider, provider=org, runs=[(day, day - dt.timedelta(days=1))], **fields()
        )


def test_another_provider_cannot_add_to_an_organisation(framework, other_provider, org):
    with pytest.raises(TrainingError) as err:
        services.training_create(by=other_provider, provider=org, **fields())
    assert err.value.code == "forbidden"


def test_submit_needs_goals_competencies_and_dates(framework, provider, org):
    training = services.training_create(by=provider, provider=org, **fields())
    with pytest.raises(TrainingError, match="competencies it addresses; its dates"):
        services.training_submit(by=provider, training=training)


def test_submit_puts_it_in_the_queue_of_reviewers_without_conflict(
    make_training, reviewer, conflicted_reviewer
):
    training = make_training("submitted")
    assert training.status == "submitted"
    assert list(permissions.review_queue_for(reviewer)) == [training]
    assert list(permissions.review_queue_for(conflicted_reviewer)) == []
    told = set(
        Notification.objects.filter(kind="training.submitted").values_list("user__email", flat=True)
    )
    assert "reviewer@example.org" in told
    assert "carla@tove.edu" not in told


def test_conflict_by_a_second_verified_domain_of_the_same_institution(make_training, reviewer):
    from allauth.account.models import EmailAddress

    training = make_training("submitted")
    EmailAddress.objects.create(user=reviewer, email="rene@tove-alumni.org", verified=True)
    permissions.forget_cached(reviewer)
    assert permissions.is_conflicted(reviewer, training)
    assert not permissions.can_review_training(reviewer, training)
    assert list(permissions.review_queue_for(reviewer)) == []


def test_an_unverified_address_at_the_domain_is_not_a_conflict(make_training, reviewer):
    from allauth.account.models import EmailAddress

    training = make_training("submitted")
    EmailAddress.objects.create(user=reviewer, email="rene@tove.edu", verified=False)
    permissions.forget_cached(reviewer)
    assert permissions.can_review_training(reviewer, training)


def test_declared_conflict_and_recusal_take_it_out_of_the_queue(make_training, reviewer, org):
    first = make_training("submitted")
    services.training_recuse(reviewer=reviewer, training=first)
    assert not permissions.can_review_training(reviewer, first)
    second = make_training("submitted", title="Another one")
    assert list(permissions.review_queue_for(reviewer)) == [second]
    services.conflict_declare(reviewer=reviewer, provider=org)
    assert list(permissions.review_queue_for(reviewer)) == []
    assert not permissions.can_view_training(reviewer, second)


def test_conflicted_reviewer_cannot_decide(make_training, conflicted_reviewer):
    training = make_training("submitted")
    with pytest.raises(TrainingError) as err:
        services.training_review(
            reviewer=conflicted_reviewer, training=training, decision="approve",
            judgements=JUDGE_ALL, approved_until=TODAY() + dt.timedelta(days=30),
        )  # fmt: skip
    assert err.value.code == "forbidden"


def test_provider_who_is_also_a_reviewer_cannot_approve_their_own(make_training, provider):
    from accounts.roles import PlatformRole
    from accounts.services import role_grant

    role_grant(user=provider, role=PlatformRole.REVIEW_BOARD)
    permissions.forget_cached(provider)
    training = make_training("submitted")
    assert training not in permissions.review_queue_for(provider)
    with pytest.raises(TrainingError):
        services.training_review(
            reviewer=provider, training=training, decision="approve",
            judgements=JUDGE_ALL, approved_until=TODAY() + dt.timedelta(days=30),
        )  # fmt: skip


def test_request_changes_then_resubmit_shows_the_diff_since_the_last_review(
    make_training, provider, reviewer
):
    training = make_training("changes_requested")
    assert training.status == "changes_requested"
    services.training_update(
        by=provider, training=training,
        curriculum="Week 1: listening.\nWeek 2: agreements.\nWeek 3: evaluation.",
    )  # fmt: skip
    services.training_submit(by=provider, training=training)
    training.refresh_from_db()
    changes = services.diff_snapshots(
        services.last_review(training).snapshot, services.snapshot(training)
    )
    assert [c.label for c in changes] == ["Curriculum outline"]
    assert ("added", "Week 3: evaluation.") in changes[0].lines
    assert [e.action for e in selectors.history(training)] == [
        "created", "submitted", "changes_requested", "resubmitted",
    ]  # fmt: skip


def test_decision_tells_the_provider_by_mail_and_in_app_without_naming_the_reviewer(
    make_training, provider, reviewer, django_capture_on_commit_callbacks
):
    training = make_training("submitted")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.training_review(
            reviewer=reviewer, training=training, decision="request_changes",
            judgements=JUDGE_ALL, message="Add a session on evaluation.",
        )  # fmt: skip
    note = Notification.objects.get(user=provider, kind="training.reviewed")
    assert note.body == "Add a session on evaluation."
    assert len(mail.outbox) == 1
    text = mail.outbox[0].body
    assert "Content Advisory Board" in text and "Add a session on evaluation." in text
    assert reviewer.name not in text and reviewer.email not in text
    event = Event.objects.get(training=training, action="changes_requested")
    assert event.by is None


def test_approve_needs_a_future_expiry_and_a_competency(make_training, reviewer):
    training = make_training("submitted")
    with pytest.raises(TrainingError, match="after today"):
        services.training_review(
            reviewer=reviewer, training=training, decision="approve",
            judgements=JUDGE_ALL, approved_until=TODAY(),
        )  # fmt: skip
    with pytest.raises(TrainingError, match="at least one competency"):
        services.training_review(
            reviewer=reviewer, training=training, decision="approve", judgements=JUDGE_ALL,
            approved_until=TODAY() + dt.timedelta(days=9), competency_codes=[],
        )  # fmt: skip


def test_reviewer_edits_the_competencies_addressed(make_training, reviewer):
    training = make_training("submitted")
    review = services.training_review(
        reviewer=reviewer, training=training, decision="approve", judgements=JUDGE_ALL,
        approved_until=TODAY() + dt.timedelta(days=9), competency_codes=["PAR-3"],
    )  # fmt: skip
    assert review.competency_codes == ["PAR-3"]
    assert [c.code for c in training.competencies.all()] == ["PAR-3"]


def test_declining_needs_a_message(make_training, reviewer):
    training = make_training("submitted")
    with pytest.raises(TrainingError, match="why"):
        services.training_review(
            reviewer=reviewer, training=training, decision="decline", judgements=JUDGE_ALL
        )


@pytest.mark.parametrize(
    "offset, shown", [(-1, True), (0, True), (1, False)], ids=["day-before", "day-of", "day-after"]
)
def test_expiry_is_decided_at_query_time(make_training, member, monkeypatch, offset, shown):
    until = TODAY() + dt.timedelta(days=10)
    training = make_training("approved", approved_until=until)
    monkeypatch.setattr(permissions, "today", lambda: until + dt.timedelta(days=offset))
    assert permissions.is_current(training) is shown
    assert (training in selectors.catalog(selectors.CatalogFilters())) is shown
    assert (training in permissions.trainings_visible_to(member)) is shown
    assert permissions.can_view_training(member, training) is shown
    # The row itself never changes: nothing was cached.
    assert Training.objects.get(pk=training.pk).status == "approved"


def test_expired_training_stays_visible_to_its_provider_and_can_be_renewed(
    make_training, provider, reviewer, monkeypatch
):
    until = TODAY() + dt.timedelta(days=10)
    training = make_training("approved", approved_until=until)
    monkeypatch.setattr(permissions, "today", lambda: until + dt.timedelta(days=1))
    assert permissions.can_view_training(provider, training)
    services.training_request_renewal(by=provider, training=training)
    assert list(permissions.review_queue_for(reviewer)) == [training]
    services.training_review(
        reviewer=reviewer, training=training, decision="approve", judgements=JUDGE_ALL,
        approved_until=until + dt.timedelta(days=400), on=until + dt.timedelta(days=1),
    )  # fmt: skip
    training.refresh_from_db()
    assert training.renewal_requested_at is None
    assert permissions.is_current(training)


def test_reminder_is_sent_once_before_expiry(make_training, provider):
    make_training("approved", approved_until=TODAY() + dt.timedelta(days=20))
    make_training("approved", title="Far off", approved_until=TODAY() + dt.timedelta(days=200))
    assert services.expiry_reminders_send() == 1
    assert services.expiry_reminders_send() == 0
    assert Notification.objects.filter(user=provider, kind="training.expiring").count() == 1


def test_reminder_task_runs_the_service(make_training, provider):
    from trainings.tasks import expiry_reminders

    make_training("approved", approved_until=TODAY() + dt.timedelta(days=5))
    result = expiry_reminders.enqueue()
    assert result.return_value == 1


def test_member_records_a_completion_with_hours(approved, member):
    completion = services.completion_record(
        user=member, training=approved, completed_on=TODAY(), hours="7.5"
    )
    assert completion.hours == Decimal("7.5")
    assert list(selectors.completions_of(member)) == [completion]
    with pytest.raises(TrainingError) as err:
        services.completion_record(user=member, training=approved, completed_on=TODAY(), hours=1)
    assert err.value.code == "conflict"


@pytest.mark.parametrize("hours", ["0", "-1", "abc"])
def test_completion_hours_must_be_positive(approved, member, hours):
    with pytest.raises(TrainingError):
        services.completion_record(
            user=member, training=approved, completed_on=TODAY(), hours=hours
        )


def test_completion_cannot_be_in_the_future(approved, member):
    with pytest.raises(TrainingError, match="future"):
        services.completion_record(
            user=member, training=approved, completed_on=TODAY() + dt.timedelta(days=1), hours=2
        )


def test_csv_confirms_completions_and_creates_missing_ones(approved, provider, member, outsider):
    services.completion_record(user=member, training=approved, completed_on=TODAY(), hours=3)
    result = services.completions_confirm(
        by=provider, training=approved,
        data="email,completed_on\nMEMBER@example.org,\noutsider@example.org,2026-01-05\n",
    )  # fmt: skip
    assert (result.verified, result.created, result.errors) == (2, 1, [])
    verified = approved.completions.filter(verified_at__isnull=False)
    assert set(verified.values_list("user__email", flat=True)) == {
        "member@example.org",
        "outsider@example.org",
    }


def test_csv_with_bad_rows_reports_each_and_imports_nothing(approved, provider, member):
    result = services.completions_confirm(
        by=provider, training=approved,
        data="email,completed_on\nmember@example.org,\nnot-an-email,\nnobody@example.org,\n"
        "member@example.org,\n",
    )  # fmt: skip
    assert result.errors == [
        "Line 3: “not-an-email” is not an e-mail address.",
        "Line 5: member@example.org is listed twice.",
        "Line 4: no account uses nobody@example.org.",
    ]
    assert not approved.completions.exists()


def test_another_provider_cannot_confirm_completions(approved, other_provider, other_org):
    with pytest.raises(TrainingError) as err:
        services.completions_confirm(by=other_provider, training=approved, data="email\nx@y.org\n")
    assert err.value.code == "forbidden"


def test_review_history_is_kept(make_training, provider, reviewer):
    training = make_training("changes_requested")
    services.training_submit(by=provider, training=training)
    services.training_review(
        reviewer=reviewer, training=training, decision="approve", judgements=JUDGE_ALL,
        approved_until=TODAY() + dt.timedelta(days=90),
    )  # fmt: skip
    assert [r.decision for r in selectors.reviews_of(training)] == ["approve", "request_changes"]
    assert Review.objects.filter(training=training).count() == 2


def test_someone_who_signed_up_asks_staff_for_the_provider_role(outsider, staff, provider):
    services.provider_role_request(user=outsider, organisation="Riverbend  Trainings")
    note = Notification.objects.get(user=staff, kind="training.provider_requested")
    assert "Olivia Outsider" in note.title and "Riverbend Trainings" in note.body
    with pytest.raises(TrainingError) as err:
        services.provider_role_request(user=provider, organisation="Tove")
    assert err.value.code == "conflict"


def test_provider_role_requests_are_capped_per_day(outsider, staff):
    for _ in range(3):
        services.provider_role_request(user=outsider, organisation="Riverbend")
    with pytest.raises(TrainingError) as err:
        services.provider_role_request(user=outsider, organisation="Riverbend")
    assert err.value.code == "rate_limited"


def test_submission_tells_exactly_the_reviewers_who_may_decide(
    framework, provider, org, reviewer, conflicted_reviewer, make_user
):
    from accounts.roles import PlatformRole
    from accounts.services import role_grant

    declared = make_user("dora@board.org", name="Dora Declared", role=PlatformRole.REVIEW_BOARD)
    services.conflict_declare(reviewer=declared, provider=org)
    role_grant(user=provider, role=PlatformRole.REVIEW_BOARD)
    training = services.training_create(
        by=provider, provider=org, runs=[(TODAY(), TODAY())], competency_codes=["PAR-1"],
        **fields(),
    )  # fmt: skip
    services.training_submit(by=provider, training=training)
    told = set(
        Notification.objects.filter(kind="training.submitted").values_list("user__email", flat=True)
    )
    assert told == {"reviewer@example.org"}
    training.refresh_from_db()
    everyone = [reviewer, conflicted_reviewer, declared, provider]
    for person in everyone:
        permissions.forget_cached(person)
    assert {p.email for p in everyone if permissions.can_review_training(p, training)} == told


def test_a_chosen_filter_value_with_no_match_stays_on_offer(approved):
    found = selectors.facets(selectors.CatalogFilters(competency="INS-8"))
    competency = next(f for f in found if f.name == "competency")
    assert competency.values[0] == ("INS-8", "INS-8", 0)


def test_a_completion_recorded_twice_at_once_is_a_conflict_not_a_crash(
    approved, member, monkeypatch
):
    from django.db.models import QuerySet

    services.completion_record(user=member, training=approved, completed_on=TODAY(), hours=2)
    # A double submit: the second request checked for a completion before the first saved.
    monkeypatch.setattr(QuerySet, "exists", lambda self: False)
    with pytest.raises(TrainingError) as err:
        services.completion_record(user=member, training=approved, completed_on=TODAY(), hours=2)
    monkeypatch.undo()
    assert err.value.code == "conflict"
    assert approved.completions.count() == 1


def test_an_organisation_lists_a_bounded_number_of_domains(provider):
    many = [f"branch{n}.example.net" for n in range(services.MAX_DOMAINS + 1)]
    with pytest.raises(TrainingError, match="at most"):
        services.provider_save(by=provider, name="Sprawling", domains=many)
    org = services.provider_save(
        by=provider, name="Sprawling", domains=many[: services.MAX_DOMAINS]
    )
    assert org.domains.count() == services.MAX_DOMAINS
