"""Joining, requests, the waitlist, leaving, removal and invitations.

These are the only functions that put people into (or take them out of) a cohort's
permission groups. Capacity counts active members (not facilitators) and is checked with
the cohort row locked, so two people taking the last place at once cannot both get it.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable
from datetime import timedelta
from functools import partial
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.services import notify
from cohorts.models import Cohort, Invitation, Membership
from cohorts.permissions import JOINABLE_STATES, forget_cached_permissions
from cohorts.selectors import facilitators_of, next_session
from cohorts.services.errors import CohortError
from core import quota
from core.mail import defang, one_line, quoted
from core.realtime import publish_on_commit, user_group
from core.text import clean_input

logger = logging.getLogger(__name__)
M = Membership
INVITATION_DAYS = 14
# A proposal still being prepared or reviewed: only co-facilitators may be seated.
PROPOSAL_STATES = (Cohort.State.DRAFT, Cohort.State.SUBMITTED, Cohort.State.CHANGES_REQUESTED)


def _text(model: type[Membership] | type[Invitation], field: str, value: str) -> str:
    """A person's message, held to the field's rules (one place for every service here)."""
    return clean_input(model, {field: value}, error=CohortError)[field].strip()


def _author_of(message: str, by: User) -> User | None:
    """Who wrote a decision's message, when there is one: it is mailed framed as theirs and
    counts against their daily e-mail allowance."""
    if not message:
        return None
    outbound_mail_take(by=by, count=1)
    return by


def _lock(cohort: Cohort) -> Cohort:
    return Cohort.objects.select_for_update().get(pk=cohort.pk)


def places_left(cohort: Cohort) -> int:
    taken = Membership.objects.filter(
        cohort=cohort, role=M.Role.MEMBER, status=M.Status.ACTIVE
    ).count()
    return max(0, cohort.capacity - taken)


def _grant(membership: Membership) -> None:
    cohort, user = membership.cohort, membership.user
    user.groups.remove(cohort.member_group, cohort.facilitator_group)
    group = (
        cohort.facilitator_group if membership.role == M.Role.FACILITATOR else cohort.member_group
    )
    user.groups.add(group)
    forget_cached_permissions(user)


def _revoke(membership: Membership, *, reason: str) -> None:
    """Take away every right in the cohort, and tell the person's open sockets at once."""
    cohort, user = membership.cohort, membership.user
    user.groups.remove(cohort.member_group, cohort.facilitator_group)
    forget_cached_permissions(user)
    publish_on_commit(
        user_group(user.pk),
        {"type": "membership.ended", "cohort": cohort.slug, "reason": reason},
    )


def _seat(cohort: Cohort, user: User, *, role: str, by: User | None) -> Membership:
    membership, _ = Membership.objects.update_or_create(
        cohort=cohort,
        user=user,
        defaults={
            "role": role,
            "status": M.Status.ACTIVE,
            "decided_by": by,
            "decided_at": timezone.now(),
            "waitlisted_at": None,
        },
    )
    _grant(membership)
    return membership


def _waitlist(membership: Membership) -> Membership:
    membership.status = M.Status.WAITLISTED
    membership.waitlisted_at = timezone.now()
    membership.save(update_fields=["status", "waitlisted_at", "updated_at"])
    return membership


def _what_comes_next(cohort: Cohort, user: User) -> str:
    """The welcome e-mail's closing part: the first session ahead, in the member's own time
    zone, and where to start."""
    session = next_session(cohort)
    if session is None:
        first = "No session is scheduled yet; you will be told when the first one is."
    else:
        try:
            zone = ZoneInfo(user.time_zone or cohort.time_zone)
        except (ValueError, ZoneInfoNotFoundError):
            zone = ZoneInfo(cohort.time_zone)
        local = session.starts_at.astimezone(zone)
        first = (
            f"The next session: “{defang(one_line(session.title))}”, "
            f"{local:%A %d %B %Y, %H:%M} ({zone.key} time)."
        )
    home = settings.SITE_URL + cohort.get_absolute_url()
    return (
        "What comes next\n"
        f"- {first}\n"
        f"- Start here: {home}\n"
        "  The cohort home has a “Start here” panel: the welcome thread, the next session "
        "and a link to add the sessions to your calendar."
    )


