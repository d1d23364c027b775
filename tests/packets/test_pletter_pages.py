"""Partner letter pages: the owner's request and revoke pages, the partner's account-free
page (what it shows and what it refuses), and the letters part of the packet page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from competencies.models import Area
from files.models import StoredFile
from packets.models import LetterRequest, Packet
from packets.services.letters import letter_submit
from packets.views import partner
from tests.files.conftest import pdf_bytes
from tests.packets.letter_helpers import ask

pytestmark = pytest.mark.django_db


def partner_url(token: str) -> str:
    return reverse("packets:partner_letter", args=[token])


# --- the owner's request -------------------------------------------------------------------


def test_the_owner_requests_a_letter_through_the_form_and_the_partner_is_mailed(
    packet: Packet, member_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    url = reverse("packets:letter_request", args=[packet.pk])
    page = member_client.get(url)
    assert page.status_code == 200
    assert "30 days" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        answer = member_client.post(
            url,
            {
                "partner_name": "Ana Ruiz",
                "partner_email": "ana@coop.example.net",
                "message": "Could you speak to the food access project?",
            },
        )
    assert answer.status_code == 302
    assert answer["Location"] == packet.get_absolute_url() + "#letters"
    letter = LetterRequest.objects.get(packet=packet)
    assert letter.partner_name == "Ana Ruiz" and letter.state == "pending"
    assert [m.to for m in mail.outbox] == [["ana@coop.example.net"]]


def test_a_bad_request_form_keeps_what_was_typed(packet: Packet, member_client: Client) -> None:
    answer = member_client.post(
        reverse("packets:letter_request", args=[packet.pk]),
        {"partner_name": "Ana Ruiz", "partner_email": "nope", "message": "My long request"},
    )
    assert answer.status_code == 400
    page = answer.content.decode()
    assert 'value="Ana Ruiz"' in page and "My long request" in page
    assert "Enter a valid email address" in page
    assert not LetterRequest.objects.exists()


def test_a_refused_request_shows_the_services_reason_on_the_form(
    packet: Packet, member_client: Client, settings: Any
) -> None:
    settings.OUTBOUND_MAIL_PER_DAY = 0
    answer = member_client.post(
        reverse("packets:letter_request", args=[packet.pk]),
        {"partner_name": "Ana", "partner_email": "ana@x.net", "message": "Please"},
    )
    assert answer.status_code == 429
    assert "a day" in answer.content.decode()
    assert 'value="Ana"' in answer.content.decode()


def test_no_request_page_for_an_area_that_asks_for_no_letter(
    make_packet: Callable[..., Packet], member: User, member_client: Client, framework: Any
) -> None:
    other = make_packet(member, area=Area.objects.get(framework=framework, slug="fundamentals"))
    assert member_client.get(reverse("packets:letter_request", args=[other.pk])).status_code == 404
    page = member_client.get(other.get_absolute_url()).content.decode()
    assert 'id="letters"' not in page


def test_the_owner_revokes_a_pending_request_after_confirming(
    packet: Packet, member_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    letter, token = ask(packet, capture=django_capture_on_commit_callbacks)
    url = reverse("packets:letter_revoke", args=[packet.pk, letter.pk])
    confirm = member_client.get(url)
    assert confirm.status_code == 200
    assert "Revoke the request to Ana Ruiz?" in confirm.content.decode()
    letter.refresh_from_db()
    assert letter.state == "pending"  # a GET changes nothing
    assert member_client.post(url).status_code == 302
    letter.refresh_from_db()
    assert letter.state == "revoked"
    assert Client().get(partner_url(token)).status_code == 410


# --- the partner's page --------------------------------------------------------------------


def test_the_partner_page_shows_only_the_applicant_the_area_and_the_request(
    packet: Packet, django_capture_on_commit_callbacks: Any
) -> None:
    section = packet.sections.first()
    assert section is not None
    section.body = "A very private draft paragraph"
    section.save(update_fields=["body"])
    _, token = ask(
        packet,
        capture=django_capture_on_commit_callbacks,
        message="Please speak to <b>our</b> project.",
    )
    answer = Client().get(partner_url(token))
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "Mei Member" in page and "Community Partnerships" in page
    assert "Please speak to &lt;b&gt;our&lt;/b&gt; project." in page
    for private in (
        packet.owner.email,
        "ana@coop.example.net",
        "A very private draft paragraph",
        section.title,
        f"/journal/packets/{packet.pk}",
    ):
        assert private not in page
    assert answer["Cache-Control"] == "no-store"
    assert answer["Referrer-Policy"] == "strict-origin"
    assert "noindex" in answer["X-Robots-Tag"]


def test_the_partner_writes_a_letter_then_the_link_is_used(
    packet: Packet, django_capture_on_commit_callbacks: Any
) -> None:
    letter, token = ask(packet, capture=django_capture_on_commit_callbacks)
    anon = Client()
    with django_capture_on_commit_callbacks(execute=True):
        sent = anon.post(
            partner_url(token),
            {"signed_by": "Ana Ruiz, Director", "letter_text": "Mei is a *steady* partner."},
        )
    assert sent.status_code == 302 and sent["Location"] == reverse("packets:partner_thanks")
    assert anon.get(sent["Location"]).status_code == 200
    letter.refresh_from_db()
    assert letter.state == "received" and "<em>steady</em>" in letter.letter_html
    gone = anon.get(partner_url(token))
    assert gone.status_code == 410
    assert "used" in gone.content.decode()
    again = anon.post(partner_url(token), {"signed_by": "X", "letter_text": "Overwrite"})
    assert again.status_code == 410
    letter.refresh_from_db()
    assert letter.signed_by == "Ana Ruiz, Director"


def test_the_partner_uploads_a_pdf(packet: Packet, django_capture_on_commit_callbacks: Any) -> None:
    letter, token = ask(packet, capture=django_capture_on_commit_callbacks)
    upload = SimpleUploadedFile("Letter for Mei.pdf", pdf_bytes("Letter"), "application/pdf")
    sent = Client().post(partner_url(token), {"signed_by": "Ana Ruiz", "letter_file": upload})
    assert sent.status_code == 302
    letter.refresh_from_db()
    assert letter.letter_file is not None
    assert letter.letter_file.original_name == "Letter for Mei.pdf"


def test_a_refused_upload_re_renders_the_form_with_what_was_typed(
    packet: Packet, django_capture_on_commit_callbacks: Any
) -> None:
    letter, token = ask(packet, capture=django_capture_on_commit_callbacks)
    fake = SimpleUploadedFile("letter.pdf", b"plain words, not a pdf", "application/pdf")
    answer = Client().post(partner_url(token), {"signed_by": "Ana Ruiz", "letter_file": fake})
    assert answer.status_code == 415
    page = answer.content.decode()
    assert 'value="Ana Ruiz"' in page and "does not match .pdf" in page
    letter.refresh_from_db()
    assert letter.state == "pending" and not StoredFile.objects.exists()


def test_an_empty_letter_is_refused_on_the_form(
    packet: Packet, django_capture_on_commit_callbacks: Any
) -> None:
    letter, token = ask(packet, capture=django_capture_on_commit_callbacks)
    answer = Client().post(partner_url(token), {"signed_by": "Ana Ruiz", "letter_text": " "})
    assert answer.status_code == 400
    assert "Write your letter or choose a file" in answer.content.decode()
    letter.refresh_from_db()
    assert letter.state == "pending"


def test_an_unknown_link_is_not_found_and_an_expired_one_is_gone(
    packet: Packet, django_capture_on_commit_callbacks: Any
) -> None:
    assert Client().get(partner_url("x" * 43)).status_code == 404
    letter, token = ask(packet, capture=django_capture_on_commit_callbacks)
    LetterRequest.objects.filter(pk=letter.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    gone = Client().get(partner_url(token))
    assert gone.status_code == 410 and "expired" in gone.content.decode()


def test_the_partner_form_needs_its_csrf_token(
    packet: Packet, django_capture_on_commit_callbacks: Any
) -> None:
    letter, token = ask(packet, capture=django_capture_on_commit_callbacks)
    strict = Client(enforce_csrf_checks=True)
    refused = strict.post(partner_url(token), {"signed_by": "Ana", "letter_text": "Hi"})
    assert refused.status_code == 403
    letter.refresh_from_db()
    assert letter.state == "pending"
    page = strict.get(partner_url(token))
    csrf = page.cookies["csrftoken"].value
    sent = strict.post(
        partner_url(token),
        {"signed_by": "Ana", "letter_text": "Hi", "csrfmiddlewaretoken": csrf},
    )
    assert sent.status_code == 302


def test_the_partner_page_is_rate_limited_per_address(
    packet: Packet, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    _, token = ask(packet, capture=django_capture_on_commit_callbacks)
    monkeypatch.setattr(partner, "VISITS_PER_DAY", 3)
    anon = Client()
    for _ in range(3):
        assert anon.get(partner_url("y" * 43)).status_code == 404
    limited = anon.get(partner_url(token))
    assert limited.status_code == 429
    assert "Too many attempts" in limited.content.decode()
    # Another address is counted on its own.
    assert Client(REMOTE_ADDR="10.0.0.9").get(partner_url(token)).status_code == 200


def test_sending_is_limited_more_tightly_than_opening(
    packet: Packet, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    letter, token = ask(packet, capture=django_capture_on_commit_callbacks)
    monkeypatch.setattr(partner, "SENDS_PER_DAY", 2)
    anon = Client()
    for _ in range(2):
        assert anon.post(partner_url(token), {"signed_by": ""}).status_code == 400
    assert anon.post(partner_url(token), {"signed_by": "A", "letter_text": "B"}).status_code == 429
    letter.refresh_from_db()
    assert letter.state == "pending"


# --- the packet page's letters part --------------------------------------------------------


def test_the_owner_sees_requests_and_the_received_letter_on_the_packet_page(
    packet: Packet, member_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    _, token = ask(packet, capture=django_capture_on_commit_callbacks)
    pending, _ = ask(
        packet, capture=django_capture_on_commit_callbacks, partner_name="Bo Lee",
        partner_email="bo@x.net",
    )  # fmt: skip
    letter_submit(token=token, signed_by="Ana Ruiz, Director", text="Mei **listened** well.")
    page = member_client.get(packet.get_absolute_url()).content.decode()
    assert "<strong>listened</strong>" in page and "signed by Ana Ruiz, Director" in page
    assert "waiting for an answer" in page and "bo@x.net" in page
    assert reverse("packets:letter_revoke", args=[packet.pk, pending.pk]) in page
    assert reverse("packets:letter_request", args=[packet.pk]) in page


def test_the_packet_page_letters_part_costs_the_same_for_3_and_30_letters(
    packet: Packet,
    member_client: Client,
    django_assert_max_num_queries: Any,
) -> None:
    def add(n: int) -> None:
        start = LetterRequest.objects.count()
        for i in range(start, n):
            stored = StoredFile.objects.create(
                purpose="packets.letter", storage_name=f"s{i}.pdf", original_name=f"l{i}.pdf",
                size=10, content_type="application/pdf", sha256="0" * 64,
            )  # fmt: skip
            LetterRequest.objects.create(
                packet=packet, partner_name=f"P{i}", partner_email=f"p{i}@x.net", message="m",
                token_hash=f"{i:064d}", expires_at=timezone.now() + timedelta(days=1),
                received_at=timezone.now() if i % 2 else None,
                letter_file=stored if i % 2 else None, signed_by="S",
            )  # fmt: skip

    add(3)
    member_client.get(packet.get_absolute_url())  # warm session and caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as three:
        assert member_client.get(packet.get_absolute_url()).status_code == 200
    add(30)
    with django_assert_max_num_queries(len(three.captured_queries)):
        page = member_client.get(packet.get_absolute_url())
    assert page.content.decode().count('class="letter letter--') == 30


def test_the_owner_sends_a_new_link_and_the_old_one_stops_working(
    packet: Packet, member_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    old, old_token = ask(packet, capture=django_capture_on_commit_callbacks)
    LetterRequest.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    page = member_client.get(packet.get_absolute_url()).content.decode()
    resend = reverse("packets:letter_resend", args=[packet.pk, old.pk])
    assert resend in page and "the link expired" in page
    assert member_client.get(resend).status_code == 405  # a button, never a link
    with django_capture_on_commit_callbacks(execute=True):
        answer = member_client.post(resend)
    assert answer.status_code == 302
    new = LetterRequest.objects.exclude(pk=old.pk).get(packet=packet)
    assert (new.partner_name, new.partner_email, new.message) == (
        old.partner_name,
        old.partner_email,
        old.message,
    )
    assert new.state == "pending"
    old.refresh_from_db()
    assert old.state == "revoked"
    assert len(mail.outbox) == 2
    new_token = mail.outbox[-1].body.split("/letters/")[1].split("/")[0]
    assert Client().get(partner_url(new_token)).status_code == 200
    assert Client().get(partner_url(old_token)).status_code == 410


def test_a_received_letter_cannot_be_sent_again_and_others_cannot_resend(
    packet: Packet, member_client: Client, signed_in: Any, member2: User,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    letter, token = ask(packet, capture=django_capture_on_commit_callbacks)
    resend = reverse("packets:letter_resend", args=[packet.pk, letter.pk])
    assert signed_in(member2).post(resend).status_code == 404
    letter_submit(token=token, signed_by="Ana", text="Done.")
    answer = member_client.post(resend, follow=True)
    assert "already arrived" in answer.content.decode()
    assert LetterRequest.objects.filter(packet=packet).count() == 1
