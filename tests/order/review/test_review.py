"""The review queue of orders from the public form: accept keeps, reject deletes the order
and the customer the submission created (when nothing else hangs off it); audited."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from tests.conftest import client_for
from tests.factories import create_customer, create_order
from tests.public.helpers import company_with_form, submit, visitor_ip


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app, client_ip=visitor_ip()) as http:
        yield http


async def _review(
    client: httpx.AsyncClient, headers: dict[str, str], order_id: str, decision: str
) -> httpx.Response:
    return await client.post(
        f"/v1/orders/{order_id}/review", headers=headers, json={"decision": decision}
    )


async def test_accept_keeps_order_and_customer(client: httpx.AsyncClient, app: FastAPI) -> None:
    admin, slug = await company_with_form(client)
    order_id = (await submit(client, app, slug)).json()["reference"]
    accepted = await _review(client, admin.headers, order_id, "accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["review_state"] == "accepted"
    assert accepted.json()["order_deleted"] is False
    order = await client.get(f"/v1/orders/{order_id}", headers=admin.headers)
    assert order.json()["review_state"] == "accepted"
    queue = await client.get("/v1/orders?review_state=pending", headers=admin.headers)
    assert queue.json()["data"] == []
    again = await _review(client, admin.headers, order_id, "reject")
    assert again.status_code == 409
    events = await client.get(
        f"/v1/events?entity_type=orders&entity_id={order_id}", headers=admin.headers
    )
    assert "orders.accepted" in [e["type"] for e in events.json()["data"]]


async def test_reject_deletes_order_and_the_customer_it_created(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    admin, slug = await company_with_form(client)
    order_id = (await submit(client, app, slug)).json()["reference"]
    customer_id = (await client.get(f"/v1/orders/{order_id}", headers=admin.headers)).json()[
        "customer_id"
    ]
    rejected = await _review(client, admin.headers, order_id, "reject")
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["customer_deleted"] is True
    assert (await client.get(f"/v1/orders/{order_id}", headers=admin.headers)).status_code == 404
    gone = await client.get(f"/v1/customers/{customer_id}", headers=admin.headers)
    assert gone.status_code == 404
    events = await client.get(
        f"/v1/events?entity_type=orders&entity_id={order_id}", headers=admin.headers
    )
    assert {"orders.rejected", "orders.deleted"} <= {e["type"] for e in events.json()["data"]}


async def test_reject_keeps_a_customer_with_something_else(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    admin, slug = await company_with_form(client)
    linked_id = await create_customer(client, admin, name="Known", email="known@example.com")
    order_id = (await submit(client, app, slug, email="known@example.com")).json()["reference"]
    rejected = await _review(client, admin.headers, order_id, "reject")
    assert rejected.json()["customer_deleted"] is False  # not created by the submission
    assert (
        await client.get(f"/v1/customers/{linked_id}", headers=admin.headers)
    ).status_code == 200

    order_id = (await submit(client, app, slug)).json()["reference"]
    created_id = (await client.get(f"/v1/orders/{order_id}", headers=admin.headers)).json()[
        "customer_id"
    ]
    await create_order(client, admin, title="Staff order", customer_id=created_id)
    rejected = await _review(client, admin.headers, order_id, "reject")
    assert rejected.json()["customer_deleted"] is False  # it has another order now
    kept = await client.get(f"/v1/customers/{created_id}", headers=admin.headers)
    assert kept.status_code == 200


async def test_staff_orders_are_not_reviewed(client: httpx.AsyncClient, app: FastAPI) -> None:
    admin, _ = await company_with_form(client)
    order_id = await create_order(client, admin, title="Staff order")
    response = await _review(client, admin.headers, order_id, "accept")
    assert response.status_code == 409
