"""Partner letters through the services: the request (hashed token, expiry from the
requirements, e-mail through a task that forgets the link), the token's states, one letter
by upload or text, revoke, the owner's notification."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Notification, User
from competencies.models import Area
from files.models import StoredFile
from packets.models import LETTER_PURPOSE, LetterRequest, Packet
from packets.services.common import PacketError
from packets.services.letters import (
    PENDING_MAX,
    letter_for_token,
    letter_request_create,
    letter_request_revoke,
    letter_submit,
)
from tests.files.conftest import pdf_bytes
from tests.packets.letter_helpers import ask, link_in_mail

pytestmark = pytest.mark.django_db


def test_a_request_stores_only_the_tokens_hash_and_expires_after_the_areas_link_days(
    packet: Packet, django_capture_on_commit_callbacks: Any
) -> None:
    before = timezone.now()
    letter, token = ask(packet, capture=django_capture_on_commit_callbacks)
    stored = LetterRequest.objects.filter(pk=letter.pk).values().get()
    assert stored["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(stored)
    assert len(token) >= 40
    days = (stored["expires_at"] - before).total_seconds() / 86400
    assert 29.99 < days < 30.01  # letter_link_days of requirements.json


def test_the_request_mail_quotes_the_applicant_and_carries_the_link(
    packet: Packet, django_capture_on_commit_callbacks: Any
) -> None:
    _, token = ask(
        packet,
        capture=django_capture_on_commit_callbacks,
        message="Please see https://evil.example.org for details.",
    )
    (message,) = mail.outbox
    assert message.to == ["ana@coop.example.net"]
    assert "Mei Member" in message.subject and "Community Partnerships" in message.subject
    assert f"/letters/{token}/" in message.body
    assert link_in_mail("ana@coop.example.net") == token
    # The applicant's words are framed as theirs, links defanged.
    assert "hxxps[:]//evil[.]example[.]org" in message.body
    assert "https://evil.example.org" not in message.body


def test_an_area_that_asks_for_no_letter_refuses_a_request(
    make_packet: Callable[..., Packet], member: User, framework: Any
) -> None:
    fundamentals = Area.objects.get(framework=framework, slug="fundamentals")
    packet = make_packet(member, area=fundamentals)
    with pytest.raises(PacketError) as refused:
        letter_request_create(
            packet=packet,
            by=member,
            partner_name="Ana",
            partner_email="ana@example.net",
            message="Please",
        )
    assert refused.value.code == "invalid"
    assert not LetterRequest.objects.exists()


def test_only_the_owner_may_request_or_revoke(
    packet: Packet, home: Any, member2: User, facilitator: User,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    packet.shared_with = home
    packet.save(update_fields=["shared_with"])
    for other in (member2, facilitator):
        with pytest.raises(PacketError) as refused:
            letter_request_create(
                packet=packet, by=other, partner_name="A", partner_email="a@x.net", message="m"
            )
        assert refused.value.code == "not_found"
    letter, _ = ask(packet, capture=django_capture_on_commit_callbacks)
    with pytest.raises(PacketError):
        letter_request_revoke(letter=letter, by=facilitator)
    letter.refresh_from_db()
    assert letter.state == "pending"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"partner_name": "  "}, "partner_name"),
        ({"partner_email": "not-an-address"}, "partner_email"),
        ({"message": ""}, "message"),
    ],
)
def test_a_request_missing_a_part_says_which(
    packet: Packet, fields: dict[str, str], field: str
) -> None:
    data = {"partner_name": "Ana", "partner_email": "ana@example.net", "message": "Please"}
    data.update(fields)
    with pytest.raises(PacketError) as refused:
        letter_request_create(packet=packet, by=packet.owner, **data)
    assert refused.value.field == field
    assert not LetterRequest.objects.exists()


def test_a_name_with_a_line_break_is_refused(packet: Packet) -> None:
    with pytest.raises(PacketError):
        letter_request_create(
            packet=packet,
            by=packet.owner,
            partner_name="Ana\nBcc: x@y",
            partner_email="ana@example.net",
            message="Please",
        )


def test_pending_requests_are_capped_per_packet(
    packet: Packet, django_capture_on_commit_callbacks: Any
) -> None:
    for n in range(PENDING_MAX):
        ask(packet, capture=django_capture_on_commit_callbacks, partner_email=f"p{n}@x.net")
    with pytest.raises(PacketError) as refused:
        ask(packet, capture=django_capture_on_commit_callbacks)
    assert refused.value.code == "conflict"
    first = LetterRequest.objects.filter(packet=packet).first()
    assert first is not None
    letter_request_revoke(letter=first, by=packet.owner)
    ask(packet, capture=django_capture_on_commit_callbacks)  # room again


def test_requests_count_against_the_daily_mail_allowance(
    packet: Packet, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.OUTBOUND_MAIL_PER_DAY = 1
    ask(packet, capture=django_capture_on_commit_callbacks)
    with pytest.raises(PacketError) as refused:
        ask(packet, capture=django_capture_on_commit_callbacks, partner_email="b@x.net")
    assert refused.value.code == "rate_limited"
    assert LetterRequest.objects.count() == 1
    assert len(mail.outbox) == 1


def test_an_unknown_token_is_not_found_and_a_used_revoked_or_expired_one_is_gone(
    packet: Packet, django_capture_on_commit_callbacks: Any
) -> None:
    with pytest.raises(PacketError) as unknown:
        letter_for_token("no-such-token")
    assert unknown.value.code == "not_found"

    revoked, revoked_token = ask(packet, capture=django_capture_on_commit_callbacks)
    letter_request_revoke(letter=revoked, by=packet.owner)
    expired, expired_token = ask(packet, capture=django_capture_on_commit_callbacks)
    LetterRequest.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    _, used_token = ask(packet, capture=django_capture_on_commit_callbacks)
    letter_submit(token=used_token, signed_by="Ana Ruiz, Director", text="She is great.")
    for token, words in (
        (revoked_token, "withdrawn"),
        (expired_token, "expired"),
        (used_token, "used"),
    ):
        with pytest.raises(PacketError) as gone:
            letter_for_token(token)
        assert gone.value.code == "expired"
        assert words in gone.value.message


def test_a_written_letter_is_sanitised_kept_once_and_the_owner_is_told(
    packet: Packet, django_capture_on_commit_callbacks: Any
) -> None:
    letter, token = ask(packet, capture=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        got = letter_submit(
            token=token,
            signed_by="Ana Ruiz, Director, Eastside Co-op",
            text="Mei **listened**.<script>alert(1)</script>",
        )
    letter.refresh_from_db()
    assert letter.state == "received" and got.pk == letter.pk
    assert "<strong>listened</strong>" in letter.letter_html
    assert "<script" not in letter.letter_html
    assert letter.signed_by == "Ana Ruiz, Director, Eastside Co-op"
    (note,) = Notification.objects.filter(user=packet.owner, kind="packets.letter")
    assert "Ana Ruiz" in note.title
    assert note.url == packet.get_absolute_url() + "#letters"
    with pytest.raises(PacketError) as again:
        letter_submit(token=token, signed_by="Someone else", text="Overwrite")
    assert again.value.code == "expired"
    letter.refresh_from_db()
    assert letter.signed_by == "Ana Ruiz, Director, Eastside Co-op"


def test_an_uploaded_letter_goes_through_the_upload_module(
    packet: Packet, django_capture_on_commit_callbacks: Any
) -> None:
    letter, token = ask(packet, capture=django_capture_on_commit_callbacks)
    upload = SimpleUploadedFile("letter.pdf", pdf_bytes("Letter for Mei"), "application/pdf")
    letter_submit(token=token, signed_by="Ana Ruiz", upload=upload)
    letter.refresh_from_db()
    assert letter.letter_file is not None
    assert letter.letter_file.purpose == LETTER_PURPOSE
    assert letter.letter_file.uploaded_by is None
    assert letter.letter_file.content_type == "application/pdf"
    assert letter.letter_file.path.exists()


def test_a_refused_upload_leaves_nothing_and_the_link_still_works(
    packet: Packet, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    letter, token = ask(packet, capture=django_capture_on_commit_callbacks)
    fake = SimpleUploadedFile("letter.pdf", b"MZ\x90\x00 not a pdf at all", "application/pdf")
    with pytest.raises(Exception) as refused:
        letter_submit(token=token, signed_by="Ana Ruiz", upload=fake)
    assert getattr(refused.value, "code", "") == "unsupported_type"
    assert not StoredFile.objects.exists()
    media = settings.MEDIA_ROOT
    assert not [p for p in media.rglob("*") if p.is_file()]
    letter.refresh_from_db()
    assert letter.state == "pending"
    assert letter_for_token(token).pk == letter.pk


@pytest.mark.parametrize(
    ("text", "with_file", "signed_by", "field"),
    [
        ("", False, "Ana", "letter_text"),
        ("Both", True, "Ana", "letter_text"),
        ("Text", False, "   ", "signed_by"),
    ],
)
def test_a_letter_needs_a_signature_and_exactly_one_of_text_or_file(
    packet: Packet,
    django_capture_on_commit_callbacks: Any,
    text: str,
    with_file: bool,
    signed_by: str,
    field: str,
) -> None:
    letter, token = ask(packet, capture=django_capture_on_commit_callbacks)
    upload = SimpleUploadedFile("l.pdf", pdf_bytes(), "application/pdf") if with_file else None
    with pytest.raises(PacketError) as refused:
        letter_submit(token=token, signed_by=signed_by, text=text, upload=upload)
    assert refused.value.field == field
    letter.refresh_from_db()
    assert letter.state == "pending"
    assert not StoredFile.objects.exists()


def test_a_received_letter_cannot_be_revoked(
    packet: Packet, django_capture_on_commit_callbacks: Any
) -> None:
    letter, token = ask(packet, capture=django_capture_on_commit_callbacks)
    letter_submit(token=token, signed_by="Ana", text="Yes.")
    letter.refresh_from_db()
    with pytest.raises(PacketError) as refused:
        letter_request_revoke(letter=letter, by=packet.owner)
    assert refused.value.code == "conflict"


def test_the_owner_is_not_told_when_the_account_was_deactivated_meanwhile(
    packet: Packet, django_capture_on_commit_callbacks: Any
) -> None:
    _, token = ask(packet, capture=django_capture_on_commit_callbacks)
    User.objects.filter(pk=packet.owner_id).update(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        letter_submit(token=token, signed_by="Ana", text="Yes.")
    assert not Notification.objects.filter(kind="packets.letter").exists()


def test_the_files_partners_uploaded_are_found_by_the_packets_owner(
    packet: Packet, make_packet: Callable[..., Packet], member2: User,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    from packets.selectors.letters import letter_file_ids_of

    _, token = ask(packet, capture=django_capture_on_commit_callbacks)
    letter_submit(
        token=token,
        signed_by="Ana",
        upload=SimpleUploadedFile("a.pdf", pdf_bytes(), "application/pdf"),
    )
    theirs = make_packet(member2)
    _, other_token = ask(theirs, capture=django_capture_on_commit_callbacks)
    letter_submit(
        token=other_token,
        signed_by="Bo",
        upload=SimpleUploadedFile("b.pdf", pdf_bytes(), "application/pdf"),
    )
    mine = list(letter_file_ids_of(packet.owner))
    assert len(mine) == 1
    assert StoredFile.objects.get(pk=mine[0]).original_name == "a.pdf"
