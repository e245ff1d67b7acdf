"""Notes on a customer: office or site, filtered by visibility, written by the caller,
ETag/If-Match, scoped to the customer and the company, audited on the customer's timeline."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from app.event.models import Event
from tests.factories import Caller, api_key, create_customer, member, signup


def _url(customer_id: str, note_id: str | None = None) -> str:
    base = f"/v1/customers/{customer_id}/notes"
    return base if note_id is None else f"{base}/{note_id}"


async def _add(
    client: httpx.AsyncClient, caller: Caller, customer_id: str, **fields: Any
) -> dict[str, Any]:
    body = {"body": "Called about the quote.", **fields}
    response = await client.post(_url(customer_id), headers=caller.headers, json=body)
    assert response.status_code == 201, response.text
    assert response.headers["etag"] == '"1"'
    note: dict[str, Any] = response.json()
    return note


async def _ids(
    client: httpx.AsyncClient, caller: Caller, customer_id: str, **params: str
) -> list[str]:
    response = await client.get(_url(customer_id), headers=caller.headers, params=params)
    assert response.status_code == 200, response.text
    return [n["id"] for n in response.json()["data"]]


async def test_a_note_is_written_by_the_caller_and_office_only_by_default(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    note = await _add(client, admin, customer_id, body="Prefers email.")
    assert note["visibility"] == "office"
    assert note["author_id"] == admin.user_id
    assert note["customer_id"] == customer_id
    assert note["created_at"] == note["updated_at"]
    # An API key writes as its creator.
    writer = await member(client, admin, ["customers:write", "api_keys:manage"])
    key = await api_key(client, writer, ["customers:write"])
    by_key = await _add(client, key, customer_id, visibility="site")
    assert by_key["author_id"] == writer.user_id
    read = await client.get(_url(customer_id, by_key["id"]), headers=admin.headers)
    assert read.status_code == 200
    assert read.headers["etag"] == '"1"'
    assert read.json() == by_key


async def test_the_list_filters_by_visibility_and_is_newest_first(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    office = await _add(client, admin, customer_id, visibility="office")
    site = await _add(client, admin, customer_id, body="Gate code 4512.", visibility="site")
    office2 = await _add(client, admin, customer_id)
    newest_first = [office2["id"], site["id"], office["id"]]
    assert await _ids(client, admin, customer_id) == newest_first
    assert await _ids(client, admin, customer_id, sort="created_at") == newest_first[::-1]
    assert await _ids(client, admin, customer_id, visibility="site") == [site["id"]]
    assert await _ids(client, admin, customer_id, visibility="office") == [
        office2["id"],
        office["id"],
    ]
    bad = await client.get(_url(customer_id), headers=admin.headers, params={"visibility": "all"})
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["visibility"]

    # Paged, with the filter kept.
    first = await client.get(
        _url(customer_id), headers=admin.headers, params={"visibility": "office", "limit": 1}
    )
    assert [n["id"] for n in first.json()["data"]] == [office2["id"]]
    second = await client.get(
        _url(customer_id),
        headers=admin.headers,
        params={"visibility": "office", "limit": 1, "cursor": first.json()["next_cursor"]},
    )
    assert [n["id"] for n in second.json()["data"]] == [office["id"]]
    assert second.json()["has_more"] is False


async def test_update_changes_body_or_visibility_and_stale_if_match_is_412(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    note = await _add(client, admin, customer_id, body="Old")
    url = _url(customer_id, note["id"])
    editor = await member(client, admin, ["customers:write", "customers:office"])
    moved = await client.patch(
        url, headers={**editor.headers, "If-Match": '"1"'}, json={"visibility": "site"}
    )
    assert moved.status_code == 200, moved.text
    assert moved.headers["etag"] == '"2"'
    assert (moved.json()["body"], moved.json()["visibility"]) == ("Old", "site")
    assert moved.json()["author_id"] == admin.user_id  # who wrote it stays
    stale = await client.patch(
        url, headers={**admin.headers, "If-Match": '"1"'}, json={"body": "Lost"}
    )
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    assert (
        await client.delete(url, headers={**admin.headers, "If-Match": '"1"'})
    ).status_code == 412
    for bad in ({"body": None}, {"body": " \n"}, {"visibility": "public"}, {"author_id": None}):
        refused = await client.patch(url, headers=admin.headers, json=bad)
        assert refused.status_code == 422, (bad, refused.text)
        assert [e["field"] for e in refused.json()["errors"]] == list(bad)
    assert (await client.get(url, headers=admin.headers)).json()["body"] == "Old"
    deleted = await client.delete(url, headers={**admin.headers, "If-Match": '"2"'})
    assert deleted.status_code == 204
    assert (await client.get(url, headers=admin.headers)).status_code == 404


async def test_blank_or_missing_body_is_422(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    for body in ({}, {"body": ""}, {"body": "   "}, {"body": "a\x00b"}, {"body": "x" * 10_001}):
        response = await client.post(_url(customer_id), headers=admin.headers, json=body)
        assert response.status_code == 422, (body, response.text)
        assert [e["field"] for e in response.json()["errors"]] == ["body"]


async def test_another_customer_or_company_answers_404(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    other_customer_id = await create_customer(client, admin)
    note = await _add(client, admin, customer_id)
    stranger = await signup(client, "Other Co")
    strangers_customer = await create_customer(client, stranger)

    wrong = _url(other_customer_id, note["id"])
    assert (await client.get(wrong, headers=admin.headers)).status_code == 404
    assert (
        await client.patch(wrong, headers=admin.headers, json={"body": "moved?"})
    ).status_code == 404
    assert (await client.delete(wrong, headers=admin.headers)).status_code == 404
    assert await _ids(client, admin, other_customer_id) == []

    for url in (_url(customer_id), _url(customer_id, note["id"])):
        response = await client.get(url, headers=stranger.headers)
        assert response.status_code == 404, url
        assert response.headers["content-type"] == "application/problem+json"
    created = await client.post(_url(customer_id), headers=stranger.headers, json={"body": "Hi"})
    assert created.status_code == 404
    under_own = _url(strangers_customer, note["id"])
    assert (await client.get(under_own, headers=stranger.headers)).status_code == 404
    assert (
        await client.patch(under_own, headers=stranger.headers, json={"body": "x"})
    ).status_code == 404
    assert (await client.get(_url(str(uuid.uuid4())), headers=admin.headers)).status_code == 404
    unchanged = await client.get(_url(customer_id, note["id"]), headers=admin.headers)
    assert unchanged.headers["etag"] == '"1"'
    assert await _ids(client, admin, customer_id) == [note["id"]]


async def test_reading_needs_customers_read_and_writing_customers_write(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    reader = await member(client, admin, ["customers:read"])
    assert (await client.get(_url(customer_id), headers=reader.headers)).status_code == 200
    denied = await client.post(_url(customer_id), headers=reader.headers, json={"body": "x"})
    assert denied.status_code == 403
    assert denied.json()["permission"] == "customers:write"


async def test_mutations_are_audited_on_the_customer_timeline(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    note = await _add(client, admin, customer_id, body="First")
    url = _url(customer_id, note["id"])
    await client.patch(url, headers=admin.headers, json={"body": "Second"})
    await client.delete(url, headers=admin.headers)
    events = (
        await client.get(
            "/v1/events",
            headers=admin.headers,
            params={"entity_type": "note", "entity_id": note["id"]},
        )
    ).json()["data"]
    assert [e["type"] for e in events] == ["note.deleted", "note.updated", "note.created"]
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
    assert {(t, str(i)) for t, i in parents} == {("customer", customer_id)}