def _promote_waitlist(cohort: Cohort) -> list[Membership]:
    """Give freed places to the waitlist, first come first served."""
    promoted: list[Membership] = []
    free = places_left(cohort)
    if free <= 0:
        return promoted
    waiting = (
        Membership.objects.select_related("user")
        .filter(cohort=cohort, status=M.Status.WAITLISTED)
        .order_by("waitlisted_at", "pk")[:free]
    )
    for membership in waiting:
        promoted.append(_seat(cohort, membership.user, role=membership.role, by=None))
        notify(
            users=[membership.user],
            kind="membership.promoted",
            title=f"A place opened in “{cohort.title}”",
            body="You were first on the waitlist: you are now a member.",
            url=cohort.get_absolute_url(),
            email=True,
            mail_after=_what_comes_next(cohort, membership.user),
        )
    return promoted


@transaction.atomic
def membership_join(*, cohort: Cohort, user: User, message: str = "") -> Membership:
    """Join an open cohort (or its waitlist when full), or ask to join one by request."""
    cohort = _lock(cohort)
    if cohort.state not in JOINABLE_STATES:
        raise CohortError("This cohort is not taking members now.")
    existing = Membership.objects.filter(cohort=cohort, user=user).first()
    if existing is not None:
        if existing.status in (M.Status.ACTIVE, M.Status.ALUMNI):
            raise CohortError("You are already a member of this cohort.", code="conflict")
        if existing.status in (M.Status.REQUESTED, M.Status.WAITLISTED):
            return existing
        if existing.status == M.Status.REMOVED:
            raise CohortError(
                "A facilitator removed you from this cohort; ask them for an invitation.",
                code="forbidden",
            )
    if cohort.join_policy == Cohort.JoinPolicy.INVITATION:
        raise CohortError("This cohort takes members by invitation only.", code="forbidden")
    membership = existing or Membership(cohort=cohort, user=user, role=M.Role.MEMBER)
    membership.role = M.Role.MEMBER
    membership.request_message = _text(Membership, "request_message", message)
    membership.decision_message = ""
    if cohort.join_policy == Cohort.JoinPolicy.OPEN:
        if places_left(cohort) > 0:
            membership.status = M.Status.ACTIVE
            # The join date: participation counts sessions from here.
            membership.decided_by, membership.decided_at = None, timezone.now()
            membership.save()
            _grant(membership)
            notify(
                users=[user],
                kind="membership.accepted",
                title=f"Welcome to “{cohort.title}”",
                body="You joined the cohort.",
                url=cohort.get_absolute_url(),
                mail_after=_what_comes_next(cohort, user),
            )
        else:
            membership.status = M.Status.WAITLISTED
            membership.waitlisted_at = timezone.now()
            membership.save()
        return membership
    membership.status = M.Status.REQUESTED
    membership.save()
    notify(
        users=facilitators_of(cohort),
        kind="membership.requested",
        title=f"{user.display_name} asks to join “{cohort.title}”",
        body=membership.request_message,
        url=reverse("cohorts:console", args=[cohort.slug]),
        quoted_from=user,
    )
    return membership


@transaction.atomic
def membership_accept(*, membership: Membership, by: User, message: str = "") -> Membership:
    """Accept a request: a place if one is free, otherwise the waitlist."""
    cohort = _lock(membership.cohort)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.status != M.Status.REQUESTED:
        raise CohortError("Only pending requests can be accepted.", code="conflict")
    membership.decided_by, membership.decided_at = by, timezone.now()
    membership.decision_message = _text(Membership, "decision_message", message)
    if places_left(cohort) > 0:
        membership.save(update_fields=["decided_by", "decided_at", "decision_message"])
        membership = _seat(cohort, membership.user, role=M.Role.MEMBER, by=by)
        title = f"Welcome to “{cohort.title}”"
        body = membership.decision_message or "Your request was accepted."
        after = _what_comes_next(cohort, membership.user)
    else:
        membership.save(update_fields=["decided_by", "decided_at", "decision_message"])
        _waitlist(membership)
        title = f"You are on the waitlist of “{cohort.title}”"
        body = (
            membership.decision_message or "The cohort is full; you will get the next free place."
        )
        after = ""
    notify(
        users=[membership.user],
        kind="membership.accepted",
        title=title,
        body=body,
        url=cohort.get_absolute_url(),
        email=True,
        quoted_from=_author_of(membership.decision_message, by),
        mail_after=after,
    )
    return membership


