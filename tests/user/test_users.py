"""Users: admins manage them; the company always keeps an admin; secrets never leak."""

from __future__ import annotations

import httpx

from tests.factories import PASSWORD, member, signup, unique_email


async def test_admin_creates_a_user_who_can_log_in(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    email = unique_email()
    created = await client.post(
        "/v1/users",
        headers=admin.headers,
        json={"email": email.upper(), "name": "New", "password": PASSWORD},
    )
    assert created.status_code == 201
    body = created.json()
    assert body["email"] == email  # stored lower-case
    assert "password" not in created.text
    assert created.headers["location"] == f"/v1/users/{body['id']}"
    login = await client.post("/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200


async def test_email_is_unique_across_companies(client: httpx.AsyncClient) -> None:
    a = await signup(client)
    b = await signup(client)
    response = await client.post(
        "/v1/users", headers=b.headers, json={"email": a.email, "name": "Dup", "password": PASSWORD}
    )
    assert response.status_code == 409


async def test_groups_of_another_company_are_refused(client: httpx.AsyncClient) -> None:
    a = await signup(client)
    b = await signup(client)
    group_b = (
        await client.post("/v1/groups", headers=b.headers, json={"name": "B", "permissions": []})
    ).json()["id"]
    response = await client.post(
        "/v1/users",
        headers=a.headers,
        json={"email": unique_email(), "name": "X", "password": PASSWORD, "group_ids": [group_b]},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "group_ids"


async def test_nobody_disables_themselves_and_the_last_admin_stays(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    own = await client.post(f"/v1/users/{admin.user_id}/disable", headers=admin.headers)
    assert own.status_code == 409
    demote = await client.patch(
        f"/v1/users/{admin.user_id}", headers=admin.headers, json={"is_admin": False}
    )
    assert demote.status_code == 409


async def test_disable_then_enable(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    user = await member(client, admin, [])
    disabled = await client.post(f"/v1/users/{user.user_id}/disable", headers=admin.headers)
    assert disabled.json()["is_active"] is False
    listed = await client.get("/v1/users", headers=admin.headers, params={"is_active": False})
    assert [u["id"] for u in listed.json()["data"]] == [user.user_id]
    enabled = await client.post(f"/v1/users/{user.user_id}/enable", headers=admin.headers)
    assert enabled.json()["is_active"] is True
    relogin = await client.post("/v1/auth/token", json={"email": user.email, "password": PASSWORD})
    assert relogin.status_code == 200


async def test_password_change_signs_out_refresh_tokens(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    user = await member(client, admin, [])
    changed = await client.patch(
        f"/v1/users/{user.user_id}",
        headers=admin.headers,
        json={"password": "another-long-password"},
    )
    assert changed.status_code == 200
    refreshed = await client.post("/v1/auth/refresh", json={"refresh_token": user.refresh_token})
    assert refreshed.status_code == 401


async def test_non_admin_cannot_manage_users_even_with_every_grantable_permission(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    permissions = (await client.get("/v1/permissions", headers=admin.headers)).json()["data"]
    grantable = [p["name"] for p in permissions if not p["admin_only"]]
    user = await member(client, admin, grantable)
    response = await client.get("/v1/users", headers=user.headers)
    assert response.status_code == 403
    assert response.json()["permission"] == "users:manage"
