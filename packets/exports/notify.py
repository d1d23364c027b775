"""Telling the owner their packet export is ready (kind ``packets.export``, in-app)."""

from __future__ import annotations

from django.urls import reverse

from files.models import Export


def export_ready(export: Export) -> None:
    from accounts.services import notify

    notify(
        users=[export.owner],
        kind="packets.export",
        title=f"Your export is ready: {export.label or export.filename}",
        body=f"{export.filename} can be downloaded until {export.expires_at:%d %B %Y, %H:%M} UTC.",
        url=reverse("files:export_download", args=[export.pk]),
        email=False,
    )
