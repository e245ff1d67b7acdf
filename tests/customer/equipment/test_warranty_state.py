"""Warranty state as of today in the company's timezone: `warranty_months_left` and the
list's `warranty=active|expiring|expired` filter (expiring: within the company's
`warranty_reminder_days`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from app.customer.equipment.warranty import add_months, whole_months
from tests.customer.equipment.helpers import add_equipment, list_ids
from tests.factories import Caller, create_customer, signup

# UTC+14 and UTC-11: 25 hours apart, so at any instant their dates differ.
AHEAD, BEHIND = "Pacific/Kiritimati", "Pacific/Pago_Pago"


async def _settings(client: httpx.AsyncClient, admin: Caller, **fields: object) -> None:
    response = await client.patch("/v1/company", headers=admin.headers, json=fields)
    assert response.status_code == 200, response.text


async def test_months_left_and_expiry_count_from_the_companys_today(
    client: httpx.AsyncClient,
) -> None:
    now = datetime.now(UTC)
    ahead_today = now.astimezone(ZoneInfo(AHEAD)).date()
    behind_today = now.astimezone(ZoneInfo(BEHIND)).date()
    assert behind_today < ahead_today
    expires = {
        "today_ahead": ahead_today.isoformat(),
        "month_behind": add_months(behind_today, 1).isoformat(),
    }
    results: dict[str, dict[str, dict[str, object]]] = {}
    for timezone in (AHEAD, BEHIND):
        admin = await signup(client, f"Equipment in {timezone}", timezone=timezone)
        customer_id = await create_customer(client, admin)
        rows = {
            name: await add_equipment(client, admin, customer_id, warranty_expires_on=day)
            for name, day in expires.items()
        }
        expired = await list_ids(client, admin, customer_id, warranty="expired")
        active = await list_ids(client, admin, customer_id, warranty="active")
        results[timezone] = {
            name: {
                "left": row["warranty_months_left"],
                "expired": row["id"] in expired,
                "active": row["id"] in active,
            }
            for name, row in rows.items()
        }
    # Expiring today on Kiritimati: expired there, still active in Pago Pago (yesterday).
    assert results[AHEAD]["today_ahead"] == {"left": 0, "expired": True, "active": False}
    assert results[BEHIND]["today_ahead"] == {"left": 0, "expired": False, "active": True}
    # A month from Pago Pago's today: a whole month there, less on Kiritimati (a day on).
    month_behind = add_months(behind_today, 1)
    assert results[BEHIND]["month_behind"]["left"] == 1
    assert results[AHEAD]["month_behind"]["left"] == whole_months(ahead_today, month_behind)


async def test_expiring_is_within_the_companys_reminder_window(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client, "Window Co", timezone="UTC")
    customer_id = await create_customer(client, admin)
    today = datetime.now(UTC).date()

    async def expiring_in(days: int) -> str:
        day = (today + timedelta(days=days)).isoformat()
        return str((await add_equipment(client, admin, customer_id, warranty_expires_on=day))["id"])

    expired, ends_today = await expiring_in(-400), await expiring_in(0)
    tomorrow, day_30, day_31, far = (
        await expiring_in(1),
        await expiring_in(30),
        await expiring_in(31),
        await expiring_in(400),
    )
    without = (await add_equipment(client, admin, customer_id))["id"]

    assert await list_ids(client, admin, customer_id, warranty="expired") == [
        expired,
        ends_today,
    ]
    assert await list_ids(client, admin, customer_id, warranty="expiring") == [tomorrow, day_30]
    assert await list_ids(client, admin, customer_id, warranty="active") == [
        tomorrow,
        day_30,
        day_31,
        far,
    ]
    assert without in await list_ids(client, admin, customer_id)
    await _settings(client, admin, warranty_reminder_days=0)
    assert await list_ids(client, admin, customer_id, warranty="expiring") == []
    await _settings(client, admin, warranty_reminder_days=60)
    assert await list_ids(client, admin, customer_id, warranty="expiring") == [
        tomorrow,
        day_30,
        day_31,
    ]
