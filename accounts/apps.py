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
