"""Command line: ``python -m app.cli <command>``.

Local development (``make run``)::

    run       embedded PostgreSQL/Redis when DATABASE_URL/REDIS_URL are unset, migrations,
              demo data, then the API (uvicorn) and the worker (arq) until Ctrl-C
    migrate   alembic upgrade head (on the embedded database when DATABASE_URL is unset)
    stop      stop embedded servers left running in DATA_DIR (e.g. after a crash)

Production (the container's entrypoint; DATABASE_URL and REDIS_URL are required)::

    api [--migrate]   serve the API with uvicorn on HOST:PORT
    worker            run the arq worker
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import ipaddress
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from app.config import Settings, get_settings

_CHILD_STOP_TIMEOUT_S = 20.0
_API_READY_TIMEOUT_S = 60.0
_WORKER_SPEC = "workers.settings.WorkerSettings"


def _say(message: str) -> None:
    print(f"trackr: {message}", flush=True)


class _Shutdown(Exception):
    """Raised by the SIGINT/SIGTERM handler to unwind into the cleanup code."""


def _already_stopping(signum: int, frame: FrameType | None) -> None:
    _say("already stopping, please wait")


def _install_cleanup_guard() -> None:
    """From now on SIGINT/SIGTERM are acknowledged but cannot interrupt the cleanup."""
    signal.signal(signal.SIGINT, _already_stopping)
    signal.signal(signal.SIGTERM, _already_stopping)


def _install_shutdown_handlers() -> None:
    """First SIGINT/SIGTERM unwinds into cleanup; later ones are ignored so cleanup finishes."""

    def shutdown(signum: int, frame: FrameType | None) -> None:
        _install_cleanup_guard()
        raise _Shutdown(signal.Signals(signum).name)

    signal.signal(signal.SIGINT, shutdown)
    signal.signal(signal.SIGTERM, shutdown)


def _die_with_parent() -> None:
    """In a child, before exec: get SIGTERM if the supervisor dies (even by kill -9).

    Children run in their own process group (so the terminal's Ctrl-C reaches the
    supervisor only, which stops them in order); this keeps them from being orphaned.
    """
    if sys.platform.startswith("linux"):
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGTERM))


@dataclass
class _Child:
    name: str
    proc: subprocess.Popen[bytes]


def _spawn(name: str, argv: Sequence[str], env: dict[str, str]) -> _Child:
    # preexec_fn is unsafe with threads; the supervisor never starts any.
    proc = subprocess.Popen(
        list(argv),
        env=env,
        stdin=subprocess.DEVNULL,  # in a background process group, reading a TTY stops it
        process_group=0,
        preexec_fn=_die_with_parent,  # noqa: PLW1509
        close_fds=True,
    )
    return _Child(name=name, proc=proc)


def _stop_children(children: Sequence[_Child]) -> None:
    """SIGTERM every live child's process group, wait up to 20 s in all, then SIGKILL."""
    for child in children:
        if child.proc.poll() is None:
            _say(f"stopping {child.name}")
            _signal_group(child, signal.SIGTERM)
    deadline = time.monotonic() + _CHILD_STOP_TIMEOUT_S
    for child in children:
        try:
            child.proc.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _say(f"{child.name} did not stop in time, killing it")
            _signal_group(child, signal.SIGKILL)
            child.proc.wait()


def _signal_group(child: _Child, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.proc.pid, sig)


def _alembic_upgrade(env: dict[str, str]) -> None:
    """Run ``alembic upgrade head`` in a child; raises CalledProcessError if it fails."""
    _say("migrating the database (alembic upgrade head)")
    subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], env=env, check=True)


def _migrate_exit_code(env: dict[str, str]) -> int:
    try:
        _alembic_upgrade(env)
    except subprocess.CalledProcessError as exc:
        return exc.returncode or 1
    return 0


def _display_host(host: str) -> str:
    """Where a browser on this machine reaches a server bound to ``host``."""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host or "127.0.0.1"
    if ip.is_unspecified:  # bound to all interfaces: loopback works
        return "127.0.0.1" if ip.version == 4 else "[::1]"
    return f"[{host}]" if ip.version == 6 else host


