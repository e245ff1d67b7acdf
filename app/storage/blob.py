"""The blob store: bytes under keys, and nothing else.

Domains keep what a blob means (its name, type, owner) in PostgreSQL and use the store only
to put, stream and delete bytes, so that the local disk store can be swapped for an
S3-compatible one without touching them. Keys are `/`-separated segments of
`[A-Za-z0-9._-]` (no empty, `.` or `..` segment), which every store can hold as-is.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterable, AsyncIterator
from typing import Protocol

CHUNK_BYTES = 64 * 1024
_SEGMENT = re.compile(r"[A-Za-z0-9._-]{1,200}")


class BlobNotFound(LookupError):
    """No blob is stored under the key."""


def check_key(key: str) -> str:
    """The key, if it is one every store can hold; else ValueError (a bug in the caller)."""
    segments = key.split("/")
    if len(key) > 1000 or not all(_SEGMENT.fullmatch(s) and s not in {".", ".."} for s in segments):
        raise ValueError(f"invalid blob key {key!r}")
    return key


class BlobStore(Protocol):
    async def put(self, key: str, chunks: AsyncIterable[bytes]) -> None:
        """Store the bytes of `chunks` under `key`, replacing any blob there. Readers see
        the old blob or the whole new one, never a part; a failed put leaves no trace."""

    async def open(self, key: str) -> AsyncIterator[bytes]:
        """The blob's bytes, in chunks of at most CHUNK_BYTES. Raises BlobNotFound here,
        before any byte is streamed, so that a caller can still answer 404."""

    async def delete(self, key: str) -> None:
        """Remove the blob; a missing one is not an error (deletes may be retried)."""

    async def exists(self, key: str) -> bool: ...
