"""Stripe events: the webhook stored each one (stripe_event) and enqueued it under its own
id; these jobs apply them. Applying is idempotent (app.billing.event.service.process_event), so a
job run twice (a worker killed mid-job has it re-run after its timeout), a repeated delivery
or a sweep racing a delivery changes nothing more."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from arq import Retry
from arq.connections import ArqRedis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.billing.event import service
from app.errors import TrackrError

log = structlog.get_logger(__name__)
# Tries of one job while Stripe is failing, 10 s, 20 s, ... apart; after that the event
# waits for the sweeper.
MAX_TRIES = 5
SWEEP_BATCH = 500


async def process_stripe_event(ctx: dict[str, Any], event_id: str) -> str:
    sessions: async_sessionmaker[AsyncSession] = ctx["sessions"]
    gateway = ctx["stripe"]  # app.billing.gateway.StripeGateway, None when not configured
    if gateway is None:
        log.warning("stripe_event_skipped", event_id=event_id, reason="billing not configured")
        return "billing not configured"
    try:
        async with sessions.begin() as session:
            outcome = await service.process_event(session, gateway, event_id)
    except TrackrError as exc:  # Stripe failed while we re-read the objects
        async with sessions.begin() as session:
            await service.note_failure(session, event_id, exc.detail)
        log.warning("stripe_event_failed", event_id=event_id, error=exc.detail)
        job_try = int(ctx.get("job_try", 1))
        if job_try < MAX_TRIES:
            raise Retry(defer=10 * job_try) from exc
        return "failed"
    log.info("stripe_event_processed", event_id=event_id, outcome=outcome)
    return outcome


async def sweep_stripe_events(ctx: dict[str, Any]) -> int:
    """Enqueue again the events still unprocessed a while after they arrived: their job was
    lost with Redis, or gave up while Stripe was down. arq keeps one job per event id."""
    sessions: async_sessionmaker[AsyncSession] = ctx["sessions"]
    arq: ArqRedis = ctx["redis"]
    after = timedelta(seconds=ctx["settings"].stripe_event_sweep_after_seconds)
    async with sessions() as session:
        pending = await service.pending_events(session, datetime.now(UTC) - after, SWEEP_BATCH)
    for event_id in pending:
        await service.enqueue_event(arq, event_id)
    if pending:
        log.info("stripe_events_swept", enqueued=len(pending))
    return len(pending)
