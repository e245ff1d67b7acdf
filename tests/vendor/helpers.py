"""Small typed factories for vendors and contact types, through the API."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.factories import Caller


async def add_contact_type(
    client: httpx.AsyncClient, caller: Caller, name: str | None = None, **fields: Any
) -> dict[str, Any]:
    body = {"name": name or f"Type {uuid.uuid4().hex[:8]}", **fields}
    response = await client.post("/v1/contact-types", headers=caller.headers, json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def add_vendor(
    client: httpx.AsyncClient,
    caller: Caller,
    contact_type_ids: list[str] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A vendor of caller's company; a new contact type when none is named."""
    if contact_type_ids is None:
        contact_type_ids = [(await add_contact_type(client, caller))["id"]]
    body = {
        "name": f"Vendor {uuid.uuid4().hex[:8]}",
        "contact_type_ids": contact_type_ids,
        **fields,
    }
    response = await client.post("/v1/vendors", headers=caller.headers, json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def vendor_ids(client: httpx.AsyncClient, caller: Caller, **params: Any) -> list[str]:
    response = await client.get("/v1/vendors", headers=caller.headers, params=params)
    assert response.status_code == 200, response.text
    return [v["id"] for v in response.json()["data"]]


def error_fields(response: httpx.Response) -> list[str]:
    return [e["field"] for e in response.json().get("errors", [])]
