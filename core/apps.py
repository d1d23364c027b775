from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.core.signals import request_finished

        from core import deferred

        request_finished.connect(deferred.request_finished, dispatch_uid="core.deferred")
