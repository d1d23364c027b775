"""The local signing key for development: made once, kept private, reused."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def local_secret_key(path: Path) -> str:
    """The key stored in ``path``, creating it (random, mode 0600) on first use.

    `make run` and hand-run ``manage.py`` commands with DJANGO_DEBUG=1 and no SECRET_KEY
    sign with it, so sessions and e-mailed links survive restarts while no key is ever
    written in the repository (the file is git-ignored)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    except OSError as error:
        raise ImproperlyConfigured(
            f"Cannot create the local signing key file {path} ({error.strerror}). "
            "Set SECRET_KEY, or SECRET_KEY_FILE to a writable place."
        ) from error
    else:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50) + "\n")
    key = path.read_text().strip()
    if not key:
        raise ImproperlyConfigured(
            f"The local signing key file {path} is empty; delete it to have a new key made."
        )
    return key
