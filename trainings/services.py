"""Writes of the trainings app: providers' organisations and drafts, submission, the
board's review, conflicts and recusals, renewal, completions and their confirmation.

Every refusal is a :class:`TrainingError` (a ``ServiceError``) with a message for the
person who asked; views and the API show it as it is.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace
from typing import Any, cast
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import PlatformRole
from accounts.services import notify
from competencies.models import Competency
from core.errors import ServiceError
from core.text import clean_input
from trainings import permissions
from trainings.models import (
    Completion,
    Conflict,
    Event,
    Provider,
    ProviderDomain,
    Recusal,
    Review,
    Training,
    TrainingRun,
)
from trainings.search_index import index_provider, index_training

S = Training.Status
BOARD = "The Content Advisory Board"
# How long before an approval ends its provider is reminded.
REMIND_BEFORE = timedelta(days=30)
MAX_CSV_ROWS = 5000
_DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_CURRENCY_RE = re.compile(r"^[A-Z]{3}$")


class TrainingError(ServiceError):
    pass


def _err(message: str) -> TrainingError:
    return TrainingError(message, code="invalid")


# --- validation -----------------------------------------------------------------------------


def check_url(value: str, *, label: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise _err(f"{label} must be a web address starting with http:// or https://.")
    return value


MAX_DOMAINS = 20


def clean_domains(domains: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for raw in domains:
        if len(cleaned) >= MAX_DOMAINS and raw.strip():
            raise _err(f"List at most {MAX_DOMAINS} e-mail domains.")
        domain = raw.strip().lower().lstrip("@")
        if not domain:
            continue
        if not _DOMAIN_RE.match(domain):
            raise _err(f"“{raw.strip()}” is not an e-mail domain (like example.org).")
        if domain not in cleaned:
            cleaned.append(domain)
    return cleaned


def _decimal(value: Any, *, label: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise _err(f"{label} must be a number.") from None
    if not number.is_finite():
        raise _err(f"{label} must be a number.")
    return number


@dataclass(frozen=True)
class RunDates:
    starts_on: date
    ends_on: date


def _clean_training(values: dict[str, Any]) -> dict[str, Any]:
    if "registration_url" in values:
        values = {
            **values,
            "registration_url": check_url(
                values["registration_url"], label="The registration link"
            ),
        }
    fields = clean_input(Training, values, error=_err)
    if "title" in fields and not fields["title"].strip():
        raise TrainingError("Give the training a title.", code="blank")
    if "description" in fields and not fields["description"].strip():
        raise TrainingError("Describe the training.", code="blank")
    if "format" in fields and fields["format"] not in Training.Format.values:
        raise _err("Choose a format from the list.")
    if "delivery" in fields and fields["delivery"] not in Training.Delivery.values:
        raise _err("Choose how it is delivered: online, in person or hybrid.")
    if "duration_hours" in fields:
        hours = _decimal(fields["duration_hours"], label="Duration")
        if hours is None or hours <= 0:
            raise _err("Duration must be more than zero hours.")
        if hours >= 100_000:
            raise _err("Duration is too long.")
        fields["duration_hours"] = hours
    if "cost_amount" in fields:
        cost = _decimal(fields["cost_amount"], label="Cost")
        if cost is not None and cost < 0:
            raise _err("Cost cannot be negative; leave it empty or 0 for a free training.")
        if cost is not None and cost >= 100_000_000:
            raise _err("Cost is too large.")
        fields["cost_amount"] = cost if cost else None
        currency = str(fields.get("cost_currency") or "").strip().upper()
        if fields["cost_amount"] is not None and not _CURRENCY_RE.match(currency):
            raise _err("Give the cost's currency as a three-letter code, like USD.")
        fields["cost_currency"] = currency if fields["cost_amount"] is not None else ""
    if "learning_goals" in fields:
        goals = [str(g).strip() for g in fields["learning_goals"] or [] if str(g).strip()]
        if any(len(g) > 500 or "\n" in g for g in goals):
            raise _err("Each learning goal must be one line of at most 500 characters.")
        if len(goals) > 30:
            raise _err("List at most 30 learning goals.")
        fields["learning_goals"] = goals
    return fields


def _clean_runs(runs: Sequence[Any]) -> list[RunDates]:
    cleaned = []
    for run in runs:
        start, end = (run.starts_on, run.ends_on) if isinstance(run, RunDates) else run
        if end < start:
            raise _err(f"A run cannot end ({end:%Y-%m-%d}) before it starts ({start:%Y-%m-%d}).")
        cleaned.append(RunDates(start, end))
    if len(cleaned) > 50:
        raise _err("List at most 50 runs.")
    return sorted(cleaned, key=lambda r: r.starts_on)


def competencies_by_code(codes: Iterable[str]) -> list[Competency]:
    wanted = [c.strip() for c in codes if c and c.strip()]
    found = {
        c.code: c for c in Competency.objects.filter(code__in=wanted, framework__is_default=True)
    }
    unknown = [c for c in wanted if c not in found]
    if unknown:
        raise _err("Unknown competency: " + ", ".join(unknown) + ".")
    return [found[c] for c in dict.fromkeys(wanted)]


# --- providers ------------------------------------------------------------------------------


@transaction.atomic
def provider_save(
    *,
    by: User,
    provider: Provider | None = None,
    name: str,
    website: str = "",
    contact_name: str = "",
    contact_email: str = "",
    domains: Iterable[str] = (),
) -> Provider:
    """Create the organisation ``by`` provides for (they become one of its people), or
    update it. Only training providers do this."""
    if provider is None and not permissions.is_provider(by):
        raise TrainingError(
            "Only training providers can register an organisation.", code="forbidden"
        )
    if provider is not None and not permissions.is_provider_of_org(by, provider):
        raise TrainingError("This is not your organisation.", code="forbidden")
    values = clean_input(
        Provider,
        {"name": name.strip(), "contact_name": contact_name.strip()},
        error=_err,
    )
    if not values["name"]:
        raise TrainingError("Give the organisation's name.", code="blank")
    website = check_url(website, label="The website")
    contact_email = (contact_email or "").strip()
    if contact_email:
        try:
            validate_email(contact_email)
        except ValidationError:
            raise _err("The contact e-mail is not an e-mail address.") from None
    cleaned_domains = clean_domains(domains)
    if not cleaned_domains:
        raise TrainingError(
            "List at least one e-mail domain of the organisation (like example.org).",
            code="blank",
        )
    taken = Provider.objects.filter(name__iexact=values["name"])
    if provider is not None:
        taken = taken.exclude(pk=provider.pk)
    if taken.exists():
        raise TrainingError(
            "An organisation with this name is already registered.", code="conflict"
        )
    renamed = (
        provider is not None
        and Provider.objects.filter(pk=provider.pk).values_list("name", flat=True).first()
        != values["name"]
    )
    if provider is None:
        provider = Provider.objects.create(
            name=values["name"],
            website=website,
            contact_name=values["contact_name"],
            contact_email=contact_email,
        )
        provider.users.add(by)
    else:
        provider.name = values["name"]
        provider.website = website
        provider.contact_name = values["contact_name"]
        provider.contact_email = contact_email
        provider.save(
            update_fields=["name", "website", "contact_name", "contact_email", "updated_at"]
        )
        if renamed:
            # The organisation's name is searched with each of its trainings, whatever
            # their status (an approved one is found by the new name at once).
            index_provider(provider)
    provider.domains.exclude(domain__in=cleaned_domains).delete()
    have = set(provider.domains.values_list("domain", flat=True))
    ProviderDomain.objects.bulk_create(
        [ProviderDomain(provider=provider, domain=d) for d in cleaned_domains if d not in have]
    )
    permissions.forget_cached(by)
    return provider


PROVIDER_REQUEST_QUOTA = "trainings.provider_request"


def provider_role_request(*, user: User, organisation: str, message: str = "") -> None:
    """Someone who signed up asks program staff for the Training provider role (staff grant
    it in the admin). At most three requests a day."""
    from core import quota

    if permissions.is_provider(user):
        raise TrainingError("You are already a training provider.", code="conflict")
    values = clean_input(Event, {"message": message or ""}, error=_err)
    organisation = " ".join((organisation or "").split())[:200]
    if not organisation:
        raise TrainingError("Name the organisation you provide trainings for.", code="blank")
    if not quota.take(PROVIDER_REQUEST_QUOTA, user.pk, limit=3):
        raise TrainingError(
            "You have asked several times today; staff will answer.", code="rate_limited"
        )
    staff = User.objects.filter(groups__name=PlatformRole.PROGRAM_STAFF.value, is_active=True)
    notify(
        users=staff,
        kind="training.provider_requested",
        title=f"{user.display_name} asks to become a training provider",
        body=f"For: {organisation}\n\n{values['message']}".strip(),
        url=user.get_absolute_url(),
        quoted_from=user,
        mail_after=f"Grant the role in the admin: {user.email} → groups → "
        f"{PlatformRole.TRAINING_PROVIDER.value}.",
    )


# --- drafts and submission ------------------------------------------------------------------

TEXT_FIELDS = (
    "title",
    "format",
    "description",
    "curriculum",
    "learning_goals",
    "delivery",
    "location",
    "self_paced",
    "duration_hours",
    "cost_amount",
    "cost_currency",
    "registration_url",
)


@transaction.atomic
def training_create(
    *,
    by: User,
    provider: Provider,
    runs: Sequence[Any] = (),
    competency_codes: Iterable[str] = (),
    **values: Any,
) -> Training:
    """A new draft for ``provider`` (``by`` must be one of its people)."""
    if not permissions.is_provider_of_org(by, provider):
        raise TrainingError(
            "You can add trainings only for your own organisation.", code="forbidden"
        )
    unknown = set(values) - set(TEXT_FIELDS)
    if unknown:
        raise _err("Unknown fields: " + ", ".join(sorted(unknown)))
    for required in ("title", "format", "description", "delivery", "duration_hours"):
        values.setdefault(required, "")
    values.setdefault("cost_amount", None)
    fields = _clean_training(values)
    cleaned_runs = _clean_runs(runs)
    competencies = competencies_by_code(competency_codes)
    training = Training.objects.create(provider=provider, created_by=by, **fields)
    _set_runs(training, cleaned_runs)
    training.competencies.set(competencies)
    index_training(training)
    Event.objects.create(training=training, action=Event.Action.CREATED, by=by)
    return training


def _set_runs(training: Training, runs: list[RunDates]) -> None:
    training.runs.all().delete()
    TrainingRun.objects.bulk_create(
        [TrainingRun(training=training, starts_on=r.starts_on, ends_on=r.ends_on) for r in runs]
    )


@transaction.atomic
def training_update(
    *,
    by: User,
    training: Training,
    runs: Sequence[Any] | None = None,
    competency_codes: Iterable[str] | None = None,
    **values: Any,
) -> Training:
    """Edit a draft, or a training the board asked to change."""
    training = Training.objects.select_for_update().get(pk=training.pk)
    if not permissions.can_edit_training(by, training):
        raise TrainingError(
            "This training can be edited only as a draft or after the board asks for changes.",
            code="invalid_transition",
        )
    unknown = set(values) - set(TEXT_FIELDS)
    if unknown:
        raise _err("Unknown fields: " + ", ".join(sorted(unknown)))
    if "cost_amount" in values and "cost_currency" not in values:
        values["cost_currency"] = training.cost_currency
    fields = _clean_training(values)
    for name, value in fields.items():
        setattr(training, name, value)
    training.save(update_fields=[*fields, "updated_at"])
    if runs is not None:
        _set_runs(training, _clean_runs(runs))
    if competency_codes is not None:
        training.competencies.set(competencies_by_code(competency_codes))
    index_training(training)
    return training


def snapshot(training: Training) -> dict[str, str]:
    """The reviewable content of ``training`` as text, field by field (what a diff shows)."""
    cost = f"{training.cost_amount} {training.cost_currency}" if training.cost_amount else "Free"
    return {
        "Title": training.title,
        "Format": training.get_format_display(),
        "Description": training.description,
        "Curriculum outline": training.curriculum,
        "Learning goals": "\n".join(training.learning_goals or []),
        "Delivery": training.get_delivery_display(),
        "Location": training.location,
        "Self-paced": "yes" if training.self_paced else "no",
        "Duration (hours)": str(training.duration_hours),
        "Cost": cost,
        "Registration link": training.registration_url,
        "Competencies": "\n".join(sorted(c.code for c in training.competencies.all())),
        "Runs": "\n".join(
            f"{r.starts_on:%Y-%m-%d} to {r.ends_on:%Y-%m-%d}" for r in training.runs.all()
        ),
    }


@dataclass
class FieldDiff:
    label: str
    lines: list[tuple[str, str]] = field(default_factory=list)  # ("added"|"removed"|"same", text)


def diff_snapshots(old: dict[str, str], new: dict[str, str]) -> list[FieldDiff]:
    """What changed, field by field, line by line (unchanged fields are left out)."""
    changed = []
    for label, now in new.items():
        before = old.get(label, "")
        if before == now:
            continue
        lines: list[tuple[str, str]] = []
        for line in difflib.ndiff(before.splitlines(), now.splitlines()):
            tag, text = line[:2], line[2:]
            if tag == "- ":
                lines.append(("removed", text))
            elif tag == "+ ":
                lines.append(("added", text))
            elif tag == "  ":
                lines.append(("same", text))
        changed.append(FieldDiff(label, lines))
    return changed


def _reviewers_for(training: Training) -> list[User]:
    """The reviewers who may decide on ``training`` (the permission rules of
    ``permissions.can_review_training``, as one query)."""
    from functools import reduce
    from operator import or_

    from allauth.account.models import EmailAddress
    from django.db.models import Q

    domains = list(training.provider.domains.values_list("domain", flat=True))
    at_domain = (
        EmailAddress.objects.filter(verified=True)
        .filter(reduce(or_, (Q(email__iendswith=f"@{d}") for d in domains)))
        .values("user_id")
        if domains
        else EmailAddress.objects.none().values("user_id")
    )
    return list(
        User.objects.filter(groups__name=PlatformRole.REVIEW_BOARD.value, is_active=True)
        .exclude(training_providers=training.provider_id)
        .exclude(training_conflicts__provider=training.provider_id)
        .exclude(training_recusals__training=training)
        .exclude(pk__in=at_domain)
        .distinct()
    )


@transaction.atomic
def training_submit(*, by: User, training: Training) -> Training:
    """Put a draft (or a revised training) in the board's queue."""
    training = Training.objects.select_for_update().get(pk=training.pk)
    if not permissions.can_edit_training(by, training):
        raise TrainingError(
            "Only a draft or a training with changes requested can be submitted.",
            code="invalid_transition",
        )
    missing = [
        label
        for label, present in (
            ("the curriculum outline", training.curriculum.strip()),
            ("at least one learning goal", training.learning_goals),
            ("the competencies it addresses", training.competencies.exists()),
            ("its dates, or mark it self-paced", training.self_paced or training.runs.exists()),
        )
        if not present
    ]
    if missing:
        raise _err("Before submitting, add " + "; ".join(missing) + ".")
    again = training.status == S.CHANGES_REQUESTED
    verb = "resubmitted" if again else "submitted"
    training.status = S.SUBMITTED
    training.submitted_at = timezone.now()
    training.save(update_fields=["status", "submitted_at", "updated_at"])
    Event.objects.create(
        training=training,
        action=Event.Action.RESUBMITTED if again else Event.Action.SUBMITTED,
        by=by,
    )
    notify(
        users=_reviewers_for(training),
        kind="training.submitted",
        title=f"Training to review: {training.title}",
        body=f"{training.provider.name} {verb} “{training.title}”.",
        url=reverse("trainings:review", args=[training.pk]),
    )
    return training


