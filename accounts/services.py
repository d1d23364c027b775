"""Writes to accounts. Views, the API and commands all come through here."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.core import signing
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts import notifications as notification_kinds
from accounts.models import (
    PROFILE_FIELDS,
    Delivery,
    Notification,
    NotificationPreference,
    User,
)
from accounts.roles import PlatformRole
from core.mail import one_line, quoted
from core.realtime import publish_on_commit, user_group

logger = logging.getLogger(__name__)


def profile_update(*, user: User, **changes: Any) -> User:
    """Change profile fields of ``user``; unknown field names are a programming error."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"not profile fields: {sorted(unknown)}")
    for field, value in changes.items():
        setattr(user, field, value)
    user.full_clean(exclude=["password", "email", "last_login"])
    if changes:
        user.save(update_fields=list(changes))
    return user


@transaction.atomic
def user_create_verified(
    *, email: str, password: str, name: str = "", **profile: Any
) -> tuple[User, bool]:
    """Create (or find) an account whose email is already verified. Returns (user, created).

    Used for demo data and by staff tooling; people signing up go through allauth, which
    sends them a verification message.
    """
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if user is None:
        user = User.objects.create_user(email=email, password=password, name=name, **profile)
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user, created


def role_grant(*, user: User, role: PlatformRole) -> None:
    group, _ = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)
    if hasattr(user, "_platform_role_names"):
        del user._platform_role_names


def api_token_reset(*, user: User) -> Token:
    """Replace the user's API token; the old one stops working at once."""
    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        return Token.objects.create(user=user)


def email_deliveries(
    *, user_ids: Iterable[int], kind: str, email: bool | None = None
) -> dict[int, str]:
    """How each person hears of a ``kind`` notification by e-mail, in one query.

    ``email=False`` sends nothing. Otherwise the person's own choice wins; without one,
    ``email=True`` means instant (what cohort callers always asked for) and ``None`` means
    the kind's default (a daily digest for discussions, in-app only for unknown kinds).
    """
    ids = list(user_ids)
    if email is False:
        return dict.fromkeys(ids, Delivery.OFF)
    known = notification_kinds.kind(kind)
    fallback = Delivery.INSTANT if email else (known.default if known else Delivery.OFF)
    chosen = dict(
        NotificationPreference.objects.filter(user_id__in=ids, kind=kind).values_list(
            "user_id", "delivery"
        )
    )
    return {pk: chosen.get(pk, fallback) for pk in ids}


UNSUBSCRIBE_SALT = "accounts.unsubscribe"


