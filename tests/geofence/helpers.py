"""What the geofence tests share: a customer's site with fences, and drives past them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.customer.location.helpers import add_location
from tests.factories import Caller, create_customer

# A site at 45 N, 7 E: there a degree of longitude is ~78.7 km, so 0.001 degrees ~79 m.
LAT, LON = 45.0, 7.0
START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def circle(radius_m: float = 200, lat: float = LAT, lon: float = LON) -> dict[str, Any]:
    return {"type": "Circle", "latitude": lat, "longitude": lon, "radius_m": radius_m}


def square(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def fences_url(customer_id: str, location_id: str, geofence_id: str | None = None) -> str:
    base = f"/v1/customers/{customer_id}/locations/{location_id}/geofences"
    return base if geofence_id is None else f"{base}/{geofence_id}"


async def site(
    client: httpx.AsyncClient, caller: Caller, name: str = "Acme Depot"
) -> tuple[str, str]:
    """A customer and a service location of it: (customer_id, location_id)."""
    customer_id = await create_customer(client, caller, name=name)
    location = await add_location(client, caller, customer_id, latitude=LAT, longitude=LON)
    return customer_id, location["id"]


async def add_fence(
    client: httpx.AsyncClient,
    caller: Caller,
    customer_id: str,
    location_id: str,
    **fields: Any,
) -> dict[str, Any]:
    body = {"name": "Depot gate", "geometry": circle(), **fields}
    response = await client.post(
        fences_url(customer_id, location_id), headers=caller.headers, json=body
    )
    assert response.status_code == 201, response.text
    assert response.headers["etag"] == '"1"'
    fence: dict[str, Any] = response.json()
    return fence


def drive(
    lons: list[float], *, lat: float = LAT, accuracy_m: float = 10, start: datetime = START
) -> list[dict[str, Any]]:
    """Positions along `lons` at latitude `lat`, 10 seconds apart."""
    return [
        {
            "latitude": lat,
            "longitude": lon,
            "accuracy_m": accuracy_m,
            "recorded_at": (start + timedelta(seconds=10 * i)).isoformat(),
        }
        for i, lon in enumerate(lons)
    ]


# West to east through the circle of 200 m at (45, 7): 21 positions 0.001 degrees (~79 m)
# apart; inside from 6.998 (i=8) to 7.002 (i=12), then 7.003 is ~36 m outside (i=13).
THROUGH = [round(6.99 + 0.001 * i, 6) for i in range(21)]


async def post_positions(
    client: httpx.AsyncClient, caller: Caller, positions: list[dict[str, Any]]
) -> dict[str, Any]:
    response = await client.post(
        "/v1/me/positions", headers=caller.headers, json={"positions": positions}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def events(client: httpx.AsyncClient, caller: Caller, **params: str) -> list[dict[str, Any]]:
    response = await client.get(
        "/v1/geofence-events", headers=caller.headers, params={"limit": 200, **params}
    )
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def crossings(listed: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(fence, kind, time) in time order."""
    return sorted(
        ((e["geofence_id"], e["kind"], e["occurred_at"]) for e in listed), key=lambda c: c[2]
    )


def at(i: int) -> str:
    """The API's rendering of the i-th position's time."""
    return (START + timedelta(seconds=10 * i)).isoformat().replace("+00:00", "Z")
