"""Users associated with an order in a role: only active users of the company, once each,
role changed in place, scoped to the order and the company, audited on the order."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from app.event.models import Event
from app.order.assignee.service import assignees_of
from tests.factories import Caller, create_order, member, signup


def _url(order_id: str, user_id: str | None = None) -> str:
    base = f"/v1/orders/{order_id}/assignees"
    return base if user_id is None else f"{base}/{user_id}"


async def _assign(
    client: httpx.AsyncClient, caller: Caller, order_id: str, user_id: str, role: str
) -> dict[str, Any]:
    response = await client.post(
        _url(order_id), headers=caller.headers, json={"user_id": user_id, "role": role}
    )
    assert response.status_code == 201, response.text
    assert response.headers["location"] == _url(order_id, user_id)
    assignee: dict[str, Any] = response.json()
    return assignee


async def _listed(client: httpx.AsyncClient, caller: Caller, order_id: str) -> list[Any]:
    response = await client.get(_url(order_id), headers=caller.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["has_more"], body["next_cursor"]) == (False, None)
    return [(a["user_id"], a["role"]) for a in body["data"]]


async def test_assign_list_change_role_and_remove(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    installer = await member(client, admin, ["orders:read"])
    sold = await _assign(client, admin, order_id, admin.user_id, "salesperson")
    assert sold["user_id"] == admin.user_id
    assert sold["user_name"] == "Ada Admin"
    assert sold["role"] == "salesperson"
    assert sold["created_at"]
    await _assign(client, admin, order_id, installer.user_id, "other")
    assert await _listed(client, admin, order_id) == [
        (admin.user_id, "salesperson"),
        (installer.user_id, "other"),
    ]

    changed = await client.patch(
        _url(order_id, installer.user_id), headers=admin.headers, json={"role": "installer"}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["role"] == "installer"
    assert changed.json()["user_name"] == "Mo Member"

    removed = await client.delete(_url(order_id, admin.user_id), headers=admin.headers)
    assert removed.status_code == 204
    assert await _listed(client, installer, order_id) == [(installer.user_id, "installer")]
    again = await client.delete(_url(order_id, admin.user_id), headers=admin.headers)
    assert again.status_code == 404
    # Removed from the order, still a user.
    assert (
        await client.get(f"/v1/users/{admin.user_id}", headers=admin.headers)
    ).status_code == 200


async def test_a_stale_if_match_is_412_and_the_etag_moves_with_each_change(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    url = _url(order_id, admin.user_id)
    created = await client.post(
        _url(order_id), headers=admin.headers, json={"user_id": admin.user_id, "role": "other"}
    )
    assert created.headers["etag"] == '"1"'

    changed = await client.patch(
        url, headers={**admin.headers, "If-Match": '"1"'}, json={"role": "installer"}
    )
    assert changed.status_code == 200, changed.text
    assert changed.headers["etag"] == '"2"'

    for stale in (
        client.patch(url, headers={**admin.headers, "If-Match": '"1"'}, json={"role": "other"}),
        client.delete(url, headers={**admin.headers, "If-Match": '"1"'}),
    ):
        response = await stale
        assert response.status_code == 412, response.text
        assert response.headers["content-type"] == "application/problem+json"
    assert await _listed(client, admin, order_id) == [(admin.user_id, "installer")]

    removed = await client.delete(url, headers={**admin.headers, "If-Match": '"2"'})
    assert removed.status_code == 204, removed.text
    assert await _listed(client, admin, order_id) == []


async def test_a_user_is_on_an_order_once(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    await _assign(client, admin, order_id, admin.user_id, "salesperson")
    twice = await client.post(
        _url(order_id), headers=admin.headers, json={"user_id": admin.user_id, "role": "other"}
    )
    assert twice.status_code == 409
    assert twice.headers["content-type"] == "application/problem+json"
    assert twice.json()["field"] == "user_id"
    assert await _listed(client, admin, order_id) == [(admin.user_id, "salesperson")]
    # The same user on another order is another association.
    other_order = await create_order(client, admin)
    await _assign(client, admin, other_order, admin.user_id, "installer")


async def test_only_active_users_of_the_company_can_be_assigned(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    stranger = await signup(client, "Other Co")
    disabled = await member(client, admin, ["orders:read"])
    off = await client.post(f"/v1/users/{disabled.user_id}/disable", headers=admin.headers)
    assert off.status_code == 200, off.text
    for user_id in (stranger.user_id, disabled.user_id, str(uuid.uuid4())):
        refused = await client.post(
            _url(order_id), headers=admin.headers, json={"user_id": user_id, "role": "installer"}
        )
        assert refused.status_code == 422, refused.text
        assert [e["field"] for e in refused.json()["errors"]] == ["user_id"]
    for bad, field in (
        ({"user_id": admin.user_id, "role": "boss"}, "role"),
        ({"user_id": admin.user_id}, "role"),
        ({"user_id": "nope", "role": "other"}, "user_id"),
        ({"user_id": admin.user_id, "role": "other", "extra": 1}, "extra"),
    ):
        refused = await client.post(_url(order_id), headers=admin.headers, json=bad)
        assert refused.status_code == 422, (bad, refused.text)
        assert [e["field"] for e in refused.json()["errors"]] == [field]
    await _assign(client, admin, order_id, admin.user_id, "other")
    for change in ({"role": "boss"}, {"role": None}):
        refused = await client.patch(
            _url(order_id, admin.user_id), headers=admin.headers, json=change
        )
        assert refused.status_code == 422, (change, refused.text)
        assert [e["field"] for e in refused.json()["errors"]] == ["role"]
    assert await _listed(client, admin, order_id) == [(admin.user_id, "other")]


async def test_another_company_order_or_an_unassigned_user_is_404(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    await _assign(client, admin, order_id, admin.user_id, "salesperson")
    stranger = await signup(client, "Other Co")
    strangers_order = await create_order(client, stranger)

    for response in (
        await client.get(_url(order_id), headers=stranger.headers),
        await client.post(
            _url(order_id),
            headers=stranger.headers,
            json={"user_id": stranger.user_id, "role": "other"},
        ),
        await client.patch(
            _url(order_id, admin.user_id), headers=stranger.headers, json={"role": "other"}
        ),
        await client.delete(_url(order_id, admin.user_id), headers=stranger.headers),
        # Another company's user under the caller's own order is not on it.
        await client.patch(
            _url(strangers_order, admin.user_id), headers=stranger.headers, json={"role": "other"}
        ),
        await client.delete(_url(strangers_order, admin.user_id), headers=stranger.headers),
        await client.get(_url(str(uuid.uuid4())), headers=admin.headers),
    ):
        assert response.status_code == 404, response.text
        assert response.headers["content-type"] == "application/problem+json"
    other_order = await create_order(client, admin)
    not_on_it = await client.patch(
        _url(other_order, admin.user_id), headers=admin.headers, json={"role": "other"}
    )
    assert not_on_it.status_code == 404
    assert await _listed(client, admin, order_id) == [(admin.user_id, "salesperson")]


async def test_reading_needs_orders_read_and_writing_orders_write(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    reader = await member(client, admin, ["orders:read"])
    assert (await client.get(_url(order_id), headers=reader.headers)).status_code == 200
    denied = await client.post(
        _url(order_id), headers=reader.headers, json={"user_id": reader.user_id, "role": "other"}
    )
    assert denied.status_code == 403
    assert denied.json()["permission"] == "orders:write"


async def test_changes_are_audited_on_the_order_timeline(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    await _assign(client, admin, order_id, admin.user_id, "salesperson")
    url = _url(order_id, admin.user_id)
    await client.patch(url, headers=admin.headers, json={"role": "installer"})
    await client.delete(url, headers=admin.headers)
    async with app.state.sessions() as session:
        events = (
            await session.scalars(
                select(Event)
                .where(
                    Event.entity_type == "order_assignee", Event.parent_id == uuid.UUID(order_id)
                )
                .order_by(Event.id)
            )
        ).all()
    assert [e.type for e in events] == [
        "order_assignee.created",
        "order_assignee.updated",
        "order_assignee.deleted",
    ]
    assert {(str(e.entity_id), e.parent_type) for e in events} == {(admin.user_id, "orders")}
    created, updated, deleted = events
    assert created.after is not None
    assert created.after["role"] == "salesperson"
    assert updated.before is not None
    assert updated.after is not None
    assert (updated.before["role"], updated.after["role"]) == ("salesperson", "installer")
    assert deleted.before is not None
    assert deleted.before["role"] == "installer"
    assert deleted.after is None


async def test_assignees_of_many_orders_in_one_call(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    admin = await signup(client)
    first, second, empty = [await create_order(client, admin) for _ in range(3)]
    helper = await member(client, admin, ["orders:read"])
    await _assign(client, admin, first, admin.user_id, "salesperson")
    await _assign(client, admin, first, helper.user_id, "installer")
    await _assign(client, admin, second, helper.user_id, "other")
    stranger = await signup(client, "Other Co")
    strangers_order = await create_order(client, stranger)
    await _assign(client, stranger, strangers_order, stranger.user_id, "salesperson")
    ids = [uuid.UUID(i) for i in (first, second, empty, strangers_order)]
    async with app.state.sessions() as session:
        found = await assignees_of(session, uuid.UUID(admin.company_id), ids)
    assert [(str(a.user_id), a.role) for a in found[ids[0]]] == [
        (admin.user_id, "salesperson"),
        (helper.user_id, "installer"),
    ]
    assert [(a.user_name, a.role) for a in found[ids[1]]] == [("Mo Member", "other")]
    assert found[ids[2]] == []
    assert found[ids[3]] == []  # another company's order shows nothing
