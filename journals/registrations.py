"""Everything the journals plug into the seams, called from ``JournalsConfig.ready``."""

from __future__ import annotations


def register_all() -> None:
    from accounts.models import Delivery
    from accounts.notifications import NotificationKind, register_kind
    from files.services import register_download_check
    from journals import permissions
    from journals.models import FILE_PURPOSE

    for kind in (
        NotificationKind("journals.feedback", "Feedback on your journal entries", Delivery.INSTANT),
        NotificationKind(
            "journals.prompt", "New reflection prompts in your cohorts", Delivery.DIGEST
        ),
        NotificationKind(
            "journals.reminder", "Reminders before a reflection prompt is due", Delivery.INSTANT
        ),
    ):
        register_kind(kind)
    register_download_check(FILE_PURPOSE, permissions.may_download_evidence_file)

    # --- A2 evidence: "use as evidence" offers, the resources citer, search ------------
    from cohorts.session_links import register_session_links
    from core.search import register_rebuilder
    from discussions.post_actions import register_post_action
    from journals import citations
    from journals import search as journal_search
    from resources.citations import register_citer
    from resources.evidence import register_evidence_action

    register_evidence_action("journals", citations.resource_action)
    register_session_links("journals.evidence", citations.session_links)
    register_post_action("journals.evidence", citations.post_action)
    register_citer("journals.evidence", citations.cited_resources)
    journal_search.register()
    register_rebuilder("journals", journal_search.rebuild_index)
