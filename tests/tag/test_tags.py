"""Tags: the company's vocabulary; names unique ignoring case; ETag/If-Match; audited."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.errors import ValidationFailed
from app.tag.service import require_tags
from tests.billing.helpers import subscribe
from tests.factories import Caller, create_customer, member, signup
from tests.fakes.stripe import FakeStripe


async def create_tag(client: httpx.AsyncClient, caller: Caller, **fields: Any) -> dict[str, Any]:
    body = {"name": f"tag-{uuid.uuid4().hex[:8]}", **fields}
    response = await client.post("/v1/tags", headers=caller.headers, json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def test_create_get_list_update_delete(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    created = await client.post(
        "/v1/tags", headers=admin.headers, json={"name": "VIP", "color": "#ff8800"}
    )
    assert created.status_code == 201, created.text
    tag = created.json()
    assert tag["name"] == "VIP"
    assert tag["color"] == "#FF8800"  # stored upper-case
    assert created.headers["location"] == f"/v1/tags/{tag['id']}"
    assert created.headers["etag"]

    read = await client.get(f"/v1/tags/{tag['id']}", headers=admin.headers)
    assert read.status_code == 200
    assert read.json() == tag
    assert read.headers["etag"] == created.headers["etag"]

    updated = await client.patch(
        f"/v1/tags/{tag['id']}", headers=admin.headers, json={"color": None}
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["color"] is None
    assert updated.json()["name"] == "VIP"  # untouched
    assert updated.headers["etag"] != read.headers["etag"]

    deleted = await client.delete(f"/v1/tags/{tag['id']}", headers=admin.headers)
    assert deleted.status_code == 204
    gone = await client.get(f"/v1/tags/{tag['id']}", headers=admin.headers)
    assert gone.status_code == 404
    assert gone.headers["content-type"] == "application/problem+json"


async def test_list_is_sorted_by_name_with_keyset_pages_and_q(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    for name in ("Warranty", "Commercial", "VIP", "Residential", "Vip lead"):
        await create_tag(client, admin, name=name)
    names: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/v1/tags", headers=admin.headers, params=params)).json()
        names += [t["name"] for t in page["data"]]
        cursor = page["next_cursor"]
        assert page["has_more"] is (cursor is not None)
        if cursor is None:
            break
    assert names == ["Commercial", "Residential", "VIP", "Vip lead", "Warranty"]

    found = await client.get("/v1/tags", headers=admin.headers, params={"q": "vip"})
    assert [t["name"] for t in found.json()["data"]] == ["VIP", "Vip lead"]
    # `q` is a literal substring: LIKE wildcards match only themselves.
    wild = await client.get("/v1/tags", headers=admin.headers, params={"q": "%"})
    assert wild.json()["data"] == []


async def test_names_are_unique_ignoring_case(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    first = await create_tag(client, admin, name="Commercial")
    other = await create_tag(client, admin, name="Residential")
    duplicate = await client.post("/v1/tags", headers=admin.headers, json={"name": "COMMERCIAL"})
    assert duplicate.status_code == 409
    assert duplicate.headers["content-type"] == "application/problem+json"
    assert duplicate.json()["field"] == "name"
    renamed = await client.patch(
        f"/v1/tags/{other['id']}", headers=admin.headers, json={"name": "commercial"}
    )
    assert renamed.status_code == 409
    # Renaming a tag to its own name in another case is fine.
    recased = await client.patch(
        f"/v1/tags/{first['id']}", headers=admin.headers, json={"name": "COMMERCIAL"}
    )
    assert recased.status_code == 200, recased.text
    # Another company has a vocabulary of its own.
    stranger = await signup(client, "Other Co")
    assert (await create_tag(client, stranger, name="Commercial"))["name"] == "Commercial"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 51}, "name"),
        ({"name": "a\x00b"}, "name"),
        ({"name": "Red", "color": "red"}, "color"),
        ({"name": "Red", "color": "#FF880"}, "color"),
        ({"name": "Red", "colour": "#FF8800"}, "colour"),
        ({}, "name"),
    ],
)
async def test_invalid_bodies_are_422_naming_the_field(
    client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    admin = await signup(client)
    response = await client.post("/v1/tags", headers=admin.headers, json=body)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]


async def test_patch_refuses_a_null_name(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    tag = await create_tag(client, admin)
    response = await client.patch(
        f"/v1/tags/{tag['id']}", headers=admin.headers, json={"name": None}
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["name"]


async def test_stale_if_match_is_412(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    tag = await create_tag(client, admin, name="Before")
    etag = (await client.get(f"/v1/tags/{tag['id']}", headers=admin.headers)).headers["etag"]
    fresh = await client.patch(
        f"/v1/tags/{tag['id']}", headers={**admin.headers, "If-Match": etag}, json={"name": "One"}
    )
    assert fresh.status_code == 200
    stale = await client.patch(
        f"/v1/tags/{tag['id']}", headers={**admin.headers, "If-Match": etag}, json={"name": "Two"}
    )
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    stale_delete = await client.delete(
        f"/v1/tags/{tag['id']}", headers={**admin.headers, "If-Match": etag}
    )
    assert stale_delete.status_code == 412
    current = await client.get(f"/v1/tags/{tag['id']}", headers=admin.headers)
    assert current.json()["name"] == "One"
    deleted = await client.delete(
        f"/v1/tags/{tag['id']}", headers={**admin.headers, "If-Match": current.headers["etag"]}
    )
    assert deleted.status_code == 204


async def test_readers_read_and_only_settings_writers_write(
    client: httpx.AsyncClient, fake_stripe: FakeStripe
) -> None:
    admin = await signup(client)
    await subscribe(client, admin, fake_stripe, "plus")  # room for 3 more users
    tag = await create_tag(client, admin)
    reader = await member(client, admin, ["customers:read", "customers:write"])
    assert (await client.get("/v1/tags", headers=reader.headers)).status_code == 200
    assert (await client.get(f"/v1/tags/{tag['id']}", headers=reader.headers)).status_code == 200
    for method, path, body in (
        ("POST", "/v1/tags", {"name": "Nope"}),
        ("PATCH", f"/v1/tags/{tag['id']}", {"name": "Nope"}),
        ("DELETE", f"/v1/tags/{tag['id']}", None),
    ):
        response = await client.request(method, path, headers=reader.headers, json=body)
        assert response.status_code == 403, f"{method} {path}: {response.text}"
        assert response.json()["permission"] == "settings:write"
    outsider = await member(client, admin, ["orders:read"])
    denied = await client.get("/v1/tags", headers=outsider.headers)
    assert denied.status_code == 403
    assert denied.json()["permission"] == "customers:read"
    writer = await member(client, admin, ["settings:write"])
    assert (
        await client.post("/v1/tags", headers=writer.headers, json={"name": "Ok"})
    ).status_code == 201


async def test_another_company_tag_is_404(client: httpx.AsyncClient) -> None:
    owner = await signup(client)
    tag = await create_tag(client, owner)
    stranger = await signup(client, "Other Co")
    for method in ("GET", "PATCH", "DELETE"):
        response = await client.request(
            method,
            f"/v1/tags/{tag['id']}",
            headers=stranger.headers,
            json={"name": "Mine"} if method == "PATCH" else None,
        )
        assert response.status_code == 404, response.text
    listed = await client.get("/v1/tags", headers=stranger.headers)
    assert listed.json()["data"] == []


async def test_deleting_a_tag_takes_it_off_customers(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    vip = await create_tag(client, admin, name="VIP")
    keep = await create_tag(client, admin, name="Keep")
    customer_id = await create_customer(client, admin, tag_ids=[vip["id"], keep["id"]])
    before = (await client.get(f"/v1/customers/{customer_id}", headers=admin.headers)).json()
    assert {t["name"] for t in before["tags"]} == {"VIP", "Keep"}
    assert (await client.delete(f"/v1/tags/{vip['id']}", headers=admin.headers)).status_code == 204
    after = (await client.get(f"/v1/customers/{customer_id}", headers=admin.headers)).json()
    assert [t["name"] for t in after["tags"]] == ["Keep"]


async def test_mutations_are_audited(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    tag = await create_tag(client, admin, name="Audited")
    await client.patch(f"/v1/tags/{tag['id']}", headers=admin.headers, json={"name": "Changed"})
    await client.delete(f"/v1/tags/{tag['id']}", headers=admin.headers)
    events = (
        await client.get(
            "/v1/events",
            headers=admin.headers,
            params={"entity_type": "tag", "entity_id": tag["id"]},
        )
    ).json()["data"]
    assert [e["type"] for e in events] == ["tag.deleted", "tag.updated", "tag.created"]
    deleted, updated, created = events
    assert created["after"]["name"] == "Audited"
    assert updated["before"]["name"] == "Audited"
    assert updated["after"]["name"] == "Changed"
    assert deleted["before"]["name"] == "Changed"
    assert deleted["after"] is None


async def test_require_tags(app: FastAPI, client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    first = await create_tag(client, admin, name="First")
    second = await create_tag(client, admin, name="Second")
    stranger = await signup(client, "Other Co")
    foreign = await create_tag(client, stranger, name="Foreign")
    company_id = uuid.UUID(admin.company_id)
    ids = [uuid.UUID(second["id"]), uuid.UUID(first["id"]), uuid.UUID(second["id"])]
    async with app.state.sessions() as session:
        tags = await require_tags(session, company_id, ids)
        assert [t.name for t in tags] == ["Second", "First"]  # once each, in the order named
        assert await require_tags(session, company_id, []) == []
        missing = uuid.uuid4()
        with pytest.raises(ValidationFailed) as refused:
            await require_tags(
                session, company_id, [uuid.UUID(first["id"]), uuid.UUID(foreign["id"]), missing]
            )
        [error] = refused.value.errors
        assert error.field == "tag_ids"
        assert foreign["id"] in error.message
        assert str(missing) in error.message
        assert first["id"] not in error.message
        with pytest.raises(ValidationFailed) as named:
            await require_tags(session, company_id, [missing], field="add_tag_ids")
        assert named.value.errors[0].field == "add_tag_ids"
