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

    # --- D (seed & tests): the journal's demo data, after what its entries cite.
    from core.registry import register_seeder
    from journals import seed

    register_seeder(
        "journals",
        seed.seed_demo,
        scale=seed.seed_scale,
        after=("resources", "trainings", "discussions"),
    )

    # --- B (prompts and feedback): the dashboard panel, the participation column and the
    # cohort home card.
    from core.registry import register_cohort_card, register_panel, register_participation_source
    from journals import dashboard as journal_dashboard

    register_panel(journal_dashboard.PANEL)
    register_participation_source(journal_dashboard.REFLECTIONS)
    register_cohort_card(journal_dashboard.COHORT_CARD)

    # --- A1 (entries): the header link to the journal, and the socket's entry watch -----
    from core.registry import NavItem, register_nav_item
    from journals import consumers

    register_nav_item(
        NavItem(
            "journals",
            "Journal",
            "journals:home",
            current=("journals",),
            signed_in=True,
            order=25,
        )
    )
    consumers.register()

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

    # --- mydata: what "My data" exports and account deletion removes ---------------------
    from core.data import register_data_source
    from journals.data import SOURCE as data_source

    register_data_source(data_source)
