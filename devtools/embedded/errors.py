"""The error every part of the embedded servers raises: its message says what to do."""

from __future__ import annotations


class EmbeddedError(RuntimeError):
    """An embedded server could not be started or stopped; the message says what to do."""


NOT_INSTALLED = (
    "{} is not installed (the production image leaves the embedded servers out); "
    "set DATABASE_URL and REDIS_URL"
)
