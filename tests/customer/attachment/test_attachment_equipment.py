"""An attachment about a piece of the customer's equipment: the link is checked like the
location's (another customer's is a 422 naming it, another company's a 404), filters the
list, can be cleared, and goes when the equipment does."""

from __future__ import annotations

import httpx

from tests.customer.attachment.helpers import attachment_url, upload
from tests.customer.equipment.helpers import add_equipment, equipment_url
from tests.factories import create_customer, signup


async def test_an_attachment_names_the_customers_equipment(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    furnace = await add_equipment(client, admin, customer_id)
    manual = await upload(client, admin, customer_id, equipment_id=furnace["id"])
    assert manual["equipment_id"] == furnace["id"]
    other = await upload(client, admin, customer_id)
    assert other["equipment_id"] is None
    listed = await client.get(
        attachment_url(customer_id), headers=admin.headers, params={"equipment_id": furnace["id"]}
    )
    assert [a["id"] for a in listed.json()["data"]] == [manual["id"]]
    url = attachment_url(customer_id, other["id"])
    linked = await client.patch(url, headers=admin.headers, json={"equipment_id": furnace["id"]})
    assert linked.json()["equipment_id"] == furnace["id"]
    cleared = await client.patch(url, headers=admin.headers, json={"equipment_id": None})
    assert cleared.json()["equipment_id"] is None

    deleted = await client.delete(equipment_url(customer_id, furnace["id"]), headers=admin.headers)
    assert deleted.status_code == 204, deleted.text
    got = await client.get(attachment_url(customer_id, manual["id"]), headers=admin.headers)
    assert got.status_code == 200
    assert got.json()["equipment_id"] is None


async def test_the_equipment_must_be_this_customers(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    theirs = await add_equipment(client, admin, await create_customer(client, admin))
    mine = await upload(client, admin, customer_id)
    for response in (
        await client.post(
            attachment_url(customer_id),
            headers=admin.headers,
            files={"file": ("a.txt", b"a", "text/plain")},
            data={"equipment_id": theirs["id"]},
        ),
        await client.patch(
            attachment_url(customer_id, mine["id"]),
            headers=admin.headers,
            json={"equipment_id": theirs["id"]},
        ),
    ):
        assert response.status_code == 422, response.text
        assert [e["field"] for e in response.json()["errors"]] == ["equipment_id"]
    stranger = await signup(client, "Other Co")
    foreign = await add_equipment(client, stranger, await create_customer(client, stranger))
    missing = await client.post(
        attachment_url(customer_id),
        headers=admin.headers,
        files={"file": ("a.txt", b"a", "text/plain")},
        data={"equipment_id": foreign["id"]},
    )
    assert missing.status_code == 404, missing.text
    listed = await client.get(attachment_url(customer_id), headers=admin.headers)
    assert [a["id"] for a in listed.json()["data"]] == [mine["id"]]