@transaction.atomic
def membership_decline(*, membership: Membership, by: User, message: str = "") -> Membership:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.status not in (M.Status.REQUESTED, M.Status.WAITLISTED):
        raise CohortError("Only pending requests can be declined.", code="conflict")
    membership.status = M.Status.DECLINED
    membership.decided_by, membership.decided_at = by, timezone.now()
    membership.decision_message = _text(Membership, "decision_message", message)
    membership.save(
        update_fields=["status", "decided_by", "decided_at", "decision_message", "updated_at"]
    )
    notify(
        users=[membership.user],
        kind="membership.declined",
        title=f"Your request to join “{membership.cohort.title}”",
        body=membership.decision_message or "The facilitators could not offer you a place.",
        url=reverse("cohorts:directory"),
        email=True,
        quoted_from=_author_of(membership.decision_message, by),
    )
    return membership


def _ensure_another_facilitator(membership: Membership) -> None:
    if membership.role == M.Role.FACILITATOR and membership.status == M.Status.ACTIVE:
        others = Membership.objects.filter(
            cohort=membership.cohort, role=M.Role.FACILITATOR, status=M.Status.ACTIVE
        ).exclude(pk=membership.pk)
        if not others.exists():
            raise CohortError(
                "A cohort needs a facilitator: invite a co-facilitator before leaving."
            )


@transaction.atomic
def membership_leave(*, membership: Membership) -> Membership:
    """Leave a cohort (or withdraw a request); a freed place goes to the waitlist."""
    cohort = _lock(membership.cohort)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.status not in (M.Status.ACTIVE, M.Status.REQUESTED, M.Status.WAITLISTED):
        raise CohortError("You are not in this cohort.", code="conflict")
    _ensure_another_facilitator(membership)
    was_seated = membership.status == M.Status.ACTIVE
    membership.status = M.Status.LEFT
    membership.save(update_fields=["status", "updated_at"])
    _revoke(membership, reason="left")
    if was_seated:
        _promote_waitlist(cohort)
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, by: User, message: str = "") -> Membership:
    """A facilitator removes someone: their access ends everywhere at once."""
    cohort = _lock(membership.cohort)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.user_id == by.pk:
        raise CohortError("To leave the cohort yourself, use “Leave”.")
    if membership.status not in (M.Status.ACTIVE, M.Status.WAITLISTED, M.Status.REQUESTED):
        raise CohortError("This person is not in the cohort.", code="conflict")
    _ensure_another_facilitator(membership)
    was_seated = membership.status == M.Status.ACTIVE
    membership.status = M.Status.REMOVED
    membership.decided_by, membership.decided_at = by, timezone.now()
    membership.decision_message = _text(Membership, "decision_message", message)
    membership.save(
        update_fields=["status", "decided_by", "decided_at", "decision_message", "updated_at"]
    )
    _revoke(membership, reason="removed")
    notify(
        users=[membership.user],
        kind="membership.removed",
        title=f"You are no longer in “{cohort.title}”",
        body=membership.decision_message or "A facilitator removed you from the cohort.",
        url=reverse("cohorts:directory"),
        email=True,
        quoted_from=_author_of(membership.decision_message, by),
    )
    if was_seated:
        _promote_waitlist(cohort)
    return membership


# --- Invitations ----------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Before approval a proposal may seat a few co-facilitators and nobody else, so an
# unreviewed cohort cannot be used to mail strangers.
PROPOSAL_INVITATIONS_MAX = 3
INVITING_STATES = (Cohort.State.APPROVED, Cohort.State.ACTIVE)
MAIL_QUOTA = "outbound_mail"


