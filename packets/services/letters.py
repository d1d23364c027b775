"""(C) Community partner letters: the owner asks a partner for a letter by e-mail; the
partner answers through a single-purpose link that needs no account.

The link carries a random token (``secrets``); the database keeps only its SHA-256, so a
copy of the database opens no link. The e-mail goes through a background task that blanks
its stored arguments once it has run (``core.tasks.forget_arguments``). A link shows the
applicant's name, the area and the request text, takes one letter (an upload through the
upload module, or text), and then stops working; so does one that expired or was revoked.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core import quota
from core.errors import NOT_FOUND_MESSAGE
from core.mail import defang, one_line, quoted
from core.markdown import render_markdown
from core.text import clean_input
from files.services import Upload, file_delete, file_store
from packets.models import LETTER_PURPOSE, LetterRequest, Packet
from packets.permissions import can_edit_packet
from packets.requirements import requirements_for
from packets.services.common import PacketError

# Mail that carries a person's own words counts against the one daily allowance that
# cohort invitations use (settings.OUTBOUND_MAIL_PER_DAY).
MAIL_QUOTA = "outbound_mail"
# Requests waiting for an answer at once, per packet: enough for a second partner, too few
# to turn a packet into a mailing list.
PENDING_MAX = 3


def token_hash(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


def _clean(**values: str) -> dict[str, str]:
    """``values`` held to the LetterRequest fields' rules; a refusal names its field."""
    cleaned: dict[str, str] = {}
    for name, value in values.items():
        cleaned[name] = clean_input(
            LetterRequest, {name: value}, error=partial(PacketError, field=name)
        )[name].strip()
    return cleaned


def _mail(letter: LetterRequest, token: str, owner: Any) -> tuple[str, str]:
    """The request e-mail: the applicant's words quoted as theirs, the link, its expiry."""
    context = {
        "applicant": defang(one_line(owner.display_name)),
        "partner": defang(one_line(letter.partner_name)),
        "area": letter.packet.area.name,
        "request": quoted(owner.display_name, letter.message),
        "link": settings.SITE_URL + reverse("packets:partner_letter", args=[token]),
        "expires_at": letter.expires_at,
    }
    subject = one_line(
        settings.ACCOUNT_EMAIL_SUBJECT_PREFIX
        + render_to_string("email/packets/letter_request_subject.txt", context)
    )
    body = render_to_string("email/packets/letter_request_message.txt", context)
    return subject, body


@transaction.atomic
def letter_request_create(
    *, packet: Packet, by: Any, partner_name: str, partner_email: str, message: str
) -> tuple[LetterRequest, str]:
    """Ask a community partner for a letter for ``packet`` (its owner only, and only where
    the area's application asks for one). Returns the request and the raw token (for the
    e-mail and tests; it is not stored). The link lasts ``letter_link_days`` of the area's
    requirements; the e-mail goes after the commit and counts against ``by``'s daily
    allowance of e-mails with their words in them."""
    if not can_edit_packet(by, packet):
        raise PacketError(NOT_FOUND_MESSAGE, code="not_found")
    needs = requirements_for(packet.area)
    if not needs.wants_letter:
        raise PacketError(
            f"An application in {packet.area.name} does not ask for a partner letter."
        )
    cleaned = _clean(partner_name=partner_name, partner_email=partner_email, message=message)
    name, email, text = cleaned["partner_name"], cleaned["partner_email"], cleaned["message"]
    if not name:
        raise PacketError("Enter the partner's name.", field="partner_name")
    try:
        validate_email(email)
    except ValidationError:
        raise PacketError("Enter a valid e-mail address.", field="partner_email") from None
    if not text:
        raise PacketError("Say what you would like the letter to speak to.", field="message")
    now = timezone.now()
    # Held under the packet's row lock, so two quick clicks cannot pass the cap together.
    Packet.objects.select_for_update().filter(pk=packet.pk).first()
    pending = LetterRequest.objects.filter(
        packet=packet, received_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).count()
    if pending >= PENDING_MAX:
        raise PacketError(
            f"You have {pending} requests waiting for an answer. Revoke one before asking "
            "someone else.",
            code="conflict",
        )
    limit = settings.OUTBOUND_MAIL_PER_DAY
    if not quota.take(MAIL_QUOTA, by.pk, limit=limit):
        raise PacketError(
            f"You can send at most {limit} invitations and requests by e-mail a day. "
            "Try again tomorrow.",
            code="rate_limited",
        )
    token = secrets.token_urlsafe(32)
    try:
        letter = LetterRequest.objects.create(
            packet=packet,
            partner_name=name,
            partner_email=email,
            message=text,
            token_hash=token_hash(token),
            expires_at=now + timedelta(days=needs.letter_link_days),
        )
    except BaseException:
        quota.give_back(MAIL_QUOTA, by.pk)
        raise
    from packets.tasks_letters import letter_request_mail_send

    subject, body = _mail(letter, token, by)
    # A queue that cannot take it is logged; the request stands and can be revoked.
    transaction.on_commit(
        partial(letter_request_mail_send.enqueue, letter.pk, subject, body), robust=True
    )
    return letter, token


