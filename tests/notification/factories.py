"""Notifications come from the reminder scan only: these make reminders through the API and
run the scan (workers/reminders.py) on the app's own database, as the worker would."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.factories import Caller, assign, create_order, signup
from workers.reminders import scan


def sessions_of(app: FastAPI) -> async_sessionmaker[AsyncSession]:
    sessions: async_sessionmaker[AsyncSession] = app.state.sessions
    return sessions


async def scan_at(app: FastAPI, now: datetime | None = None, **options: int) -> dict[str, int]:
    """Run one reminder scan as if it were `now` (default: now)."""
    return await scan(sessions_of(app), now=now or datetime.now(UTC), **options)


async def signup_in(client: httpx.AsyncClient, timezone: str) -> Caller:
    """A new company in `timezone`, and its admin."""
    return await signup(client, f"Reminders in {timezone}", timezone=timezone)


async def order_with_reminder(
    client: httpx.AsyncClient,
    caller: Caller,
    reminder_on: str,
    assignees: list[str],
    *,
    title: str = "Order",
    **fields: object,
) -> str:
    """An order with a reminder date and these users associated with it."""
    order_id = await create_order(client, caller, title=title, reminder_on=reminder_on, **fields)
    for user_id in assignees:
        await assign(client, caller, order_id, user_id)
    return order_id
