"""A deleted user's cached credentials are refused by another API process at once (the
two-process pattern of tests/test_auth_cache.py)."""

from __future__ import annotations

from tests.factories import api_key, member, signup
from tests.test_auth_cache import (
    WITHIN_SECONDS,
    ApiProcess,
    _refused_after,
    _warm,
    two_processes,
)

__all__ = ["two_processes"]  # the fixture, used by name


async def test_deleting_a_user_stops_their_cached_token_and_key_on_the_other_process(
    two_processes: tuple[ApiProcess, ApiProcess],
) -> None:
    first, second = two_processes
    async with first.client() as one, second.client() as other:
        admin = await signup(one)
        user = await member(one, admin, ["customers:read", "api_keys:manage"])
        key = await api_key(one, user, ["customers:read"])
        await _warm(other, user)
        await _warm(other, key)
        deleted = await one.delete(f"/v1/users/{user.user_id}", headers=admin.headers)
        assert deleted.status_code == 204, deleted.text
        assert await _refused_after(other, user, 401) < WITHIN_SECONDS
        assert await _refused_after(other, key, 401) < WITHIN_SECONDS
        await _warm(other, admin)
