"""Feedback on a shared packet, between its owner and the facilitators it is shared with."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from core.markdown import render_markdown
from core.text import clean_input
from packets.models import Comment, Packet
from packets.permissions import can_comment_packet
from packets.services.common import PacketError


def _field_error(message: str) -> PacketError:
    return PacketError(message, code="too_long", field="body")


@transaction.atomic
def packet_comment_create(*, packet: Packet, by: Any, body: str) -> Comment:
    """A comment by a facilitator the packet is shared with, or by its owner, while it is
    shared. The other side is told after commit, through a task that checks access again
    when it runs (someone who lost the packet meanwhile is not told)."""
    current = Packet.objects.filter(pk=packet.pk).first()  # as shared now, not as passed
    if current is None or not can_comment_packet(by, current):
        raise PacketError("You cannot comment on this packet.", code="not_found")
    values = clean_input(Comment, {"body": (body or "").strip()}, error=_field_error)
    if not values["body"]:
        raise PacketError("Write the comment first.", code="blank", field="body")
    comment = Comment.objects.create(
        packet=current, author=by, body=values["body"], body_html=render_markdown(values["body"])
    )
    transaction.on_commit(lambda: _queue_notice(comment.pk), robust=True)
    return comment


def _queue_notice(comment_id: int) -> None:
    from packets.tasks import notify_packet_comment

    notify_packet_comment.enqueue(comment_id)
