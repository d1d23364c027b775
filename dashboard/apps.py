from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = "Dashboard"

    def ready(self) -> None:
        # The dashboard registers no panel of its own: each app brings its panel (the
        # journals app its reflection prompts) in its own AppConfig.ready when it lands.
        pass