@transaction.atomic
def training_request_renewal(*, by: User, training: Training, message: str = "") -> Training:
    """The provider asks the board to extend an approval (current or already expired)."""
    training = Training.objects.select_for_update().get(pk=training.pk)
    if not permissions.can_manage_training(by, training) or training.status != S.APPROVED:
        raise TrainingError("Only an approved training can be renewed.", code="invalid_transition")
    if training.renewal_requested_at:
        raise TrainingError("A renewal has already been requested.", code="conflict")
    message = clean_input(Event, {"message": message}, error=_err)["message"]
    training.renewal_requested_at = timezone.now()
    training.save(update_fields=["renewal_requested_at", "updated_at"])
    Event.objects.create(
        training=training, action=Event.Action.RENEWAL_REQUESTED, by=by, message=message
    )
    notify(
        users=_reviewers_for(training),
        kind="training.submitted",
        title=f"Renewal to review: {training.title}",
        body=f"{training.provider.name} asks to renew “{training.title}”.",
        url=reverse("trainings:review", args=[training.pk]),
    )
    return training


# --- review ---------------------------------------------------------------------------------


def last_review(training: Training) -> Review | None:
    return training.reviews.order_by("-created_at", "-pk").first()


@transaction.atomic
def training_review(
    *,
    reviewer: User,
    training: Training,
    decision: str,
    judgements: dict[str, tuple[str, str]],
    message: str = "",
    approved_until: date | None = None,
    competency_codes: Iterable[str] | None = None,
    on: date | None = None,
) -> Review:
    """Record the board's decision: approve (with an expiry), request changes, or decline,
    with a message to the provider (in-app and by e-mail, signed by the board, never by the
    reviewer). ``judgements`` maps ``guided_instruction``, ``curriculum`` and
    ``learning_goals`` to ``(judgement, note)``. ``competency_codes`` confirms or edits the
    competencies the training addresses."""
    training = Training.objects.select_for_update().select_related("provider").get(pk=training.pk)
    if not permissions.can_review_training(reviewer, training):
        raise TrainingError("You cannot review this training.", code="forbidden")
    if decision not in Review.Decision.values:
        raise _err("Choose a decision.")
    from trainings.models import Judgement

    cleaned: dict[str, Any] = {}
    for criterion, label in (
        ("guided_instruction", "guided instruction"),
        ("curriculum", "the curriculum"),
        ("learning_goals", "the learning goals"),
    ):
        judgement, note = judgements.get(criterion, ("", ""))
        if judgement not in Judgement.values:
            raise _err(f"Give a judgement on {label}.")
        cleaned[criterion] = judgement
        cleaned[f"{criterion}_note"] = note or ""
    cleaned["message"] = message or ""
    cleaned = clean_input(Review, cleaned, error=_err)
    today = on or permissions.today()
    if decision == Review.Decision.APPROVE:
        if approved_until is None:
            raise _err("Give the date the approval runs until.")
        if approved_until <= today:
            raise _err("The approval must run until a date after today.")
        if approved_until > today + timedelta(days=5 * 366):
            raise _err("An approval can run for at most five years.")
    else:
        approved_until = None
        if not cleaned["message"].strip():
            raise TrainingError("Tell the provider why, in the message.", code="blank")
    if competency_codes is not None:
        training.competencies.set(competencies_by_code(competency_codes))
        index_training(training)
    codes = sorted(c.code for c in training.competencies.all())
    if decision == Review.Decision.APPROVE and not codes:
        raise _err("An approved training addresses at least one competency.")
    review = Review.objects.create(
        training=training,
        reviewer=reviewer,
        decision=decision,
        approved_until=approved_until,
        competency_codes=codes,
        snapshot=snapshot(training),
        **cleaned,
    )
    action, status, word = {
        Review.Decision.APPROVE: (Event.Action.APPROVED, S.APPROVED, "approved"),
        Review.Decision.REQUEST_CHANGES: (
            Event.Action.CHANGES_REQUESTED,
            S.CHANGES_REQUESTED,
            "changes requested",
        ),
        Review.Decision.DECLINE: (Event.Action.DECLINED, S.DECLINED, "declined"),
    }[Review.Decision(decision)]
    training.status = status
    training.reviewed_on = today
    training.approved_until = approved_until
    training.renewal_requested_at = None
    training.save(
        update_fields=[
            "status",
            "reviewed_on",
            "approved_until",
            "renewal_requested_at",
            "updated_at",
        ]
    )
    # The provider's history names the board, not the reviewer.
    Event.objects.create(training=training, action=action, by=None, message=cleaned["message"])
    board = cast(User, SimpleNamespace(display_name=BOARD))
    until = f" It is approved until {approved_until:%B %-d, %Y}." if approved_until else ""
    notify(
        users=training.provider.users.filter(is_active=True),
        kind="training.reviewed",
        title=f"“{training.title}”: {word}",
        body=cleaned["message"],
        url=reverse("trainings:manage", args=[training.pk]),
        quoted_from=board if cleaned["message"] else None,
        mail_after=f"{BOARD} reviewed your training.{until}",
    )
    return review


