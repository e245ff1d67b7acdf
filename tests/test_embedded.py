"""The embedded servers of `make run`: data survives a restart and a crash (kill -9), the
contrib extensions are there, a data folder of another PostgreSQL major is refused, and
Redis data of the former redis-server 6.2 is read.

Each test starts its own PostgreSQL and Redis in a temporary folder (a few seconds).
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Awaitable, Iterator
from pathlib import Path
from typing import cast

import pytest
from arq.connections import RedisSettings, create_pool
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from devtools.embedded import EmbeddedError, EmbeddedServices, start_embedded, stop_embedded


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "data"
    yield folder
    stop_embedded(folder, force=True)


async def _write(services: EmbeddedServices, value: int) -> None:
    assert services.database_url
    assert services.redis_url
    engine = create_async_engine(services.database_url)
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE IF NOT EXISTS kept (value int)"))
        await connection.execute(text("INSERT INTO kept VALUES (:v)"), {"v": value})
    await engine.dispose()
    client: Redis = Redis.from_url(services.redis_url)
    await client.set(f"kept:{value}", value)
    await client.aclose()


async def _read(services: EmbeddedServices) -> tuple[list[int], list[int]]:
    assert services.database_url
    assert services.redis_url
    engine = create_async_engine(services.database_url)
    async with engine.connect() as connection:
        rows = (await connection.execute(text("SELECT value FROM kept ORDER BY value"))).all()
    await engine.dispose()
    # arq connects with the same URL as the app: it must understand it.
    pool = await create_pool(RedisSettings.from_dsn(services.redis_url))
    queued = sorted([int(v) for v in await pool.mget(await pool.keys("kept:*"))])
    await pool.aclose()
    return [row[0] for row in rows], queued


def _kill9_servers(folder: Path) -> None:
    """Simulate a crash: SIGKILL both servers, leaving their pid files behind."""
    postmaster = int((folder / "postgres" / "postmaster.pid").read_text().split()[0])
    redis_pid = int((folder / "redis" / "redis.pid").read_text())
    for pid in (postmaster, redis_pid):
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            for pid in (postmaster, redis_pid):
                os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)


async def test_data_survives_restart_and_crash(data_dir: Path) -> None:
    services = start_embedded(data_dir)
    assert services.database_url is not None
    assert services.database_url.startswith("postgresql+asyncpg://postgres@/trackr?host=")
    assert services.redis_url is not None
    assert services.redis_url.startswith("redis://:")
    await _write(services, 1)
    assert stop_embedded(data_dir) is True
    assert not (data_dir / "postgres" / "postmaster.pid").exists()

    services = start_embedded(data_dir)  # clean restart
    assert await _read(services) == ([1], [1])
    await _write(services, 2)

    _kill9_servers(data_dir)  # crash: stale postmaster.pid and redis.pid remain
    services = start_embedded(data_dir)
    assert await _read(services) == ([1, 2], [1, 2])
    assert stop_embedded(data_dir) is True


async def test_start_is_idempotent_and_reuses_running_servers(data_dir: Path) -> None:
    first = start_embedded(data_dir)
    postmaster = (data_dir / "postgres" / "postmaster.pid").read_text().split()[0]
    second = start_embedded(data_dir)
    assert second == first
    assert (data_dir / "postgres" / "postmaster.pid").read_text().split()[0] == postmaster
    assert stop_embedded(data_dir) is True
    assert stop_embedded(data_dir) is True  # stopping twice is harmless


CONTRIB = (
    "pg_trgm",
    "btree_gist",
    "cube",
    "earthdistance",
    "unaccent",
    "citext",
    "pg_stat_statements",
)


async def test_postgres_is_18_with_the_contrib_extensions(data_dir: Path) -> None:
    """Migrations may rely on contrib: the embedded server has what production servers have."""
    services = start_embedded(data_dir, redis=False)
    assert services.database_url
    engine = create_async_engine(services.database_url)
    async with engine.begin() as connection:
        version = await connection.scalar(text("SHOW server_version_num"))
        for extension in CONTRIB:
            await connection.execute(text(f'CREATE EXTENSION IF NOT EXISTS "{extension}"'))
        installed = set(
            (await connection.execute(text("SELECT extname FROM pg_extension"))).scalars()
        )
    await engine.dispose()
    assert 180000 <= int(version) < 190000
    assert installed >= set(CONTRIB)
    assert stop_embedded(data_dir) is True


def _resp(*words: str) -> bytes:
    parts = [f"*{len(words)}\r\n".encode()]
    parts += [f"${len(w.encode())}\r\n{w}\r\n".encode() for w in words]
    return b"".join(parts)


async def test_redis_data_of_the_former_redis_6_is_kept(data_dir: Path) -> None:
    """Folders made before the move to Valkey hold redis-server 6.2's single appendonly.aof;
    Valkey reads it (and turns it into its appendonlydir/), so queued jobs survive."""
    redis_dir = data_dir / "redis"
    redis_dir.mkdir(parents=True, mode=0o700)
    (redis_dir / "appendonly.aof").write_bytes(
        _resp("SELECT", "0") + _resp("SET", "kept:1", "1") + _resp("RPUSH", "queue", "a", "b")
    )
    services = start_embedded(data_dir, postgres=False)
    assert services.redis_url
    client: Redis = Redis.from_url(services.redis_url)
    assert await client.get("kept:1") == b"1"
    # redis-py types list commands as sync-or-async; on the asyncio client they are awaitable.
    queue = await cast("Awaitable[list[bytes]]", client.lrange("queue", 0, -1))
    assert queue == [b"a", b"b"]
    await client.aclose()
    assert stop_embedded(data_dir) is True
    assert (redis_dir / "appendonlydir").is_dir()


def _snapshot(folder: Path) -> list[tuple[str, int, int, bytes]]:
    """Every path under ``folder`` with its mode, owner and (for files) content."""
    return [
        (
            str(p.relative_to(folder)),
            p.stat().st_mode,
            p.stat().st_uid,
            p.read_bytes() if p.is_file() else b"",
        )
        for p in sorted([folder, *folder.rglob("*")])
    ]


def test_a_data_folder_of_another_postgresql_major_is_refused_untouched(data_dir: Path) -> None:
    """A folder made by the former embedded server (pgserver, PostgreSQL 16) cannot be opened
    by PostgreSQL 18: starting stops with one message that says what to do, and the folder is
    left exactly as it was."""
    pgdata = data_dir / "postgres"
    (pgdata / "base").mkdir(parents=True, mode=0o700)
    (pgdata / "PG_VERSION").write_text("16\n")
    (pgdata / "postgresql.conf").write_text("# a PostgreSQL 16 configuration\n")
    before = _snapshot(pgdata)

    with pytest.raises(EmbeddedError) as refused:
        start_embedded(data_dir)

    message = str(refused.value)
    assert "holds a PostgreSQL 16 database" in message
    assert "embedded PostgreSQL 18 cannot open" in message
    assert "dump it with PostgreSQL 16 and restore it" in message
    assert f"mv {data_dir.resolve()} {data_dir.resolve()}.pg16" in message
    assert _snapshot(pgdata) == before
    assert stop_embedded(data_dir) is True
    assert _snapshot(pgdata) == before
