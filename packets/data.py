"""What the packets app holds about a person, for "My data" and account deletion.

Packets are the applicant's own (with their sections, artifacts, development list,
feedback and partner letters, letter files included) and go with the account; feedback a
facilitator gave on someone else's packet stays, by a former member."""

from __future__ import annotations

from typing import Any

from core.data import DELETED, FORMER_MEMBER, KEPT, AddFile, DataLine, DataSource
from packets.models import Comment, LetterRequest, Packet


def _packet(packet: Packet, user: Any, add_file: AddFile) -> dict[str, Any]:
    return {
        "id": packet.pk,
        "area": packet.area.slug,
        "period": packet.period.slug if packet.period else None,
        "status": packet.status,
        "submitted_on": packet.submitted_on,
        "assessment_id": packet.assessment_id,
        "created_at": packet.created_at,
        "updated_at": packet.updated_at,
        "sections": [
            {"kind": s.kind, "title": s.title, "body": s.body, "updated_at": s.updated_at}
            for s in packet.sections.all()
        ],
        "artifacts": [
            {
                "title": a.title,
                "annotation": a.annotation,
                "evidence_id": a.evidence_id,
                "competencies": [c.code for c in a.competencies.all()],
            }
            for a in packet.artifacts.all()
        ],
        "development": [
            {
                "source": d.source,
                "title": d.title,
                "organiser": d.organiser,
                "started_on": d.started_on,
                "ended_on": d.ended_on,
                "detail": d.detail,
                "included": d.included,
            }
            for d in packet.development.all()
        ],
        "feedback": [
            {
                "by": c.author.display_name if c.author else FORMER_MEMBER,
                "mine": c.author_id == user.pk,
                "body": c.body,
                "created_at": c.created_at,
            }
            for c in packet.comments.all()
        ],
        "letters": [
            {
                "partner_name": letter.partner_name,
                "partner_email": letter.partner_email,
                "message": letter.message,
                "created_at": letter.created_at,
                "state": letter.state,
                "received_at": letter.received_at,
                "signed_by": letter.signed_by,
                "letter_text": letter.letter_text,
                "letter_file": add_file(
                    letter.letter_file, f"letters/{letter.letter_file.original_name}"
                )
                if letter.letter_file
                else None,
            }
            for letter in packet.letters.all()
        ],
    }


def collect(user: Any, add_file: AddFile) -> dict[str, Any]:
    packets = (
        Packet.objects.filter(owner=user)
        .select_related("area", "period")
        .prefetch_related(
            "sections",
            "artifacts__competencies",
            "development",
            "comments__author",
            "letters__letter_file",
        )
        .order_by("pk")
    )
    return {
        "packets": [_packet(p, user, add_file) for p in packets.iterator(chunk_size=20)],
        "feedback_given": list(
            Comment.objects.filter(author=user)
            .exclude(packet__owner=user)
            .order_by("pk")
            .values("packet_id", "body", "created_at")
        ),
    }


def summarize(user: Any) -> list[DataLine]:
    return [
        DataLine(
            "Application packets, with their sections, artifacts and letters",
            Packet.objects.filter(owner=user).count(),
            DELETED,
        ),
        DataLine(
            "Feedback you gave on other people's packets (it stays, by “a former member”)",
            Comment.objects.filter(author=user).exclude(packet__owner=user).count(),
            KEPT,
        ),
    ]


def erase(user: Any) -> list[Any]:
    return list(
        LetterRequest.objects.filter(packet__owner=user, letter_file__isnull=False).values_list(
            "letter_file_id", flat=True
        )
    )


SOURCE = DataSource("packets", "Application packets", collect, summarize, erase)
