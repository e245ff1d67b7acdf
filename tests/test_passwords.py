"""Password hashing: production's argon2 cost, the tests' own, and hashes that outlive a
change of cost."""

from __future__ import annotations

from app.auth.passwords import Passwords
from app.config import Settings


async def test_production_uses_argon2s_recommended_cost() -> None:
    passwords = Passwords.from_settings(Settings(database_url="postgresql+asyncpg://x@h/db"))
    stored = await passwords.hash("correct horse")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert await passwords.verify("correct horse", stored)
    assert not await passwords.verify("wrong horse", stored)


async def test_a_hash_verifies_under_another_cost() -> None:
    cheap = Passwords(time_cost=1, memory_kib=8, parallelism=1)
    dear = Passwords(time_cost=2, memory_kib=1024, parallelism=2)
    stored = await cheap.hash("s3cret-pass")
    assert await dear.verify("s3cret-pass", stored)
    assert not await dear.verify("other-pass", stored)


async def test_an_unknown_user_is_refused_after_one_hash() -> None:
    passwords = Passwords(time_cost=1, memory_kib=8, parallelism=1)
    assert not await passwords.verify("anything", None)
