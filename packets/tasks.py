"""Background work of the packets' core: telling the other side about feedback."""

from __future__ import annotations

from django_tasks import task

from accounts.models import User
from accounts.services import notify
from cohorts.models import Membership
from packets.models import Comment
from packets.permissions import can_view_packet


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@task()
def notify_packet_comment(comment_id: int) -> int:
    """Tell the other side of a packet's feedback: the owner when a facilitator writes; the
    facilitators of the cohort it is shared with when the owner writes. Access is read when
    the task runs: once the packet is unshared (or someone left the cohort) nobody who
    lost it is told."""
    comment = (
        Comment.objects.select_related("packet__owner", "packet__area", "author")
        .filter(pk=comment_id)
        .first()
    )
    if comment is None or comment.author is None:
        return 0
    packet = comment.packet
    if packet.shared_with_id is None:
        return 0
    if comment.author_id == packet.owner_id:
        people = list(
            User.objects.filter(
                is_active=True,
                memberships__cohort_id=packet.shared_with_id,
                memberships__status=Membership.Status.ACTIVE,
                memberships__role=Membership.Role.FACILITATOR,
            ).exclude(pk=packet.owner_id)
        )
        title = (
            f"{_short(comment.author.display_name, 60)} wrote on their "
            f"{packet.area.name} application packet"
        )
    else:
        people = [packet.owner]
        title = (
            f"{_short(comment.author.display_name, 60)} left feedback on your "
            f"{packet.area.name} application packet"
        )
    people = [p for p in people if p.is_active and can_view_packet(p, packet)]
    if not people:
        return 0
    notify(
        users=people,
        kind="packets.feedback",
        title=title,
        body=comment.body,
        quoted_from=comment.author,
        url=packet.get_absolute_url() + "#feedback",
    )
    return len(people)
