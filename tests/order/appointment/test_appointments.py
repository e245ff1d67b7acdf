"""Appointments of an order: kind, a zoned start, duration, notes and the users who go;
listed by start time, ETag/If-Match, scoped to the order and the company, audited."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from app.event.models import Event
from tests.factories import Caller, OrderChild, create_order, member, signup

APPOINTMENTS = OrderChild("appointments")
_url = APPOINTMENTS.url


async def _add(
    client: httpx.AsyncClient, caller: Caller, order_id: str, **fields: Any
) -> dict[str, Any]:
    body = {"starts_at": "2026-12-01T09:00:00Z", **fields}
    return await APPOINTMENTS.add(client, caller, order_id, body)


async def _ids(
    client: httpx.AsyncClient, caller: Caller, order_id: str, **params: Any
) -> list[str]:
    return [a["id"] for a in await APPOINTMENTS.listed(client, caller, order_id, **params)]


async def test_schedule_with_users_read_it_back(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    crew = await member(client, admin, ["orders:read"])
    made = await _add(
        client,
        admin,
        order_id,
        kind="installation",
        starts_at="2026-12-01T08:30:00-05:00",
        duration_minutes=240,
        notes="Bring the long ladder.",
        user_ids=[crew.user_id, admin.user_id, crew.user_id],
    )
    assert made["order_id"] == order_id
    assert made["kind"] == "installation"
    assert made["starts_at"] == "2026-12-01T13:30:00Z"
    assert made["duration_minutes"] == 240
    assert made["notes"] == "Bring the long ladder."
    assert sorted(made["user_ids"]) == sorted({crew.user_id, admin.user_id})
    read = await client.get(_url(order_id, made["id"]), headers=crew.headers)
    assert read.status_code == 200
    assert read.headers["etag"] == '"1"'
    assert read.json() == made
    # Defaults: an hour-long appointment, nobody assigned.
    plain = await _add(client, admin, order_id)
    assert (plain["kind"], plain["duration_minutes"], plain["notes"], plain["user_ids"]) == (
        "appointment",
        60,
        None,
        [],
    )


async def test_the_list_is_by_start_time_and_paged(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    helper = await member(client, admin, ["orders:read"])
    late = await _add(client, admin, order_id, starts_at="2026-12-03T09:00:00Z")
    early = await _add(
        client, admin, order_id, starts_at="2026-12-01T09:00:00+02:00", user_ids=[helper.user_id]
    )
    middle = await _add(client, admin, order_id, starts_at="2026-12-02T09:00:00Z")
    other_order = await create_order(client, admin)
    await _add(client, admin, other_order)
    in_order = [early["id"], middle["id"], late["id"]]
    assert await _ids(client, admin, order_id) == in_order
    listed = (await client.get(_url(order_id), headers=admin.headers)).json()["data"]
    assert listed[0]["user_ids"] == [helper.user_id]
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await client.get(_url(order_id), headers=admin.headers, params=params)).json()
        seen += [a["id"] for a in page["data"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert seen == in_order


async def test_start_must_carry_a_time_zone_and_fields_are_checked(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    stranger = await signup(client, "Other Co")
    for bad, field in (
        ({"starts_at": "2026-12-01T09:00:00"}, "starts_at"),
        ({"starts_at": "2026-12-01"}, "starts_at"),
        ({"starts_at": 1764579600}, "starts_at"),
        ({}, "starts_at"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 10_081}, "duration_minutes"),
        ({"kind": "visit"}, "kind"),
        ({"notes": "a\x00b"}, "notes"),
        ({"user_ids": ["nope"]}, "user_ids.0"),
        ({"user_ids": [stranger.user_id]}, "user_ids"),
        ({"user_ids": [str(uuid.uuid4())]}, "user_ids"),
    ):
        body = {"starts_at": "2026-12-01T09:00:00Z", **bad} if field != "starts_at" else bad
        refused = await client.post(_url(order_id), headers=admin.headers, json=body)
        assert refused.status_code == 422, (bad, refused.text)
        assert [e["field"] for e in refused.json()["errors"]] == [field], bad
    week = await _add(client, admin, order_id, duration_minutes=10_080)
    assert week["duration_minutes"] == 10_080
    url = _url(order_id, week["id"])
    for change, field in (
        ({"starts_at": "2026-12-01T09:00:00"}, "starts_at"),
        ({"starts_at": None}, "starts_at"),
        ({"kind": None}, "kind"),
        ({"user_ids": [stranger.user_id]}, "user_ids"),
        ({"duration_minutes": 0}, "duration_minutes"),
    ):
        refused = await client.patch(url, headers=admin.headers, json=change)
        assert refused.status_code == 422, (change, refused.text)
        assert [e["field"] for e in refused.json()["errors"]] == [field], change
    assert (await client.get(url, headers=admin.headers)).headers["etag"] == '"1"'
    assert await _ids(client, admin, order_id) == [week["id"]]


async def test_only_active_users_can_be_assigned(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    gone = await member(client, admin, ["orders:read"])
    off = await client.post(f"/v1/users/{gone.user_id}/disable", headers=admin.headers)
    assert off.status_code == 200, off.text
    refused = await client.post(
        _url(order_id),
        headers=admin.headers,
        json={"starts_at": "2026-12-01T09:00:00Z", "user_ids": [admin.user_id, gone.user_id]},
    )
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["user_ids"]
    assert gone.user_id in refused.json()["errors"][0]["message"]
    assert await _ids(client, admin, order_id) == []


async def test_update_reschedules_and_replaces_users_with_if_match(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    crew = await member(client, admin, ["orders:read"])
    made = await _add(client, admin, order_id, notes="Call first", user_ids=[admin.user_id])
    url = _url(order_id, made["id"])
    moved = await client.patch(
        url,
        headers={**admin.headers, "If-Match": '"1"'},
        json={"starts_at": "2026-12-05T10:00:00+01:00", "kind": "service_call"},
    )
    assert moved.status_code == 200, moved.text
    assert moved.headers["etag"] == '"2"'
    assert (moved.json()["starts_at"], moved.json()["kind"]) == (
        "2026-12-05T09:00:00Z",
        "service_call",
    )
    assert (moved.json()["notes"], moved.json()["user_ids"]) == ("Call first", [admin.user_id])
    # The users are part of the appointment: changing only them is a new version.
    crewed = await client.patch(
        url, headers={**admin.headers, "If-Match": '"2"'}, json={"user_ids": [crew.user_id]}
    )
    assert crewed.status_code == 200, crewed.text
    assert crewed.headers["etag"] == '"3"'
    assert crewed.json()["user_ids"] == [crew.user_id]
    cleared = await client.patch(url, headers=admin.headers, json={"notes": None, "user_ids": []})
    assert (cleared.json()["notes"], cleared.json()["user_ids"]) == (None, [])
    stale = await client.patch(url, headers={**admin.headers, "If-Match": '"1"'}, json={})
    assert stale.status_code == 412
    assert (
        await client.delete(url, headers={**admin.headers, "If-Match": '"1"'})
    ).status_code == 412
    deleted = await client.delete(url, headers={**admin.headers, "If-Match": '"4"'})
    assert deleted.status_code == 204
    assert (await client.get(url, headers=admin.headers)).status_code == 404
    assert await _ids(client, admin, order_id) == []


async def test_another_order_or_company_answers_404(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    other_order = await create_order(client, admin)
    made = await _add(client, admin, order_id)
    stranger = await signup(client, "Other Co")
    strangers_order = await create_order(client, stranger)
    body = {"starts_at": "2026-12-01T09:00:00Z"}

    for caller, url in (
        (admin, _url(other_order, made["id"])),
        (stranger, _url(order_id, made["id"])),
        (stranger, _url(strangers_order, made["id"])),
    ):
        for response in (
            await client.get(url, headers=caller.headers),
            await client.patch(url, headers=caller.headers, json={"notes": "moved?"}),
            await client.delete(url, headers=caller.headers),
        ):
            assert response.status_code == 404, (url, response.text)
            assert response.headers["content-type"] == "application/problem+json"
    assert (await client.get(_url(order_id), headers=stranger.headers)).status_code == 404
    created = await client.post(_url(order_id), headers=stranger.headers, json=body)
    assert created.status_code == 404
    assert (await client.get(_url(str(uuid.uuid4())), headers=admin.headers)).status_code == 404
    unchanged = await client.get(_url(order_id, made["id"]), headers=admin.headers)
    assert unchanged.headers["etag"] == '"1"'
    assert await _ids(client, admin, order_id) == [made["id"]]


async def test_reading_needs_orders_read_and_writing_orders_write(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    reader = await member(client, admin, ["orders:read"])
    assert (await client.get(_url(order_id), headers=reader.headers)).status_code == 200
    denied = await client.post(
        _url(order_id), headers=reader.headers, json={"starts_at": "2026-12-01T09:00:00Z"}
    )
    assert denied.status_code == 403
    assert denied.json()["permission"] == "orders:write"


async def test_changes_are_audited_on_the_order_timeline(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    made = await _add(client, admin, order_id, user_ids=[admin.user_id])
    url = _url(order_id, made["id"])
    await client.patch(url, headers=admin.headers, json={"user_ids": []})
    await client.delete(url, headers=admin.headers)
    async with app.state.sessions() as session:
        events = (
            await session.scalars(
                select(Event).where(Event.entity_id == uuid.UUID(made["id"])).order_by(Event.id)
            )
        ).all()
    assert [e.type for e in events] == [
        "appointment.created",
        "appointment.updated",
        "appointment.deleted",
    ]
    assert {(e.parent_type, str(e.parent_id)) for e in events} == {("orders", order_id)}
    created, updated, deleted = events
    assert created.after is not None
    assert created.after["user_ids"] == [admin.user_id]
    assert updated.before is not None
    assert updated.after is not None
    assert (updated.before["user_ids"], updated.after["user_ids"]) == ([admin.user_id], [])
    assert deleted.after is None
