"""Every write of the journals goes through these services (pages, API, seeders alike)."""

from journals.services.assessments import RatingInput, self_assessment_take
from journals.services.comments import comment_create
from journals.services.common import JournalError
from journals.services.entries import (
    EntryInput,
    entries_purge,
    entry_create,
    entry_delete,
    entry_restore,
    entry_set_visibility,
    entry_update,
)
from journals.services.evidence import (
    EvidenceInput,
    evidence_add,
    evidence_move,
    evidence_remove,
    evidence_update,
)
from journals.services.prompts import PromptInput, prompt_close, prompt_create, prompt_edit

__all__ = [
    "EntryInput",
    "EvidenceInput",
    "JournalError",
    "PromptInput",
    "RatingInput",
    "comment_create",
    "entries_purge",
    "entry_create",
    "entry_delete",
    "entry_restore",
    "entry_set_visibility",
    "entry_update",
    "evidence_add",
    "evidence_move",
    "evidence_remove",
    "evidence_update",
    "prompt_close",
    "prompt_create",
    "prompt_edit",
    "self_assessment_take",
]
