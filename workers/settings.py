"""arq worker: `arq workers.settings.WorkerSettings`.

PostgreSQL holds the work and Redis only delivers it (see README): every job reads its
input from the database and is safe to run twice.
"""

from __future__ import annotations

from typing import Any, ClassVar

from arq import cron, func
from arq.connections import RedisSettings

from app import logging as app_logging
from app.billing.gateway import StripeGateway
from app.config import get_settings
from app.db import check_connection_budget, create_engine, create_session_factory
from workers.maintenance import purge_expired
from workers.reminders import scan_reminders
from workers.stripe_events import MAX_TRIES, process_stripe_event, sweep_stripe_events

_settings = get_settings()


async def startup(ctx: dict[str, Any]) -> None:
    app_logging.configure(_settings.log_level, json=_settings.log_json)
    engine = create_engine(_settings)
    await check_connection_budget(engine, _settings)
    ctx["settings"] = _settings
    ctx["engine"] = engine
    ctx["sessions"] = create_session_factory(engine)
    ctx["stripe"] = StripeGateway(_settings) if _settings.stripe_api_key else None


async def shutdown(ctx: dict[str, Any]) -> None:
    if ctx.get("stripe") is not None:
        await ctx["stripe"].aclose()
    await ctx["engine"].dispose()


class WorkerSettings:
    functions: ClassVar[list[Any]] = [
        purge_expired,
        scan_reminders,
        # No result kept: once done, the event's id is free for the sweeper to enqueue
        # again should the row still be pending (the job gave up while Stripe was down).
        func(
            process_stripe_event,
            keep_result=0,
            max_tries=MAX_TRIES,
            timeout=_settings.worker_job_timeout_seconds,
        ),
        sweep_stripe_events,
    ]
    cron_jobs: ClassVar[list[Any]] = [
        cron(purge_expired, minute={7}, run_at_startup=True),
        # Every minute: reminders fall due at each company's midnight, whatever its timezone.
        cron(scan_reminders, run_at_startup=True),
        cron(sweep_stripe_events, run_at_startup=True),
    ]
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = RedisSettings.from_dsn(_settings.redis_url or "redis://127.0.0.1:6379/0")
    queue_name = _settings.arq_queue_name
    max_jobs = 10
    job_timeout = _settings.worker_job_timeout_seconds
