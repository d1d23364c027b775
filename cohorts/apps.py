from django.apps import AppConfig


class CohortsConfig(AppConfig):
    name = "cohorts"
    verbose_name = "Communities of practice"

    def ready(self) -> None:
        from accounts.models import Delivery
        from accounts.notifications import NotificationKind, register_kind
        from cohorts import dashboard, seed
        from core.registry import register_panel, register_participation_source, register_seeder

        # The cohort changes that were always e-mailed (reviews, decisions, moved or
        # cancelled sessions) are instant; the rest stay in-app unless people ask for mail.
        for kind in (
            NotificationKind("session.scheduled", "A session is scheduled", Delivery.OFF),
            NotificationKind("session.changed", "A session is moved or changed", Delivery.INSTANT),
            NotificationKind("session.cancelled", "A session is cancelled", Delivery.INSTANT),
            NotificationKind(
                "membership.requested",
                "Someone asks to join a cohort you facilitate",
                Delivery.OFF,
            ),
            NotificationKind(
                "membership.accepted", "Your request to join is accepted", Delivery.INSTANT
            ),
            NotificationKind(
                "membership.declined", "Your request to join is declined", Delivery.INSTANT
            ),
            NotificationKind(
                "membership.promoted", "You get a place off the waitlist", Delivery.INSTANT
            ),
            NotificationKind("cohort.submitted", "A cohort is submitted for review", Delivery.OFF),
            NotificationKind(
                "cohort.reviewed", "Your cohort proposal is reviewed", Delivery.INSTANT
            ),
        ):
            register_kind(kind)
        register_seeder(
            "cohorts", seed.seed_demo, scale=seed.seed_scale, after=("accounts", "competencies")
        )
        register_participation_source(dashboard.ATTENDED)
        for panel in dashboard.PANELS:
            register_panel(panel)

        from cohorts.data import SOURCE as data_source
        from core.data import register_data_source

        register_data_source(data_source)  # what "My data" exports and deletion removes
