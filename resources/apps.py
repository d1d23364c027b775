from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "resources"
    verbose_name = "Resources"

    def ready(self) -> None:
        from accounts.models import Delivery
        from accounts.notifications import NotificationKind, register_kind
        from cohorts.session_links import register_session_links
        from core.registry import (
            NavItem,
            register_activity_source,
            register_cohort_card,
            register_nav_item,
            register_panel,
            register_participation_source,
            register_seeder,
        )
        from core.search import register_rebuilder
        from files.services import register_download_check, register_extraction_listener
        from resources import citations, consumers, dashboard, permissions, seed, services
        from resources import search as search_provider
        from resources.models import FILE_PURPOSE
        from resources.session_links import materials_links

        register_kind(
            NotificationKind("resources.new", "New resources in your cohorts", Delivery.DIGEST)
        )
        register_kind(
            NotificationKind(
                "resources.useful", "Someone found your resource useful", Delivery.DIGEST
            )
        )
        # Files: who may download, and search reads a file's text once it is extracted.
        register_download_check(FILE_PURPOSE, permissions.may_download_file)
        register_extraction_listener(FILE_PURPOSE, services.file_text_ready)
        citations.register_citer("resources.session_materials", citations.session_materials)
        # The header link to the library.
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
        consumers.register()
        # Site-wide search, demo data, dashboard, participation, cohort home.
        search_provider.register()
        register_rebuilder("resources", search_provider.rebuild_index)
        register_seeder("resources", seed.seed_demo, scale=seed.seed_scale, after=("discussions",))
        register_participation_source(dashboard.SHARED)
        register_panel(dashboard.NEW_PANEL)
        register_activity_source(dashboard.RESOURCE_ACTIVITY)
        register_cohort_card(dashboard.COHORT_CARD)
        # A session's page lists its materials.
        register_session_links("resources.materials", materials_links)

        from core.data import register_data_source
        from resources.data import SOURCE as data_source

        register_data_source(data_source)  # what "My data" exports and deletion removes
