"""The reminder scan: order reminder dates, customer reminders and equipment warranty
expiries (their reminder day) that have come, in their company's timezone, become
notifications on the users' control panels.

It selects what is due and not yet notified, never "what fell due since the last run": arq
skips the cron slots of a minute when no worker runs, and the next scan catches up. Each
batch is one transaction that locks its reminders (skipping those another scan holds),
inserts the notifications and marks the reminders notified; a unique index makes a second
notification of the same reminder and user impossible. So it can run late, twice, or on
two workers at once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.notification import service as notifications
from app.notification.schemas import BatchResult, LocalDates

log = structlog.get_logger(__name__)

BATCH_SIZE = 500

Step = Callable[..., Awaitable[BatchResult]]


async def scan(
    sessions: async_sessionmaker[AsyncSession],
    *,
    now: datetime | None = None,
    batch_size: int = BATCH_SIZE,
) -> dict[str, int]:
    """Notify every reminder due at `now` (default: the current time) and not notified yet;
    batches of `batch_size` reminders, each committed on its own. Returns the counts."""
    dates = notifications.local_dates(now or datetime.now(UTC))
    counts = {
        "order_reminders": 0,
        "customer_reminders": 0,
        "warranty_expiries": 0,
        "notifications": 0,
    }
    steps: tuple[tuple[str, Step], ...] = (
        ("order_reminders", notifications.notify_due_orders),
        ("customer_reminders", notifications.notify_due_customer_reminders),
        ("warranty_expiries", notifications.notify_due_warranties),
    )
    for name, step in steps:
        while True:
            batch = await _batch(sessions, step, dates, batch_size)
            counts[name] += batch.reminders
            counts["notifications"] += batch.notifications
            if batch.reminders < batch_size:
                break
    log.info("reminders_scanned", **counts)
    return counts


async def _batch(
    sessions: async_sessionmaker[AsyncSession], step: Step, dates: LocalDates, limit: int
) -> BatchResult:
    async with sessions.begin() as session:
        result: BatchResult = await step(session, dates, limit=limit)
    return result


async def scan_reminders(ctx: dict[str, Any]) -> dict[str, int]:
    """The arq cron job (every minute, and at start-up to catch up): `scan` with the
    worker's sessions."""
    return await scan(ctx["sessions"])
