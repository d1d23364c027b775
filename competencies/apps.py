from django.apps import AppConfig


class CompetenciesConfig(AppConfig):
    name = "competencies"
    verbose_name = "Competency frameworks"

    def ready(self) -> None:
        from competencies import signals  # noqa: F401 - connects the receivers
