"""What every packet service shares: the one error type of the packets."""

from __future__ import annotations

from core.errors import ServiceError


class PacketError(ServiceError):
    """A packet change the rules refuse. ``field`` names the form field it is about, if any."""

    def __init__(self, message: str, *, code: str = "invalid", field: str | None = None) -> None:
        super().__init__(message, code=code)
        self.field = field
