from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from accounts import seed, signals  # noqa: F401 - signals connects the receivers
        from core.registry import register_seeder

        register_seeder("accounts", seed.seed_demo, scale=seed.seed_scale)

        from accounts.data import SOURCE as data_source
        from core.data import register_data_source

        register_data_source(data_source)  # what "My data" exports and deletion removes

        # The "My data" ZIP: an export like the others, and its "ready" notification.
        from accounts import services_data
        from accounts.models import Delivery
        from accounts.notifications import NotificationKind, register_kind
        from files.exports import register_exporter

        register_kind(
            NotificationKind(
                services_data.NOTIFICATION_KIND, "Your data export is ready", Delivery.OFF
            )
        )
        register_exporter(
            services_data.DATA_EXPORT_KIND,
            services_data.data_export_build,
            on_done=services_data.data_export_done,
        )