def outbound_mail_take(*, by: User, count: int) -> None:
    """Count ``count`` e-mails that ``by``'s own action sends with their words in them
    against their daily allowance (``OUTBOUND_MAIL_PER_DAY``), or refuse them all."""
    limit = settings.OUTBOUND_MAIL_PER_DAY
    if not quota.take(MAIL_QUOTA, by.pk, limit=limit, amount=count):
        left = max(0, limit - quota.used(MAIL_QUOTA, by.pk))
        raise CohortError(
            f"You can send at most {limit} invitations and messages by e-mail a day; "
            f"{left} left today. Try the rest tomorrow.",
            code="rate_limited",
        )


def _check_can_invite(cohort: Cohort, role: str, count: int) -> None:
    if cohort.state in INVITING_STATES:
        return
    if cohort.state not in PROPOSAL_STATES:
        raise CohortError(
            f"A cohort that is {cohort.get_state_display().lower()} takes no new people.",
            code="conflict",
        )
    if role != M.Role.FACILITATOR:
        raise CohortError(
            "Members can be invited once program staff have approved the cohort; until "
            "then you can invite co-facilitators.",
            code="conflict",
        )
    already = Invitation.objects.filter(cohort=cohort, role=M.Role.FACILITATOR).count()
    if already + count > PROPOSAL_INVITATIONS_MAX:
        raise CohortError(
            f"A proposal can invite at most {PROPOSAL_INVITATIONS_MAX} co-facilitators "
            "before it is approved.",
            code="conflict",
        )


def _invitation_mail(invitation: Invitation, token: str, by: User) -> tuple[str, str]:
    cohort = invitation.cohort
    link = settings.SITE_URL + reverse("cohorts:invitation", args=[token])
    as_what = "co-facilitate" if invitation.role == M.Role.FACILITATOR else "join"
    body = (
        f"{defang(by.display_name)} invites you to {as_what} “{defang(cohort.title)}”, a "
        f"community of practice on Commonplace.\n\n"
        + (f"{quoted(by.display_name, invitation.message)}\n\n" if invitation.message else "")
        + f"Accept here (the link works once, until "
        f"{invitation.expires_at:%d %B %Y}):\n{link}\n\n"
        "No account yet? The link lets you create one first.\n"
        "Not expecting this? Ignore it: nothing happens unless you accept.\n"
    )
    subject = one_line(
        f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}Invitation to {defang(cohort.title)}"
    )
    return subject, body


@transaction.atomic
def invitations_create(
    *,
    cohort: Cohort,
    by: User,
    emails: Iterable[str],
    role: str = M.Role.MEMBER,
    message: str = "",
) -> list[tuple[Invitation, str]]:
    """Invite each address (with or without an account) by a single-use link that expires
    in two weeks; all or none. Returns (invitation, raw token) pairs; only the token's hash
    is stored. A new invitation to an address replaces a pending one.

    Members are invited to approved cohorts only (a proposal may invite up to
    ``PROPOSAL_INVITATIONS_MAX`` co-facilitators), and every address counts against the
    inviter's daily e-mail allowance. The mails go after the commit."""
    if role not in M.Role.values:
        raise CohortError("Unknown role.")
    addresses = list(dict.fromkeys(e.strip().lower() for e in emails if e and e.strip()))
    if not addresses:
        raise CohortError("Enter a valid e-mail address.")
    for email in addresses:
        try:
            validate_email(email)
        except ValidationError:
            raise CohortError("Enter a valid e-mail address.") from None
    message = _text(Invitation, "message", message)
    _check_can_invite(cohort, role, len(addresses))
    outbound_mail_take(by=by, count=len(addresses))
    try:
        created = [_invite(cohort, by, email, role, message) for email in addresses]
    except BaseException:
        quota.give_back(MAIL_QUOTA, by.pk, amount=len(addresses))
        raise
    from cohorts.tasks import invitation_mail_send

    for inv, token in created:
        # One background task per e-mail, queued after the commit; a queue that cannot take
        # it is logged, and the invitation stands (the console can send it again).
        subject, body = _invitation_mail(inv, token, by)
        transaction.on_commit(
            partial(invitation_mail_send.enqueue, inv.pk, subject, body), robust=True
        )
    return created


