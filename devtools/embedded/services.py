"""Start and stop the embedded servers of a data folder, shared by any number of processes."""

from __future__ import annotations

import atexit
from dataclasses import dataclass
from pathlib import Path

from devtools.embedded.errors import EmbeddedError
from devtools.embedded.folder import locked, prepare_data_dir, update_users, users_path
from devtools.embedded.postgres import (
    check_database_name,
    postgres_fast_unsafe,
    start_postgres,
    stop_postgres,
)
from devtools.embedded.redis import start_redis, stop_redis

DEFAULT_DATABASE = "trackr"
TEST_DATA_DIR = Path(".trackr-data-test")
TEST_DATABASE = "test"


@dataclass(frozen=True)
class EmbeddedServices:
    """Connection URLs of the embedded servers of one data folder (None: not started)."""

    data_dir: Path
    database_url: str | None
    redis_url: str | None


def start_embedded(
    data_dir: Path,
    *,
    postgres: bool = True,
    redis: bool = True,
    database: str = DEFAULT_DATABASE,
) -> EmbeddedServices:
    """Ensure the requested servers run from ``data_dir`` and register this process as a user.

    Guarantees on return: PostgreSQL accepts connections and ``database`` exists
    (``postgresql+asyncpg://postgres@/<database>?host=<socket dir>``, trust auth over a unix
    socket in a folder only the owner can enter); Redis answers PING on 127.0.0.1
    (``redis://:<password>@127.0.0.1:<port>/0``, append-only file on). Data persists in
    ``data_dir`` across restarts. Servers already running from ``data_dir`` (another user, or
    left behind by a crashed run) are reused. Call :func:`stop_embedded` when done, also after
    an exception: a partial start is then cleaned up.
    """
    check_database_name(database)
    data_dir = prepare_data_dir(data_dir)
    with locked(data_dir):
        update_users(data_dir, add=True)
        database_url = start_postgres(data_dir / "postgres", database) if postgres else None
        redis_url = start_redis(data_dir / "redis") if redis else None
    return EmbeddedServices(data_dir=data_dir, database_url=database_url, redis_url=redis_url)


def stop_embedded(data_dir: Path, *, force: bool = False) -> bool:
    """Release this process's use of ``data_dir``; stop the servers if no live user remains.

    With ``force`` the servers are stopped whoever uses them (for ``python -m devtools.cli
    stop`` after a crash). Stopping is clean: PostgreSQL gets a fast shutdown (open
    transactions are rolled back, a checkpoint is written) and Redis a SIGTERM (it flushes its
    append-only file); a server that ignores that for 30 s is killed. Returns True when the
    servers were stopped (or none was running), False when other users keep them running.
    Safe to call repeatedly, and for a folder whose servers never started.
    """
    data_dir = data_dir.expanduser().resolve()
    if not data_dir.is_dir():
        return True
    with locked(data_dir):
        remaining = update_users(data_dir, add=False)
        if remaining and not force:
            return False
        stop_redis(data_dir / "redis")
        stop_postgres(data_dir / "postgres")
        users_path(data_dir).unlink(missing_ok=True)
        return True


_test_users: set[Path] = set()


def ensure_test_services(data_dir: Path = TEST_DATA_DIR) -> tuple[str, str]:
    """Return ``(database_url, redis_url)`` of embedded servers for the test suite.

    For a conftest when TEST_DATABASE_URL/TEST_REDIS_URL are unset. ``data_dir`` must differ
    from ``make run``'s DATA_DIR (default ``.trackr-data-test/``), so tests never touch the
    data of a local run. The database is named ``test``; durability is traded for speed
    (fsync off) since test data is disposable. Several test processes (pytest-xdist) share
    the servers; they are stopped when the last one exits (atexit), or left running if test
    processes are killed, to be reused by the next run. Idempotent within a process.
    """
    from app.config import Settings

    data_dir = data_dir.expanduser().resolve()
    if data_dir == Settings().data_dir.expanduser().resolve():
        raise EmbeddedError(
            f"test services must not use the run data folder {data_dir}; pick another folder"
        )
    services = start_embedded(data_dir, database=TEST_DATABASE)
    if services.database_url is None or services.redis_url is None:  # pragma: no cover
        raise EmbeddedError("embedded services did not return URLs")
    if data_dir not in _test_users:
        _test_users.add(data_dir)
        postgres_fast_unsafe(data_dir / "postgres")
        atexit.register(stop_embedded, data_dir)
    return services.database_url, services.redis_url
