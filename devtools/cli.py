"""Local development commands: ``python -m devtools.cli <command>`` (``make run``, ...).

    run       embedded PostgreSQL/Redis when DATABASE_URL/REDIS_URL are unset, migrations,
              demo data, then the API (granian) and the worker (arq) until Ctrl-C
    migrate   alembic upgrade head (on the embedded database when DATABASE_URL is unset)
    stop      stop embedded servers left running in DATA_DIR (e.g. after a crash)

The production commands (``api``, ``worker``, ``migrate`` on real servers) are
``python -m app.cli``, the container's entrypoint.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from app.cli import WORKER_SPEC, alembic_upgrade, api_argv, migrate_exit_code, say
from app.config import Settings, get_settings
from devtools import embedded
from devtools.supervisor import (
    Child,
    Shutdown,
    display_host,
    install_cleanup_guard,
    install_shutdown_handlers,
    spawn,
    stop_children,
    supervise,
    wait_listening,
)


def _seed_demo(database_url: str) -> None:
    from devtools.demo import seed_demo

    login = asyncio.run(seed_demo(database_url))
    if login is not None:
        email, password = login
        say(f"created a demo company; log in with email {email} and password {password}")


def _start_embedded(settings: Settings, data_dir: Path) -> tuple[str, str]:
    """Start embedded servers for the URLs that are unset; return both URLs."""
    embedded_pg, embedded_redis = not settings.database_url, not settings.redis_url
    names = [n for n, on in (("PostgreSQL", embedded_pg), ("Redis", embedded_redis)) if on]
    say(f"starting embedded {' and '.join(names)} in {data_dir}")
    started = time.monotonic()
    services = embedded.start_embedded(data_dir, postgres=embedded_pg, redis=embedded_redis)
    say(f"embedded servers ready in {time.monotonic() - started:.1f} s")
    if embedded_pg:  # no password in it, unlike a user-supplied URL
        say(f"database: {services.database_url}")
    database_url = settings.database_url or services.database_url
    redis_url = settings.redis_url or services.redis_url
    if not database_url or not redis_url:  # pragma: no cover - start_embedded sets both
        raise embedded.EmbeddedError("no database or Redis URL")
    return database_url, redis_url


def _start_children(settings: Settings, env: dict[str, str], children: list[Child]) -> None:
    """Start the API and the worker, appending each to ``children`` as soon as it exists (so
    a signal arriving meanwhile still stops it); print the docs URL once the API listens."""
    host, port = settings.host, settings.port
    children.append(spawn("api", api_argv(host, port, log_level=settings.log_level), env))
    children.append(spawn("worker", [sys.executable, "-m", "arq", WORKER_SPEC], env))
    if wait_listening(display_host(host), port, children):
        say("running; press Ctrl-C to stop")
        print(f"API docs: http://{display_host(host)}:{port}/docs", flush=True)


def cmd_run(settings: Settings) -> int:
    """Run everything for local use until Ctrl-C/SIGTERM (exit 0) or a child dies (non-zero).

    Order on the way up: embedded servers (only those whose URL is unset), migrations, demo
    seed (embedded database only, DEMO_SEED), API and worker. On the way down, the reverse:
    API and worker first, then the embedded servers, so nothing loses its connections
    while it still works. Embedded data stays in DATA_DIR for the next run.
    """
    install_shutdown_handlers()
    data_dir = settings.data_dir.expanduser().resolve()
    uses_embedded = not settings.database_url or not settings.redis_url
    children: list[Child] = []
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
        alembic_upgrade(env)
        if not settings.database_url and settings.demo_seed:
            _seed_demo(database_url)
        _start_children(settings, env, children)
        exit_code = supervise(children)
    except Shutdown as exc:
        say(f"received {exc}, shutting down")
    except subprocess.CalledProcessError as exc:
        say(f"{' '.join(map(str, exc.cmd[1:]))} failed with code {exc.returncode}")
        exit_code = 1
    except embedded.EmbeddedError as exc:
        say(f"error: {exc}")
        exit_code = 1
    finally:
        # A signal arriving during cleanup must not interrupt it.
        install_cleanup_guard()
        stop_children(children)
        if uses_embedded:
            say("stopping embedded servers")
            embedded.stop_embedded(data_dir)
    say("stopped" if exit_code == 0 else f"stopped (exit code {exit_code})")
    return exit_code


def cmd_migrate(settings: Settings) -> int:
    """``alembic upgrade head``; with DATABASE_URL unset, on the embedded database (started
    for the duration when no ``make run`` is using it)."""
    env = dict(os.environ)
    if settings.database_url:
        env["DATABASE_URL"] = settings.database_url
        return migrate_exit_code(env)
    data_dir = settings.data_dir.expanduser().resolve()
    try:
        services = embedded.start_embedded(data_dir, redis=False)
        env.update(DATABASE_URL=str(services.database_url), DATA_DIR=str(data_dir))
        return migrate_exit_code(env)
    except embedded.EmbeddedError as exc:
        say(f"error: {exc}")
        return 1
    finally:
        embedded.stop_embedded(data_dir)


def cmd_stop(settings: Settings) -> int:
    """Stop the embedded servers of DATA_DIR whoever uses them (cleanup after a crash)."""
    data_dir = settings.data_dir.expanduser().resolve()
    embedded.stop_embedded(data_dir, force=True)
    say(f"embedded servers in {data_dir} are stopped")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run the command; returns the process exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m devtools.cli", description="Trackr local development commands"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="embedded servers (if needed), migrations, API and worker")
    sub.add_parser("migrate", help="alembic upgrade head (embedded database if no URL)")
    sub.add_parser("stop", help="stop embedded servers left running in DATA_DIR")
    args = parser.parse_args(argv)

    settings = get_settings()
    if args.command == "run":
        return cmd_run(settings)
    if args.command == "migrate":
        return cmd_migrate(settings)
    return cmd_stop(settings)


if __name__ == "__main__":
    sys.exit(main())
