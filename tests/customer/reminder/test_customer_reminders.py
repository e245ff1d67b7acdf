"""Reminders on a customer (seed 002's Reminders tab): CRUD through the API, validation
(the assigned user must be an active user of the company), keyset pages, ETag/If-Match,
scoped to the customer and the company, audited on the customer."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import Caller, api_key, create_customer, member, signup


def _url(customer_id: str, reminder_id: str | None = None) -> str:
    base = f"/v1/customers/{customer_id}/reminders"
    return base if reminder_id is None else f"{base}/{reminder_id}"


async def _add(
    client: httpx.AsyncClient, caller: Caller, customer_id: str, **fields: Any
) -> dict[str, Any]:
    body = {
        "due_on": "2031-03-10",
        "assigned_user_id": caller.user_id,
        "message": "Call about the annual service.",
        **fields,
    }
    response = await client.post(_url(customer_id), headers=caller.headers, json=body)
    assert response.status_code == 201, response.text
    assert response.headers["etag"] == '"1"'
    row: dict[str, Any] = response.json()
    assert response.headers["location"] == _url(customer_id, row["id"])
    return row


async def _ids(
    client: httpx.AsyncClient, caller: Caller, customer_id: str, **params: Any
) -> list[str]:
    response = await client.get(_url(customer_id), headers=caller.headers, params=params)
    assert response.status_code == 200, response.text
    return [r["id"] for r in response.json()["data"]]


async def _disabled_user(client: httpx.AsyncClient, admin: Caller) -> str:
    user = await member(client, admin, ["customers:read"])
    response = await client.post(f"/v1/users/{user.user_id}/disable", headers=admin.headers)
    assert response.status_code == 200, response.text
    return user.user_id


async def test_a_reminder_is_set_by_the_caller_for_an_office_user(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    office = await member(client, admin, ["customers:write", "api_keys:manage"])
    reminder = await _add(client, admin, customer_id, assigned_user_id=office.user_id)
    assert {k: v for k, v in reminder.items() if k not in ("id", "created_at", "updated_at")} == {
        "customer_id": customer_id,
        "due_on": "2031-03-10",
        "assigned_user_id": office.user_id,
        "message": "Call about the annual service.",
        "created_by": admin.user_id,
        "notified_at": None,
        "version": 1,
    }
    read = await client.get(_url(customer_id, reminder["id"]), headers=admin.headers)
    assert read.status_code == 200
    assert read.headers["etag"] == '"1"'
    assert read.json() == reminder
    # An API key sets reminders as its creator.
    key = await api_key(client, office, ["customers:write"])
    by_key = await _add(client, key, customer_id)
    assert (by_key["created_by"], by_key["assigned_user_id"]) == (office.user_id, office.user_id)
    events = await client.get(
        "/v1/events",
        headers=admin.headers,
        params={"entity_type": "customer_reminder", "entity_id": reminder["id"]},
    )
    assert [e["type"] for e in events.json()["data"]] == ["customer_reminder.created"]


async def test_the_assigned_user_must_be_an_active_user_of_the_company(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    stranger = await signup(client, "Other Co")
    disabled = await _disabled_user(client, admin)
    reminder = await _add(client, admin, customer_id)
    for user_id in (stranger.user_id, disabled, "0195f3c2-8a4b-7c1d-9e2f-3a4b5c6d7e8f"):
        body = {"due_on": "2031-03-10", "assigned_user_id": user_id, "message": "Call"}
        created = await client.post(_url(customer_id), headers=admin.headers, json=body)
        changed = await client.patch(
            _url(customer_id, reminder["id"]),
            headers=admin.headers,
            json={"assigned_user_id": user_id},
        )
        for response in (created, changed):
            assert response.status_code == 422, response.text
            assert [e["field"] for e in response.json()["errors"]] == ["assigned_user_id"]
    assert await _ids(client, admin, customer_id) == [reminder["id"]]
    assert (await client.get(_url(customer_id, reminder["id"]), headers=admin.headers)).json()[
        "assigned_user_id"
    ] == admin.user_id


async def test_bad_bodies_are_422_naming_the_field(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    good = {"due_on": "2031-03-10", "assigned_user_id": admin.user_id, "message": "Call"}
    for field, value in (
        ("due_on", None),
        ("due_on", "2031-02-30"),
        ("due_on", "soon"),
        ("assigned_user_id", None),
        ("assigned_user_id", "not-a-uuid"),
        ("message", None),
        ("message", ""),
        ("message", " \n\t"),
        ("message", "a\x00b"),
        ("message", "x" * 2001),
        ("notified_at", "2031-03-10T00:00:00Z"),
        ("created_by", admin.user_id),
    ):
        body = {**good, field: value}
        if value is None:
            del body[field]
        response = await client.post(_url(customer_id), headers=admin.headers, json=body)
        assert response.status_code == 422, (field, value, response.text)
        assert [e["field"] for e in response.json()["errors"]] == [field]
    longest = await _add(client, admin, customer_id, message="x" * 2000)
    assert len(longest["message"]) == 2000
    url = _url(customer_id, longest["id"])
    for bad in ({"due_on": None}, {"message": " "}, {"assigned_user_id": None}, {"version": 3}):
        refused = await client.patch(url, headers=admin.headers, json=bad)
        assert refused.status_code == 422, (bad, refused.text)
        assert [e["field"] for e in refused.json()["errors"]] == list(bad)


async def test_the_list_sorts_filters_and_pages(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    office = await member(client, admin, ["customers:read"])
    march = await _add(client, admin, customer_id, due_on="2031-03-10")
    january = await _add(client, admin, customer_id, due_on="2031-01-05")
    may = await _add(
        client, admin, customer_id, due_on="2031-05-01", assigned_user_id=office.user_id
    )
    also_march = await _add(client, admin, customer_id, due_on="2031-03-10")
    await _add(client, admin, await create_customer(client, admin))
    by_due = [january["id"], *sorted([march["id"], also_march["id"]]), may["id"]]
    assert await _ids(client, admin, customer_id) == by_due
    assert await _ids(client, admin, customer_id, sort="-due_on") == by_due[::-1]
    created = [march["id"], january["id"], may["id"], also_march["id"]]
    assert await _ids(client, admin, customer_id, sort="created_at") == created
    assert await _ids(client, admin, customer_id, sort="-created_at") == created[::-1]
    assert await _ids(client, admin, customer_id, assigned_user_id=office.user_id) == [may["id"]]
    assert (
        await _ids(client, admin, customer_id, due_from="2031-03-10", due_to="2031-04-30")
        == (by_due[1:3])
    )
    assert await _ids(client, admin, customer_id, due_to="2031-01-05") == [january["id"]]
    for sort in (None, "-due_on", "created_at"):
        params: dict[str, Any] = {"limit": 3} if sort is None else {"limit": 3, "sort": sort}
        first = await client.get(_url(customer_id), headers=admin.headers, params=params)
        assert first.json()["has_more"] is True
        rest = await _ids(client, admin, customer_id, **params, cursor=first.json()["next_cursor"])
        assert [r["id"] for r in first.json()["data"]] + rest == await _ids(
            client, admin, customer_id, **({} if sort is None else {"sort": sort})
        )
    for params, field in (
        ({"sort": "message"}, "sort"),
        ({"due_from": "2031-13-01"}, "due_from"),
        ({"due_to": "0"}, "due_to"),
        ({"assigned_user_id": "x"}, "assigned_user_id"),
        ({"limit": 201}, "limit"),
    ):
        bad = await client.get(_url(customer_id), headers=admin.headers, params=params)
        assert bad.status_code == 422, (params, bad.text)
        assert [e["field"] for e in bad.json()["errors"]] == [field]


async def test_update_and_delete_with_if_match(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    reminder = await _add(client, admin, customer_id)
    url = _url(customer_id, reminder["id"])
    editor = await member(client, admin, ["customers:write"])
    changed = await client.patch(
        url,
        headers={**editor.headers, "If-Match": '"1"'},
        json={"message": "Send the renewal quote.", "due_on": "2031-04-01"},
    )
    assert changed.status_code == 200, changed.text
    assert changed.headers["etag"] == '"2"'
    body = changed.json()
    assert (body["message"], body["due_on"], body["version"]) == (
        "Send the renewal quote.",
        "2031-04-01",
        2,
    )
    assert (body["created_by"], body["assigned_user_id"]) == (admin.user_id, admin.user_id)
    stale = await client.patch(url, headers={**admin.headers, "If-Match": '"1"'}, json={})
    assert stale.status_code == 412
    assert (
        await client.delete(url, headers={**admin.headers, "If-Match": '"1"'})
    ).status_code == 412
    assert (
        await client.delete(url, headers={**admin.headers, "If-Match": '"2"'})
    ).status_code == 204
    assert (await client.get(url, headers=admin.headers)).status_code == 404
    assert await _ids(client, admin, customer_id) == []
    events = await client.get(
        "/v1/events",
        headers=admin.headers,
        params={"entity_type": "customer_reminder", "entity_id": reminder["id"]},
    )
    assert [e["type"] for e in events.json()["data"]] == [
        "customer_reminder.deleted",
        "customer_reminder.updated",
        "customer_reminder.created",
    ]


async def test_reading_needs_customers_read_and_writing_customers_write(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    reminder = await _add(client, admin, customer_id)
    reader = await member(client, admin, ["customers:read"])
    assert await _ids(client, reader, customer_id) == [reminder["id"]]
    for response in (
        await client.post(
            _url(customer_id),
            headers=reader.headers,
            json={"due_on": "2031-03-10", "assigned_user_id": reader.user_id, "message": "x"},
        ),
        await client.patch(_url(customer_id, reminder["id"]), headers=reader.headers, json={}),
        await client.delete(_url(customer_id, reminder["id"]), headers=reader.headers),
    ):
        assert response.status_code == 403
        assert response.json()["permission"] == "customers:write"


async def test_another_customer_or_company_answers_404(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    other_customer = await create_customer(client, admin)
    reminder = await _add(client, admin, customer_id)
    stranger = await signup(client, "Other Co")
    strangers_customer = await create_customer(client, stranger)
    for caller, url in (
        (admin, _url(other_customer, reminder["id"])),
        (stranger, _url(customer_id, reminder["id"])),
        (stranger, _url(strangers_customer, reminder["id"])),
    ):
        for response in (
            await client.get(url, headers=caller.headers),
            await client.patch(url, headers=caller.headers, json={"message": "Mine"}),
            await client.delete(url, headers=caller.headers),
        ):
            assert response.status_code == 404, (url, response.text)
    assert (await client.get(_url(customer_id), headers=stranger.headers)).status_code == 404
    assert (
        await client.get(_url(customer_id, reminder["id"]), headers=admin.headers)
    ).json() == reminder