def _wait_listening(host: str, port: int, children: Sequence[_Child]) -> bool:
    """Wait until host:port accepts TCP connections; False if a child died or on timeout."""
    address = host.strip("[]")
    deadline = time.monotonic() + _API_READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if any(child.proc.poll() is not None for child in children):
            return False
        try:
            with socket.create_connection((address, port), timeout=1):
                return True
        except OSError:
            time.sleep(0.1)
    return False


def _supervise(children: Sequence[_Child]) -> int:
    """Block until a child exits (returns a non-zero code) or a signal raises _Shutdown."""
    while True:
        for child in children:
            code = child.proc.poll()
            if code is not None:
                _say(f"{child.name} exited unexpectedly (code {code}); stopping everything")
                return code if code > 0 else 1
        time.sleep(0.2)


def _seed_demo(database_url: str) -> None:
    from app.demo import seed_demo

    login = asyncio.run(seed_demo(database_url))
    if login is not None:
        email, password = login
        _say(f"created a demo company; log in with email {email} and password {password}")


def _start_embedded(settings: Settings, data_dir: Path) -> tuple[str, str]:
    """Start embedded servers for the URLs that are unset; return both URLs."""
    from app import embedded

    embedded_pg, embedded_redis = not settings.database_url, not settings.redis_url
    names = [n for n, on in (("PostgreSQL", embedded_pg), ("Redis", embedded_redis)) if on]
    _say(f"starting embedded {' and '.join(names)} in {data_dir}")
    started = time.monotonic()
    services = embedded.start_embedded(data_dir, postgres=embedded_pg, redis=embedded_redis)
    _say(f"embedded servers ready in {time.monotonic() - started:.1f} s")
    if embedded_pg:  # no password in it, unlike a user-supplied URL
        _say(f"database: {services.database_url}")
    database_url = settings.database_url or services.database_url
    redis_url = settings.redis_url or services.redis_url
    if not database_url or not redis_url:  # pragma: no cover - start_embedded sets both
        raise embedded.EmbeddedError("no database or Redis URL")
    return database_url, redis_url


def _start_children(settings: Settings, env: dict[str, str], children: list[_Child]) -> None:
    """Start the API and the worker, appending each to ``children`` as soon as it exists (so
    a signal arriving meanwhile still stops it); print the docs URL once the API listens."""
    host, port = settings.host, settings.port
    api_argv = [sys.executable, "-m", "uvicorn", "app.main:app", "--host", host]
    api_argv += ["--port", str(port), "--timeout-graceful-shutdown", "10"]
    api_argv += ["--no-access-log"]  # the app logs every request itself (structlog)
    children.append(_spawn("api", api_argv, env))
    children.append(_spawn("worker", [sys.executable, "-m", "arq", _WORKER_SPEC], env))
    if _wait_listening(_display_host(host), port, children):
        _say("running; press Ctrl-C to stop")
        print(f"API docs: http://{_display_host(host)}:{port}/docs", flush=True)


def cmd_run(settings: Settings) -> int:
    """Run everything for local use until Ctrl-C/SIGTERM (exit 0) or a child dies (non-zero).

    Order on the way up: embedded servers (only those whose URL is unset), migrations, demo
    seed (embedded database only, DEMO_SEED), API and worker. On the way down, the reverse:
    API and worker first, then the embedded servers, so nothing loses its connections
    while it still works. Embedded data stays in DATA_DIR for the next run.
    """
    from app import embedded

    _install_shutdown_handlers()
    data_dir = settings.data_dir.expanduser().resolve()
    uses_embedded = not settings.database_url or not settings.redis_url
    children: list[_Child] = []
    exit_code = 0
    try:
        if uses_embedded:
            database_url, redis_url = _start_embedded(settings, data_dir)
        else:
            database_url, redis_url = str(settings.database_url), str(settings.redis_url)
        # Children (and this process, for the demo seed) read settings from the environment.
        os.environ.update(
            DATABASE_URL=database_url,
            REDIS_URL=redis_url,
            DATA_DIR=str(data_dir),
            PYTHONUNBUFFERED="1",
        )
        get_settings.cache_clear()
        env = dict(os.environ)
        _alembic_upgrade(env)
        if not settings.database_url and settings.demo_seed:
            _seed_demo(database_url)
        _start_children(settings, env, children)
        exit_code = _supervise(children)
    except _Shutdown as exc:
        _say(f"received {exc}, shutting down")
    except subprocess.CalledProcessError as exc:
        _say(f"{' '.join(map(str, exc.cmd[1:]))} failed with code {exc.returncode}")
        exit_code = 1
    except embedded.EmbeddedError as exc:
        _say(f"error: {exc}")
        exit_code = 1
    finally:
        # A signal arriving during cleanup must not interrupt it.
        _install_cleanup_guard()
        _stop_children(children)
        if uses_embedded:
            _say("stopping embedded servers")
            embedded.stop_embedded(data_dir)
    _say("stopped" if exit_code == 0 else f"stopped (exit code {exit_code})")
    return exit_code