def unsubscribe_token(*, user: User, kinds: Iterable[str]) -> str:
    """A signed, login-free token that turns off e-mail for ``kinds`` for ``user``."""
    return signing.dumps({"u": user.pk, "k": sorted(set(kinds))}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(*, user: User, kinds: Iterable[str]) -> str:
    path = reverse("accounts:unsubscribe", args=[unsubscribe_token(user=user, kinds=kinds)])
    return f"{settings.SITE_URL}{path}"


def unsubscribe_read(token: str) -> tuple[User, list[str]]:
    """The person and kinds a token speaks for. Raises ``signing.BadSignature`` for a
    tampered token and ``User.DoesNotExist`` when the account is gone."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if not isinstance(data, dict) or not isinstance(data.get("k"), list):
        raise signing.BadSignature("malformed")
    return User.objects.get(pk=data["u"], is_active=True), [str(k) for k in data["k"]]


def notification_preference_set(*, user: User, kind: str, delivery: str) -> None:
    """Choose how ``user`` hears of ``kind`` by e-mail; the kind's default removes the row."""
    if delivery not in Delivery.values:
        raise ValueError(f"unknown delivery {delivery!r}")
    known = notification_kinds.kind(kind)
    if known is not None and delivery == known.default:
        NotificationPreference.objects.filter(user=user, kind=kind).delete()
        return
    NotificationPreference.objects.update_or_create(
        user=user, kind=kind, defaults={"delivery": delivery}
    )


def notifications_unsubscribe(*, user: User, kinds: Iterable[str]) -> None:
    """One-click unsubscribe: no more e-mail of these kinds (in-app stays)."""
    for kind in kinds:
        NotificationPreference.objects.update_or_create(
            user=user, kind=kind, defaults={"delivery": Delivery.OFF}
        )


def _mail(*, user: User, subject: str, text: str, kinds: Iterable[str]) -> EmailMessage:
    """A notification e-mail with a one-click unsubscribe link in the text and in the
    RFC 2369 / RFC 8058 headers (mail clients show an "Unsubscribe" button)."""
    link = unsubscribe_url(user=user, kinds=kinds)
    text = (
        f"{text.rstrip()}\n\n-- \nStop these e-mails (one click, no sign-in): {link}\n"
        f"Choose what you get: {settings.SITE_URL}{reverse('accounts:notification_settings')}\n"
    )
    return EmailMessage(
        subject=one_line(f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}"),
        body=text,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def _absolute(url: str) -> str:
    return f"{settings.SITE_URL}{url}" if url.startswith("/") else url


def notify(
    *,
    users: Iterable[User],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    email: bool | None = None,
    quoted_from: User | None = None,
    mail_after: str = "",
) -> list[Notification]:
    """Tell ``users`` something in-app (pushed live after commit) and by e-mail as each
    person chose for ``kind`` (see :func:`email_deliveries`): at once, in the daily digest
    (``manage.py send_digests``), or not at all.

    Instant mail is a background task (``accounts.tasks.notification_mail_send``) queued
    after the transaction commits, so nobody is told about a change that was rolled back;
    a mail that cannot be sent is logged and left for
    :func:`instant_mails_retry`, never raised into the action that caused it. When ``body``
    is what a person wrote (``quoted_from``), the e-mail frames it as theirs and makes no
    link in it clickable. ``mail_after`` is the site's own text, added to the e-mail after
    the body (what comes next, say), never framed as the person's.
    """
    people = list(users)
    deliveries = email_deliveries(user_ids=[u.pk for u in people], kind=kind, email=email)
    notes = Notification.objects.bulk_create(
        [
            Notification(
                user=u,
                kind=kind,
                title=title,
                body=body,
                url=url,
                delivery="" if deliveries[u.pk] == Delivery.OFF else deliveries[u.pk],
            )
            for u in people
        ]
    )
    for note in notes:
        publish_on_commit(
            user_group(note.user_id),
            {
                "type": "notification",
                "notification": {
                    "id": note.pk,
                    "kind": kind,
                    "title": title,
                    "url": url,
                    "created_at": note.created_at,
                },
            },
        )
    instant = [
        (note, u) for note, u in zip(notes, people, strict=True) if note.delivery == "instant"
    ]
    if instant:
        from accounts.tasks import notification_mail_send

        text = _mail_text(body, url, quoted_from.display_name if quoted_from else None)
        if mail_after:
            text = f"{text.rstrip()}\n\n{mail_after.strip()}\n"
        for note, _person in instant:
            # One task per e-mail, queued once the change is committed; a queue that
            # cannot take it is logged and the mail left for instant_mails_retry.
            transaction.on_commit(
                partial(notification_mail_send.enqueue, note.pk, text), robust=True
            )
    return notes


def _mail_text(body: str, url: str, author: str | None) -> str:
    if body and author is not None:
        body = quoted(author, body)
    absolute = _absolute(url)
    return f"{body}\n\n{absolute}\n" if absolute else f"{body}\n"


def _send_instant(note: Notification, person: User, text: str) -> bool:
    try:
        _mail(user=person, subject=note.title, text=text, kinds=[note.kind]).send()
    except Exception:
        logger.exception("instant mail for notification %s failed; it will be retried", note.pk)
        return False
    Notification.objects.filter(pk=note.pk).update(emailed_at=timezone.now())
    return True


INSTANT_RETRY_WINDOW = timedelta(days=1)
INSTANT_RETRY_AFTER = timedelta(minutes=5)


def instant_mails_retry(*, now: datetime | None = None) -> tuple[int, int]:
    """Send again the instant e-mails that failed (a mail server down, a refused
    address) in the last day, to people who still want them. Returns (sent, failed).

    A retried mail carries the notification's title and link; the words of the original
    body stay in the in-app notification."""
    now = now or timezone.now()
    pending = (
        Notification.objects.filter(
            delivery=Delivery.INSTANT,
            emailed_at__isnull=True,
            read_at__isnull=True,
            created_at__gte=now - INSTANT_RETRY_WINDOW,
            created_at__lte=now - INSTANT_RETRY_AFTER,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("pk")
    )
    sent = failed = 0
    for note in pending:
        text = _mail_text("", note.url, None)
        text = f"{note.title}\n\nThe details are in your notifications.\n\n{text.lstrip()}"
        if _send_instant(note, note.user, text):
            sent += 1
        else:
            failed += 1
    return sent, failed


DIGEST_MAX_AGE = timedelta(days=7)
DIGEST_MIN_INTERVAL = timedelta(hours=20)


def digest_send(*, user: User, now: datetime | None = None, force: bool = False) -> int:
    """Send ``user`` one e-mail with their unsent, unread digest-mode notifications of the
    last week and mark them sent; returns how many it carried (0: nothing sent).

    At most one digest a day (``force`` skips that check); kinds the person has since
    turned off are left out. The rows are claimed inside the transaction, so two runs at
    once cannot send the same notification twice, and a failed send leaves them unsent.
    """
    now = now or timezone.now()
    if (
        not force
        and Notification.objects.filter(
            user=user, delivery=Delivery.DIGEST, emailed_at__gt=now - DIGEST_MIN_INTERVAL
        ).exists()
    ):
        return 0
    with transaction.atomic():
        pending = Notification.objects.filter(
            user=user,
            delivery=Delivery.DIGEST,
            emailed_at__isnull=True,
            read_at__isnull=True,
            created_at__gte=now - DIGEST_MAX_AGE,
        )
        if connection.features.has_select_for_update_skip_locked:
            pending = pending.select_for_update(skip_locked=True)
        notes = list(pending.order_by("created_at", "pk"))
        off = set(
            NotificationPreference.objects.filter(
                user=user, kind__in={n.kind for n in notes}, delivery=Delivery.OFF
            ).values_list("kind", flat=True)
        )
        notes = [n for n in notes if n.kind not in off]
        if not notes:
            return 0
        claimed = Notification.objects.filter(
            pk__in=[n.pk for n in notes], emailed_at__isnull=True
        ).update(emailed_at=now)
        if claimed != len(notes):
            raise transaction.TransactionManagementError("digest rows changed underneath")
        lines = [
            f"Hello {user.display_name},",
            "",
            f"Here is what happened on Commonplace since your last digest "
            f"({len(notes)} {'notification' if len(notes) == 1 else 'notifications'}):",
            "",
        ]
        for kind in dict.fromkeys(n.kind for n in notes):
            lines.append(f"{notification_kinds.label(kind)}:")
            for note in (n for n in notes if n.kind == kind):
                lines.append(f"  * {note.title}")
                if note.url:
                    lines.append(f"    {_absolute(note.url)}")
            lines.append("")
        lines.append(
            f"All your notifications: {settings.SITE_URL}{reverse('accounts:notifications')}"
        )
        _mail(
            user=user,
            subject=f"Your daily digest: {len(notes)} new",
            text="\n".join(lines),
            kinds=[n.kind for n in notes],
        ).send()
    return len(notes)


def digests_send(*, now: datetime | None = None, force: bool = False) -> tuple[int, int]:
    """The daily digest for everyone who has one waiting. Returns (people, notifications)."""
    now = now or timezone.now()
    user_ids = (
        Notification.objects.filter(
            delivery=Delivery.DIGEST,
            emailed_at__isnull=True,
            read_at__isnull=True,
            created_at__gte=now - DIGEST_MAX_AGE,
        )
        .values_list("user_id", flat=True)
        .distinct()
    )
    people = sent = 0
    for user in User.objects.filter(pk__in=list(user_ids), is_active=True).order_by("pk"):
        try:
            count = digest_send(user=user, now=now, force=force)
        except Exception:
            # One bad address must not hold up everyone else's digest; theirs stays
            # unsent (the claim rolled back) and is tried again on the next run.
            logger.exception("digest for user %s failed", user.pk)
            continue
        if count:
            people += 1
            sent += count
    return people, sent


def _publish_unread_count(user_id: int) -> None:
    """Tell every socket of the person their new unread count, so the header count in
    their other tabs follows a read or unread change made in this one."""
    unread = Notification.objects.filter(user_id=user_id, read_at__isnull=True).count()
    publish_on_commit(user_group(user_id), {"type": "notifications.count", "unread": unread})


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the unread notifications of ``user`` read: all of them, or only those of
    ``ids`` (others' ids are ignored). Returns how many changed."""
    pending = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        pending = pending.filter(pk__in=list(ids))
    changed = pending.update(read_at=timezone.now())
    if changed:
        _publish_unread_count(user.pk)
    return changed


def notification_set_read(*, user: User, notification_id: int, read: bool) -> Notification:
    """Mark one of ``user``'s notifications read or unread again. Raises
    ``Notification.DoesNotExist`` when it is not theirs."""
    note = Notification.objects.get(pk=notification_id, user=user)
    if (note.read_at is not None) != read:
        note.read_at = timezone.now() if read else None
        note.save(update_fields=["read_at"])
        _publish_unread_count(user.pk)
    return note
