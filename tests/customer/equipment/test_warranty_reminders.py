"""Warranty expiry reminders through the reminder scan (workers/reminders.py): the
company's recipients (its admins when none) are notified `warranty_reminder_days` before
the expiry, in the company's timezone, exactly once per equipment and expiry date, under
repeated and concurrent scans; a new expiry re-arms it."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from app.company.models import Company
from app.customer.equipment.models import Equipment
from app.notification.models import Notification
from app.notification.repository import warranty_batch
from app.notification.service import local_dates
from tests.customer.equipment.helpers import add_equipment, equipment_url
from tests.factories import Caller, create_customer, member, signup
from tests.notification.factories import scan_at, sessions_of

EXPIRES = "2031-07-15"
REMIND_DAY = datetime(2031, 6, 15, 0, 0, tzinfo=UTC)  # 30 days before, the default


async def _panel(client: httpx.AsyncClient, caller: Caller) -> list[dict[str, Any]]:
    response = await client.get(
        "/v1/me/notifications", headers=caller.headers, params={"limit": 200}
    )
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()["data"]
    return rows


async def _stored(app: FastAPI, equipment_id: str) -> int:
    async with sessions_of(app)() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.equipment_id == uuid.UUID(equipment_id))
        )
        return int(count or 0)


async def _settings(client: httpx.AsyncClient, admin: Caller, **fields: object) -> httpx.Response:
    return await client.patch("/v1/company", headers=admin.headers, json=fields)


async def test_the_admins_are_notified_the_configured_days_before_once(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    admin = await signup(client)
    office = await member(client, admin, ["customers:read"])
    customer_id = await create_customer(client, admin, name="Hale Heating")
    piece = await add_equipment(
        client,
        admin,
        customer_id,
        type="Heat pump",
        manufacturer="Daikin",
        model="Altherma 3",
        serial_number="DK-1",
        installed_on="2026-07-15",
        warranty_months=60,
    )
    assert piece["warranty_expires_on"] == EXPIRES
    counts = await scan_at(app, datetime(2031, 6, 14, 23, 59, tzinfo=UTC))
    assert (counts["warranty_expiries"], counts["notifications"]) == (0, 0)

    counts = await scan_at(app, REMIND_DAY)
    assert (counts["warranty_expiries"], counts["notifications"]) == (1, 1)
    (notification,) = await _panel(client, admin)
    assert {k: v for k, v in notification.items() if k not in ("id", "created_at")} == {
        "kind": "warranty_expiry",
        "due_on": EXPIRES,
        "message": "Warranty expires on 2031-07-15: Heat pump Daikin Altherma 3 (serial DK-1)",
        "read_at": None,
        "order_id": None,
        "order_number": None,
        "order_title": None,
        "customer_reminder_id": None,
        "equipment_id": piece["id"],
        "geofence_event_id": None,
        "customer_id": customer_id,
        "customer_name": "Hale Heating",
    }
    assert await _panel(client, office) == []
    # Being notified is not a change of the equipment: same version.
    got = await client.get(equipment_url(customer_id, piece["id"]), headers=admin.headers)
    assert got.headers["etag"] == '"1"'

    for later in (REMIND_DAY, datetime(2031, 7, 14, tzinfo=UTC), datetime(2031, 8, 1, tzinfo=UTC)):
        again = await scan_at(app, later)
        assert (again["warranty_expiries"], again["notifications"]) == (0, 0)
    assert await _stored(app, piece["id"]) == 1


async def test_a_new_expiry_notifies_again_the_same_one_does_not(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    piece = await add_equipment(client, admin, customer_id, warranty_expires_on=EXPIRES)
    url = equipment_url(customer_id, piece["id"])
    await scan_at(app, REMIND_DAY)
    assert await _stored(app, piece["id"]) == 1

    extended = await client.patch(
        url, headers=admin.headers, json={"warranty_expires_on": "2032-07-15"}
    )
    assert extended.status_code == 200, extended.text
    assert (await scan_at(app, REMIND_DAY))["notifications"] == 0
    await scan_at(app, datetime(2032, 6, 15, 1, 0, tzinfo=UTC))
    assert [n["due_on"] for n in await _panel(client, admin)] == ["2032-07-15", EXPIRES]
    # Back to an expiry already notified: nothing new; removed: nothing at all.
    for body in ({"warranty_expires_on": EXPIRES}, {"warranty_expires_on": None}):
        await client.patch(url, headers=admin.headers, json=body)
        await scan_at(app, datetime(2032, 7, 1, tzinfo=UTC))
        assert await _stored(app, piece["id"]) == 2


async def test_the_recipients_setting_and_its_fallback_to_admins(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    admin = await signup(client)
    office = await member(client, admin, ["customers:read"])
    stranger = await signup(client, "Stranger Co")
    company = await client.get("/v1/company", headers=admin.headers)
    assert (
        company.json()["warranty_reminder_days"],
        company.json()["warranty_expiry_recipient_ids"],
    ) == (30, [])

    foreign = await _settings(client, admin, warranty_expiry_recipient_ids=[stranger.user_id])
    assert foreign.status_code == 422
    assert [e["field"] for e in foreign.json()["errors"]] == ["warranty_expiry_recipient_ids"]
    for days in (-1, 366, 1.5, None):
        bad = await _settings(client, admin, warranty_reminder_days=days)
        assert bad.status_code == 422, days
    changed = await _settings(
        client, admin, warranty_expiry_recipient_ids=[office.user_id, office.user_id]
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["warranty_expiry_recipient_ids"] == [office.user_id]
    reader = await member(client, admin, ["customers:read"])
    refused = await client.patch(
        "/v1/company", headers=reader.headers, json={"warranty_reminder_days": 5}
    )
    assert (refused.status_code, refused.json()["permission"]) == (403, "settings:write")

    customer_id = await create_customer(client, admin)
    first = await add_equipment(client, admin, customer_id, warranty_expires_on=EXPIRES)
    await scan_at(app, REMIND_DAY)
    assert [n["equipment_id"] for n in await _panel(client, office)] == [first["id"]]
    assert await _panel(client, admin) == []

    # The recipient disabled: nobody named is left, so the admins are notified.
    disabled = await client.post(f"/v1/users/{office.user_id}/disable", headers=admin.headers)
    assert disabled.status_code == 200, disabled.text
    second = await add_equipment(client, admin, customer_id, warranty_expires_on=EXPIRES)
    await scan_at(app, REMIND_DAY)
    assert [n["equipment_id"] for n in await _panel(client, admin)] == [second["id"]]


async def test_the_reminder_days_setting_moves_pending_reminders(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    admin = await signup(client, "Kiritimati Co", timezone="Pacific/Kiritimati")
    customer_id = await create_customer(client, admin)
    piece = await add_equipment(client, admin, customer_id, warranty_expires_on=EXPIRES)
    changed = await _settings(client, admin, warranty_reminder_days=10)
    assert changed.status_code == 200, changed.text
    await scan_at(app, REMIND_DAY)
    assert await _stored(app, piece["id"]) == 0
    # 10 days before is July 5th, which on Kiritimati (UTC+14) starts at 10:00 UTC on the 4th.
    await scan_at(app, datetime(2031, 7, 4, 9, 59, tzinfo=UTC))
    assert await _stored(app, piece["id"]) == 0
    await scan_at(app, datetime(2031, 7, 4, 10, 0, tzinfo=UTC))
    assert await _stored(app, piece["id"]) == 1
    # A notified expiry stays notified when the window changes again.
    await _settings(client, admin, warranty_reminder_days=40)
    await scan_at(app, datetime(2031, 7, 10, tzinfo=UTC))
    assert await _stored(app, piece["id"]) == 1


async def test_a_warranty_already_expired_when_recorded_is_settled_silently(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    old = await add_equipment(client, admin, customer_id, warranty_expires_on="2031-06-01")
    counts = await scan_at(app, REMIND_DAY)
    assert (counts["warranty_expiries"], counts["notifications"]) == (1, 0)
    assert (await scan_at(app, REMIND_DAY))["warranty_expiries"] == 0
    assert await _stored(app, old["id"]) == 0


async def test_concurrent_scans_notify_each_expiry_and_user_exactly_once(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    admin = await signup(client)
    office = await member(client, admin, ["customers:read"])
    changed = await _settings(
        client, admin, warranty_expiry_recipient_ids=[admin.user_id, office.user_id]
    )
    assert changed.status_code == 200, changed.text
    customer_id = await create_customer(client, admin)
    pieces = [
        (await add_equipment(client, admin, customer_id, warranty_expires_on=EXPIRES))["id"]
        for _ in range(20)
    ]
    first, second = await asyncio.gather(
        scan_at(app, REMIND_DAY, batch_size=3), scan_at(app, REMIND_DAY, batch_size=3)
    )
    assert first["warranty_expiries"] + second["warranty_expiries"] == 20
    assert first["notifications"] + second["notifications"] == 40
    for piece in pieces:
        assert await _stored(app, piece) == 2
    again = await asyncio.gather(scan_at(app, REMIND_DAY), scan_at(app, REMIND_DAY))
    assert [c["notifications"] for c in again] == [0, 0]
    assert len(await _panel(client, office)) == 20

    # Deleting the equipment deletes its notifications.
    deleted = await client.delete(equipment_url(customer_id, pieces[0]), headers=admin.headers)
    assert deleted.status_code == 204
    assert len(await _panel(client, office)) == 19


async def test_the_scan_reads_its_candidates_from_the_partial_index(app: FastAPI) -> None:
    """The batch's candidates come from ix_equipment_warranty_pending (its predicate is
    the scan's), so its cost follows the warranties pending, not the table size."""
    statement = warranty_batch(local_dates(REMIND_DAY), 500)
    engine = sessions_of(app).kw["bind"]
    compiled = statement.compile(dialect=engine.dialect)
    params = [compiled.params[name] for name in compiled.positiontup or ()]
    async with engine.connect() as connection:
        driver = (await connection.get_raw_connection()).driver_connection
        assert isinstance(driver, asyncpg.Connection)
        transaction = driver.transaction()
        await transaction.start()
        try:
            # A near-empty table is cheaper to read whole: forbid that, to see the index.
            await driver.execute("SET LOCAL enable_seqscan = off")
            rows = await driver.fetch(f"EXPLAIN {compiled}", *params)
        finally:
            await transaction.rollback()
    plan = "\n".join(r[0] for r in rows)
    assert "ix_equipment_warranty_pending" in plan, plan


