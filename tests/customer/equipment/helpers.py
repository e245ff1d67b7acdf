"""What the equipment tests share: the URLs, adding a piece, listing them."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import Caller


def equipment_url(customer_id: str, equipment_id: str | None = None) -> str:
    base = f"/v1/customers/{customer_id}/equipment"
    return base if equipment_id is None else f"{base}/{equipment_id}"


async def add_equipment(
    client: httpx.AsyncClient, caller: Caller, customer_id: str, **fields: Any
) -> dict[str, Any]:
    """POST equipment (a furnace unless `fields` say otherwise); expect 201, ETag "1" and a
    Location header naming it."""
    body = {"type": "Furnace", **fields}
    response = await client.post(equipment_url(customer_id), headers=caller.headers, json=body)
    assert response.status_code == 201, response.text
    assert response.headers["etag"] == '"1"'
    equipment: dict[str, Any] = response.json()
    assert response.headers["location"] == equipment_url(customer_id, equipment["id"])
    return equipment


async def list_ids(
    client: httpx.AsyncClient, caller: Caller, customer_id: str, **params: Any
) -> list[str]:
    response = await client.get(
        equipment_url(customer_id), headers=caller.headers, params={"limit": 200, **params}
    )
    assert response.status_code == 200, response.text
    return [row["id"] for row in response.json()["data"]]


def error_fields(response: httpx.Response) -> list[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return [e["field"] for e in response.json()["errors"]]
