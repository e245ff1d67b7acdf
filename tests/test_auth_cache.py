"""The principal cache (app/auth/cache.py) never outlives an access change: two real API
processes share PostgreSQL and Redis; a change made through one is refused by the other
within a second, although that one had the credential cached."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from app.auth.cache import PrincipalCache
from app.auth.principal import Principal
from app.config import Settings
from tests.factories import Caller, api_key, create_group, member, signup

ROOT = Path(__file__).resolve().parent.parent
WITHIN_SECONDS = 1.0


@dataclass
class ApiProcess:
    process: subprocess.Popen[bytes]
    base_url: str
    log: Path

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.base_url, timeout=10)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _start(settings: Settings, data_dir: Path, name: str) -> ApiProcess:
    port = _free_port()
    log = data_dir / f"{name}.log"
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url or "",
        "REDIS_URL": settings.redis_url or "",
        "SECRET_KEY": settings.resolved_secret_key(),
        "DATA_DIR": str(data_dir / name),
        "DATABASE_POOL_SIZE": "2",
        "DATABASE_MAX_OVERFLOW": "2",
        "RATE_LIMIT_PER_MINUTE": "100000",
        "RATE_LIMIT_PUBLIC_PER_MINUTE": "100000",
        # Long enough that only the auth version, not the entry's age, can explain a refusal.
        "AUTH_CACHE_SECONDS": "300",
        "LOG_LEVEL": "WARNING",
        "DEMO_SEED": "false",
    }
    command = [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--log-level", "warning"]
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited: {log.read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), 0.2):
                return ApiProcess(process, f"http://127.0.0.1:{port}", log)
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{name} did not listen within 60 s: {log.read_text()[-2000:]}")


@pytest.fixture
def two_processes(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ApiProcess, ApiProcess]]:
    data_dir = tmp_path_factory.mktemp("two-api-processes")
    first = _start(settings, data_dir, "first")
    try:
        second = _start(settings, data_dir, "second")
    except BaseException:
        first.process.terminate()
        raise
    yield first, second
    for api in (first, second):
        api.process.terminate()
        try:
            api.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            api.process.kill()


async def _warm(client: httpx.AsyncClient, caller: Caller, path: str = "/v1/customers") -> None:
    """Use the credential a few times: the process now answers it from its cache."""
    for _ in range(3):
        response = await client.get(path, headers=caller.headers)
        assert response.status_code == 200, response.text


async def _refused_after(
    client: httpx.AsyncClient, caller: Caller, status: int, path: str = "/v1/customers"
) -> float:
    """Seconds until `client`'s process answers `status` for the caller (at most 1 s)."""
    started = time.monotonic()
    while True:
        response = await client.get(path, headers=caller.headers)
        elapsed = time.monotonic() - started
        if response.status_code == status:
            return elapsed
        assert response.status_code == 200, response.text
        assert elapsed < WITHIN_SECONDS, f"still {response.status_code} after {elapsed:.2f} s"
        await asyncio.sleep(0.02)


async def test_a_key_revoked_on_one_process_is_refused_by_the_other(
    two_processes: tuple[ApiProcess, ApiProcess],
) -> None:
    first, second = two_processes
    async with first.client() as one, second.client() as other:
        admin = await signup(one)
        key = await api_key(one, admin, ["customers:read"])
        await _warm(other, key)
        revoked = await one.post(
            f"/v1/api-keys/{key.extra['api_key_id']}/revoke", headers=admin.headers
        )
        assert revoked.status_code == 200, revoked.text
        assert await _refused_after(other, key, 401) < WITHIN_SECONDS
        # The admin's own cached token is unaffected in substance, only re-read.
        await _warm(other, admin)


async def test_disabling_a_user_or_narrowing_a_group_reaches_the_other_process(
    two_processes: tuple[ApiProcess, ApiProcess],
) -> None:
    first, second = two_processes
    async with first.client() as one, second.client() as other:
        admin = await signup(one)
        reader = await member(one, admin, ["customers:read"])
        await _warm(other, reader)
        found = await one.get(f"/v1/users/{reader.user_id}", headers=admin.headers)
        group_id = found.json()["group_ids"][0]
        narrowed = await one.patch(
            f"/v1/groups/{group_id}", headers=admin.headers, json={"permissions": ["orders:read"]}
        )
        assert narrowed.status_code == 200, narrowed.text
        assert await _refused_after(other, reader, 403) < WITHIN_SECONDS

        user = await member(one, admin, ["customers:read"])
        await _warm(other, user)
        disabled = await one.post(f"/v1/users/{user.user_id}/disable", headers=admin.headers)
        assert disabled.status_code == 200, disabled.text
        assert await _refused_after(other, user, 401) < WITHIN_SECONDS


async def test_moving_a_user_between_groups_reaches_the_other_process(
    two_processes: tuple[ApiProcess, ApiProcess],
) -> None:
    first, second = two_processes
    async with first.client() as one, second.client() as other:
        admin = await signup(one)
        user = await member(one, admin, ["customers:read", "api_keys:manage"])
        key = await api_key(one, user, ["customers:read"])
        await _warm(other, key)
        elsewhere = await create_group(one, admin, ["orders:read"])
        moved = await one.patch(
            f"/v1/users/{user.user_id}", headers=admin.headers, json={"group_ids": [elsewhere]}
        )
        assert moved.status_code == 200, moved.text
        # The key acts with its creator's current permissions: no longer customers:read.
        assert await _refused_after(other, key, 403) < WITHIN_SECONDS


def test_cache_entries_expire_and_stay_bounded() -> None:
    cache = PrincipalCache(seconds=30, max_entries=2)
    principal = Principal(company_id=_uuid(1), user_id=_uuid(2), permissions=frozenset())
    cache.put("a", principal, (b"1", None))
    cache.put("b", principal, (b"1", None), not_after=time.time() - 1)  # token expired
    assert cache.get("b") is None
    cache.put("c", principal, (b"1", None))
    cache.put("d", principal, (b"1", None))
    assert len(cache) == 2
    assert cache.get("a") is None  # the oldest went first
    assert cache.get("d") is not None
    assert not PrincipalCache(seconds=0).enabled


def _uuid(n: int) -> uuid.UUID:
    return uuid.UUID(int=n)
