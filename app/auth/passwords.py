"""Password hashing with argon2, off the event loop.

argon2 is slow on purpose (~0.1 s and 64 MiB a hash with the recommended parameters): run on
the event loop it would stall every other request for that long, so hashing and verifying
run in a worker thread (argon2-cffi releases the GIL). The cost comes from the settings:
production keeps argon2's recommended parameters; the test suite, which signs up and logs
in a few users in each of its ~800 tests, uses the smallest ones. A hash records its own
parameters, so hashes made under other settings still verify.
"""

from __future__ import annotations

import asyncio

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from app.config import Settings


class Passwords:
    def __init__(self, *, time_cost: int, memory_kib: int, parallelism: int) -> None:
        self._hasher = PasswordHash(
            (Argon2Hasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism),)
        )
        # Verified against when the email is unknown, so both paths cost one argon2 run.
        self._dummy_hash = self._hasher.hash("trackr-timing-equaliser")

    @classmethod
    def from_settings(cls, settings: Settings) -> Passwords:
        return cls(
            time_cost=settings.password_hash_time_cost,
            memory_kib=settings.password_hash_memory_kib,
            parallelism=settings.password_hash_parallelism,
        )

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, password: str, password_hash: str | None) -> bool:
        """Constant-cost check: an unknown user costs the same as a wrong password."""
        if password_hash is None:
            await asyncio.to_thread(self._hasher.verify, password, self._dummy_hash)
            return False
        return await asyncio.to_thread(self._hasher.verify, password, password_hash)
