"""Double booking: a user cannot be on two overlapping appointments (409
`schedule-conflict` naming the others) unless the booking sends `allow_overlap`; the
database's exclusion constraint decides, so it holds for concurrent bookings too."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.factories import Caller, OrderChild, create_order, member, signup

APPOINTMENTS = OrderChild("appointments")
NINE = "2026-12-01T09:00:00Z"


async def _post(
    client: httpx.AsyncClient, caller: Caller, order_id: str, **fields: Any
) -> httpx.Response:
    return await client.post(
        APPOINTMENTS.url(order_id), headers=caller.headers, json={"starts_at": NINE, **fields}
    )


async def test_an_overlap_is_a_409_naming_the_other_appointment(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    tech = await member(client, admin, ["orders:read"])
    order_id = await create_order(client, admin)
    other_order = await create_order(client, admin)
    first = await APPOINTMENTS.add(
        client, admin, order_id, {"starts_at": NINE, "user_ids": [tech.user_id]}
    )
    clash = await _post(
        client,
        admin,
        other_order,
        starts_at="2026-12-01T09:30:00Z",
        user_ids=[admin.user_id, tech.user_id],
    )
    assert clash.status_code == 409, clash.text
    assert clash.headers["content-type"].startswith("application/problem+json")
    problem = clash.json()
    assert problem["type"].endswith("/schedule-conflict")
    assert problem["conflicts"] == [
        {
            "id": first["id"],
            "order_id": order_id,
            "starts_at": "2026-12-01T09:00:00Z",
            "ends_at": "2026-12-01T10:00:00Z",
        }
    ]
    # Nothing was kept of the refused one.
    assert await APPOINTMENTS.listed(client, admin, other_order) == []
    # Back to back is not an overlap; another user at the same time is fine.
    after = await _post(
        client, admin, other_order, starts_at="2026-12-01T10:00:00Z", user_ids=[tech.user_id]
    )
    assert after.status_code == 201, after.text
    assert (await _post(client, admin, other_order, user_ids=[admin.user_id])).status_code == 201
    # allow_overlap books anyway, and the next strict booking is not refused because of it.
    allowed = await _post(client, admin, other_order, user_ids=[tech.user_id], allow_overlap=True)
    assert allowed.status_code == 201, allowed.text
    # Another company's user at the same time is not a conflict.
    other = await signup(client)
    theirs = await _post(client, other, await create_order(client, other), user_ids=[other.user_id])
    assert theirs.status_code == 201


async def test_rescheduling_or_reassigning_into_an_overlap_is_refused(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    tech = await member(client, admin, ["orders:read"])
    order_id = await create_order(client, admin)
    first = await APPOINTMENTS.add(
        client, admin, order_id, {"starts_at": NINE, "user_ids": [tech.user_id]}
    )
    later = await APPOINTMENTS.add(
        client,
        admin,
        order_id,
        {"starts_at": "2026-12-01T11:00:00Z", "user_ids": [tech.user_id]},
    )
    url = APPOINTMENTS.url(order_id, later["id"])
    moved = await client.patch(
        url, headers=admin.headers, json={"starts_at": "2026-12-01T09:59:00Z"}
    )
    assert moved.status_code == 409, moved.text
    assert [c["id"] for c in moved.json()["conflicts"]] == [first["id"]]
    # Unchanged by the refusal.
    read = await client.get(url, headers=admin.headers)
    assert (read.json()["starts_at"], read.headers["etag"]) == ("2026-12-01T11:00:00Z", '"1"')
    # Longer, into the first one from before it: also refused.
    free = await APPOINTMENTS.add(client, admin, order_id, {"starts_at": "2026-12-01T07:00:00Z"})
    free_url = APPOINTMENTS.url(order_id, free["id"])
    reassigned = await client.patch(
        free_url, headers=admin.headers, json={"user_ids": [tech.user_id], "duration_minutes": 121}
    )
    assert reassigned.status_code == 409, reassigned.text
    assert [c["id"] for c in reassigned.json()["conflicts"]] == [first["id"]]
    fits = await client.patch(
        free_url, headers=admin.headers, json={"user_ids": [tech.user_id], "duration_minutes": 120}
    )
    assert fits.status_code == 200, fits.text
    # Moving the first one moves its booking: the old slot is free again.
    gone = await client.patch(
        APPOINTMENTS.url(order_id, first["id"]),
        headers=admin.headers,
        json={"starts_at": "2026-12-02T09:00:00Z"},
    )
    assert gone.status_code == 200, gone.text
    assert (
        await client.patch(url, headers=admin.headers, json={"starts_at": NINE})
    ).status_code == 200
    # With allow_overlap the reschedule goes through.
    forced = await client.patch(
        free_url,
        headers=admin.headers,
        json={"starts_at": "2026-12-01T09:30:00Z", "allow_overlap": True},
    )
    assert forced.status_code == 200, forced.text
    # Notes alone do not re-check anything.
    noted = await client.patch(free_url, headers=admin.headers, json={"notes": "Gate code 1234"})
    assert noted.status_code == 200, noted.text


async def test_two_concurrent_bookings_one_wins(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    tech = await member(client, admin, ["orders:read"])
    orders = [await create_order(client, admin) for _ in range(2)]
    responses = await asyncio.gather(
        _post(client, admin, orders[0], user_ids=[tech.user_id]),
        _post(client, admin, orders[1], starts_at="2026-12-01T09:15:00Z", user_ids=[tech.user_id]),
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [201, 409], [r.text for r in responses]
    won = next(r for r in responses if r.status_code == 201).json()
    lost = next(r for r in responses if r.status_code == 409).json()
    assert [c["id"] for c in lost["conflicts"]] == [won["id"]]
