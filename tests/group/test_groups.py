"""Groups grant permissions; ETag/If-Match guard concurrent edits; every change is audited."""

from __future__ import annotations

import httpx

from tests.factories import create_group, member, signup


async def test_group_permissions_reach_the_member(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    user = await member(client, admin, ["customers:read", "orders:read"])
    me = (await client.get("/v1/me", headers=user.headers)).json()
    assert me["permissions"] == ["customers:read", "orders:read"]


async def test_a_user_in_two_groups_has_the_union(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    user = await member(client, admin, ["customers:read"])
    second = await create_group(client, admin, ["payments:write"])
    current = (await client.get(f"/v1/users/{user.user_id}", headers=admin.headers)).json()
    updated = await client.patch(
        f"/v1/users/{user.user_id}",
        headers=admin.headers,
        json={"group_ids": [*current["group_ids"], second]},
    )
    assert updated.status_code == 200, updated.text
    me = (await client.get("/v1/me", headers=user.headers)).json()
    assert me["permissions"] == ["customers:read", "payments:write"]


async def test_unknown_or_admin_only_permissions_are_refused(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    for bad in (["customers:fly"], ["users:manage"]):
        response = await client.post(
            "/v1/groups", headers=admin.headers, json={"name": "x", "permissions": bad}
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "permissions"


async def test_duplicate_group_name_is_409(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    await create_group(client, admin, [], name="Office")
    response = await client.post(
        "/v1/groups", headers=admin.headers, json={"name": "Office", "permissions": []}
    )
    assert response.status_code == 409


async def test_stale_if_match_is_412_and_fresh_one_applies(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    group_id = await create_group(client, admin, [], name="Before")
    read = await client.get(f"/v1/groups/{group_id}", headers=admin.headers)
    etag = read.headers["etag"]
    first = await client.patch(
        f"/v1/groups/{group_id}", headers={**admin.headers, "If-Match": etag}, json={"name": "One"}
    )
    assert first.status_code == 200
    assert first.headers["etag"] != etag
    stale = await client.patch(
        f"/v1/groups/{group_id}", headers={**admin.headers, "If-Match": etag}, json={"name": "Two"}
    )
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    stale_delete = await client.delete(
        f"/v1/groups/{group_id}", headers={**admin.headers, "If-Match": etag}
    )
    assert stale_delete.status_code == 412
    current = await client.get(f"/v1/groups/{group_id}", headers=admin.headers)
    assert current.json()["name"] == "One"
    deleted = await client.delete(
        f"/v1/groups/{group_id}", headers={**admin.headers, "If-Match": current.headers["etag"]}
    )
    assert deleted.status_code == 204
    gone = await client.get(f"/v1/groups/{group_id}", headers=admin.headers)
    assert gone.status_code == 404


async def test_patch_changes_only_what_is_sent_and_refuses_null(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    group_id = await create_group(client, admin, ["customers:read"], name="Keep")
    renamed = await client.patch(
        f"/v1/groups/{group_id}", headers=admin.headers, json={"name": "Renamed"}
    )
    assert renamed.json()["permissions"] == ["customers:read"]
    for bad in (None, "   "):
        refused = await client.patch(
            f"/v1/groups/{group_id}", headers=admin.headers, json={"name": bad}
        )
        assert refused.status_code == 422
        # One error, naming the field itself (not a union member of its type).
        assert [e["field"] for e in refused.json()["errors"]] == ["name"]


async def test_deleting_a_group_removes_what_it_granted(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    user = await member(client, admin, ["customers:read"])
    group_id = (await client.get(f"/v1/users/{user.user_id}", headers=admin.headers)).json()[
        "group_ids"
    ][0]
    assert (await client.delete(f"/v1/groups/{group_id}", headers=admin.headers)).status_code == 204
    me = (await client.get("/v1/me", headers=user.headers)).json()
    assert me["permissions"] == []


async def test_mutations_are_audited_with_before_and_after(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    group_id = await create_group(client, admin, [], name="Audited")
    await client.patch(f"/v1/groups/{group_id}", headers=admin.headers, json={"name": "Changed"})
    await client.delete(f"/v1/groups/{group_id}", headers=admin.headers)
    events = (
        await client.get(
            "/v1/events",
            headers=admin.headers,
            params={"entity_type": "group", "entity_id": group_id},
        )
    ).json()["data"]
    assert [e["type"] for e in events] == ["group.deleted", "group.updated", "group.created"]
    deleted, updated, created = events
    assert created["before"] is None
    assert created["after"]["name"] == "Audited"
    assert updated["before"]["name"] == "Audited"
    assert updated["after"]["name"] == "Changed"
    assert deleted["before"]["name"] == "Changed"
    assert deleted["after"] is None
    assert all(e["actor_user_id"] == admin.user_id for e in events)
    assert all(e["request_id"] for e in events)