async def test_a_settings_change_during_writes_and_scans_leaves_every_reminder_day_right(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    """Equipment writes read the reminder days under a share lock, and a change of the
    setting moves every reminder day of the company: whatever runs at once, each reminder
    day is the expiry less the final setting, and a scan holding equipment rows does not
    deadlock with the change (its notifications' KEY SHARE on the company does not wait
    for the settings lock)."""
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    for _ in range(10):
        await add_equipment(client, admin, customer_id, warranty_expires_on=EXPIRES)

    async def add() -> None:
        await add_equipment(client, admin, customer_id, warranty_expires_on="2031-08-15")

    results = await asyncio.gather(
        scan_at(app, REMIND_DAY, batch_size=2),
        _settings(client, admin, warranty_reminder_days=7),
        *(add() for _ in range(5)),
        _settings(client, admin, warranty_reminder_days=12),
    )
    settings = await client.get("/v1/company", headers=admin.headers)
    days = settings.json()["warranty_reminder_days"]
    assert days in (7, 12), results
    async with sessions_of(app)() as session:
        rows = (
            await session.execute(
                select(Equipment.warranty_expires_on, Equipment.warranty_remind_on)
            )
        ).all()
    assert len(rows) == 15
    assert {(expires - remind).days for expires, remind in rows if expires and remind} == {days}


async def test_a_settings_change_waits_for_a_scan_holding_equipment_without_deadlock(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    """A scan mid-batch holds equipment rows and then inserts notifications (a KEY SHARE
    on the company row); a change of the reminder days locks the company and then moves
    those rows. The settings lock is FOR NO KEY UPDATE, which KEY SHARE passes: with FOR
    UPDATE the two would deadlock."""
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    await add_equipment(client, admin, customer_id, warranty_expires_on=EXPIRES)
    async with sessions_of(app)() as scan_session:
        await scan_session.execute(select(Equipment.id).with_for_update())
        change = asyncio.create_task(_settings(client, admin, warranty_reminder_days=7))
        await asyncio.sleep(0.5)
        assert not change.done()  # waiting for the equipment rows
        await asyncio.wait_for(
            scan_session.execute(
                select(Company.id)
                .where(Company.id == uuid.UUID(admin.company_id))
                .with_for_update(key_share=True, read=True)
            ),
            timeout=5,
        )
        await scan_session.commit()
    changed = await asyncio.wait_for(change, timeout=10)
    assert changed.status_code == 200, changed.text
