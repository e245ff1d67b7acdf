"""The control panel (seed 000): what needs the signed-in user today. Notifications are
written by the reminder scan only (`notify_due_*`, called by workers/reminders.py); a user
reads, and marks read, their own. An API key acts for its creator.

Marking read is the user's own view of their panel, not a change to the company's records,
so it is not audited (the scan's notifications are not either: no one acted)."""

from __future__ import annotations

import functools
import uuid
import zoneinfo
from collections.abc import Sequence
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.errors import NotFound
from app.kit.clock import zone
from app.kit.pagination import CursorCodec, PageParams, PageResult, Sort
from app.notification.models import Notification
from app.notification.repository import (
    NotificationRepository,
    customer_reminder_batch,
    geofence_event_batch,
    order_batch,
    run_batch,
    warranty_batch,
)
from app.notification.schemas import BatchResult, LocalDates

NEWEST_FIRST = Sort("-created_at", Notification.created_at, Notification.id, descending=True)


def _repository(session: AsyncSession, principal: Principal) -> NotificationRepository:
    return NotificationRepository(session, principal.company_id, principal.user_id)


def notify_submission(
    session: AsyncSession,
    company_id: uuid.UUID,
    order_id: uuid.UUID,
    user_ids: Sequence[uuid.UUID],
    *,
    message: str,
    today: date,
) -> None:
    """Tell each of `user_ids` (the company's users) that an order came from the public
    form and waits for review; written with the submission's transaction."""
    session.add_all(
        Notification(
            company_id=company_id,
            user_id=user_id,
            kind="order_submitted",
            order_id=order_id,
            due_on=today,
            message=message,
        )
        for user_id in dict.fromkeys(user_ids)
    )


async def list_notifications(
    session: AsyncSession,
    principal: Principal,
    *,
    unread: bool | None,
    params: PageParams,
    codec: CursorCodec,
) -> PageResult[Any]:
    """The caller's notifications, newest first, only unread (or only read) ones when
    asked: rows of the notification and what it is about (NotificationRepository)."""
    repository = _repository(session, principal)
    stmt = repository.select_rows()
    if unread is not None:
        stmt = stmt.where(
            Notification.read_at.is_(None) if unread else Notification.read_at.is_not(None)
        )
    return await repository.page_rows(stmt, sort=NEWEST_FIRST, params=params, codec=codec)


async def mark_read(session: AsyncSession, principal: Principal, notification_id: uuid.UUID) -> Any:
    """Mark one of the caller's notifications read (again: the first read time stays);
    404 for anyone else's."""
    repository = _repository(session, principal)
    if not await repository.mark_read(notification_id):
        raise NotFound(f"Notification {notification_id} not found.")
    return await repository.get_row(notification_id)


async def mark_all_read(session: AsyncSession, principal: Principal) -> int:
    """Mark every unread notification of the caller read; how many were."""
    return await _repository(session, principal).mark_all_read()


# --- The reminder scan -----------------------------------------------------------------------


@functools.cache
def _zones() -> tuple[tuple[str, tzinfo], ...]:
    # Built once per process: reading the tz database, and loading each zone (ZoneInfo keeps
    # only a few strongly cached), is most of what computing 600 dates would cost.
    return tuple((name, zone(name)) for name in sorted(zoneinfo.available_timezones()))


def local_dates(now: datetime) -> LocalDates:
    """Today at `now` in every timezone a company can have (company timezones are checked
    against the same tz database; one it does not know counts as UTC, as app.kit.clock
    reads it)."""
    zones = _zones()
    todays = [now.astimezone(tz).date() for _, tz in zones]
    utc_today = now.astimezone(UTC).date()
    return LocalDates(
        zones=[name for name, _ in zones],
        todays=todays,
        utc_today=utc_today,
        latest=max([*todays, utc_today]),
    )


async def notify_due_orders(session: AsyncSession, dates: LocalDates, *, limit: int) -> BatchResult:
    """Notify the active assignees of up to `limit` orders whose reminder date has come (in
    their company's timezone) and was not notified yet, and mark those orders notified for
    that date, in the caller's transaction. Orders another transaction holds are skipped,
    and a (order, date, user) notified before is not notified again (unique index): two
    scans at once notify each user once."""
    return await run_batch(session, order_batch(dates, limit))


async def notify_due_customer_reminders(
    session: AsyncSession, dates: LocalDates, *, limit: int
) -> BatchResult:
    """`notify_due_orders` for customer reminders: their assigned user, once."""
    return await run_batch(session, customer_reminder_batch(dates, limit))


async def notify_due_warranties(
    session: AsyncSession, dates: LocalDates, *, limit: int
) -> BatchResult:
    """`notify_due_orders` for equipment warranties whose reminder day has come: the
    company's warranty recipients (or its admins), once per equipment and expiry date."""
    return await run_batch(session, warranty_batch(dates, limit))


async def notify_geofence_events(
    session: AsyncSession, company_id: uuid.UUID, event_ids: list[uuid.UUID]
) -> None:
    """Notify, in the caller's transaction, the active users of each event's fence whose
    `alert_on` covers its kind; once per event and user. An event withdrawn later takes its
    notifications with it."""
    if event_ids:
        await session.execute(geofence_event_batch(company_id, event_ids))
