"""Order statuses: a new company's pipeline, unique names, exactly one default, reordering,
deleting a status in use (409, or move its orders with `move_to`), permissions, audit."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx

from tests.billing.helpers import subscribe
from tests.factories import Caller, create_order, member, signup
from tests.fakes.stripe import FakeStripe

URL = "/v1/order-statuses"


async def _statuses(client: httpx.AsyncClient, caller: Caller) -> list[dict[str, Any]]:
    response = await client.get(URL, headers=caller.headers, params={"limit": 200})
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


async def _create(client: httpx.AsyncClient, caller: Caller, **fields: Any) -> dict[str, Any]:
    body = {"name": f"Status {uuid.uuid4().hex[:6]}", "stage": "open", **fields}
    response = await client.post(URL, headers=caller.headers, json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _default(statuses: list[dict[str, Any]]) -> dict[str, Any]:
    defaults = [s for s in statuses if s["is_default"]]
    assert len(defaults) == 1, statuses
    return defaults[0]


async def test_a_new_company_gets_the_default_pipeline(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    statuses = await _statuses(client, admin)
    assert [(s["name"], s["stage"], s["counts_as_sold"], s["is_default"]) for s in statuses] == [
        ("New", "quote", False, True),
        ("Quoted", "quote", False, False),
        ("Sold", "open", True, False),
        ("Installed", "done", True, False),
        ("Lost", "lost", False, False),
    ]
    assert [s["position"] for s in statuses] == [0, 1, 2, 3, 4]
    assert all(len(s["color"]) == 7 and s["color"].startswith("#") for s in statuses)
    # Each company has its own.
    other = await signup(client, "Other Co")
    assert {s["id"] for s in await _statuses(client, other)}.isdisjoint(s["id"] for s in statuses)
    # A new order gets the default status.
    order_id = await create_order(client, admin)
    order = (await client.get(f"/v1/orders/{order_id}", headers=admin.headers)).json()
    assert order["status"]["id"] == _default(statuses)["id"]


async def test_create_goes_last_and_validates(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    created = await _create(
        client, admin, name="Measured", color="#8e24aa", stage="open", counts_as_sold=True
    )
    assert (created["position"], created["color"], created["is_default"]) == (5, "#8E24AA", False)
    response = await client.get(f"{URL}/{created['id']}", headers=admin.headers)
    assert response.status_code == 200
    assert response.headers["etag"] == '"1"'
    assert response.json() == created
    assert [s["name"] for s in await _statuses(client, admin)][-1] == "Measured"
    for body, field in (
        ({"name": "X", "stage": "won"}, "stage"),
        ({"name": "X", "stage": "open", "color": "red"}, "color"),
        ({"name": "X", "stage": "open", "color": "#12345"}, "color"),
        ({"name": " ", "stage": "open"}, "name"),
        ({"name": "x" * 61, "stage": "open"}, "name"),
        ({"name": "X"}, "stage"),
        ({"name": "X", "stage": "open", "position": 0}, "position"),
    ):
        refused = await client.post(URL, headers=admin.headers, json=body)
        assert refused.status_code == 422, (body, refused.text)
        assert [e["field"] for e in refused.json()["errors"]] == [field], body


async def test_names_are_unique_per_company_ignoring_case(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    clash = await client.post(URL, headers=admin.headers, json={"name": "sold", "stage": "open"})
    assert clash.status_code == 409, clash.text
    assert clash.json()["field"] == "name"
    measured = await _create(client, admin, name="Measured")
    renamed = await client.patch(
        f"{URL}/{measured['id']}", headers=admin.headers, json={"name": "LOST"}
    )
    assert renamed.status_code == 409
    assert renamed.json()["field"] == "name"
    # Renaming to its own name in another case is fine; another company may reuse the name.
    same = await client.patch(
        f"{URL}/{measured['id']}", headers=admin.headers, json={"name": "MEASURED"}
    )
    assert same.status_code == 200, same.text
    other = await signup(client, "Other Co")
    await _create(client, other, name="Measured")


async def test_exactly_one_default(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    statuses = await _statuses(client, admin)
    new, quoted = statuses[0], statuses[1]
    made = await client.patch(
        f"{URL}/{quoted['id']}",
        headers={**admin.headers, "If-Match": '"1"'},
        json={"is_default": True},
    )
    assert made.status_code == 200, made.text
    assert made.json()["is_default"] is True
    assert made.headers["etag"] == '"2"'
    now = await _statuses(client, admin)
    assert _default(now)["id"] == quoted["id"]
    previous = await client.get(f"{URL}/{new['id']}", headers=admin.headers)
    assert previous.json()["is_default"] is False
    assert previous.headers["etag"] == '"2"'  # the change of the previous default is a version

    # The only default cannot be unset; setting false on another status changes nothing.
    unset = await client.patch(
        f"{URL}/{quoted['id']}", headers=admin.headers, json={"is_default": False}
    )
    assert unset.status_code == 422
    assert [e["field"] for e in unset.json()["errors"]] == ["is_default"]
    noop = await client.patch(
        f"{URL}/{new['id']}", headers=admin.headers, json={"is_default": False}
    )
    assert noop.status_code == 200

    # Creating a default status takes the mark too.
    fresh = await _create(client, admin, is_default=True)
    assert fresh["is_default"] is True
    assert _default(await _statuses(client, admin))["id"] == fresh["id"]
    order_id = await create_order(client, admin)
    order = (await client.get(f"/v1/orders/{order_id}", headers=admin.headers)).json()
    assert order["status"]["id"] == fresh["id"]


async def test_concurrent_default_changes_leave_one_default(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    statuses = await _statuses(client, admin)
    responses = await asyncio.gather(
        *(
            client.patch(f"{URL}/{s['id']}", headers=admin.headers, json={"is_default": True})
            for s in statuses
        )
    )
    assert [r.status_code for r in responses] == [200] * len(statuses)
    _default(await _statuses(client, admin))


async def test_update_changes_fields_and_stale_if_match_is_412(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    sold = (await _statuses(client, admin))[2]
    url = f"{URL}/{sold['id']}"
    changed = await client.patch(
        url,
        headers={**admin.headers, "If-Match": '"1"'},
        json={"name": "Won", "color": "#00ff00", "stage": "done", "counts_as_sold": False},
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["name"], body["color"], body["stage"], body["counts_as_sold"]) == (
        "Won",
        "#00FF00",
        "done",
        False,
    )
    assert body["position"] == sold["position"]
    stale = await client.patch(url, headers={**admin.headers, "If-Match": '"1"'}, json={})
    assert stale.status_code == 412
    for bad in ({"name": None}, {"stage": "closed"}, {"color": "#GGGGGG"}, {"position": 3}):
        refused = await client.patch(url, headers=admin.headers, json=bad)
        assert refused.status_code == 422, (bad, refused.text)
        assert [e["field"] for e in refused.json()["errors"]] == list(bad)


async def test_reorder(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    ids = [s["id"] for s in await _statuses(client, admin)]
    new_order = [ids[4], *ids[:4]]
    response = await client.put(f"{URL}/order", headers=admin.headers, json={"ids": new_order})
    assert response.status_code == 200, response.text
    assert [s["id"] for s in response.json()["data"]] == new_order
    listed = await _statuses(client, admin)
    assert [s["id"] for s in listed] == new_order
    assert [s["position"] for s in listed] == [0, 1, 2, 3, 4]
    # A status created afterwards goes last.
    last = await _create(client, admin)
    assert [s["id"] for s in await _statuses(client, admin)] == [*new_order, last["id"]]

    full = [*new_order, last["id"]]
    other = await signup(client, "Other Co")
    foreign = (await _statuses(client, other))[0]["id"]
    for ids_sent in (
        full[:-1],  # one missing
        [*full, full[0]],  # one twice
        [*full, foreign],  # another company's
        [*full[:-1], str(uuid.uuid4())],  # unknown
        [],
    ):
        refused = await client.put(f"{URL}/order", headers=admin.headers, json={"ids": ids_sent})
        assert refused.status_code == 422, (ids_sent, refused.text)
        assert [e["field"] for e in refused.json()["errors"]] == ["ids"]
    assert [s["id"] for s in await _statuses(client, admin)] == full


async def test_delete_unused_and_default(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    statuses = await _statuses(client, admin)
    default = _default(statuses)
    refused = await client.delete(f"{URL}/{default['id']}", headers=admin.headers)
    assert refused.status_code == 409, refused.text
    assert "default" in refused.json()["detail"]
    unused = await _create(client, admin)
    stale = await client.delete(
        f"{URL}/{unused['id']}", headers={**admin.headers, "If-Match": '"2"'}
    )
    assert stale.status_code == 412
    deleted = await client.delete(
        f"{URL}/{unused['id']}", headers={**admin.headers, "If-Match": '"1"'}
    )
    assert deleted.status_code == 204
    assert (await client.get(f"{URL}/{unused['id']}", headers=admin.headers)).status_code == 404
    assert len(await _statuses(client, admin)) == len(statuses)


async def test_delete_in_use_is_409_unless_orders_are_moved(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    statuses = await _statuses(client, admin)
    quoted, sold = statuses[1], statuses[2]
    order_ids = [await create_order(client, admin, status_id=quoted["id"]) for _ in range(3)]
    untouched = await create_order(client, admin, status_id=sold["id"])
    versions = {
        i: (await client.get(f"/v1/orders/{i}", headers=admin.headers)).headers["etag"]
        for i in order_ids
    }
    url = f"{URL}/{quoted['id']}"

    in_use = await client.delete(url, headers=admin.headers)
    assert in_use.status_code == 409, in_use.text
    assert in_use.json()["orders_count"] == 3
    assert "3 order" in in_use.json()["detail"]

    other = await signup(client, "Other Co")
    foreign = (await _statuses(client, other))[1]["id"]
    for move_to in (quoted["id"], foreign, str(uuid.uuid4())):
        refused = await client.delete(url, headers=admin.headers, params={"move_to": move_to})
        assert refused.status_code == 422, refused.text
        assert [(e["field"], e["location"]) for e in refused.json()["errors"]] == [
            ("move_to", "query")
        ]
    assert (await client.get(url, headers=admin.headers)).status_code == 200

    moved = await client.delete(url, headers=admin.headers, params={"move_to": sold["id"]})
    assert moved.status_code == 204, moved.text
    assert (await client.get(url, headers=admin.headers)).status_code == 404
    for order_id in order_ids:
        response = await client.get(f"/v1/orders/{order_id}", headers=admin.headers)
        assert response.json()["status"]["id"] == sold["id"]
        assert response.headers["etag"] != versions[order_id]  # moved orders changed version
    response = await client.get(f"/v1/orders/{untouched}", headers=admin.headers)
    assert response.json()["status"]["id"] == sold["id"]

    events = (
        await client.get(
            "/v1/events",
            headers=admin.headers,
            params={"entity_type": "order_status", "entity_id": quoted["id"]},
        )
    ).json()["data"]
    assert events[0]["type"] == "order_status.deleted"
    assert events[0]["before"]["orders_moved"] == 3
    assert events[0]["before"]["orders_moved_to"] == sold["id"]


async def test_reading_needs_orders_read_and_writing_settings_write(
    client: httpx.AsyncClient, fake_stripe: FakeStripe
) -> None:
    admin = await signup(client)
    await subscribe(client, admin, fake_stripe, "plus")  # room for 3 more users
    status_id = (await _statuses(client, admin))[1]["id"]
    reader = await member(client, admin, ["orders:read", "orders:write"])
    assert (await client.get(URL, headers=reader.headers)).status_code == 200
    assert (await client.get(f"{URL}/{status_id}", headers=reader.headers)).status_code == 200
    for method, url, kwargs in (
        ("POST", URL, {"json": {"name": "Nope", "stage": "open"}}),
        ("PATCH", f"{URL}/{status_id}", {"json": {"name": "Nope"}}),
        ("PUT", f"{URL}/order", {"json": {"ids": [status_id]}}),
        ("DELETE", f"{URL}/{status_id}", {}),
    ):
        denied = await client.request(method, url, headers=reader.headers, **kwargs)
        assert denied.status_code == 403, (method, denied.text)
        assert denied.json()["permission"] == "settings:write"
    outsider = await member(client, admin, ["customers:read"])
    denied = await client.get(URL, headers=outsider.headers)
    assert denied.status_code == 403
    assert denied.json()["permission"] == "orders:read"
    writer = await member(client, admin, ["settings:write"])
    assert (
        await client.post(URL, headers=writer.headers, json={"name": "Ok", "stage": "open"})
    ).status_code == 201


async def test_changes_are_audited(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    default = _default(await _statuses(client, admin))
    created = await _create(client, admin, name="Measured")
    url = f"{URL}/{created['id']}"
    await client.patch(url, headers=admin.headers, json={"is_default": True})
    await client.patch(f"{URL}/{default['id']}", headers=admin.headers, json={"is_default": True})
    await client.delete(url, headers=admin.headers)

    async def types(entity_id: str) -> list[str]:
        response = await client.get(
            "/v1/events",
            headers=admin.headers,
            params={"entity_type": "order_status", "entity_id": entity_id},
        )
        return [e["type"] for e in response.json()["data"]]

    assert await types(created["id"]) == [
        "order_status.deleted",
        "order_status.updated",  # lost the default mark
        "order_status.updated",  # became the default
        "order_status.created",
    ]
    # Signup's statuses are audited; the previous default lost and regained the mark.
    assert await types(default["id"]) == [
        "order_status.updated",
        "order_status.updated",
        "order_status.created",
    ]