@transaction.atomic
def letter_request_revoke(*, letter: LetterRequest, by: Any) -> LetterRequest:
    """Stop a pending request's link from working (the packet's owner only)."""
    if not can_edit_packet(by, letter.packet):
        raise PacketError(NOT_FOUND_MESSAGE, code="not_found")
    locked = LetterRequest.objects.select_for_update().get(pk=letter.pk)
    if locked.received_at is not None:
        raise PacketError("This letter has already arrived.", code="conflict")
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
    return locked


def _usable(letter: LetterRequest | None) -> LetterRequest:
    if letter is None:
        raise PacketError("This letter link is not valid.", code="not_found")
    if letter.received_at is not None:
        raise PacketError(
            "This link has been used: the letter was received. Thank you.", code="expired"
        )
    if letter.revoked_at is not None:
        raise PacketError("The applicant has withdrawn this request.", code="expired")
    if letter.expires_at <= timezone.now():
        raise PacketError(
            "This link has expired. The applicant can send you a new one.", code="expired"
        )
    return letter


def letter_for_token(token: str) -> LetterRequest:
    """The pending request behind a partner's link. Refuses with code ``not_found`` (404)
    a link nobody issued, and with ``expired`` (410) one that was used, revoked or ran out."""
    return _usable(
        LetterRequest.objects.select_related("packet__owner", "packet__area")
        .filter(token_hash=token_hash(token))
        .first()
    )


def letter_submit(
    *, token: str, signed_by: str, text: str = "", upload: Upload | None = None
) -> LetterRequest:
    """Take the partner's letter: an uploaded file (the upload module's checks, kept under
    ``LETTER_PURPOSE``) or text (Markdown, sanitised), signed with a name and role. Once;
    the owner is told after the commit. A refused letter leaves nothing behind."""
    letter = letter_for_token(token)
    cleaned = _clean(signed_by=signed_by, letter_text=text)
    signed, body = cleaned["signed_by"], cleaned["letter_text"]
    if not signed:
        raise PacketError("Enter your name and role.", field="signed_by")
    if upload is not None and body:
        raise PacketError("Send either a file or a written letter, not both.", field="letter_text")
    if upload is None and not body:
        raise PacketError("Write your letter or choose a file to upload.", field="letter_text")
    stored = file_store(upload, by=None, purpose=LETTER_PURPOSE) if upload is not None else None
    try:
        with transaction.atomic():
            locked = _usable(LetterRequest.objects.select_for_update().filter(pk=letter.pk).first())
            locked.signed_by = signed
            locked.letter_text = body
            locked.letter_html = str(render_markdown(body)) if body else ""
            locked.letter_file = stored
            locked.received_at = timezone.now()
            locked.save(
                update_fields=[
                    "signed_by",
                    "letter_text",
                    "letter_html",
                    "letter_file",
                    "received_at",
                ]
            )
            from packets.tasks_letters import letter_received_notify

            transaction.on_commit(partial(letter_received_notify.enqueue, locked.pk), robust=True)
    except BaseException:
        if stored is not None:
            with contextlib.suppress(Exception):
                file_delete(stored)
        raise
    locked.packet = letter.packet
    return locked


@transaction.atomic
def letter_request_resend(*, letter: LetterRequest, by: Any) -> tuple[LetterRequest, str]:
    """Send a request again with a fresh link (the old one stops working: its token was
    never kept, so it cannot be mailed twice). For a pending or expired request; the new
    one counts like any other."""
    if not can_edit_packet(by, letter.packet):
        raise PacketError(NOT_FOUND_MESSAGE, code="not_found")
    locked = LetterRequest.objects.select_for_update().get(pk=letter.pk)
    if locked.received_at is not None:
        raise PacketError("This letter has already arrived.", code="conflict")
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
    return letter_request_create(
        packet=letter.packet,
        by=by,
        partner_name=locked.partner_name,
        partner_email=locked.partner_email,
        message=locked.message,
    )
