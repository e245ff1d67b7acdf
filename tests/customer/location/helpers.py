"""What the location tests share: the URLs, adding one, listing them."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import Caller

SITE: dict[str, Any] = {
    "label": "Warehouse 2",
    "address_line1": "400 Industrial Way",
    "city": "Oakland",
    "region": "CA",
    "postal_code": "94607",
    "country": "US",
    "latitude": 37.8044,
    "longitude": -122.2712,
    "access_notes": "Gate code 4721",
}


def location_url(customer_id: str, location_id: str | None = None) -> str:
    base = f"/v1/customers/{customer_id}/locations"
    return base if location_id is None else f"{base}/{location_id}"


async def add_location(
    client: httpx.AsyncClient, caller: Caller, customer_id: str, **fields: Any
) -> dict[str, Any]:
    """POST a location (1 Main St unless `fields` say otherwise); expect 201, ETag "1" and
    a Location header naming it."""
    body = {"address_line1": "1 Main St", **fields}
    response = await client.post(location_url(customer_id), headers=caller.headers, json=body)
    assert response.status_code == 201, response.text
    assert response.headers["etag"] == '"1"'
    location: dict[str, Any] = response.json()
    assert response.headers["location"] == location_url(customer_id, location["id"])
    return location


async def list_locations(
    client: httpx.AsyncClient, caller: Caller, customer_id: str
) -> list[dict[str, Any]]:
    response = await client.get(
        location_url(customer_id), headers=caller.headers, params={"limit": 200}
    )
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def primaries(locations: list[dict[str, Any]]) -> list[str]:
    return [loc["id"] for loc in locations if loc["is_primary"]]


def error_fields(response: httpx.Response) -> list[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return [e["field"] for e in response.json()["errors"]]
