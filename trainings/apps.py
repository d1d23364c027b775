from django.apps import AppConfig


class TrainingsConfig(AppConfig):
    name = "trainings"
    verbose_name = "Trainings"

    def ready(self) -> None:
        from accounts.models import Delivery
        from accounts.notifications import NotificationKind, register_kind
        from core.registry import (
            NavItem,
            register_nav_item,
            register_page_section,
            register_panel,
            register_seeder,
        )
        from core.search import register_provider
        from files.services import register_download_check
        from trainings import permissions, seed
        from trainings.dashboard import PANEL
        from trainings.search import TrainingsSearch
        from trainings.sections import SECTIONS
        from trainings.services import CERTIFICATE_PURPOSE

        for kind in (
            NotificationKind(
                "training.submitted", "A training is submitted for review", Delivery.OFF
            ),
            NotificationKind(
                "training.reviewed", "The board reviews your training", Delivery.INSTANT
            ),
            NotificationKind(
                "training.expiring", "The approval of your training is ending", Delivery.INSTANT
            ),
            NotificationKind(
                "training.provider_requested",
                "Someone asks to become a training provider",
                Delivery.INSTANT,
            ),
        ):
            register_kind(kind)
        register_download_check(CERTIFICATE_PURPOSE, permissions.may_download_certificate)
        register_nav_item(
            NavItem("trainings", "Trainings", "trainings:catalog", current=("trainings",))
        )
        register_panel(PANEL)
        register_provider("trainings", TrainingsSearch())
        register_seeder("trainings", seed.seed_demo, after=("accounts", "competencies", "cohorts"))
        for section in SECTIONS:
            register_page_section(section)
