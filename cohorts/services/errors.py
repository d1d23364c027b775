from core.errors import ServiceError


class CohortError(ServiceError):
    """A request the cohort rules refuse; ``message`` is written for the person who asked."""


class InvalidTransition(CohortError):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="invalid_transition")
