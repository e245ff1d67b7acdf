"""The installer checklist of an order: items in order, ticked off with who and when,
unticked clearing both; ETag/If-Match; scoped to the order and the company; audited."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from app.event.models import Event
from tests.factories import Caller, OrderChild, api_key, create_order, member, signup

CHECKLIST = OrderChild("checklist")
_url = CHECKLIST.url


async def _add(
    client: httpx.AsyncClient, caller: Caller, order_id: str, text: str, **fields: Any
) -> dict[str, Any]:
    return await CHECKLIST.add(client, caller, order_id, {"text": text, **fields})


async def _texts(
    client: httpx.AsyncClient, caller: Caller, order_id: str, **params: Any
) -> list[str]:
    return [i["text"] for i in await CHECKLIST.listed(client, caller, order_id, **params)]


def _recent(stamp: str) -> bool:
    return abs(datetime.fromisoformat(stamp) - datetime.now(UTC)) < timedelta(minutes=1)


async def test_items_are_listed_in_order_new_ones_last(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    first = await _add(client, admin, order_id, "Shut off the gas")
    assert (first["order_id"], first["position"], first["is_done"]) == (order_id, 1, False)
    assert (first["done_by"], first["done_at"]) == (None, None)
    await _add(client, admin, order_id, "Remove the old heater")
    await _add(client, admin, order_id, "Pressure-test the line")
    other_order = await create_order(client, admin)
    assert (await _add(client, admin, other_order, "Elsewhere"))["position"] == 1
    steps = ["Shut off the gas", "Remove the old heater", "Pressure-test the line"]
    assert await _texts(client, admin, order_id) == steps
    first_page = (
        await client.get(_url(order_id), headers=admin.headers, params={"limit": 2})
    ).json()
    assert [i["position"] for i in first_page["data"]] == [1, 2]
    rest = await _texts(client, admin, order_id, limit=2, cursor=first_page["next_cursor"])
    assert rest == steps[2:]


async def test_ticking_records_who_and_when_and_unticking_clears_both(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    installer = await member(client, admin, ["orders:write", "api_keys:manage"])
    item = await _add(client, admin, order_id, "Haul away the old unit")
    url = _url(order_id, item["id"])

    ticked = await client.patch(
        url, headers={**installer.headers, "If-Match": '"1"'}, json={"is_done": True}
    )
    assert ticked.status_code == 200, ticked.text
    assert ticked.headers["etag"] == '"2"'
    done = ticked.json()
    assert (done["is_done"], done["done_by"]) == (True, installer.user_id)
    assert _recent(done["done_at"])

    # Ticking a ticked item again keeps who did it; editing the text keeps it too.
    again = await client.patch(url, headers=admin.headers, json={"is_done": True, "text": "Haul"})
    assert (again.json()["done_by"], again.json()["done_at"]) == (
        installer.user_id,
        done["done_at"],
    )
    assert again.json()["text"] == "Haul"

    unticked = await client.patch(url, headers=admin.headers, json={"is_done": False})
    assert unticked.json()["is_done"] is False
    assert (unticked.json()["done_by"], unticked.json()["done_at"]) == (None, None)

    # An API key ticks as its creator.
    key = await api_key(client, installer, ["orders:write"])
    by_key = await client.patch(url, headers=key.headers, json={"is_done": True})
    assert by_key.json()["done_by"] == installer.user_id
    listed = (await client.get(_url(order_id), headers=admin.headers)).json()["data"]
    assert listed == [by_key.json()]

    # Added already done: done by the caller, now.
    pre_done = await _add(client, admin, order_id, "Photos taken", is_done=True)
    assert pre_done["done_by"] == admin.user_id
    assert _recent(pre_done["done_at"])


async def test_text_is_checked_and_stale_if_match_is_412(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    for body, field in (
        ({}, "text"),
        ({"text": ""}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "x" * 501}, "text"),
        ({"text": "a\x00b"}, "text"),
        ({"text": "ok", "is_done": "maybe"}, "is_done"),
        ({"text": "ok", "done_by": admin.user_id}, "done_by"),
    ):
        refused = await client.post(_url(order_id), headers=admin.headers, json=body)
        assert refused.status_code == 422, (body, refused.text)
        assert [e["field"] for e in refused.json()["errors"]] == [field]
    item = await _add(client, admin, order_id, "x" * 500)
    url = _url(order_id, item["id"])
    for change in ({"text": None}, {"is_done": None}, {"text": ""}, {"done_at": None}):
        refused = await client.patch(url, headers=admin.headers, json=change)
        assert refused.status_code == 422, (change, refused.text)
        assert [e["field"] for e in refused.json()["errors"]] == list(change)
    stale = await client.patch(
        url, headers={**admin.headers, "If-Match": '"2"'}, json={"is_done": True}
    )
    assert stale.status_code == 412
    assert (
        await client.delete(url, headers={**admin.headers, "If-Match": '"2"'})
    ).status_code == 412
    assert (
        await client.delete(url, headers={**admin.headers, "If-Match": '"1"'})
    ).status_code == 204
    assert await _texts(client, admin, order_id) == []
    assert (await client.delete(url, headers=admin.headers)).status_code == 404


async def test_another_order_or_company_answers_404(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    other_order = await create_order(client, admin)
    item = await _add(client, admin, order_id, "Step")
    stranger = await signup(client, "Other Co")
    strangers_order = await create_order(client, stranger)

    for caller, url in (
        (admin, _url(other_order, item["id"])),
        (stranger, _url(order_id, item["id"])),
        (stranger, _url(strangers_order, item["id"])),
    ):
        for response in (
            await client.patch(url, headers=caller.headers, json={"is_done": True}),
            await client.delete(url, headers=caller.headers),
        ):
            assert response.status_code == 404, (url, response.text)
            assert response.headers["content-type"] == "application/problem+json"
    assert (await client.get(_url(order_id), headers=stranger.headers)).status_code == 404
    created = await client.post(_url(order_id), headers=stranger.headers, json={"text": "Hi"})
    assert created.status_code == 404
    assert (await client.get(_url(str(uuid.uuid4())), headers=admin.headers)).status_code == 404
    listed = (await client.get(_url(order_id), headers=admin.headers)).json()["data"]
    assert [(i["id"], i["is_done"]) for i in listed] == [(item["id"], False)]


async def test_reading_needs_orders_read_and_writing_orders_write(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    reader = await member(client, admin, ["orders:read"])
    assert (await client.get(_url(order_id), headers=reader.headers)).status_code == 200
    denied = await client.post(_url(order_id), headers=reader.headers, json={"text": "x"})
    assert denied.status_code == 403
    assert denied.json()["permission"] == "orders:write"


async def test_changes_are_audited_on_the_order_timeline(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    item = await _add(client, admin, order_id, "Step")
    url = _url(order_id, item["id"])
    await client.patch(url, headers=admin.headers, json={"is_done": True})
    await client.delete(url, headers=admin.headers)
    async with app.state.sessions() as session:
        events = (
            await session.scalars(
                select(Event).where(Event.entity_id == uuid.UUID(item["id"])).order_by(Event.id)
            )
        ).all()
    assert [e.type for e in events] == [
        "checklist_item.created",
        "checklist_item.updated",
        "checklist_item.deleted",
    ]
    assert {(e.parent_type, str(e.parent_id)) for e in events} == {("orders", order_id)}
    updated = events[1]
    assert updated.before is not None
    assert updated.after is not None
    assert (updated.before["is_done"], updated.after["is_done"]) == (False, True)
    assert updated.after["done_by"] == admin.user_id
