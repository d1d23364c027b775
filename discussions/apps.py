from django.apps import AppConfig


class DiscussionsConfig(AppConfig):
    name = "discussions"
    verbose_name = "Discussions"

    def ready(self) -> None:
        from accounts.models import Delivery
        from accounts.notifications import NotificationKind, register_kind
        from cohorts.session_links import register_session_links
        from core.registry import (
            register_activity_source,
            register_cohort_card,
            register_panel,
            register_participation_source,
            register_seeder,
            register_start_here,
        )
        from core.search import register_rebuilder
        from discussions import consumers, dashboard, search_index, seed
        from discussions import search as search_provider

        consumers.register()
        register_rebuilder("discussions", search_index.rebuild_report)
        search_provider.register()
        # Discussion kinds default to the daily digest, so nobody is flooded.
        for kind in (
            NotificationKind("discussions.mention", "Someone @mentions you", Delivery.DIGEST),
            NotificationKind(
                "discussions.reply", "New posts in threads you follow", Delivery.DIGEST
            ),
            NotificationKind(
                "discussions.new_thread", "New threads in your cohorts", Delivery.DIGEST
            ),
            NotificationKind(
                "discussions.announcement", "Facilitator announcements", Delivery.DIGEST
            ),
        ):
            register_kind(kind)
        register_seeder("discussions", seed.seed_demo, after=("cohorts",))
        register_participation_source(dashboard.POSTS)
        register_panel(dashboard.UNREAD_PANEL)
        register_cohort_card(dashboard.COHORT_CARD)
        register_activity_source(dashboard.POST_ACTIVITY)
        register_session_links("discussions.threads", dashboard.session_threads)
        register_start_here(dashboard.WELCOME_THREAD)

        from core.data import register_data_source
        from discussions.data import SOURCE as data_source

        register_data_source(data_source)  # what "My data" exports and deletion removes
