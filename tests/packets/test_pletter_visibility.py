"""Who sees a packet's partner letters, as a table: the owner, a facilitator the packet is
shared with (a reader), another member of the cohort, program staff, an anonymous visitor,
and the partner holding the link (anonymous, with the token)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import User
from cohorts.models import Cohort
from packets.models import LetterRequest, Packet
from packets.services.letters import letter_submit
from tests.files.conftest import pdf_bytes
from tests.packets.letter_helpers import ask

pytestmark = pytest.mark.django_db

LETTER_WORDS = "Mei co-designed the pantry with us."


@dataclass
class World:
    packet: Packet
    received: LetterRequest
    pending: LetterRequest
    file_letter: LetterRequest
    tokens: dict[str, str]


@pytest.fixture
def world(packet: Packet, home: Cohort, django_capture_on_commit_callbacks: Any) -> World:
    packet.shared_with = home
    packet.save(update_fields=["shared_with"])
    received, token = ask(packet, capture=django_capture_on_commit_callbacks)
    letter_submit(token=token, signed_by="Ana Ruiz", text=LETTER_WORDS)
    file_letter, file_token = ask(
        packet, capture=django_capture_on_commit_callbacks, partner_name="Cy Diaz",
        partner_email="cy@x.net",
    )  # fmt: skip
    letter_submit(
        token=file_token,
        signed_by="Cy Diaz",
        upload=SimpleUploadedFile("cy.pdf", pdf_bytes("From Cy"), "application/pdf"),
    )
    pending, pending_token = ask(
        packet, capture=django_capture_on_commit_callbacks, partner_name="Bo Lee",
        partner_email="bo@x.net",
    )  # fmt: skip
    for letter in (received, file_letter):
        letter.refresh_from_db()
    return World(
        packet,
        received,
        pending,
        file_letter,
        {"received": token, "file": file_token, "pending": pending_token},
    )


def who(name: str, request: pytest.FixtureRequest) -> User | None:
    return {
        "owner": lambda: request.getfixturevalue("member"),
        "reader": lambda: request.getfixturevalue("facilitator"),
        "other member": lambda: request.getfixturevalue("member2"),
        "staff": lambda: request.getfixturevalue("staff"),
        "anonymous": lambda: None,
        "partner": lambda: None,
    }[name]()


# (packet page shows letter text, file download status, request page, revoke page)
TABLE = {
    "owner": (True, 200, 200, 200),
    "reader": (True, 200, 404, 404),
    "other member": (False, 404, 404, 404),
    "staff": (False, 404, 404, 404),
    "anonymous": (False, 404, 302, 302),
    "partner": (False, 404, 302, 302),
}


@pytest.mark.parametrize("role", list(TABLE))
def test_letter_visibility_table(
    role: str, world: World, request: pytest.FixtureRequest, client_for: Any
) -> None:
    shows_text, download, request_page, revoke_page = TABLE[role]
    client: Client = client_for(who(role, request))
    if role == "partner":
        # The partner holds a link that still works (the pending one) and opens it first.
        assert (
            client.get(
                reverse("packets:partner_letter", args=[world.tokens["pending"]])
            ).status_code
            == 200
        )
    packet_url = world.packet.get_absolute_url()
    page = client.get(packet_url)
    if shows_text:
        assert page.status_code == 200
        text = page.content.decode()
        assert LETTER_WORDS in text and "Ana Ruiz" in text and "cy.pdf" in text
    else:
        assert page.status_code in (302, 404)
        assert LETTER_WORDS not in page.content.decode()
    assert world.file_letter.letter_file is not None
    got = client.get(reverse("files:download", args=[world.file_letter.letter_file.pk]))
    assert got.status_code == download
    if download == 200:
        assert b"From Cy" in b"".join(got.streaming_content)  # type: ignore[attr-defined]
    assert client.get(reverse("packets:letter_request", args=[world.packet.pk])).status_code == (
        request_page
    )
    revoke = reverse("packets:letter_revoke", args=[world.packet.pk, world.pending.pk])
    assert client.get(revoke).status_code == revoke_page
    # Nobody but the owner can revoke by POST either.
    answer = client.post(revoke)
    world.pending.refresh_from_db()
    if role == "owner":
        assert world.pending.state == "revoked"
    else:
        assert answer.status_code in (302, 404)
        if answer.status_code == 302:
            assert "/accounts/login/" in answer["Location"]
        assert world.pending.state == "pending"


def test_a_reader_sees_letters_that_arrived_but_not_the_partners_address_or_open_requests(
    world: World, fac_client: Client
) -> None:
    page = fac_client.get(world.packet.get_absolute_url()).content.decode()
    assert LETTER_WORDS in page
    for hidden in ("ana@coop.example.net", "bo@x.net", "Bo Lee", "Revoke", "Ask a partner"):
        assert hidden not in page


def test_a_used_link_reaches_nothing_and_a_link_opens_only_its_own_request(
    world: World,
) -> None:
    partner = Client()
    used = partner.get(reverse("packets:partner_letter", args=[world.tokens["received"]]))
    assert used.status_code == 410
    assert LETTER_WORDS not in used.content.decode()
    pending = partner.get(reverse("packets:partner_letter", args=[world.tokens["pending"]]))
    body = pending.content.decode()
    assert pending.status_code == 200
    for elsewhere in (LETTER_WORDS, "Ana Ruiz", "Cy Diaz", "cy.pdf", "bo@x.net"):
        assert elsewhere not in body


def test_unsharing_takes_the_letters_away_from_the_reader_at_once(
    world: World, fac_client: Client
) -> None:
    Packet.objects.filter(pk=world.packet.pk).update(shared_with=None)
    assert fac_client.get(world.packet.get_absolute_url()).status_code == 404
    assert world.file_letter.letter_file is not None
    got = fac_client.get(reverse("files:download", args=[world.file_letter.letter_file.pk]))
    assert got.status_code == 404
