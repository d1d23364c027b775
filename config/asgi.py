"""ASGI entry point: HTTP through Django, WebSockets through Channels on /ws/."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Django must be set up before anything imports models (as get_asgi_application does).
django.setup(set_prefix=False)

from core.asgi import KeptThreadsASGIHandler  # noqa: E402

django_asgi_app = KeptThreadsASGIHandler()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from config.routing import websocket_urlpatterns  # noqa: E402
from core.consumers import socket_auth_stack  # noqa: E402
from core.origin import SiteOriginValidator  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": SiteOriginValidator(socket_auth_stack(URLRouter(websocket_urlpatterns))),
    }
)
