"""arq worker: `arq workers.settings.WorkerSettings`.

PostgreSQL holds the work and Redis only delivers it (see README): every job reads its
input from the database and is safe to run twice.
"""

from __future__ import annotations

from typing import Any, ClassVar

from arq import cron
from arq.connections import RedisSettings

from app import logging as app_logging
from app.config import get_settings
from app.db import create_engine, create_session_factory
from workers.maintenance import purge_expired

_settings = get_settings()


async def startup(ctx: dict[str, Any]) -> None:
    app_logging.configure(_settings.log_level, json=_settings.log_json)
    engine = create_engine(_settings)
    ctx["settings"] = _settings
    ctx["engine"] = engine
    ctx["sessions"] = create_session_factory(engine)


async def shutdown(ctx: dict[str, Any]) -> None:
    await ctx["engine"].dispose()


class WorkerSettings:
    functions: ClassVar[list[Any]] = [purge_expired]
    cron_jobs: ClassVar[list[Any]] = [cron(purge_expired, minute={7}, run_at_startup=True)]
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = RedisSettings.from_dsn(_settings.redis_url or "redis://127.0.0.1:6379/0")
    max_jobs = 10
    job_timeout = 300
