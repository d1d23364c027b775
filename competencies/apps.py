from django.apps import AppConfig


class CompetenciesConfig(AppConfig):
    name = "competencies"
    verbose_name = "Competency frameworks"

    def ready(self) -> None:
        from competencies import seed, signals  # noqa: F401 - signals connects the receivers
        from core.registry import register_seeder

        register_seeder("competencies", seed.seed_demo)