@transaction.atomic
def conflict_declare(*, reviewer: User, provider: Provider) -> Conflict:
    if not permissions.is_reviewer(reviewer):
        raise TrainingError("Only reviewers declare conflicts.", code="forbidden")
    conflict, _ = Conflict.objects.get_or_create(reviewer=reviewer, provider=provider)
    return conflict


def conflict_withdraw(*, reviewer: User, provider: Provider) -> None:
    Conflict.objects.filter(reviewer=reviewer, provider=provider).delete()


def training_recuse(*, reviewer: User, training: Training) -> Recusal:
    """Step aside from one training: it leaves the reviewer's queue."""
    if not permissions.can_review_training(reviewer, training):
        raise TrainingError("You are not reviewing this training.", code="forbidden")
    recusal, _ = Recusal.objects.get_or_create(reviewer=reviewer, training=training)
    return recusal


# --- reminders ------------------------------------------------------------------------------


def expiry_reminders_send(*, on: date | None = None) -> int:
    """Remind providers of approvals ending within ``REMIND_BEFORE`` (once per expiry date,
    unless they already asked for renewal). Returns how many trainings were reminded."""
    today = on or permissions.today()
    due = Training.objects.filter(
        status=S.APPROVED,
        approved_until__gte=today,
        approved_until__lte=today + REMIND_BEFORE,
        renewal_requested_at__isnull=True,
    ).select_related("provider")
    sent = 0
    for training in due:
        with transaction.atomic():
            updated = (
                Training.objects.filter(pk=training.pk)
                .exclude(reminded_for=training.approved_until)
                .update(reminded_for=training.approved_until)
            )
            if not updated:
                continue
            Event.objects.create(training=training, action=Event.Action.REMINDED)
            notify(
                users=training.provider.users.filter(is_active=True),
                kind="training.expiring",
                title=f"“{training.title}” is approved until {training.approved_until:%B %-d, %Y}",
                body="Ask the Content Advisory Board to renew it so it stays in the catalog.",
                url=reverse("trainings:manage", args=[training.pk]),
            )
            sent += 1
    return sent


