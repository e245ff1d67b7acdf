"""Contacts of a customer: exactly one primary, moved atomically even under concurrency;
phones in E.164; ETag/If-Match; scoped to the customer and the company; audited on the
customer's timeline."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from app.event.models import Event
from tests.factories import Caller, api_key, create_customer, member, signup


def _url(customer_id: str, contact_id: str | None = None) -> str:
    base = f"/v1/customers/{customer_id}/contacts"
    return base if contact_id is None else f"{base}/{contact_id}"


async def _add(
    client: httpx.AsyncClient, caller: Caller, customer_id: str, **fields: Any
) -> dict[str, Any]:
    body = {"first_name": "Pat", **fields}
    response = await client.post(_url(customer_id), headers=caller.headers, json=body)
    assert response.status_code == 201, response.text
    assert response.headers["etag"] == '"1"'
    contact: dict[str, Any] = response.json()
    return contact


async def _contacts(
    client: httpx.AsyncClient, caller: Caller, customer_id: str
) -> list[dict[str, Any]]:
    response = await client.get(_url(customer_id), headers=caller.headers, params={"limit": 200})
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def _primaries(contacts: list[dict[str, Any]]) -> list[str]:
    return [c["id"] for c in contacts if c["is_primary"]]


async def test_the_first_contact_is_primary_and_the_list_is_oldest_first(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    # Whatever it says: a customer with contacts always has a primary one.
    first = await _add(client, admin, customer_id, first_name="Ann", is_primary=False)
    second = await _add(client, admin, customer_id, first_name="Bob")
    third = await _add(client, admin, customer_id, first_name="Cid")
    assert first["is_primary"] is True
    assert first["customer_id"] == customer_id
    assert (second["is_primary"], third["is_primary"]) == (False, False)
    contacts = await _contacts(client, admin, customer_id)
    assert [c["first_name"] for c in contacts] == ["Ann", "Bob", "Cid"]
    assert _primaries(contacts) == [first["id"]]


async def test_the_list_pages_with_a_cursor(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    created = [(await _add(client, admin, customer_id, first_name=f"C{i}"))["id"] for i in range(5)]
    seen: list[str] = []
    params: dict[str, str | int] = {"limit": 2}
    while True:
        page = (await client.get(_url(customer_id), headers=admin.headers, params=params)).json()
        seen += [c["id"] for c in page["data"]]
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert seen == created


async def test_making_another_contact_primary_moves_the_flag(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    first = await _add(client, admin, customer_id, first_name="Ann")
    second = await _add(client, admin, customer_id, first_name="Bob", is_primary=True)
    assert second["is_primary"] is True
    assert _primaries(await _contacts(client, admin, customer_id)) == [second["id"]]

    # The old primary changed, so its ETag did too: a stale If-Match on it now fails.
    old = await client.get(_url(customer_id, first["id"]), headers=admin.headers)
    assert old.json()["is_primary"] is False
    assert old.headers["etag"] == '"2"'

    moved = await client.patch(
        _url(customer_id, first["id"]),
        headers={**admin.headers, "If-Match": old.headers["etag"]},
        json={"is_primary": True},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["is_primary"] is True
    assert _primaries(await _contacts(client, admin, customer_id)) == [first["id"]]

    # Saying so again changes nothing.
    again = await client.patch(
        _url(customer_id, first["id"]), headers=admin.headers, json={"is_primary": True}
    )
    assert again.status_code == 200
    assert _primaries(await _contacts(client, admin, customer_id)) == [first["id"]]


async def test_unsetting_the_primary_is_refused(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    only = await _add(client, admin, customer_id, first_name="Ann")
    refused = await client.patch(
        _url(customer_id, only["id"]), headers=admin.headers, json={"is_primary": False}
    )
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in refused.json()["errors"]] == ["is_primary"]

    other = await _add(client, admin, customer_id, first_name="Bob")
    refused = await client.patch(
        _url(customer_id, only["id"]),
        headers=admin.headers,
        json={"is_primary": False, "first_name": "Anna"},
    )
    assert refused.status_code == 422
    assert (await client.get(_url(customer_id, only["id"]), headers=admin.headers)).json()[
        "first_name"
    ] == "Ann"
    # false on a contact that is not primary is simply true already.
    fine = await client.patch(
        _url(customer_id, other["id"]), headers=admin.headers, json={"is_primary": False}
    )
    assert fine.status_code == 200
    assert _primaries(await _contacts(client, admin, customer_id)) == [only["id"]]


async def test_concurrent_primary_moves_end_with_exactly_one_primary(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    contacts = [await _add(client, admin, customer_id, first_name=f"C{i}") for i in range(6)]
    for _ in range(3):
        responses = await asyncio.gather(
            *(
                client.patch(
                    _url(customer_id, c["id"]), headers=admin.headers, json={"is_primary": True}
                )
                for c in contacts
            )
        )
        assert [r.status_code for r in responses] == [200] * len(contacts), [
            r.text for r in responses if r.status_code != 200
        ]
        assert len(_primaries(await _contacts(client, admin, customer_id))) == 1


async def test_concurrent_first_contacts_end_with_exactly_one_primary(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    responses = await asyncio.gather(
        *(
            client.post(
                _url(customer_id),
                headers=admin.headers,
                json={"first_name": f"C{i}", "is_primary": i % 2 == 0},
            )
            for i in range(6)
        )
    )
    assert [r.status_code for r in responses] == [201] * 6, [r.text for r in responses]
    contacts = await _contacts(client, admin, customer_id)
    assert len(contacts) == 6
    assert len(_primaries(contacts)) == 1


async def test_deleting_the_primary_promotes_the_oldest_remaining(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    ann = await _add(client, admin, customer_id, first_name="Ann")
    bob = await _add(client, admin, customer_id, first_name="Bob")
    cid = await _add(client, admin, customer_id, first_name="Cid", is_primary=True)
    # The primary goes; the oldest remaining one (Ann) takes over, not the newest.
    deleted = await client.delete(_url(customer_id, cid["id"]), headers=admin.headers)
    assert deleted.status_code == 204
    assert _primaries(await _contacts(client, admin, customer_id)) == [ann["id"]]
    # Deleting one that is not primary promotes nobody.
    assert (await client.delete(_url(customer_id, bob["id"]), headers=admin.headers)).status_code
    assert _primaries(await _contacts(client, admin, customer_id)) == [ann["id"]]
    # The last one goes: no contacts, no primary; the next contact is primary again.
    assert (await client.delete(_url(customer_id, ann["id"]), headers=admin.headers)).status_code
    assert await _contacts(client, admin, customer_id) == []
    gone = await client.get(_url(customer_id, ann["id"]), headers=admin.headers)
    assert gone.status_code == 404
    assert (await _add(client, admin, customer_id))["is_primary"] is True


async def test_phone_is_stored_in_e164_and_a_bad_one_is_422_naming_it(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    contact = await _add(
        client, admin, customer_id, phone="(415) 555-0132", email="dana@example.com"
    )
    assert contact["phone"] == "+14155550132"
    patched = await client.patch(
        _url(customer_id, contact["id"]), headers=admin.headers, json={"phone": "+44 20 7946 0958"}
    )
    assert patched.json()["phone"] == "+442079460958"

    for bad in ("12", "555", "+1 (415) 555 0132 99999999"):
        for method, url in (
            ("POST", _url(customer_id)),
            ("PATCH", _url(customer_id, contact["id"])),
        ):
            body = {"phone": bad} if method == "PATCH" else {"first_name": "X", "phone": bad}
            response = await client.request(method, url, headers=admin.headers, json=body)
            assert response.status_code == 422, (method, bad, response.text)
            assert [e["field"] for e in response.json()["errors"]] == ["phone"]

    bad_email = await client.post(
        _url(customer_id), headers=admin.headers, json={"first_name": "X", "email": "not-mail"}
    )
    assert bad_email.status_code == 422
    assert [e["field"] for e in bad_email.json()["errors"]] == ["email"]


async def test_patch_changes_only_what_is_sent_clears_with_null_and_refuses_a_null_name(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    contact = await _add(
        client,
        admin,
        customer_id,
        title="Dr",
        first_name="Ann",
        last_name="Lee",
        phone="4155550132",
        email="ann@example.com",
    )
    url = _url(customer_id, contact["id"])
    cleared = await client.patch(url, headers=admin.headers, json={"phone": None, "title": None})
    assert cleared.status_code == 200, cleared.text
    body = cleared.json()
    assert (body["phone"], body["title"]) == (None, None)
    assert (body["first_name"], body["last_name"], body["email"]) == (
        "Ann",
        "Lee",
        "ann@example.com",
    )
    for bad in ({"first_name": None}, {"first_name": "  "}, {"is_primary": None}):
        refused = await client.patch(url, headers=admin.headers, json=bad)
        assert refused.status_code == 422, (bad, refused.text)
        assert [e["field"] for e in refused.json()["errors"]] == list(bad)
    missing = await client.post(_url(customer_id), headers=admin.headers, json={"last_name": "X"})
    assert missing.status_code == 422
    assert [e["field"] for e in missing.json()["errors"]] == ["first_name"]


async def test_stale_if_match_is_412_and_changes_nothing(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    contact = await _add(client, admin, customer_id, first_name="Ann")
    url = _url(customer_id, contact["id"])
    etag = (await client.get(url, headers=admin.headers)).headers["etag"]
    first = await client.patch(
        url, headers={**admin.headers, "If-Match": etag}, json={"first_name": "Anna"}
    )
    assert first.status_code == 200
    assert first.headers["etag"] != etag
    stale = await client.patch(
        url, headers={**admin.headers, "If-Match": etag}, json={"first_name": "Annie"}
    )
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    stale_delete = await client.delete(url, headers={**admin.headers, "If-Match": etag})
    assert stale_delete.status_code == 412
    assert (await client.get(url, headers=admin.headers)).json()["first_name"] == "Anna"
    deleted = await client.delete(url, headers={**admin.headers, "If-Match": first.headers["etag"]})
    assert deleted.status_code == 204


async def test_another_customer_or_company_answers_404(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    other_customer_id = await create_customer(client, admin)
    contact = await _add(client, admin, customer_id)
    stranger = await signup(client, "Other Co")
    strangers_customer = await create_customer(client, stranger)

    # The contact under another customer of the same company.
    wrong = _url(other_customer_id, contact["id"])
    assert (await client.get(wrong, headers=admin.headers)).status_code == 404
    patched = await client.patch(wrong, headers=admin.headers, json={"first_name": "X"})
    assert patched.status_code == 404
    assert (await client.delete(wrong, headers=admin.headers)).status_code == 404
    assert await _contacts(client, admin, other_customer_id) == []

    # Another company: its customer and its contacts do not exist for us.
    for url in (_url(customer_id), _url(customer_id, contact["id"])):
        response = await client.get(url, headers=stranger.headers)
        assert response.status_code == 404, url
        assert response.headers["content-type"] == "application/problem+json"
    created = await client.post(
        _url(customer_id), headers=stranger.headers, json={"first_name": "Mallory"}
    )
    assert created.status_code == 404
    under_own = _url(strangers_customer, contact["id"])
    assert (await client.get(under_own, headers=stranger.headers)).status_code == 404
    assert (await client.delete(under_own, headers=stranger.headers)).status_code == 404
    missing = _url(str(uuid.uuid4()))
    assert (await client.get(missing, headers=admin.headers)).status_code == 404
    # Nothing changed.
    assert [c["id"] for c in await _contacts(client, admin, customer_id)] == [contact["id"]]
    assert (await client.get(_url(customer_id, contact["id"]), headers=admin.headers)).headers[
        "etag"
    ] == '"1"'


async def test_reading_needs_customers_read_and_writing_customers_write(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    reader = await member(client, admin, ["customers:read"])
    assert (await client.get(_url(customer_id), headers=reader.headers)).status_code == 200
    denied = await client.post(_url(customer_id), headers=reader.headers, json={"first_name": "X"})
    assert denied.status_code == 403
    assert denied.json()["permission"] == "customers:write"


async def test_mutations_are_audited_on_the_customer_timeline(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    key = await api_key(client, admin, ["customers:write", "events:read"])
    ann = await _add(client, key, customer_id, first_name="Ann")
    bob = await _add(client, admin, customer_id, first_name="Bob", is_primary=True)
    await client.delete(_url(customer_id, bob["id"]), headers=admin.headers)

    response = await client.get(
        "/v1/events", headers=admin.headers, params={"entity_type": "contact"}
    )
    events = response.json()["data"]
    assert [(e["type"], e["entity_id"]) for e in events] == [
        ("contact.updated", ann["id"]),  # promoted when Bob went
        ("contact.deleted", bob["id"]),
        ("contact.created", bob["id"]),
        ("contact.updated", ann["id"]),  # demoted when Bob became primary
        ("contact.created", ann["id"]),
    ]
    promoted, deleted, bob_created, demoted, ann_created = events
    assert (promoted["before"]["is_primary"], promoted["after"]["is_primary"]) == (False, True)
    assert (demoted["before"]["is_primary"], demoted["after"]["is_primary"]) == (True, False)
    assert deleted["before"]["first_name"] == "Bob"
    assert deleted["after"] is None
    assert ann_created["after"]["customer_id"] == customer_id
    assert ann_created["actor_api_key_id"] == key.extra["api_key_id"]
    assert bob_created["actor_user_id"] == admin.user_id

    # Each lands on the customer's timeline.
    async with app.state.sessions() as session:
        parents = (
            await session.execute(
                select(Event.parent_type, Event.parent_id).where(
                    Event.id.in_([uuid.UUID(e["id"]) for e in events])
                )
            )
        ).all()
    assert {(t, str(i)) for t, i in parents} == {("customer", customer_id)}


@pytest.mark.parametrize("body", [{"first_name": "X", "company_id": str(uuid.uuid4())}, {}])
async def test_unknown_or_missing_fields_are_422(
    client: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    response = await client.post(_url(customer_id), headers=admin.headers, json=body)
    assert response.status_code == 422
