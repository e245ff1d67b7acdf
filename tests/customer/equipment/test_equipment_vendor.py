"""Equipment names its vendor (issue 17): the company's vendor only (another company's is a
404), a list filter, cleared by PATCH null or by deleting the vendor."""

from __future__ import annotations

import httpx

from tests.customer.equipment.helpers import add_equipment, equipment_url, list_ids
from tests.factories import create_customer, signup
from tests.vendor.helpers import add_vendor


async def test_equipment_names_the_companys_vendor(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    vendor = await add_vendor(client, admin)
    furnace = await add_equipment(client, admin, customer_id, vendor_id=vendor["id"])
    assert furnace["vendor_id"] == vendor["id"]
    other = await add_equipment(client, admin, customer_id)
    assert other["vendor_id"] is None
    assert await list_ids(client, admin, customer_id, vendor_id=vendor["id"]) == [furnace["id"]]

    url = equipment_url(customer_id, other["id"])
    linked = await client.patch(url, headers=admin.headers, json={"vendor_id": vendor["id"]})
    assert linked.status_code == 200, linked.text
    assert linked.json()["vendor_id"] == vendor["id"]
    cleared = await client.patch(url, headers=admin.headers, json={"vendor_id": None})
    assert cleared.json()["vendor_id"] is None

    deleted = await client.delete(f"/v1/vendors/{vendor['id']}", headers=admin.headers)
    assert deleted.status_code == 204, deleted.text
    got = await client.get(equipment_url(customer_id, furnace["id"]), headers=admin.headers)
    assert got.json()["vendor_id"] is None


async def test_another_companys_vendor_is_not_found(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    stranger = await signup(client, "Other Co")
    foreign = await add_vendor(client, stranger)
    created = await client.post(
        equipment_url(customer_id),
        headers=admin.headers,
        json={"type": "Furnace", "vendor_id": foreign["id"]},
    )
    assert created.status_code == 404, created.text
    assert created.headers["content-type"] == "application/problem+json"
    assert await list_ids(client, admin, customer_id) == []
