from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "resources"
    verbose_name = "Resources"

    def ready(self) -> None:
        from accounts.models import Delivery
        from accounts.notifications import NotificationKind, register_kind
        from files.services import register_download_check, register_extraction_listener
        from resources import citations, permissions, services
        from resources.models import FILE_PURPOSE

        register_kind(
            NotificationKind("resources.new", "New resources in your cohorts", Delivery.DIGEST)
        )
        register_kind(
            NotificationKind(
                "resources.useful", "Someone found your resource useful", Delivery.DIGEST
            )
        )
        register_download_check(FILE_PURPOSE, permissions.may_download_file)
        register_extraction_listener(FILE_PURPOSE, services.file_text_ready)
        citations.register_citer("resources.session_materials", citations.session_materials)

        # The header link to the library.
        from core.registry import NavItem, register_nav_item

        register_nav_item(
            NavItem(
                "resources",
                "Library",
                "resources:library",
                current=("resources",),
                signed_in=True,
                order=30,
            )
        )
        # The socket: following a cohort's repertoire.
        from resources import consumers

        consumers.register()
