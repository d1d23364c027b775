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
    from core.registry import register_seeder
    from packets import seed_parts

    register_seeder("packets.parts", seed_parts.seed_demo, after=("packets",))

    # --- C (partner letters) -------------------------------------------------------------
    from accounts.models import Delivery
    from accounts.notifications import NotificationKind, register_kind

    register_kind(
        NotificationKind(
            "packets.letter", "A partner's letter arrived for your packet", Delivery.INSTANT
        )
    )
    from core.registry import register_seeder
    from packets import seed_letters

    # Registered after block A, so it runs after the packet's own seeder.
    register_seeder("packets.letters", seed_letters.seed_demo, after=("packets",))

    # --- D (exports) ---------------------------------------------------------------------
    from accounts.models import Delivery
    from accounts.notifications import NotificationKind, register_kind
    from files.exports import register_exporter
    from packets.exports.common import kind_for
    from packets.exports.docx import build_docx
    from packets.exports.notify import export_ready
    from packets.exports.pdf import build_pdf
    from packets.exports.zip import build_zip

    register_kind(NotificationKind("packets.export", "Your packet exports are ready", Delivery.OFF))
    register_exporter(kind_for("pdf"), build_pdf, on_done=export_ready)
    register_exporter(kind_for("docx"), build_docx, on_done=export_ready)
    register_exporter(kind_for("zip"), build_zip, on_done=export_ready)

    # --- E (my data): what "My data" exports and account deletion removes ------------------
    from core.data import register_data_source
    from packets.data import SOURCE as data_source

    register_data_source(data_source)
