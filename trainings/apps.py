from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete


def _forget_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    from trainings.search_index import remove_training

    remove_training(instance.pk)


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
        from core.search import register_provider, register_rebuilder
        from files.services import register_download_check
        from trainings import permissions, seed
        from trainings.dashboard import PANEL
        from trainings.models import Training
        from trainings.search import TrainingsSearch, rebuild_index
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
        register_rebuilder("trainings", rebuild_index)
        # A training deleted in the admin (or with its organisation) leaves the SQLite index.
        post_delete.connect(_forget_deleted, sender=Training, dispatch_uid="trainings.search")
        register_seeder("trainings", seed.seed_demo, after=("accounts", "competencies", "cohorts"))
        for section in SECTIONS:
            register_page_section(section)

        from core.data import register_data_source
        from trainings.data import SOURCE as data_source

        register_data_source(data_source)  # what "My data" exports and deletion removes
