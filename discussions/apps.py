from django.apps import AppConfig


class DiscussionsConfig(AppConfig):
    name = "discussions"
    verbose_name = "Discussions"

    def ready(self) -> None:
        from discussions import consumers
        from discussions import search as search_provider

        consumers.register()
        search_provider.register()
