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
        # Detail pages: a session's page lists its materials.
        from cohorts.session_links import register_session_links
        from resources.session_links import materials_links

        register_session_links("resources.materials", materials_links)
