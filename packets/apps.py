from django.apps import AppConfig


class PacketsConfig(AppConfig):
    name = "packets"
    verbose_name = "Application packets"

    def ready(self) -> None:
        from packets import registrations

        registrations.register_all()
