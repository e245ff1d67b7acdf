"""Principals recently read from the database, per API process, for a short while.

An entry is only ever used after the company's auth versions, read from Redis in the same
round trip as the rate limit, were found equal to the ones it was read under
(app/auth/versions.py); its lifetime only bounds what a change made outside the API (a
worker, psql) can leave stale.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from app.auth.principal import Principal

# Entries are small (a principal and a few numbers): this many is a few MB at most.
MAX_ENTRIES = 10_000
# The versions of an entry read before anything told which ones it depends on: it never
# matches, so its next use reads the database again.
UNVERIFIED: tuple[bytes | None, ...] = ()


@dataclass(slots=True)
class Entry:
    principal: Principal
    # The auth versions (company's, global) that held when the principal was read.
    versions: tuple[bytes | None, ...]
    expires_at: float  # POSIX time: the cache lifetime, or the access token's expiry
    touched_at: float  # POSIX time `api_key.last_used_at` was last written for it


class PrincipalCache:
    """Credential -> principal, for at most `seconds`. Keyed by the credential itself (the
    request holds it in memory anyway), so a cached access token skips its signature check
    as well as the database: the same string was verified when it was put here."""

    def __init__(self, seconds: float, max_entries: int = MAX_ENTRIES) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self._entries: dict[str, Entry] = {}

    @property
    def enabled(self) -> bool:
        return self.seconds > 0

    def get(self, credential: str) -> Entry | None:
        entry = self._entries.get(credential)
        if entry is not None and entry.expires_at <= time.time():
            del self._entries[credential]
            return None
        return entry

    def put(
        self,
        credential: str,
        principal: Principal,
        versions: tuple[bytes | None, ...],
        *,
        not_after: float | None = None,
        touched_at: float = 0.0,
    ) -> None:
        if not self.enabled:
            return
        now = time.time()
        expires_at = now + self.seconds
        if not_after is not None:
            expires_at = min(expires_at, not_after)
        self._entries.pop(credential, None)  # re-inserted last: the oldest go first
        while len(self._entries) >= self.max_entries:
            del self._entries[next(iter(self._entries))]
        self._entries[credential] = Entry(principal, versions, expires_at, touched_at)

    def forget(self, credential: str) -> None:
        self._entries.pop(credential, None)

    def __len__(self) -> int:
        return len(self._entries)
