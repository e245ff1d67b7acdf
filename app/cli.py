"""The production entrypoint of the container: ``python -m app.cli <command>``.

DATABASE_URL and REDIS_URL are required (SECRET_KEY too for the API)::

    api [--migrate]   serve the API with granian on HOST:PORT
    worker            run the arq worker
    migrate           alembic upgrade head (once per release)

The local one-command run with embedded servers is ``make run`` (``devtools/``).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence

from app.config import Settings, get_settings

WORKER_SPEC = "workers.settings.WorkerSettings"
API_SPEC = "app.main:app"


def api_argv(host: str, port: int, *, log_level: str = "info") -> list[str]:
    """The HTTP server's command line for the API: granian (ASGI, uvloop), chosen over
    uvicorn with httptools by `make bench`'s scaling run (README, Performance). One worker
    process unless GRANIAN_WORKERS says otherwise (granian reads it), so that a container
    is one process and scaling out is the orchestrator's; API_PROCESSES must count them
    all (the connection budget)."""
    return [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "asgi",
        "--loop",
        "uvloop",
        "--no-ws",
        "--host",
        host,
        "--port",
        str(port),
        "--log-level",
        log_level.lower(),
        "--no-access-log",  # the app logs every request itself (structlog)
        # A worker still busy this long after SIGTERM is killed.
        "--workers-kill-timeout",
        "10",
        API_SPEC,
    ]


def say(message: str) -> None:
    """One line for the operator, prefixed so it stands out among the servers' logs."""
    print(f"trackr: {message}", flush=True)  # noqa: T201


def alembic_upgrade(env: dict[str, str]) -> None:
    """Run ``alembic upgrade head`` in a child; raises CalledProcessError if it fails."""
    say("migrating the database (alembic upgrade head)")
    subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], env=env, check=True)


def migrate_exit_code(env: dict[str, str]) -> int:
    """:func:`alembic_upgrade` as a process exit code."""
    try:
        alembic_upgrade(env)
    except subprocess.CalledProcessError as exc:
        return exc.returncode or 1
    return 0


def _require_production_settings(settings: Settings, command: str) -> None:
    """Exit 2 with a clear message when a production command lacks its configuration."""
    missing = [
        name
        for name, value in (
            ("DATABASE_URL", settings.database_url),
            ("REDIS_URL", settings.redis_url if command != "migrate" else "n/a"),
            # Every replica must sign with the same key; a generated one is per machine.
            ("SECRET_KEY", settings.secret_key if command == "api" else "n/a"),
        )
        if not value
    ]
    if missing:
        say(
            f"{command}: {', '.join(missing)} must be set "
            "(`make run` is the local mode with embedded servers)"
        )
        raise SystemExit(2)


def cmd_api(settings: Settings, *, migrate: bool) -> int:
    """Production API: optionally migrate, then replace this process with uvicorn."""
    _require_production_settings(settings, "api")
    if migrate:
        alembic_upgrade(dict(os.environ))
    argv = api_argv(settings.host, settings.port, log_level=settings.log_level)
    # exec: the server becomes the process the orchestrator signals (SIGTERM = graceful stop).
    os.execv(sys.executable, argv)  # noqa: S606 - fixed argv, no shell


def cmd_worker(settings: Settings) -> int:
    """Production worker: replace this process with the arq worker."""
    _require_production_settings(settings, "worker")
    os.execv(sys.executable, [sys.executable, "-m", "arq", WORKER_SPEC])  # noqa: S606


def cmd_migrate(settings: Settings) -> int:
    """``alembic upgrade head`` on DATABASE_URL."""
    _require_production_settings(settings, "migrate")
    return migrate_exit_code({**os.environ, "DATABASE_URL": str(settings.database_url)})


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run the command; returns the process exit code."""
    parser = argparse.ArgumentParser(prog="python -m app.cli", description="Trackr commands")
    sub = parser.add_subparsers(dest="command", required=True)
    api = sub.add_parser("api", help="production API server (granian)")
    api.add_argument("--migrate", action="store_true", help="run migrations before serving")
    sub.add_parser("worker", help="production arq worker")
    sub.add_parser("migrate", help="alembic upgrade head")
    args = parser.parse_args(argv)

    settings = get_settings()
    if args.command == "api":
        return cmd_api(settings, migrate=args.migrate)
    if args.command == "worker":
        return cmd_worker(settings)
    return cmd_migrate(settings)


if __name__ == "__main__":
    sys.exit(main())
