"""Small typed factories that act as a client would: through the API."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

PASSWORD = "correct-horse-battery"


@dataclass
class Caller:
    """Someone holding a credential: an admin, a group member or an API key."""

    company_id: str
    user_id: str
    token: str
    email: str = ""
    refresh_token: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def unique_email(label: str = "user") -> str:
    return f"{label}-{uuid.uuid4().hex[:10]}@example.com"


async def signup(
    client: httpx.AsyncClient,
    company_name: str = "Acme Installers",
    *,
    timezone: str | None = None,
) -> Caller:
    email = unique_email("admin")
    body: dict[str, Any] = {
        "company_name": company_name,
        "name": "Ada Admin",
        "email": email,
        "password": PASSWORD,
    }
    if timezone is not None:
        body["timezone"] = timezone
    response = await client.post("/v1/signup", json=body)
    assert response.status_code == 201, response.text
    body = response.json()
    return Caller(
        company_id=body["company"]["id"],
        user_id=body["user"]["id"],
        token=body["token"]["access_token"],
        refresh_token=body["token"]["refresh_token"],
        email=email,
    )


async def login(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> dict[str, Any]:
    response = await client.post("/v1/auth/token", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def create_group(
    client: httpx.AsyncClient, admin: Caller, permissions: list[str], name: str | None = None
) -> str:
    response = await client.post(
        "/v1/groups",
        headers=admin.headers,
        json={"name": name or f"group-{uuid.uuid4().hex[:8]}", "permissions": permissions},
    )
    assert response.status_code == 201, response.text
    group_id: str = response.json()["id"]
    return group_id


async def member(client: httpx.AsyncClient, admin: Caller, permissions: list[str]) -> Caller:
    """A non-admin user of admin's company whose one group grants `permissions`."""
    group_id = await create_group(client, admin, permissions)
    email = unique_email("member")
    response = await client.post(
        "/v1/users",
        headers=admin.headers,
        json={"email": email, "name": "Mo Member", "password": PASSWORD, "group_ids": [group_id]},
    )
    assert response.status_code == 201, response.text
    tokens = await login(client, email)
    return Caller(
        company_id=admin.company_id,
        user_id=response.json()["id"],
        token=tokens["access_token"],
        refresh_token=tokens["refresh_token"],
        email=email,
    )


async def api_key(client: httpx.AsyncClient, owner: Caller, permissions: list[str]) -> Caller:
    response = await client.post(
        "/v1/api-keys",
        headers=owner.headers,
        json={"name": f"key-{uuid.uuid4().hex[:6]}", "permissions": permissions},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    return Caller(
        company_id=owner.company_id,
        user_id=owner.user_id,
        token=body["key"],
        extra={"api_key_id": body["id"]},
    )


async def create_customer(client: httpx.AsyncClient, caller: Caller, **fields: Any) -> str:
    """A customer of caller's company; `name` defaults to a unique one."""
    body = {"name": f"Customer {uuid.uuid4().hex[:8]}", **fields}
    response = await client.post("/v1/customers", headers=caller.headers, json=body)
    assert response.status_code == 201, response.text
    customer_id: str = response.json()["id"]
    return customer_id


async def create_order(client: httpx.AsyncClient, caller: Caller, **fields: Any) -> str:
    """POST /v1/orders (title defaults to "Order"); returns the new order's id."""
    response = await client.post(
        "/v1/orders", headers=caller.headers, json={"title": "Order", **fields}
    )
    assert response.status_code == 201, response.text
    order_id: str = response.json()["id"]
    return order_id


@dataclass(frozen=True)
class OrderChild:
    """One kind of row under an order (`/v1/orders/{id}/<segment>`), as its tests use it."""

    segment: str

    def url(self, order_id: str, child_id: str | None = None) -> str:
        base = f"/v1/orders/{order_id}/{self.segment}"
        return base if child_id is None else f"{base}/{child_id}"

    async def add(
        self, client: httpx.AsyncClient, caller: Caller, order_id: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        """POST it; expect 201, ETag "1" and a Location naming the new row."""
        response = await client.post(self.url(order_id), headers=caller.headers, json=body)
        assert response.status_code == 201, response.text
        assert response.headers["etag"] == '"1"'
        row: dict[str, Any] = response.json()
        assert response.headers["location"] == self.url(order_id, row["id"])
        return row

    async def listed(
        self, client: httpx.AsyncClient, caller: Caller, order_id: str, **params: Any
    ) -> list[dict[str, Any]]:
        response = await client.get(self.url(order_id), headers=caller.headers, params=params)
        assert response.status_code == 200, response.text
        rows: list[dict[str, Any]] = response.json()["data"]
        return rows


async def assign(
    client: httpx.AsyncClient, caller: Caller, order_id: str, user_id: str, role: str = "other"
) -> None:
    """Associate a user with an order in a role."""
    response = await client.post(
        f"/v1/orders/{order_id}/assignees",
        headers=caller.headers,
        json={"user_id": user_id, "role": role},
    )
    assert response.status_code == 201, response.text