# --- completions ----------------------------------------------------------------------------


@transaction.atomic
def completion_record(
    *,
    user: User,
    training: Training,
    completed_on: date,
    hours: Any,
    certificate: Any = None,
    on: date | None = None,
) -> Completion:
    """``user`` completed ``training``: evidence for their professional development list.
    ``certificate`` is an upload, kept through the shared upload module."""
    if not permissions.can_record_completion(user, training):
        raise TrainingError("You can record only approved trainings.", code="forbidden")
    if completed_on > (on or permissions.today()):
        raise _err("The completion date cannot be in the future.")
    amount = _decimal(hours, label="Hours")
    if amount is None or amount <= 0:
        raise _err("Hours must be more than zero.")
    if amount >= 100_000:
        raise _err("Hours is too large.")
    if Completion.objects.filter(user=user, training=training).exists():
        raise TrainingError("You already recorded this training.", code="conflict")
    stored = None
    if certificate is not None:
        from files.services import file_store

        stored = file_store(certificate, by=user, purpose=CERTIFICATE_PURPOSE)
    try:
        with transaction.atomic():
            return Completion.objects.create(
                user=user,
                training=training,
                completed_on=completed_on,
                hours=amount,
                certificate=stored,
            )
    except IntegrityError:  # a double submit recorded it meanwhile (trainings_completion_once)
        raise TrainingError("You already recorded this training.", code="conflict") from None


