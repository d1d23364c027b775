"""What a server process builds before it listens, so that its first requests need not.

A new process builds a good deal on first use: the URL resolver's reverse tables (on the
first ``reverse()``), the template engine with every tag library, each template's compiled
form, the database's connection pool, the cache, channel-layer and task backends, and the
locale's formats. Measured on a fresh ``manage.py serve`` (four starts each), the first post
through the API took 96 to 124 ms where the ones after took about 25; built up front (in
about 0.35 s), 49 to 70 ms. Every process's first visitors paid that after each deploy, and
in a rolling restart every process starts in turn while taking over the sockets of the one
that stopped.

:func:`warm_up` builds those things up front. ``manage.py serve`` calls it before it
freezes the collector (``settle_garbage_collector``), so what it builds, which lives as long
as the process, is also never walked by the collector. It changes nothing a request sees:
each piece is what the first request would have built, built the same way.
"""

from __future__ import annotations

import contextvars
import logging
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from channels.layers import get_channel_layer
from django.core.cache import caches
from django.db import DatabaseError, connections
from django.template import TemplateSyntaxError, engines
from django.template.backends.django import DjangoTemplates
from django.urls import get_resolver
from django.utils import formats
from django_tasks import task_backends

logger = logging.getLogger(__name__)


def warm_up() -> dict[str, Any]:
    """Build the URL resolver's tables, the templates, the backends and the formats; return
    what was done (for the log and the tests).

    The work runs in a copy of the caller's context. Building the URL resolver sets a
    context-local flag on each of its resolvers (sixty-odd ``asgiref.local.Local``), and in
    the server's main thread each would stay in the context that every socket's task and
    every request copies, and that asgiref walks on each return from ``sync_to_async``: with
    them there, the servers spent about half as much CPU again on each post's fan-out
    (``bench/posts.py``, 500 sockets)."""
    return contextvars.copy_context().run(_warm_up)


def _warm_up() -> dict[str, Any]:
    started = time.perf_counter()
    done: dict[str, Any] = {}
    # No language is activated here: one activated on this thread would be inherited by
    # every request and socket the server then runs. With none active, the site's language
    # (settings.LANGUAGE_CODE) is the one the tables and formats are built for.
    # Built per language on the first reverse(); this imports every view module and builds
    # the reverse, namespace and application tables of the resolver and every included one.
    get_resolver().reverse_dict  # noqa: B018
    done["templates"] = _compile_templates()
    done["backends"] = _open_backends()
    formats.get_format("DATETIME_FORMAT")  # imports the locale's formats module
    done["ms"] = round((time.perf_counter() - started) * 1000, 1)
    logger.info(
        "Warmed up in %.0f ms: %d templates compiled, backends %s.",
        done["ms"], done["templates"], ", ".join(done["backends"]),
    )  # fmt: skip
    return done


def _compile_templates() -> int:
    """Compile every template in the project's template folders into the engines' cached
    loaders (a template that does not compile is logged: the request that uses it will
    fail as it always would)."""
    compiled = 0
    for engine in engines.all():
        if not isinstance(engine, DjangoTemplates):
            continue
        for folder in engine.engine.dirs:
            root = Path(folder)
            for path in sorted(root.rglob("*")):
                if not path.is_file() or path.name.startswith("."):
                    continue
                name = path.relative_to(root).as_posix()
                try:
                    engine.get_template(name)
                except (TemplateSyntaxError, UnicodeDecodeError) as error:
                    logger.warning("Template %s does not compile: %s", name, error)
                    continue
                compiled += 1
    return compiled


def _open_backends() -> list[str]:
    """Open the database's connection pools, and import and configure the cache,
    channel-layer and task backends (their connections are opened by whoever first uses
    them, on its own thread or loop)."""
    opened = open_pools(connections.all(initialized_only=False))
    opened.append(type(caches["default"]).__name__)
    layer = get_channel_layer()
    if layer is not None:
        opened.append(type(layer).__name__)
    opened.append(type(task_backends["default"]).__name__)
    return opened


def open_pools(wrappers: Iterable[Any]) -> list[str]:
    """Open the connection pool of each database that has one (a pool is the process's,
    shared by the request threads), leaving its first connection in it. A database that
    cannot be reached is logged: the server still starts and answers what needs no
    database, and the pool opens on the first request that reaches it."""
    opened = []
    for connection in wrappers:
        if not connection.settings_dict.get("OPTIONS", {}).get("pool"):
            continue
        try:
            connection.ensure_connection()
        except DatabaseError as error:
            logger.warning("Database %s not reached while warming up: %s", connection.alias, error)
            continue
        finally:
            connection.close()  # with a pool: the connection goes back into it
        opened.append(f"{connection.alias} pool")
    return opened
