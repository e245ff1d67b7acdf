"""The reminder scan (workers/reminders.py): reminders whose day has come in their company's
timezone become notifications, once per reminder and user, whenever the scan runs (late,
twice, on two workers at once)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from app.notification.models import Notification
from tests.factories import Caller, assign, create_customer, member, signup
from tests.notification.factories import (
    order_with_reminder,
    scan_at,
    sessions_of,
    signup_in,
)

NOON = datetime(2031, 6, 15, 12, 0, tzinfo=UTC)


async def _panel(client: httpx.AsyncClient, caller: Caller, **params: Any) -> list[dict[str, Any]]:
    response = await client.get("/v1/me/notifications", headers=caller.headers, params=params)
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()["data"]
    return rows


async def _stored(app: FastAPI, **where: str) -> int:
    """How many notifications the database holds for these column values."""
    async with sessions_of(app)() as session:
        stmt = select(func.count()).select_from(Notification)
        for column, value in where.items():
            stmt = stmt.where(getattr(Notification, column) == uuid.UUID(value))
        return int(await session.scalar(stmt) or 0)


async def _disable(client: httpx.AsyncClient, admin: Caller, user: Caller) -> None:
    response = await client.post(f"/v1/users/{user.user_id}/disable", headers=admin.headers)
    assert response.status_code == 200, response.text


async def test_a_reminder_due_today_in_the_companys_timezone_notifies_each_assignee_once(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    # At noon UTC it is already 2 a.m. the next day on Kiritimati (UTC+14).
    admin = await signup_in(client, "Pacific/Kiritimati")
    seller = await member(client, admin, ["orders:read"])
    gone = await member(client, admin, ["orders:read"])
    customer_id = await create_customer(client, admin, name="Harriet Hale")
    today = await order_with_reminder(
        client,
        admin,
        "2031-06-16",
        [admin.user_id, seller.user_id, gone.user_id],
        title="Heat pump",
        customer_id=customer_id,
    )
    tomorrow = await order_with_reminder(client, admin, "2031-06-17", [admin.user_id])
    await _disable(client, admin, gone)

    counts = await scan_at(app, NOON)
    assert counts == {
        "order_reminders": 1,
        "customer_reminders": 0,
        "warranty_expiries": 0,
        "notifications": 2,
    }
    number = (await client.get(f"/v1/orders/{today}", headers=admin.headers)).json()["number"]
    for caller in (admin, seller):
        (notification,) = await _panel(client, caller)
        assert {k: v for k, v in notification.items() if k not in ("id", "created_at")} == {
            "kind": "order_reminder",
            "due_on": "2031-06-16",
            "message": f"Order #{number}: Heat pump",
            "read_at": None,
            "order_id": today,
            "order_number": number,
            "order_title": "Heat pump",
            "customer_reminder_id": None,
            "equipment_id": None,
            "geofence_event_id": None,
            "customer_id": customer_id,
            "customer_name": "Harriet Hale",
        }
    assert await _stored(app, user_id=gone.user_id) == 0
    assert await _stored(app, order_id=tomorrow) == 0

    # Scanning again, even later, adds nothing for today's reminder.
    await scan_at(app, NOON)
    await scan_at(app, datetime(2031, 6, 16, 9, 59, tzinfo=UTC))
    assert await _stored(app, order_id=today) == 2
    assert await _stored(app, order_id=tomorrow) == 0
    # Midnight of the 17th on Kiritimati is 10:00 UTC on the 16th.
    await scan_at(app, datetime(2031, 6, 16, 10, 0, tzinfo=UTC))
    assert await _stored(app, order_id=today) == 2
    assert await _stored(app, order_id=tomorrow) == 1


async def test_a_reminder_for_tomorrow_in_the_companys_timezone_waits(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    # At 05:00 UTC on the 15th it is still the 14th in Pago Pago (UTC-11).
    admin = await signup_in(client, "Pacific/Pago_Pago")
    utc_today = await order_with_reminder(client, admin, "2031-06-15", [admin.user_id])
    local_today = await order_with_reminder(client, admin, "2031-06-14", [admin.user_id])
    await scan_at(app, datetime(2031, 6, 15, 5, 0, tzinfo=UTC))
    assert [n["order_id"] for n in await _panel(client, admin)] == [local_today]
    # Midnight in Pago Pago is 11:00 UTC.
    await scan_at(app, datetime(2031, 6, 15, 10, 59, tzinfo=UTC))
    assert await _stored(app, order_id=utc_today) == 0
    await scan_at(app, datetime(2031, 6, 15, 11, 0, tzinfo=UTC))
    assert [n["order_id"] for n in await _panel(client, admin)] == [utc_today, local_today]


async def test_a_company_with_a_timezone_the_system_does_not_know_counts_in_utc(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    admin = await signup_in(client, "Mars/Olympus_Mons")
    order_id = await order_with_reminder(client, admin, "2031-06-15", [admin.user_id])
    await scan_at(app, datetime(2031, 6, 14, 23, 59, tzinfo=UTC))
    assert await _stored(app, order_id=order_id) == 0
    await scan_at(app, datetime(2031, 6, 15, 0, 0, tzinfo=UTC))
    assert await _stored(app, order_id=order_id) == 1


async def test_a_past_reminder_never_notified_is_notified_late(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    """No worker ran for days (arq skipped those cron slots): the first scan catches up."""
    admin = await signup(client)
    order_id = await order_with_reminder(client, admin, "2031-06-01", [admin.user_id])
    await scan_at(app, NOON)
    (notification,) = await _panel(client, admin)
    assert (notification["order_id"], notification["due_on"]) == (order_id, "2031-06-01")


async def test_moving_the_date_notifies_again_on_the_new_date(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    admin = await signup(client)
    order_id = await order_with_reminder(client, admin, "2031-06-15", [admin.user_id])
    await scan_at(app, NOON)
    moved = await client.patch(
        f"/v1/orders/{order_id}", headers=admin.headers, json={"reminder_on": "2031-06-20"}
    )
    assert moved.status_code == 200, moved.text
    await scan_at(app, NOON)
    assert [n["due_on"] for n in await _panel(client, admin)] == ["2031-06-15"]
    await scan_at(app, datetime(2031, 6, 20, 0, 1, tzinfo=UTC))
    assert [n["due_on"] for n in await _panel(client, admin)] == ["2031-06-20", "2031-06-15"]
    # Back to a date already notified: nothing new. Cleared: nothing at all.
    for reminder_on in ("2031-06-15", None):
        await client.patch(
            f"/v1/orders/{order_id}", headers=admin.headers, json={"reminder_on": reminder_on}
        )
        await scan_at(app, datetime(2031, 6, 21, tzinfo=UTC))
        assert await _stored(app, order_id=order_id) == 2


async def test_a_customer_reminder_notifies_its_user_and_again_when_moved(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    admin = await signup(client)
    office = await member(client, admin, ["customers:read"])
    customer_id = await create_customer(client, admin, name="Ivy Inc")
    created = await client.post(
        f"/v1/customers/{customer_id}/reminders",
        headers=admin.headers,
        json={"due_on": "2031-06-15", "assigned_user_id": office.user_id, "message": "Renew"},
    )
    url = f"/v1/customers/{customer_id}/reminders/{created.json()['id']}"
    await scan_at(app, datetime(2031, 6, 14, 23, 0, tzinfo=UTC))
    assert await _panel(client, office) == []
    assert (await client.get(url, headers=admin.headers)).json()["notified_at"] is None

    await scan_at(app, NOON)
    (notification,) = await _panel(client, office)
    assert {k: v for k, v in notification.items() if k not in ("id", "created_at")} == {
        "kind": "customer_reminder",
        "due_on": "2031-06-15",
        "message": "Renew",
        "read_at": None,
        "order_id": None,
        "order_number": None,
        "order_title": None,
        "customer_reminder_id": created.json()["id"],
        "equipment_id": None,
        "geofence_event_id": None,
        "customer_id": customer_id,
        "customer_name": "Ivy Inc",
    }
    assert await _panel(client, admin) == []
    # Being notified is a change of the reminder: a new version, so a stale edit is a 412.
    notified = await client.get(url, headers=admin.headers)
    assert notified.json()["notified_at"] is not None
    assert notified.headers["etag"] == '"2"'
    stale = await client.patch(url, headers={**admin.headers, "If-Match": '"1"'}, json={})
    assert stale.status_code == 412

    # Editing the message keeps it notified; a new date makes it pending again.
    reworded = await client.patch(url, headers=admin.headers, json={"message": "Renew now"})
    assert reworded.json()["notified_at"] is not None
    moved = await client.patch(url, headers=admin.headers, json={"due_on": "2031-06-18"})
    assert moved.json()["notified_at"] is None
    await scan_at(app, NOON)
    assert len(await _panel(client, office)) == 1
    await scan_at(app, datetime(2031, 6, 18, 8, 0, tzinfo=UTC))
    assert [(n["due_on"], n["message"]) for n in await _panel(client, office)] == [
        ("2031-06-18", "Renew now"),
        ("2031-06-15", "Renew"),
    ]
    # A new user is notified too.
    handed_over = await client.patch(
        url, headers=admin.headers, json={"assigned_user_id": admin.user_id}
    )
    assert handed_over.json()["notified_at"] is None
    await scan_at(app, datetime(2031, 6, 18, 9, 0, tzinfo=UTC))
    assert [n["due_on"] for n in await _panel(client, admin)] == ["2031-06-18"]


async def test_a_reminder_whose_user_was_disabled_is_settled_without_a_notification(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    admin = await signup(client)
    office = await member(client, admin, ["customers:read"])
    customer_id = await create_customer(client, admin)
    created = await client.post(
        f"/v1/customers/{customer_id}/reminders",
        headers=admin.headers,
        json={"due_on": "2031-06-15", "assigned_user_id": office.user_id, "message": "Call"},
    )
    await _disable(client, admin, office)
    await scan_at(app, NOON)
    url = f"/v1/customers/{customer_id}/reminders/{created.json()['id']}"
    assert (await client.get(url, headers=admin.headers)).json()["notified_at"] is not None
    assert await _stored(app, user_id=office.user_id) == 0


async def test_deleting_the_customer_or_the_order_deletes_their_notifications(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    created = await client.post(
        f"/v1/customers/{customer_id}/reminders",
        headers=admin.headers,
        json={"due_on": "2031-06-15", "assigned_user_id": admin.user_id, "message": "Call"},
    )
    reminder_id = created.json()["id"]
    order_id = await order_with_reminder(
        client, admin, "2031-06-15", [admin.user_id], customer_id=customer_id
    )
    await scan_at(app, NOON)
    assert len(await _panel(client, admin)) == 2
    deleted = await client.delete(f"/v1/customers/{customer_id}", headers=admin.headers)
    assert deleted.status_code == 204, deleted.text
    assert await _stored(app, customer_reminder_id=reminder_id) == 0
    # The order stays (without its customer), and so does its notification.
    (left,) = await _panel(client, admin)
    assert (left["order_id"], left["customer_id"]) == (order_id, None)
    assert (await client.delete(f"/v1/orders/{order_id}", headers=admin.headers)).status_code == 204
    assert await _panel(client, admin) == []


async def test_concurrent_scans_notify_each_reminder_and_user_exactly_once(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    day = datetime(2031, 7, 1, 12, 0, tzinfo=UTC)
    admin = await signup(client)
    crew = await member(client, admin, ["orders:read"])
    orders = [
        await order_with_reminder(client, admin, "2031-07-01", [admin.user_id, crew.user_id])
        for _ in range(24)
    ]
    customer_id = await create_customer(client, admin)
    for n in range(8):
        created = await client.post(
            f"/v1/customers/{customer_id}/reminders",
            headers=admin.headers,
            json={"due_on": "2031-06-30", "assigned_user_id": crew.user_id, "message": f"#{n}"},
        )
        assert created.status_code == 201, created.text

    first, second = await asyncio.gather(
        scan_at(app, day, batch_size=3), scan_at(app, day, batch_size=3)
    )
    assert first["order_reminders"] + second["order_reminders"] == 24
    assert first["customer_reminders"] + second["customer_reminders"] == 8
    assert first["notifications"] + second["notifications"] == 24 * 2 + 8
    assert await _stored(app, user_id=admin.user_id) == 24
    assert await _stored(app, user_id=crew.user_id) == 24 + 8
    for order_id in orders:
        assert await _stored(app, order_id=order_id) == 2
    again = await asyncio.gather(scan_at(app, day), scan_at(app, day))
    assert [c["notifications"] for c in again] == [0, 0]
    assert len(await _panel(client, crew, limit=200)) == 32


async def test_a_second_assignee_added_later_is_not_notified_for_a_settled_date(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    """The reminder of a date is settled once notified; the control panel is not a live
    query of who is on the order today."""
    admin = await signup(client)
    late = await member(client, admin, ["orders:read"])
    order_id = await order_with_reminder(client, admin, "2031-06-15", [admin.user_id])
    await scan_at(app, NOON)
    await assign(client, admin, order_id, late.user_id)
    await scan_at(app, NOON)
    assert await _stored(app, order_id=order_id) == 1
