"""`GET /v1/users/{user_id}/availability`: a user's busy intervals in a period (merged where
appointments overlap or touch, uncut), to any caller of the company; another company's user
is a 404."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import Caller, OrderChild, create_order, member, signup

APPOINTMENTS = OrderChild("appointments")
DAY = {"from": "2026-12-01T00:00:00Z", "to": "2026-12-02T00:00:00Z"}


def _url(user_id: str) -> str:
    return f"/v1/users/{user_id}/availability"


async def _book(
    client: httpx.AsyncClient,
    admin: Caller,
    order_id: str,
    user: Caller,
    starts_at: str,
    minutes: int = 60,
    **fields: Any,
) -> None:
    await APPOINTMENTS.add(
        client,
        admin,
        order_id,
        {"starts_at": starts_at, "duration_minutes": minutes, "user_ids": [user.user_id], **fields},
    )


async def test_busy_intervals_merged(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    tech = await member(client, admin, ["orders:read"])
    nobody = await member(client, admin, [])  # no permission at all: still may ask
    order_id = await create_order(client, admin)
    await _book(client, admin, order_id, tech, "2026-11-30T23:00:00Z", 120)  # into the day
    await _book(client, admin, order_id, tech, "2026-12-01T09:00:00Z")
    await _book(client, admin, order_id, tech, "2026-12-01T10:00:00Z")  # back to back
    await _book(client, admin, order_id, tech, "2026-12-01T10:30:00Z", 90, allow_overlap=True)
    await _book(client, admin, order_id, tech, "2026-12-01T15:00:00Z")
    await _book(client, admin, order_id, tech, "2026-12-02T00:00:00Z")  # after the day
    await _book(client, admin, order_id, admin, "2026-12-01T12:00:00Z")  # someone else
    response = await client.get(_url(tech.user_id), headers=nobody.headers, params=DAY)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "user_id": tech.user_id,
        "from": "2026-12-01T00:00:00Z",
        "to": "2026-12-02T00:00:00Z",
        "busy": [
            {"starts_at": "2026-11-30T23:00:00Z", "ends_at": "2026-12-01T01:00:00Z"},
            {"starts_at": "2026-12-01T09:00:00Z", "ends_at": "2026-12-01T12:00:00Z"},
            {"starts_at": "2026-12-01T15:00:00Z", "ends_at": "2026-12-01T16:00:00Z"},
        ],
    }
    free = await client.get(
        _url(admin.user_id), headers=tech.headers, params={**DAY, "to": "2026-12-01T12:00:00Z"}
    )
    assert free.json()["busy"] == []


async def test_another_companys_user_is_404_and_bad_periods_422(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    other = await signup(client)
    missing = await client.get(_url(other.user_id), headers=admin.headers, params=DAY)
    assert missing.status_code == 404
    for params, field in (
        ({"to": DAY["to"]}, "from"),
        ({**DAY, "to": DAY["from"]}, "to"),
        ({**DAY, "to": "2027-03-04T00:00:00Z"}, "to"),
    ):
        bad = await client.get(_url(admin.user_id), headers=admin.headers, params=params)
        assert bad.status_code == 422, bad.text
        assert [e["field"] for e in bad.json()["errors"]] == [field]
    anonymous = await client.get(_url(admin.user_id), params=DAY)
    assert anonymous.status_code == 401