CERTIFICATE_PURPOSE = "training_certificate"


def completion_delete(*, user: User, completion: Completion) -> None:
    if completion.user_id != user.pk:
        raise TrainingError("Not found.", code="not_found")
    certificate = completion.certificate
    completion.delete()
    if certificate is not None:
        from files.services import file_delete

        file_delete(certificate)


@dataclass
class CsvResult:
    verified: int = 0
    created: int = 0
    errors: list[str] = field(default_factory=list)


def completions_confirm(
    *, by: User, training: Training, data: str, on: date | None = None
) -> CsvResult:
    """Confirm completions from a CSV (``email`` and optional ``completed_on`` columns, a
    header row): each person's completion is marked verified (recorded first if they had
    not). Any bad row (not an e-mail, no account, a bad or future date, a repeat) is
    reported by line and nothing at all is imported."""
    if not permissions.can_manage_training(by, training) or training.status != S.APPROVED:
        raise TrainingError(
            "You can confirm completions only for your approved trainings.", code="forbidden"
        )
    today = on or permissions.today()
    reader = csv.DictReader(io.StringIO(data.lstrip("\ufeff")))
    headers = [h.strip().lower() for h in reader.fieldnames or []]
    if "email" not in headers:
        raise _err("The file needs a header row with an “email” column.")
    reader.fieldnames = headers
    result = CsvResult()
    rows: list[tuple[int, str, date]] = []
    seen: set[str] = set()
    for number, row in enumerate(reader, start=2):
        if number - 1 > MAX_CSV_ROWS:
            raise _err(f"The file has more than {MAX_CSV_ROWS} rows.")
        email = (row.get("email") or "").strip().lower()
        raw_date = (row.get("completed_on") or "").strip()
        if not email and not raw_date:
            continue
        try:
            validate_email(email)
        except ValidationError:
            result.errors.append(f"Line {number}: “{email[:100]}” is not an e-mail address.")
            continue
        if email in seen:
            result.errors.append(f"Line {number}: {email} is listed twice.")
            continue
        seen.add(email)
        when = today
        if raw_date:
            try:
                when = date.fromisoformat(raw_date)
            except ValueError:
                result.errors.append(
                    f"Line {number}: “{raw_date[:20]}” is not a date (YYYY-MM-DD)."
                )
                continue
            if when > today:
                result.errors.append(f"Line {number}: {raw_date} is in the future.")
                continue
        rows.append((number, email, when))
    users = {u.email.lower(): u for u in User.objects.filter(email__in=[e for _, e, _ in rows])}
    for number, email, _when in rows:
        if email not in users:
            result.errors.append(f"Line {number}: no account uses {email}.")
    if result.errors:
        return result
    if not rows:
        raise _err("The file lists no e-mail addresses.")
    now = timezone.now()
    with transaction.atomic():
        existing = {
            c.user_id: c
            for c in Completion.objects.select_for_update().filter(
                training=training, user__in=users.values()
            )
        }
        for _number, email, when in rows:
            person = users[email]
            completion = existing.get(person.pk)
            if completion is None:
                Completion.objects.create(
                    user=person,
                    training=training,
                    completed_on=when,
                    hours=training.duration_hours,
                    verified_at=now,
                )
                result.created += 1
            elif completion.verified_at is None:
                completion.verified_at = now
                completion.save(update_fields=["verified_at", "updated_at"])
            result.verified += 1
    return result