def _invite(
    cohort: Cohort, by: User, email: str, role: str, message: str
) -> tuple[Invitation, str]:
    seated = Membership.objects.filter(
        cohort=cohort, user__email__iexact=email, status__in=M.SEATED
    ).first()
    if seated is not None and (seated.role == role or role == M.Role.MEMBER):
        raise CohortError(f"{email} is already in this cohort.", code="conflict")
    now = timezone.now()
    Invitation.objects.filter(
        cohort=cohort, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        cohort=cohort,
        email=email,
        role=role,
        token_hash=_hash(token),
        invited_by=by,
        message=message,
        expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    return invitation, token


def invitation_create(
    *, cohort: Cohort, by: User, email: str, role: str = M.Role.MEMBER, message: str = ""
) -> tuple[Invitation, str]:
    """Invite one address (see :func:`invitations_create`)."""
    return invitations_create(cohort=cohort, by=by, emails=[email], role=role, message=message)[0]


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: User) -> Invitation:
    if invitation.accepted_at is not None:
        raise CohortError("This invitation was already accepted.", code="conflict")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at", "updated_at"])
    return invitation


def invitation_for_token(token: str) -> Invitation:
    """The invitation behind a link, or a CohortError saying exactly why it can't be used:
    code ``unknown_invitation`` for a link that never existed, ``invalid_invitation`` for
    one that was withdrawn, used, has expired or whose cohort is closed."""
    invitation = (
        Invitation.objects.select_related("cohort", "invited_by")
        .filter(token_hash=_hash(token or ""))
        .first()
    )
    if invitation is None:
        # A link that never existed (mistyped or forged) is told apart from one that did.
        raise CohortError("This invitation link is not valid.", code="unknown_invitation")
    if invitation.revoked_at is not None:
        raise CohortError(
            "This invitation was withdrawn. Ask the facilitators for a new one.",
            code="invalid_invitation",
        )
    if invitation.accepted_at is not None:
        raise CohortError("This invitation has already been used.", code="invalid_invitation")
    if invitation.expires_at <= timezone.now():
        raise CohortError(
            "This invitation has expired. Ask the facilitators for a new one.",
            code="invalid_invitation",
        )
    # Co-facilitators join while the proposal is prepared; members only once staff have
    # approved it (a draft is seen by its facilitators alone).
    open_states: tuple[str, ...] = JOINABLE_STATES
    if invitation.role == M.Role.FACILITATOR:
        open_states = (*JOINABLE_STATES, *PROPOSAL_STATES)
    if invitation.cohort.state not in open_states:
        if invitation.cohort.state in PROPOSAL_STATES:
            raise CohortError(
                "This cohort is not approved yet, so it cannot take members. The link works "
                "once program staff approve it.",
                code="invalid_invitation",
            )
        raise CohortError("This cohort is no longer taking members.", code="invalid_invitation")
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    """Use an invitation: facilitators are seated; members take a place, or the waitlist
    when the cohort is full. The link then stops working."""
    invitation = invitation_for_token(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise CohortError("This invitation has already been used.", code="invalid_invitation")
    cohort = _lock(invitation.cohort)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    existing = Membership.objects.filter(cohort=cohort, user=user).first()
    if invitation.role == M.Role.FACILITATOR:
        was_member = (
            existing is not None
            and existing.role == M.Role.MEMBER
            and existing.status == M.Status.ACTIVE
        )
        membership = _seat(cohort, user, role=M.Role.FACILITATOR, by=invitation.invited_by)
        if was_member:
            # Facilitators take no member place: the one this person held goes to the waitlist.
            _promote_waitlist(cohort)
        return membership
    if existing is not None and existing.status in M.SEATED:
        return existing
    if places_left(cohort) > 0:
        return _seat(cohort, user, role=M.Role.MEMBER, by=invitation.invited_by)
    membership = existing or Membership(cohort=cohort, user=user, role=M.Role.MEMBER)
    membership.role = M.Role.MEMBER
    membership.status = M.Status.WAITLISTED
    membership.waitlisted_at = timezone.now()
    membership.save()
    return membership


def pending_invitations_for(user: User) -> list[Invitation]:
    now = timezone.now()
    return list(
        Invitation.objects.select_related("cohort").filter(
            Q(email__iexact=user.email),
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=now,
        )
    )
