"""Deleting a user (`users_delete`): their history keeps their name, they never sign in
again, their credentials die at once, the company keeps an admin, the plan stops counting
them, and their email is free again."""

from __future__ import annotations

import asyncio

import httpx

from tests.factories import (
    PASSWORD,
    Caller,
    api_key,
    assign,
    create_order,
    member,
    signup,
    unique_email,
)


async def _delete(
    client: httpx.AsyncClient, admin: Caller, user_id: str, **headers: str
) -> httpx.Response:
    return await client.delete(f"/v1/users/{user_id}", headers={**admin.headers, **headers})


async def test_a_deleted_user_with_history_keeps_their_name_on_it_and_never_signs_in(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    crew = await member(client, admin, ["orders:read", "orders:write", "api_keys:manage"])
    key = await api_key(client, crew, ["orders:read"])
    order_id = await create_order(client, crew)
    await assign(client, admin, order_id, crew.user_id, "installer")
    booked = await client.post(
        f"/v1/orders/{order_id}/appointments",
        headers=admin.headers,
        json={"starts_at": "2026-12-01T09:00:00Z", "user_ids": [crew.user_id]},
    )
    assert booked.status_code == 201, booked.text
    note = await client.post(
        f"/v1/orders/{order_id}/notes", headers=crew.headers, json={"body": "gate code 1234"}
    )
    assert note.status_code == 201, note.text

    deleted = await _delete(client, admin, crew.user_id)
    assert deleted.status_code == 204, deleted.text
    assert deleted.content == b""

    # The history stays, naming them.
    assignees = await client.get(f"/v1/orders/{order_id}/assignees", headers=admin.headers)
    assert [(a["user_id"], a["user_name"]) for a in assignees.json()["data"]] == [
        (crew.user_id, "Mo Member")
    ]
    appointment = await client.get(
        f"/v1/orders/{order_id}/appointments/{booked.json()['id']}", headers=admin.headers
    )
    assert appointment.json()["user_ids"] == [crew.user_id]
    notes = await client.get(f"/v1/orders/{order_id}/notes", headers=admin.headers)
    assert [n["author_id"] for n in notes.json()["data"]] == [crew.user_id]
    events = await client.get(
        "/v1/events",
        headers=admin.headers,
        params={"entity_type": "user", "entity_id": crew.user_id},
    )
    latest = events.json()["data"][0]
    assert latest["type"] == "user.deleted"
    assert latest["before"]["email"] == crew.email
    assert "password_hash" not in str(latest)

    # Every credential they had is dead: password, access token, refresh token, API key.
    login = await client.post("/v1/auth/token", json={"email": crew.email, "password": PASSWORD})
    assert login.status_code == 401
    assert (await client.get("/v1/orders", headers=crew.headers)).status_code == 401
    assert (await client.get("/v1/orders", headers=key.headers)).status_code == 401
    refreshed = await client.post("/v1/auth/refresh", json={"refresh_token": crew.refresh_token})
    assert refreshed.status_code == 401
    keys = await client.get("/v1/api-keys", headers=admin.headers)
    [listed_key] = [k for k in keys.json()["data"] if k["id"] == key.extra["api_key_id"]]
    assert listed_key["revoked_at"] is not None


async def test_a_deleted_user_is_gone_from_every_user_route(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    user = await member(client, admin, [])
    assert (await _delete(client, admin, user.user_id)).status_code == 204

    for params in ({}, {"is_active": "false"}):
        listed = await client.get("/v1/users", headers=admin.headers, params=params)
        assert user.user_id not in [u["id"] for u in listed.json()["data"]]
    directory = await client.get("/v1/directory/users", headers=admin.headers)
    assert user.user_id not in [u["id"] for u in directory.json()["data"]]
    url = f"/v1/users/{user.user_id}"
    assert (await client.get(url, headers=admin.headers)).status_code == 404
    patched = await client.patch(url, headers=admin.headers, json={"name": "Back"})
    assert patched.status_code == 404
    enabled = await client.post(f"{url}/enable", headers=admin.headers)
    assert enabled.status_code == 404  # never enabled again
    again = await _delete(client, admin, user.user_id)
    assert again.status_code == 404
    assert again.headers["content-type"] == "application/problem+json"
    # Nor can they be booked or assigned.
    order_id = await create_order(client, admin)
    booked = await client.post(
        f"/v1/orders/{order_id}/appointments",
        headers=admin.headers,
        json={"starts_at": "2026-12-01T09:00:00Z", "user_ids": [user.user_id]},
    )
    assert booked.status_code == 422


async def test_the_email_of_a_deleted_user_is_free_again(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    user = await member(client, admin, [])
    assert (await _delete(client, admin, user.user_id)).status_code == 204
    created = await client.post(
        "/v1/users",
        headers=admin.headers,
        json={"email": user.email, "name": "New Mo", "password": PASSWORD},
    )
    assert created.status_code == 201, created.text
    assert created.json()["id"] != user.user_id
    login = await client.post("/v1/auth/token", json={"email": user.email, "password": PASSWORD})
    assert login.status_code == 200


async def test_deleted_users_do_not_count_towards_the_plan(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    users = [await member(client, admin, []) for _ in range(2)]  # 3 with the admin: Basic's
    body = {"email": unique_email(), "name": "Four", "password": PASSWORD}
    full = await client.post("/v1/users", headers=admin.headers, json=body)
    assert full.status_code == 409
    assert full.json()["type"].endswith("/plan-limit-reached")
    assert (await _delete(client, admin, users[0].user_id)).status_code == 204
    room = await client.post("/v1/users", headers=admin.headers, json=body)
    assert room.status_code == 201, room.text


async def test_if_match_guards_a_delete(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    user = await member(client, admin, [])
    renamed = await client.patch(
        f"/v1/users/{user.user_id}", headers=admin.headers, json={"name": "Renamed"}
    )
    stale = await _delete(client, admin, user.user_id, **{"If-Match": '"1"'})
    assert stale.status_code == 412
    fresh = await _delete(client, admin, user.user_id, **{"If-Match": renamed.headers["etag"]})
    assert fresh.status_code == 204


async def test_nobody_deletes_themselves_and_the_last_admin_stays(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    own = await _delete(client, admin, admin.user_id)
    assert own.status_code == 409
    assert "yourself" in own.json()["detail"]

    other = await member(client, admin, [])
    promoted = await client.patch(
        f"/v1/users/{other.user_id}", headers=admin.headers, json={"is_admin": True}
    )
    assert promoted.status_code == 200
    # Two admins: one may delete the other, and then the last one stays.
    assert (await _delete(client, admin, other.user_id)).status_code == 204
    assert (await client.get(f"/v1/users/{admin.user_id}", headers=admin.headers)).json()[
        "is_admin"
    ] is True


async def test_disabled_admins_do_not_count_as_the_admin_kept(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    second = await member(client, admin, [])
    await client.patch(
        f"/v1/users/{second.user_id}", headers=admin.headers, json={"is_admin": True}
    )
    disabled = await client.post(f"/v1/users/{second.user_id}/disable", headers=admin.headers)
    assert disabled.status_code == 200
    # A disabled admin may be deleted: the active admin remains.
    assert (await _delete(client, admin, second.user_id)).status_code == 204


async def test_two_admins_deleting_each_other_at_once_leave_one(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    other = await member(client, admin, [])
    promoted = await client.patch(
        f"/v1/users/{other.user_id}", headers=admin.headers, json={"is_admin": True}
    )
    assert promoted.status_code == 200
    first, second = await asyncio.gather(
        _delete(client, admin, other.user_id), _delete(client, other, admin.user_id)
    )
    assert sorted([first.status_code, second.status_code]) == [204, 409], (
        first.text,
        second.text,
    )


async def test_another_companys_user_is_404(client: httpx.AsyncClient) -> None:
    a = await signup(client)
    b = await signup(client)
    user_b = await member(client, b, [])
    assert (await _delete(client, a, user_b.user_id)).status_code == 404
    assert (await client.get("/v1/users", headers=b.headers)).status_code == 200
    assert (await client.get(f"/v1/users/{user_b.user_id}", headers=b.headers)).status_code == 200


async def test_only_admins_delete_users(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    user = await member(client, admin, ["customers:read"])
    target = await member(client, admin, [])
    refused = await _delete(client, user, target.user_id)
    assert refused.status_code == 403
    assert refused.json()["permission"] == "users:manage"
