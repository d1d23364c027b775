class CohortError(Exception):
    """A request the rules refuse; ``message`` is written for the person who asked."""

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class InvalidTransition(CohortError):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="invalid_transition")
