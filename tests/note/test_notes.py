"""Notes, the same on every parent (app/note: one implementation): office or site, filtered
by visibility, written by the caller, ETag/If-Match, scoped to the parent and the company,
audited on the parent's timeline. Each test runs once per kind of parent."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from app.event.models import Event
from tests.factories import Caller, api_key, create_customer, create_order, member, signup
from tests.vendor.helpers import add_vendor


@dataclass(frozen=True)
class Parent:
    collection: str  # the path segment: /v1/{collection}/{id}/notes
    key: str  # the note's field naming its parent
    entity_type: str  # the notes' table, as audit events name it
    event_parent: str  # the parent's table, as audit events name it
    read: str
    write: str
    create: Callable[[httpx.AsyncClient, Caller], Awaitable[str]]

    def url(self, parent_id: str, note_id: str | None = None) -> str:
        base = f"/v1/{self.collection}/{parent_id}/notes"
        return base if note_id is None else f"{base}/{note_id}"


CUSTOMER = Parent(
    "customers", "customer_id", "note", "customer", "customers:read", "customers:write",
    create_customer,
)  # fmt: skip
ORDER = Parent(
    "orders", "order_id", "order_note", "orders", "orders:read", "orders:write", create_order
)


async def _vendor(client: httpx.AsyncClient, caller: Caller) -> str:
    vendor_id: str = (await add_vendor(client, caller))["id"]
    return vendor_id


VENDOR = Parent(
    "vendors", "vendor_id", "vendor_note", "vendor", "vendors:read", "vendors:write", _vendor
)
PARENTS = {"customer": CUSTOMER, "order": ORDER, "vendor": VENDOR}


@pytest.fixture(params=list(PARENTS))
def parent(request: pytest.FixtureRequest) -> Parent:
    return PARENTS[request.param]


def _other(parent: Parent) -> Parent:
    return ORDER if parent is CUSTOMER else CUSTOMER


async def _add(
    client: httpx.AsyncClient, caller: Caller, parent: Parent, parent_id: str, **fields: Any
) -> dict[str, Any]:
    body = {"body": "Called about the quote.", **fields}
    response = await client.post(parent.url(parent_id), headers=caller.headers, json=body)
    assert response.status_code == 201, response.text
    assert response.headers["etag"] == '"1"'
    note: dict[str, Any] = response.json()
    assert response.headers["location"] == parent.url(parent_id, note["id"])
    return note


async def _ids(
    client: httpx.AsyncClient, caller: Caller, parent: Parent, parent_id: str, **params: Any
) -> list[str]:
    response = await client.get(parent.url(parent_id), headers=caller.headers, params=params)
    assert response.status_code == 200, response.text
    return [n["id"] for n in response.json()["data"]]


async def test_a_note_is_written_by_the_caller_and_office_only_by_default(
    client: httpx.AsyncClient, parent: Parent
) -> None:
    admin = await signup(client)
    parent_id = await parent.create(client, admin)
    note = await _add(client, admin, parent, parent_id, body="Prefers email.")
    assert (note[parent.key], note["visibility"], note["author_id"]) == (
        parent_id,
        "office",
        admin.user_id,
    )
    assert note["created_at"] == note["updated_at"]
    # An API key writes as its creator.
    writer = await member(client, admin, [parent.write, "api_keys:manage"])
    key = await api_key(client, writer, [parent.write])
    by_key = await _add(client, key, parent, parent_id, visibility="site")
    assert by_key["author_id"] == writer.user_id
    read = await client.get(parent.url(parent_id, by_key["id"]), headers=admin.headers)
    assert read.status_code == 200
    assert read.headers["etag"] == '"1"'
    assert read.json() == by_key


async def test_the_list_filters_by_visibility_and_is_newest_first(
    client: httpx.AsyncClient, parent: Parent
) -> None:
    admin = await signup(client)
    parent_id = await parent.create(client, admin)
    office = await _add(client, admin, parent, parent_id, visibility="office")
    site = await _add(client, admin, parent, parent_id, body="Gate code 4512.", visibility="site")
    office2 = await _add(client, admin, parent, parent_id)
    await _add(client, admin, parent, await parent.create(client, admin))  # another parent's
    newest_first = [office2["id"], site["id"], office["id"]]
    assert await _ids(client, admin, parent, parent_id) == newest_first
    assert await _ids(client, admin, parent, parent_id, sort="created_at") == newest_first[::-1]
    assert await _ids(client, admin, parent, parent_id, visibility="site") == [site["id"]]
    assert await _ids(client, admin, parent, parent_id, visibility="office") == [
        office2["id"],
        office["id"],
    ]
    for params, field in (({"visibility": "all"}, "visibility"), ({"sort": "body"}, "sort")):
        bad = await client.get(parent.url(parent_id), headers=admin.headers, params=params)
        assert bad.status_code == 422
        assert [e["field"] for e in bad.json()["errors"]] == [field]
    # Paged, with the filter kept.
    first = await client.get(
        parent.url(parent_id), headers=admin.headers, params={"visibility": "office", "limit": 1}
    )
    assert [n["id"] for n in first.json()["data"]] == [office2["id"]]
    cursor = first.json()["next_cursor"]
    rest = await _ids(client, admin, parent, parent_id, visibility="office", limit=1, cursor=cursor)
    assert rest == [office["id"]]


async def test_update_changes_body_or_visibility_and_stale_if_match_is_412(
    client: httpx.AsyncClient, parent: Parent
) -> None:
    admin = await signup(client)
    parent_id = await parent.create(client, admin)
    note = await _add(client, admin, parent, parent_id, body="Old")
    url = parent.url(parent_id, note["id"])
    editor = await member(client, admin, [parent.write, "customers:office"])
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


async def test_blank_or_missing_body_is_422(client: httpx.AsyncClient, parent: Parent) -> None:
    admin = await signup(client)
    parent_id = await parent.create(client, admin)
    for body in ({}, {"body": ""}, {"body": "   "}, {"body": "a\x00b"}, {"body": "x" * 10_001}):
        response = await client.post(parent.url(parent_id), headers=admin.headers, json=body)
        assert response.status_code == 422, (body, response.text)
        assert [e["field"] for e in response.json()["errors"]] == ["body"]
    assert await _ids(client, admin, parent, parent_id) == []


async def test_another_parent_or_company_answers_404(
    client: httpx.AsyncClient, parent: Parent
) -> None:
    admin = await signup(client)
    parent_id = await parent.create(client, admin)
    other_parent = await parent.create(client, admin)
    note = await _add(client, admin, parent, parent_id)
    stranger = await signup(client, "Other Co")
    strangers_parent = await parent.create(client, stranger)

    for caller, url in (
        (admin, parent.url(other_parent, note["id"])),
        (stranger, parent.url(parent_id, note["id"])),
        (stranger, parent.url(strangers_parent, note["id"])),
    ):
        for response in (
            await client.get(url, headers=caller.headers),
            await client.patch(url, headers=caller.headers, json={"body": "moved?"}),
            await client.delete(url, headers=caller.headers),
        ):
            assert response.status_code == 404, (url, response.text)
            assert response.headers["content-type"] == "application/problem+json"
    assert await _ids(client, admin, parent, other_parent) == []
    assert (await client.get(parent.url(parent_id), headers=stranger.headers)).status_code == 404
    created = await client.post(
        parent.url(parent_id), headers=stranger.headers, json={"body": "Hi"}
    )
    assert created.status_code == 404
    missing = parent.url(str(uuid.uuid4()))
    assert (await client.get(missing, headers=admin.headers)).status_code == 404
    # Another kind of parent's note is not this kind's.
    other = _other(parent)
    foreign = await _add(client, admin, other, await other.create(client, admin))
    wrong_kind = parent.url(parent_id, foreign["id"])
    assert (await client.get(wrong_kind, headers=admin.headers)).status_code == 404
    unchanged = await client.get(parent.url(parent_id, note["id"]), headers=admin.headers)
    assert unchanged.headers["etag"] == '"1"'
    assert await _ids(client, admin, parent, parent_id) == [note["id"]]


async def test_reading_and_writing_need_the_parents_permissions(
    client: httpx.AsyncClient, parent: Parent
) -> None:
    admin = await signup(client)
    parent_id = await parent.create(client, admin)
    reader = await member(client, admin, [parent.read])
    assert (await client.get(parent.url(parent_id), headers=reader.headers)).status_code == 200
    denied = await client.post(parent.url(parent_id), headers=reader.headers, json={"body": "x"})
    assert denied.status_code == 403
    assert denied.json()["permission"] == parent.write
    other = _other(parent)
    others_only = await member(client, admin, [other.read, other.write])
    refused = await client.get(parent.url(parent_id), headers=others_only.headers)
    assert refused.status_code == 403
    assert refused.json()["permission"] == parent.read


async def test_mutations_are_audited_on_the_parents_timeline(
    client: httpx.AsyncClient, app: FastAPI, parent: Parent
) -> None:
    admin = await signup(client)
    parent_id = await parent.create(client, admin)
    note = await _add(client, admin, parent, parent_id, body="First")
    url = parent.url(parent_id, note["id"])
    await client.patch(url, headers=admin.headers, json={"body": "Second"})
    await client.delete(url, headers=admin.headers)
    events = (
        await client.get(
            "/v1/events",
            headers=admin.headers,
            params={"entity_type": parent.entity_type, "entity_id": note["id"]},
        )
    ).json()["data"]
    assert [e["type"] for e in events] == [
        f"{parent.entity_type}.{action}" for action in ("deleted", "updated", "created")
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
    assert {(t, str(i)) for t, i in parents} == {(parent.event_parent, parent_id)}
