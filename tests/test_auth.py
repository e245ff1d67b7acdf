"""Signup, login, refresh rotation, and every way a credential must answer 401."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest

from app.config import Settings
from tests.factories import PASSWORD, api_key, login, member, signup, unique_email


async def test_signup_then_me_shows_user_company_and_all_permissions(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client, "Me Co")
    response = await client.get("/v1/me", headers=admin.headers)
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["email"] == admin.email
    assert body["user"]["is_admin"] is True
    assert body["company"]["name"] == "Me Co"
    assert "users:manage" in body["permissions"]
    assert "customers:read" in body["permissions"]


async def test_signup_refuses_a_taken_email(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    response = await client.post(
        "/v1/signup",
        json={"company_name": "X", "name": "X", "email": admin.email, "password": PASSWORD},
    )
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["field"] == "email"


async def test_signup_names_invalid_fields(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/signup",
        json={"company_name": "X", "name": "X", "email": "not-an-email", "password": "short"},
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"email", "password"}


async def test_unknown_fields_are_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/signup",
        json={
            "company_name": "X",
            "name": "X",
            "email": unique_email(),
            "password": PASSWORD,
            "is_admin": True,
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "is_admin"


async def test_wrong_password_and_unknown_email_look_the_same(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    wrong = await client.post("/v1/auth/token", json={"email": admin.email, "password": "nope"})
    unknown = await client.post(
        "/v1/auth/token", json={"email": unique_email(), "password": "nope"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]


async def test_refresh_rotates_and_reuse_revokes_the_family(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    first = admin.refresh_token
    rotated = await client.post("/v1/auth/refresh", json={"refresh_token": first})
    assert rotated.status_code == 200
    second = rotated.json()["refresh_token"]
    assert second != first
    assert (
        await client.get(
            "/v1/me", headers={"Authorization": "Bearer " + rotated.json()["access_token"]}
        )
    ).status_code == 200

    reused = await client.post("/v1/auth/refresh", json={"refresh_token": first})
    assert reused.status_code == 401
    # The theft is detected: the legitimate successor is revoked too.
    after = await client.post("/v1/auth/refresh", json={"refresh_token": second})
    assert after.status_code == 401


async def test_revoke_logs_out_the_family(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    assert (
        await client.post("/v1/auth/revoke", json={"refresh_token": admin.refresh_token})
    ).status_code == 204
    response = await client.post("/v1/auth/refresh", json={"refresh_token": admin.refresh_token})
    assert response.status_code == 401


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _claims(admin_user: str, company: str, **overrides: object) -> dict[str, object]:
    now = int(time.time())
    claims: dict[str, object] = {
        "sub": admin_user,
        "cid": company,
        "typ": "access",
        "iat": now,
        "exp": now + 600,
        "jti": "x",
    }
    claims.update(overrides)
    return claims


@pytest.mark.parametrize(
    "case",
    ["missing", "not-bearer", "garbage", "expired", "wrong-key", "alg-none", "refresh-as-access"],
)
async def test_bad_credentials_answer_401(
    client: httpx.AsyncClient, settings: Settings, case: str
) -> None:
    admin = await signup(client)
    secret = settings.secret_key or ""
    headers: dict[str, str] = {}
    if case == "not-bearer":
        headers = {"Authorization": "Basic dXNlcjpwYXNz"}
    elif case == "garbage":
        headers = {"Authorization": "Bearer not.a.jwt"}
    elif case == "expired":
        past = datetime.now(UTC) - timedelta(hours=1)
        token = jwt.encode(
            _claims(admin.user_id, admin.company_id, iat=past, exp=past + timedelta(minutes=1)),
            secret,
            algorithm="HS256",
        )
        headers = {"Authorization": f"Bearer {token}"}
    elif case == "wrong-key":
        token = jwt.encode(
            _claims(admin.user_id, admin.company_id), "another-secret-" * 4, algorithm="HS256"
        )
        headers = {"Authorization": f"Bearer {token}"}
    elif case == "alg-none":
        header = _b64({"alg": "none", "typ": "JWT"})
        token = f"{header}.{_b64(_claims(admin.user_id, admin.company_id))}."
        headers = {"Authorization": f"Bearer {token}"}
    elif case == "refresh-as-access":
        headers = {"Authorization": f"Bearer {admin.refresh_token}"}
    response = await client.get("/v1/me", headers=headers)
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"


async def test_token_of_another_company_claim_is_refused(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    a = await signup(client)
    b = await signup(client)
    forged = jwt.encode(_claims(a.user_id, b.company_id), settings.secret_key or "", "HS256")
    response = await client.get("/v1/me", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401


async def test_disabled_user_is_locked_out_at_once(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    user = await member(client, admin, ["customers:read"])
    assert (await client.get("/v1/me", headers=user.headers)).status_code == 200
    disabled = await client.post(f"/v1/users/{user.user_id}/disable", headers=admin.headers)
    assert disabled.status_code == 200
    assert disabled.json()["is_active"] is False
    assert (await client.get("/v1/me", headers=user.headers)).status_code == 401
    refreshed = await client.post("/v1/auth/refresh", json={"refresh_token": user.refresh_token})
    assert refreshed.status_code == 401
    relogin = await client.post("/v1/auth/token", json={"email": user.email, "password": PASSWORD})
    assert relogin.status_code == 401


async def test_api_key_authenticates_and_revoked_key_answers_401(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    key = await api_key(client, admin, ["events:read"])
    me = await client.get("/v1/me", headers=key.headers)
    assert me.status_code == 200
    assert me.json()["permissions"] == ["events:read"]
    assert me.json()["api_key_id"] == key.extra["api_key_id"]

    listed = await client.get("/v1/api-keys", headers=admin.headers)
    row = next(k for k in listed.json()["data"] if k["id"] == key.extra["api_key_id"])
    assert "key" not in row
    assert key.token.startswith(row["prefix"])
    assert row["last_used_at"] is not None

    revoked = await client.post(
        f"/v1/api-keys/{key.extra['api_key_id']}/revoke", headers=admin.headers
    )
    assert revoked.status_code == 200
    assert (await client.get("/v1/me", headers=key.headers)).status_code == 401


async def test_api_key_with_a_wrong_secret_answers_401(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    key = await api_key(client, admin, ["events:read"])
    prefix = key.token.split(".", 1)[0]
    response = await client.get("/v1/me", headers={"Authorization": f"Bearer {prefix}.forged"})
    assert response.status_code == 401


async def test_api_key_cannot_exceed_its_creator(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    user = await member(client, admin, ["customers:read", "api_keys:manage"])
    response = await client.post(
        "/v1/api-keys",
        headers=user.headers,
        json={"name": "too much", "permissions": ["customers:read", "orders:write"]},
    )
    assert response.status_code == 403
    assert response.json()["permission"] == "orders:write"


async def test_login_returns_working_tokens(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    tokens = await login(client, admin.email)
    assert tokens["token_type"] == "bearer"
    me = await client.get("/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.status_code == 200
