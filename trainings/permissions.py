"""Who may see and do what with a training. Views, the API and templates ask only these.

- The public (anyone, signed in or not) sees approved trainings whose approval has not
  expired; expiry is compared with today's date in every query.
- A provider's people see every training of their organisation, in any state.
- Reviewers (the Review board role) see every submitted training except those they are
  conflicted on: a verified e-mail address at one of the provider's domains, a declared
  conflict with the organisation, or a recusal. Conflicted reviewers see the training only
  as the public does, and never in their queue.
- Program staff see everything that is not a draft, to oversee; only reviewers decide, and
  never on a training of an organisation they belong to.

Anything a person may not see answers 404, as if it did not exist.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.roles import PlatformRole, has_role, is_program_staff
from core.errors import not_found
from trainings.models import Completion, Conflict, ProviderDomain, Recusal, Training

S = Training.Status
# A training waits for a reviewer when submitted, or approved with a renewal asked for.
QUEUE_Q = Q(status=S.SUBMITTED) | Q(status=S.APPROVED, renewal_requested_at__isnull=False)
EDITABLE_STATUSES = (S.DRAFT, S.CHANGES_REQUESTED)


def today() -> date:
    return timezone.localdate()


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_reviewer(user: Any) -> bool:
    return has_role(user, PlatformRole.REVIEW_BOARD)


def is_provider(user: Any) -> bool:
    return has_role(user, PlatformRole.TRAINING_PROVIDER)


def current_q(on: date | None = None) -> Q:
    """Approved and not expired on ``on`` (today): approval holds through its last day."""
    return Q(status=S.APPROVED, approved_until__gte=on or today())


def is_current(training: Training, on: date | None = None) -> bool:
    return (
        training.status == S.APPROVED
        and training.approved_until is not None
        and training.approved_until >= (on or today())
    )


def verified_domains(user: Any) -> frozenset[str]:
    """The domains of ``user``'s verified e-mail addresses (cached on the user object)."""
    if not _signed_in(user):
        return frozenset()
    cached = getattr(user, "_training_domains", None)
    if cached is None:
        from allauth.account.models import EmailAddress

        emails = EmailAddress.objects.filter(user=user, verified=True).values_list(
            "email", flat=True
        )
        cached = frozenset(e.rsplit("@", 1)[-1].lower() for e in emails if "@" in e)
        user._training_domains = cached
    return cached


def provider_ids_of(user: Any) -> set[int]:
    if not _signed_in(user):
        return set()
    cached = getattr(user, "_training_provider_ids", None)
    if cached is None:
        cached = set(user.training_providers.values_list("pk", flat=True))
        user._training_provider_ids = cached
    return cached


def forget_cached(user: Any) -> None:
    for attr in ("_training_domains", "_training_provider_ids", "_platform_role_names"):
        if hasattr(user, attr):
            delattr(user, attr)


def conflicted_q(user: Any) -> Q:
    """Trainings ``user`` may not review: by domain, declared organisation or recusal."""
    by_domain = Exists(
        ProviderDomain.objects.filter(
            provider=OuterRef("provider"), domain__in=list(verified_domains(user))
        )
    )
    declared = Exists(Conflict.objects.filter(reviewer=user, provider=OuterRef("provider")))
    recused = Exists(Recusal.objects.filter(reviewer=user, training=OuterRef("pk")))
    return Q(by_domain) | Q(declared) | Q(recused)


def is_conflicted(user: Any, training: Training) -> bool:
    if not _signed_in(user):
        return False
    if training.provider_id in provider_ids_of(user):
        return True
    return Training.objects.filter(pk=training.pk).filter(conflicted_q(user)).exists()


def trainings_visible_to(user: Any) -> QuerySet[Training]:
    """Every training ``user`` may open, in one query."""
    visible = current_q()
    if _signed_in(user):
        mine = provider_ids_of(user)
        if mine:
            visible |= Q(provider_id__in=mine)
        if is_program_staff(user):
            visible |= ~Q(status=S.DRAFT)
        elif is_reviewer(user):
            visible |= ~Q(status=S.DRAFT) & ~conflicted_q(user) & ~Q(provider_id__in=mine)
    return Training.objects.filter(visible)


def review_queue_for(user: Any) -> QuerySet[Training]:
    """What ``user`` may decide on: submitted, not theirs, no conflict."""
    if not is_reviewer(user):
        return Training.objects.none()
    return (
        Training.objects.filter(QUEUE_Q)
        .exclude(provider_id__in=provider_ids_of(user))
        .exclude(conflicted_q(user))
    )


def is_provider_of(user: Any, training: Training) -> bool:
    return training.provider_id in provider_ids_of(user)


def is_provider_of_org(user: Any, provider: Any) -> bool:
    return provider.pk in provider_ids_of(user)


def in_queue(training: Training) -> bool:
    return training.status == S.SUBMITTED or (
        training.status == S.APPROVED and training.renewal_requested_at is not None
    )


def can_view_training(user: Any, training: Training) -> bool:
    if is_current(training) or is_provider_of(user, training):
        return True
    if training.status == S.DRAFT:
        return False
    if is_program_staff(user):
        return True
    return is_reviewer(user) and not is_conflicted(user, training)


def can_manage_training(user: Any, training: Training) -> bool:
    """See its status, messages and history; ask for renewal; confirm completions."""
    return is_provider_of(user, training)


def can_edit_training(user: Any, training: Training) -> bool:
    return training.status in EDITABLE_STATUSES and is_provider_of(user, training)


def can_review_training(user: Any, training: Training) -> bool:
    """Only reviewers decide, never on their own organisation's or a conflicted one."""
    return (
        in_queue(training)
        and is_reviewer(user)
        and not is_provider_of(user, training)
        and not is_conflicted(user, training)
    )


def can_see_reviews(user: Any, training: Training) -> bool:
    """The full review record, reviewers named: reviewers without a conflict, and staff.
    Providers see the board's messages only, never who decided."""
    if is_provider_of(user, training):
        return False
    return is_program_staff(user) or (is_reviewer(user) and not is_conflicted(user, training))


def can_record_completion(user: Any, training: Training) -> bool:
    return _signed_in(user) and (is_current(training) or training.status == S.APPROVED)


TrainingNeed = Literal["view", "manage", "edit", "review", "complete"]
_RULES = {
    "view": can_view_training,
    "manage": can_manage_training,
    "edit": can_edit_training,
    "review": can_review_training,
    "complete": can_record_completion,
}


def access_training(user: Any, *, id: Any, need: TrainingNeed = "view") -> Training:
    """The training ``id`` if ``user`` may ``need`` it; the same 404 otherwise. Whoever may
    only view it gets a 404 for the other needs too (a provider's page stays hidden)."""
    try:
        pk = int(id)
    except (TypeError, ValueError):
        raise not_found() from None
    training = Training.objects.select_related("provider").filter(pk=pk).first()
    if training is None or not can_view_training(user, training):
        raise not_found()
    if need != "view" and not _RULES[need](user, training):
        raise not_found()
    return training


def completions_visible_to(user: Any) -> QuerySet[Completion]:
    if not _signed_in(user):
        return Completion.objects.none()
    return Completion.objects.filter(user=user)


def may_download_certificate(user: Any, stored: Any) -> bool:
    """A certificate: its owner, and the provider of the training it certifies."""
    if not _signed_in(user):
        return False
    return Completion.objects.filter(
        Q(user=user) | Q(training__provider_id__in=provider_ids_of(user)), certificate=stored
    ).exists()
