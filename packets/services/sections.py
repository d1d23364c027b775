"""Writing a packet's sections: save (and autosave) with a version check, count words, and
quote a passage of one of the owner's journal entries."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.markdown import render_markdown
from core.text import clean_input
from journals.models import Entry
from packets.models import Packet, Section
from packets.permissions import can_edit_packet
from packets.services.common import PacketError

# A word: letters or digits, joined by an apostrophe or a hyphen ("don't", "co-design").
# Markdown's marks (#, *, >, -) are not words; a link's address is not counted, its text is.
# static/js/packet_section.js counts with the same rule, so the live count and the saved
# one agree.
_WORD_RE = re.compile(r"[^\W_]+(?:['\u2019\-][^\W_]+)*")
_LINK_TARGET_RE = re.compile(r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
_AUTOLINK_RE = re.compile(r"<[a-zA-Z][a-zA-Z0-9+.\-]*:[^>\s]*>")


def count_words(text: str) -> int:
    """The words of a section's Markdown as a reader counts them."""
    text = _LINK_TARGET_RE.sub("]", text or "")
    text = _AUTOLINK_RE.sub(" ", text)
    return len(_WORD_RE.findall(text))


class StaleSection(PacketError):
    """A save based on an older version of the section: nothing was written. ``current``
    is the section as it stands now, so both texts can be compared and merged."""

    def __init__(self, current: Section) -> None:
        super().__init__(
            "This section was changed elsewhere (another tab or device) since you opened it. "
            "Nothing was overwritten: your text and the saved one are shown side by side; "
            "keep yours, take the saved one, or merge them and save again.",
            code="stale",
        )
        self.current = current


def _field_error(message: str) -> PacketError:
    return PacketError(message, code="too_long", field="body")


def _lock(section: Section, by: Any) -> Section:
    locked = (
        Section.objects.select_for_update(of=("self",))
        .select_related("packet")
        .filter(pk=section.pk)
        .first()
    )
    if locked is None or not can_edit_packet(by, locked.packet):
        raise PacketError("Only the packet's owner writes its sections.", code="not_found")
    return locked


def _write(locked: Section, body: str) -> Section:
    values = clean_input(Section, {"body": body}, error=_field_error)
    locked.body = values["body"]
    locked.body_html = render_markdown(locked.body)
    locked.word_count = count_words(locked.body)
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.save(update_fields=["body", "body_html", "word_count", "version", "updated_at"])
    Packet.objects.filter(pk=locked.packet_id).update(updated_at=locked.updated_at)
    return locked


@transaction.atomic
def section_update(*, section: Section, by: Any, body: str, version: int | None) -> Section:
    """Save the owner's text (a form submit or an autosave). ``version`` is the one the
    text was based on: if the section changed since, nothing is written and
    :class:`StaleSection` carries it as it stands. Over the word limit is allowed (the
    count and the readiness checklist say so); over the size limit is refused."""
    if not isinstance(body, str):
        raise PacketError("The section's text must be text.", field="body")
    locked = _lock(section, by)
    if version is not None and version != locked.version:
        raise StaleSection(locked)
    if body == locked.body:
        return locked
    return _write(locked, body)


def paragraphs(text: str) -> list[str]:
    """An entry's Markdown split into its paragraphs (blocks between blank lines)."""
    blocks = re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n"))
    return [block.strip() for block in blocks if block.strip()]


def quote_markdown(entry: Entry, passage: str) -> str:
    """``passage`` as a Markdown blockquote ending with a link back to its entry."""
    lines = [f"> {line}".rstrip() for line in passage.splitlines()]
    title = entry.title.replace("[", "(").replace("]", ")")
    lines += [">", f"> — from [“{title}”]({entry.get_absolute_url()})"]
    return "\n".join(lines)


@transaction.atomic
def section_quote_entry(*, section: Section, by: Any, entry: Entry, paragraph: int) -> Section:
    """Append paragraph ``paragraph`` (counted from 0) of ``entry``, one of the owner's own
    entries, to the section as a blockquote with a link back. Appending never loses text,
    so it goes onto the section as it stands (an editor open elsewhere then sees a
    conflict on its next save, with both texts)."""
    locked = _lock(section, by)
    if entry.author_id != locked.packet.owner_id or entry.deleted_at is not None:
        raise PacketError("Choose one of your own journal entries.", field="entry")
    found = paragraphs(entry.body)
    if not 0 <= paragraph < len(found):
        raise PacketError("Choose a paragraph of the entry.", field="paragraph")
    quote = quote_markdown(entry, found[paragraph])
    body = locked.body.rstrip()
    return _write(locked, f"{body}\n\n{quote}\n" if body else f"{quote}\n")
