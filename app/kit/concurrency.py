"""Optimistic concurrency: a resource's ETag is its row version (app.kit.models.VersionedMixin),
and `If-Match` names the version a change was made against."""

from __future__ import annotations

import re

from app.errors import PreconditionFailed

# Our ETags are row versions (>= 1); an If-Match of any other form is this, a stale version.
NEVER_MATCHES = 0
_ETAG_VERSION = re.compile(r"[0-9]{1,18}")


def etag(version: int) -> str:
    return f'"{version}"'


def parse_if_match(if_match: str | None) -> int | None:
    """The version an If-Match header names; None for no precondition (absent or `*`). A tag
    that is not one of ours can never match.

    The precondition is evaluated by the service against the row, after the request was
    validated and the row found (RFC 9110 13.2.1: a 422 or 404 takes precedence over 412).
    """
    if if_match is None or if_match.strip() == "*":
        return None
    tag = if_match.strip().removeprefix("W/").strip('"')
    if not _ETAG_VERSION.fullmatch(tag):
        return NEVER_MATCHES
    return int(tag)


def check_version(current: int, expected: int | None) -> None:
    """Refuse a change made against a stale read (If-Match); None means no precondition."""
    if expected is not None and expected != current:
        raise PreconditionFailed()
