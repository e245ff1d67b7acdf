"""Optimistic concurrency: a resource's ETag is its row version (app.kit.models.VersionedMixin)."""

from __future__ import annotations

from app.errors import PreconditionFailed


def check_version(current: int, expected: int | None) -> None:
    """Refuse a change made against a stale read (If-Match); None means no precondition."""
    if expected is not None and expected != current:
        raise PreconditionFailed()
