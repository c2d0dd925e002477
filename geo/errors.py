"""The single error type of the geo library."""


class GeoError(ValueError):
    """Invalid geographic input.

    ``reason`` is a sentence a client can act on; ``path`` points at the offending part of the input
    (``"coordinates[0][3]"``) when there is one, so API layers can report it as a validation detail.
    """

    def __init__(self, reason: str, path: str | None = None) -> None:
        self.reason = reason
        self.path = path
        super().__init__(f"{path}: {reason}" if path else reason)
