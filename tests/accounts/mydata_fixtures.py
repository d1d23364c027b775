"""A person with something in every app, for the My data tests: ``life`` gives the member's
private entry with an uploaded file, a self-assessment, a packet with a received letter
file, a post and a thread in a shared cohort (with another member's reply), a shared
resource and a completed training with a certificate; and another member's reply."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from cohorts.models import Cohort
from discussions.models import Post, Thread
from files.models import StoredFile
from files.services import file_store
from journals.models import Entry, SelfAssessment
from journals.services import EntryInput, entry_create
from journals.services.assessments import RatingInput, self_assessment_take
from journals.services.evidence import EvidenceInput, evidence_add
from packets.models import LETTER_PURPOSE, LetterRequest, Packet
from packets.services.packets import packet_create
from resources.models import Resource
from resources.services import ResourceInput, resource_create


@dataclass
class Life:
    person: User
    other: User
    cohort: Cohort
    entry: Entry
    evidence_file: StoredFile
    assessment: SelfAssessment
    packet: Packet
    letter_file: StoredFile
    thread: Thread
    post: Post
    reply: Post
    resource: Resource


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CLAMD_SOCKET = ""


@pytest.fixture
def life(
    member: User,
    facilitator: User,
    make_user: Callable[..., User],
    cohort: Cohort,
    seat: Callable[..., Any],
    make_thread: Callable[..., Thread],
    make_post: Callable[..., Post],
    partnerships: Any,
    enrollment_period: Any,
) -> Life:
    other = make_user("mateo@example.org", name="Mateo Member")
    seat(cohort, other)
    entry = entry_create(
        author=member,
        data=EntryInput(title="My private doubts", body="Only for me: **doubts**."),
    )
    evidence = evidence_add(
        entry=entry,
        by=member,
        data=EvidenceInput(kind="file", label="Field notes", annotation="What I saw"),
        upload=SimpleUploadedFile("field-notes.txt", b"Notes from the site visit.\n"),
    )
    levels = partnerships.framework.levels
    assessment = self_assessment_take(
        user=member,
        area=partnerships,
        ratings=[
            RatingInput(competency=c, level=min(1, len(levels) - 1))
            for c in partnerships.competencies.all()
        ],
        note="Growing.",
    )
    packet = packet_create(owner=member, area=partnerships, period=enrollment_period)
    letter_file = file_store(
        SimpleUploadedFile("letter.txt", b"She is a trusted partner.\n"),
        by=None,
        purpose=LETTER_PURPOSE,
    )
    LetterRequest.objects.create(
        packet=packet,
        partner_name="Ana Partner",
        partner_email="ana@partner.example",
        message="Would you write a letter?",
        token_hash="a" * 64,
        expires_at=LetterRequest.default_expiry(),
        received_at=dt.datetime(2031, 9, 10, tzinfo=dt.UTC),
        letter_file=letter_file,
        signed_by="Ana Partner, director",
    )
    thread = make_thread(cohort, member, title="Sharing power", body="Who decides the agenda?")
    post = thread.posts.get()
    reply = make_post(thread, other, body="The partners should.")
    resource = resource_create(
        cohort=cohort,
        by=member,
        kind="note",
        data=ResourceInput(title="Agenda template", body="1. Partners speak first."),
    )
    return Life(
        person=member,
        other=other,
        cohort=cohort,
        entry=entry,
        evidence_file=evidence.file,
        assessment=assessment,
        packet=packet,
        letter_file=letter_file,
        thread=thread,
        post=post,
        reply=reply,
        resource=resource,
    )
