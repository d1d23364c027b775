"""Everything packets plug into the seams, called from ``PacketsConfig.ready``. Each part
registers in its own block so parts can be worked on side by side."""

from __future__ import annotations


def register_all() -> None:
    from files.services import register_download_check
    from packets import permissions_files
    from packets.models import LETTER_PURPOSE

    register_download_check(LETTER_PURPOSE, permissions_files.may_download_letter)

    # --- A (packets, sections, feedback): notification kinds, nav, seeder -------------
    from accounts.models import Delivery
    from accounts.notifications import NotificationKind, register_kind
    from core.registry import register_panel
    from packets.selectors.packets import PANEL

    register_kind(
        NotificationKind(
            "packets.feedback", "Feedback on your application packets", Delivery.INSTANT
        )
    )
    register_panel(PANEL)

    from core.registry import register_seeder
    from packets import seed

    register_seeder("packets", seed.seed_demo, after=("journals",))

    # --- B (artifacts, development list, readiness) -------------------------------------

    # --- C (partner letters) -------------------------------------------------------------

    # --- D (exports) ---------------------------------------------------------------------
