from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = "Dashboard"

    def ready(self) -> None:
        from core.registry import Panel, register_panel

        # Until the journals app brings its own panel, the dashboard keeps the place.
        register_panel(Panel("dashboard.prompts", "dashboard/_prompts_panel.html", order=30))
