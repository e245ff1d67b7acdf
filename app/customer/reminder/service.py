"""Reminders on a customer (seed 002's Reminders tab): a due date, an office user and a
message. On the due date, in the company's timezone, the reminder scan
(workers/reminders.py) puts it on that user's control panel (app.notification)."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.customer.models import Customer
from app.customer.reminder.models import CustomerReminder
from app.customer.reminder.repository import CustomerReminderRepository
from app.customer.reminder.schemas import CustomerReminderCreate, CustomerReminderUpdate
from app.customer.repository import CustomerRepository
from app.event import service as events
from app.kit.concurrency import check_version
from app.kit.pagination import CursorCodec, PageParams, PageResult, Sort
from app.user import service as users

SORTS = {
    "due_on": Sort("due_on", CustomerReminder.due_on, CustomerReminder.id),
    "-due_on": Sort("-due_on", CustomerReminder.due_on, CustomerReminder.id, descending=True),
    "created_at": Sort("created_at", CustomerReminder.created_at, CustomerReminder.id),
    "-created_at": Sort(
        "-created_at", CustomerReminder.created_at, CustomerReminder.id, descending=True
    ),
}


async def _scope(
    session: AsyncSession, principal: Principal, customer_id: uuid.UUID
) -> tuple[Customer, CustomerReminderRepository]:
    """The customer (404 when it is not the company's) and a repository of its reminders."""
    customer = await CustomerRepository(session, principal.company_id).get_or_404(customer_id)
    return customer, CustomerReminderRepository(session, principal.company_id, customer.id)


async def list_reminders(
    session: AsyncSession,
    principal: Principal,
    customer_id: uuid.UUID,
    *,
    assigned_user_id: uuid.UUID | None,
    due_from: date | None,
    due_to: date | None,
    sort: str,
    params: PageParams,
    codec: CursorCodec,
) -> PageResult[CustomerReminder]:
    """The customer's reminders (soonest first by default), for one user or a range of due
    dates (inclusive) when asked."""
    _, repository = await _scope(session, principal, customer_id)
    stmt = repository.select()
    if assigned_user_id is not None:
        stmt = stmt.where(CustomerReminder.assigned_user_id == assigned_user_id)
    if due_from is not None:
        stmt = stmt.where(CustomerReminder.due_on >= due_from)
    if due_to is not None:
        stmt = stmt.where(CustomerReminder.due_on <= due_to)
    return await repository.page(stmt, sort=SORTS[sort], params=params, codec=codec)


async def get_reminder(
    session: AsyncSession, principal: Principal, customer_id: uuid.UUID, reminder_id: uuid.UUID
) -> CustomerReminder:
    """One reminder of the customer; 404 for another customer's."""
    _, repository = await _scope(session, principal, customer_id)
    return await repository.get_or_404(reminder_id)


async def create_reminder(
    session: AsyncSession,
    principal: Principal,
    customer_id: uuid.UUID,
    body: CustomerReminderCreate,
) -> CustomerReminder:
    """Set a reminder for an active user of the company (422 naming `assigned_user_id`
    otherwise: another company's user, a disabled one, none at all). A due date already
    past notifies at the next scan."""
    customer, repository = await _scope(session, principal, customer_id)
    await users.require_active_users(
        session, principal.company_id, [body.assigned_user_id], field="assigned_user_id"
    )
    reminder = repository.add(
        CustomerReminder(
            due_on=body.due_on,
            assigned_user_id=body.assigned_user_id,
            message=body.message,
            created_by=principal.user_id,
        )
    )
    await session.flush()
    events.record(session, principal, "created", reminder, parent=customer)
    return reminder


async def update_reminder(
    session: AsyncSession,
    principal: Principal,
    customer_id: uuid.UUID,
    reminder_id: uuid.UUID,
    body: CustomerReminderUpdate,
    *,
    expected_version: int | None,
) -> CustomerReminder:
    """Change the fields sent, under the row's lock (so a concurrent scan either notified
    before, or sees the new values). A new due date or user makes a notified reminder
    pending again, so it notifies on the new date or the new user."""
    customer, repository = await _scope(session, principal, customer_id)
    reminder = await repository.get_or_404(reminder_id, for_update=True)
    check_version(reminder.version, expected_version)
    before = events.snapshot(reminder)
    changes = body.changes()
    if "assigned_user_id" in changes:
        await users.require_active_users(
            session, principal.company_id, [changes["assigned_user_id"]], field="assigned_user_id"
        )
    rescheduled = any(
        name in changes and changes[name] != getattr(reminder, name)
        for name in ("due_on", "assigned_user_id")
    )
    for name in ("due_on", "assigned_user_id", "message"):
        if name in changes:
            setattr(reminder, name, changes[name])
    if rescheduled:
        reminder.notified_at = None
    await session.flush()
    events.record(session, principal, "updated", reminder, before=before, parent=customer)
    return reminder


async def delete_reminder(
    session: AsyncSession,
    principal: Principal,
    customer_id: uuid.UUID,
    reminder_id: uuid.UUID,
    *,
    expected_version: int | None,
) -> None:
    """Delete the reminder and, with it (foreign key cascade), its notifications."""
    customer, repository = await _scope(session, principal, customer_id)
    reminder = await repository.get_or_404(reminder_id, for_update=True)
    check_version(reminder.version, expected_version)
    before = events.snapshot(reminder)
    await repository.delete(reminder)
    await session.flush()
    events.record(
        session, principal, "deleted", reminder, before=before, deleted=True, parent=customer
    )
