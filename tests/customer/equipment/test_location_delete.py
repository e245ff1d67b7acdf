"""Deleting a service location with equipment installed there: the 409 counts it
(`equipment_count`), and `detach=true` clears the equipment's location in the same
transaction (a new version and an audit event on each)."""

from __future__ import annotations

import asyncio
import uuid

import httpx
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.customer.location.models import Location
from tests.customer.equipment.helpers import add_equipment, equipment_url
from tests.customer.location.helpers import add_location, location_url
from tests.factories import create_customer, signup


async def test_equipment_at_a_location_is_counted_then_detached(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    site = await add_location(client, admin, customer_id)
    other_site = await add_location(client, admin, customer_id, address_line1="2 Main")
    there = [
        await add_equipment(client, admin, customer_id, location_id=site["id"]) for _ in range(2)
    ]
    kept = await add_equipment(client, admin, customer_id, location_id=other_site["id"])

    url = location_url(customer_id, site["id"])
    refused = await client.delete(url, headers=admin.headers)
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert (problem["orders_count"], problem["appointments_count"]) == (0, 0)
    assert problem["equipment_count"] == 2
    assert "2 piece(s) of equipment" in problem["detail"]

    deleted = await client.delete(url, headers=admin.headers, params={"detach": "true"})
    assert deleted.status_code == 204, deleted.text
    for piece in there:
        now = await client.get(equipment_url(customer_id, piece["id"]), headers=admin.headers)
        assert (now.json()["location_id"], now.headers["etag"]) == (None, '"2"')
        events = await client.get(
            "/v1/events", headers=admin.headers, params={"entity_id": piece["id"]}
        )
        cleared = events.json()["data"][0]
        assert cleared["type"] == "equipment.updated"
        assert (cleared["before"]["location_id"], cleared["after"]["location_id"]) == (
            site["id"],
            None,
        )
    still = await client.get(equipment_url(customer_id, kept["id"]), headers=admin.headers)
    assert (still.json()["location_id"], still.headers["etag"]) == (other_site["id"], '"1"')


async def test_equipment_naming_a_location_being_deleted_waits_and_is_a_404(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    """A deletion holds the location FOR UPDATE until it commits; equipment naming it
    meanwhile waits (a KEY SHARE lock taken when the location is checked) and then finds
    it gone: a 404, not a foreign key failure (a vague 409)."""
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    site = await add_location(client, admin, customer_id)
    sessions: async_sessionmaker[AsyncSession] = app.state.sessions
    async with sessions() as deletion:
        location = await deletion.scalar(
            select(Location).where(Location.id == uuid.UUID(site["id"])).with_for_update()
        )
        adding = asyncio.create_task(
            client.post(
                equipment_url(customer_id),
                headers=admin.headers,
                json={"type": "Boiler", "location_id": site["id"]},
            )
        )
        await asyncio.sleep(0.5)
        assert not adding.done()  # waiting for the deletion
        await deletion.delete(location)
        await deletion.commit()
    added = await asyncio.wait_for(adding, timeout=10)
    assert added.status_code == 404, added.text
    assert added.headers["content-type"] == "application/problem+json"
