"""Notes on an order, as on a customer: office or site, filtered by visibility, written by
the caller, ETag/If-Match, scoped to the order and the company, audited on the order."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from app.event.models import Event
from tests.factories import Caller, OrderChild, api_key, create_order, member, signup

NOTES = OrderChild("notes")
_url = NOTES.url


async def _add(
    client: httpx.AsyncClient, caller: Caller, order_id: str, **fields: Any
) -> dict[str, Any]:
    body = {"body": "Customer wants the old unit kept.", **fields}
    return await NOTES.add(client, caller, order_id, body)


async def _ids(
    client: httpx.AsyncClient, caller: Caller, order_id: str, **params: Any
) -> list[str]:
    return [n["id"] for n in await NOTES.listed(client, caller, order_id, **params)]


async def test_a_note_is_written_by_the_caller_and_office_only_by_default(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    note = await _add(client, admin, order_id, body="Quote sent by email.")
    assert (note["order_id"], note["visibility"], note["author_id"]) == (
        order_id,
        "office",
        admin.user_id,
    )
    assert "customer_id" not in note
    writer = await member(client, admin, ["orders:write", "api_keys:manage"])
    key = await api_key(client, writer, ["orders:write"])
    by_key = await _add(client, key, order_id, visibility="site")
    assert by_key["author_id"] == writer.user_id
    read = await client.get(_url(order_id, by_key["id"]), headers=admin.headers)
    assert read.status_code == 200
    assert read.headers["etag"] == '"1"'
    assert read.json() == by_key


async def test_the_list_filters_by_visibility_and_is_newest_first(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    office = await _add(client, admin, order_id)
    site = await _add(client, admin, order_id, body="Dog in the yard.", visibility="site")
    office2 = await _add(client, admin, order_id)
    await _add(client, admin, await create_order(client, admin))
    newest_first = [office2["id"], site["id"], office["id"]]
    assert await _ids(client, admin, order_id) == newest_first
    assert await _ids(client, admin, order_id, sort="created_at") == newest_first[::-1]
    assert await _ids(client, admin, order_id, visibility="site") == [site["id"]]
    assert await _ids(client, admin, order_id, visibility="office") == [office2["id"], office["id"]]
    for params, field in (({"visibility": "all"}, "visibility"), ({"sort": "body"}, "sort")):
        bad = await client.get(_url(order_id), headers=admin.headers, params=params)
        assert bad.status_code == 422
        assert [e["field"] for e in bad.json()["errors"]] == [field]
    first = await client.get(
        _url(order_id), headers=admin.headers, params={"visibility": "office", "limit": 1}
    )
    assert [n["id"] for n in first.json()["data"]] == [office2["id"]]
    rest = await _ids(
        client, admin, order_id, visibility="office", limit=1, cursor=first.json()["next_cursor"]
    )
    assert rest == [office["id"]]


async def test_update_changes_body_or_visibility_and_stale_if_match_is_412(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    note = await _add(client, admin, order_id, body="Old")
    url = _url(order_id, note["id"])
    editor = await member(client, admin, ["orders:write", "customers:office"])
    moved = await client.patch(
        url, headers={**editor.headers, "If-Match": '"1"'}, json={"visibility": "site"}
    )
    assert moved.status_code == 200, moved.text
    assert moved.headers["etag"] == '"2"'
    assert (moved.json()["body"], moved.json()["visibility"]) == ("Old", "site")
    assert moved.json()["author_id"] == admin.user_id
    stale = await client.patch(
        url, headers={**admin.headers, "If-Match": '"1"'}, json={"body": "x"}
    )
    assert stale.status_code == 412
    assert (
        await client.delete(url, headers={**admin.headers, "If-Match": '"1"'})
    ).status_code == 412
    for bad in ({"body": None}, {"body": " \n"}, {"visibility": "public"}, {"author_id": None}):
        refused = await client.patch(url, headers=admin.headers, json=bad)
        assert refused.status_code == 422, (bad, refused.text)
        assert [e["field"] for e in refused.json()["errors"]] == list(bad)
    assert (await client.get(url, headers=admin.headers)).json()["body"] == "Old"
    assert (
        await client.delete(url, headers={**admin.headers, "If-Match": '"2"'})
    ).status_code == 204
    assert (await client.get(url, headers=admin.headers)).status_code == 404


async def test_blank_or_missing_body_is_422(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    for body in ({}, {"body": ""}, {"body": "   "}, {"body": "a\x00b"}, {"body": "x" * 10_001}):
        response = await client.post(_url(order_id), headers=admin.headers, json=body)
        assert response.status_code == 422, (body, response.text)
        assert [e["field"] for e in response.json()["errors"]] == ["body"]
    assert await _ids(client, admin, order_id) == []


async def test_another_order_or_company_answers_404(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    other_order = await create_order(client, admin)
    note = await _add(client, admin, order_id)
    stranger = await signup(client, "Other Co")
    strangers_order = await create_order(client, stranger)

    for caller, url in (
        (admin, _url(other_order, note["id"])),
        (stranger, _url(order_id, note["id"])),
        (stranger, _url(strangers_order, note["id"])),
    ):
        for response in (
            await client.get(url, headers=caller.headers),
            await client.patch(url, headers=caller.headers, json={"body": "moved?"}),
            await client.delete(url, headers=caller.headers),
        ):
            assert response.status_code == 404, (url, response.text)
            assert response.headers["content-type"] == "application/problem+json"
    assert (await client.get(_url(order_id), headers=stranger.headers)).status_code == 404
    created = await client.post(_url(order_id), headers=stranger.headers, json={"body": "Hi"})
    assert created.status_code == 404
    assert (await client.get(_url(str(uuid.uuid4())), headers=admin.headers)).status_code == 404
    # A customer note's id is not an order note's.
    customer = await client.post("/v1/customers", headers=admin.headers, json={"name": "Cy"})
    customer_note = await client.post(
        f"/v1/customers/{customer.json()['id']}/notes", headers=admin.headers, json={"body": "x"}
    )
    assert customer_note.status_code == 201
    wrong_kind = _url(order_id, customer_note.json()["id"])
    assert (await client.get(wrong_kind, headers=admin.headers)).status_code == 404
    unchanged = await client.get(_url(order_id, note["id"]), headers=admin.headers)
    assert unchanged.headers["etag"] == '"1"'
    assert await _ids(client, admin, order_id) == [note["id"]]


async def test_reading_needs_orders_read_and_writing_orders_write(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    reader = await member(client, admin, ["orders:read"])
    assert (await client.get(_url(order_id), headers=reader.headers)).status_code == 200
    denied = await client.post(_url(order_id), headers=reader.headers, json={"body": "x"})
    assert denied.status_code == 403
    assert denied.json()["permission"] == "orders:write"
    customers_only = await member(client, admin, ["customers:read", "customers:write"])
    refused = await client.get(_url(order_id), headers=customers_only.headers)
    assert refused.status_code == 403
    assert refused.json()["permission"] == "orders:read"


async def test_mutations_are_audited_on_the_order_timeline(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    note = await _add(client, admin, order_id, body="First")
    url = _url(order_id, note["id"])
    await client.patch(url, headers=admin.headers, json={"body": "Second"})
    await client.delete(url, headers=admin.headers)
    events = (
        await client.get(
            "/v1/events",
            headers=admin.headers,
            params={"entity_type": "order_note", "entity_id": note["id"]},
        )
    ).json()["data"]
    assert [e["type"] for e in events] == [
        "order_note.deleted",
        "order_note.updated",
        "order_note.created",
    ]
    deleted, updated, created = events
    assert created["after"]["body"] == "First"
    assert (updated["before"]["body"], updated["after"]["body"]) == ("First", "Second")
    assert (deleted["before"]["body"], deleted["after"]) == ("Second", None)
    async with app.state.sessions() as session:
        parents = (
            await session.execute(
                select(Event.parent_type, Event.parent_id).where(
                    Event.id.in_([uuid.UUID(e["id"]) for e in events])
                )
            )
        ).all()
    assert {(t, str(i)) for t, i in parents} == {("orders", order_id)}