def cmd_migrate(settings: Settings) -> int:
    """``alembic upgrade head``; with DATABASE_URL unset, on the embedded database (started
    for the duration when no ``make run`` is using it)."""
    env = dict(os.environ)
    if settings.database_url:
        env["DATABASE_URL"] = settings.database_url
        return _migrate_exit_code(env)
    from app import embedded

    data_dir = settings.data_dir.expanduser().resolve()
    try:
        services = embedded.start_embedded(data_dir, redis=False)
        env.update(DATABASE_URL=str(services.database_url), DATA_DIR=str(data_dir))
        return _migrate_exit_code(env)
    except embedded.EmbeddedError as exc:
        _say(f"error: {exc}")
        return 1
    finally:
        embedded.stop_embedded(data_dir)


def cmd_stop(settings: Settings) -> int:
    """Stop the embedded servers of DATA_DIR whoever uses them (cleanup after a crash)."""
    from app import embedded

    data_dir = settings.data_dir.expanduser().resolve()
    embedded.stop_embedded(data_dir, force=True)
    _say(f"embedded servers in {data_dir} are stopped")
    return 0


def _require_production_settings(settings: Settings, command: str) -> None:
    """Exit 2 with a clear message when a production command lacks its configuration."""
    missing = [
        name
        for name, value in (
            ("DATABASE_URL", settings.database_url),
            ("REDIS_URL", settings.redis_url),
            # Every replica must sign with the same key; a generated one is per machine.
            ("SECRET_KEY", settings.secret_key if command == "api" else "n/a"),
        )
        if not value
    ]
    if missing:
        _say(
            f"{command}: {', '.join(missing)} must be set "
            "(`python -m app.cli run` is the local mode with embedded servers)"
        )
        raise SystemExit(2)


def cmd_api(settings: Settings, *, migrate: bool) -> int:
    """Production API: optionally migrate, then replace this process with uvicorn."""
    _require_production_settings(settings, "api")
    if migrate:
        _alembic_upgrade(dict(os.environ))
    argv = [sys.executable, "-m", "uvicorn", "app.main:app", "--host", settings.host]
    argv += ["--port", str(settings.port), "--no-access-log"]
    # exec: uvicorn becomes the process the orchestrator signals (SIGTERM = graceful stop).
    os.execv(sys.executable, argv)  # noqa: S606 - fixed argv, no shell


def cmd_worker(settings: Settings) -> int:
    """Production worker: replace this process with the arq worker."""
    _require_production_settings(settings, "worker")
    os.execv(sys.executable, [sys.executable, "-m", "arq", _WORKER_SPEC])  # noqa: S606


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run the command; returns the process exit code."""
    parser = argparse.ArgumentParser(prog="python -m app.cli", description="Trackr commands")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="embedded servers (if needed), migrations, API and worker")
    sub.add_parser("migrate", help="alembic upgrade head")
    sub.add_parser("stop", help="stop embedded servers left running in DATA_DIR")
    api = sub.add_parser("api", help="production API server (uvicorn)")
    api.add_argument("--migrate", action="store_true", help="run migrations before serving")
    sub.add_parser("worker", help="production arq worker")
    args = parser.parse_args(argv)

    settings = get_settings()
    if args.command == "run":
        return cmd_run(settings)
    if args.command == "migrate":
        return cmd_migrate(settings)
    if args.command == "stop":
        return cmd_stop(settings)
    if args.command == "api":
        return cmd_api(settings, migrate=args.migrate)
    return cmd_worker(settings)


if __name__ == "__main__":
    sys.exit(main())
