"""Notes on vendors (seed 000: "any notes that should be tracked with them"): app/note's one
implementation with vendors as a third parent, under the vendors' permissions."""

from __future__ import annotations

import httpx

from tests.factories import member, signup
from tests.vendor.helpers import add_vendor


async def test_notes_are_added_listed_edited_and_deleted(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    vendor = await add_vendor(client, admin)
    url = f"/v1/vendors/{vendor['id']}/notes"
    first = await client.post(url, headers=admin.headers, json={"body": "Net 30 terms."})
    assert first.status_code == 201, first.text
    note = first.json()
    assert first.headers["location"] == f"{url}/{note['id']}"
    assert (note["vendor_id"], note["visibility"], note["author_id"]) == (
        vendor["id"],
        "office",
        admin.user_id,
    )
    second = await client.post(
        url, headers=admin.headers, json={"body": "Dock at the back.", "visibility": "site"}
    )
    listed = await client.get(url, headers=admin.headers)
    assert [n["id"] for n in listed.json()["data"]] == [second.json()["id"], note["id"]]
    site = await client.get(url, headers=admin.headers, params={"visibility": "site"})
    assert [n["id"] for n in site.json()["data"]] == [second.json()["id"]]

    edited = await client.patch(
        f"{url}/{note['id']}",
        headers={**admin.headers, "If-Match": '"1"'},
        json={"body": "Net 45 terms."},
    )
    assert edited.status_code == 200
    assert edited.headers["etag"] == '"2"'
    stale = await client.delete(f"{url}/{note['id']}", headers={**admin.headers, "If-Match": '"1"'})
    assert stale.status_code == 412
    assert (await client.delete(f"{url}/{note['id']}", headers=admin.headers)).status_code == 204
    assert (await client.get(f"{url}/{note['id']}", headers=admin.headers)).status_code == 404

    # Deleting the vendor deletes its notes.
    assert (
        await client.delete(f"/v1/vendors/{vendor['id']}", headers=admin.headers)
    ).status_code == 204
    gone = await client.get(f"{url}/{second.json()['id']}", headers=admin.headers)
    assert gone.status_code == 404


async def test_notes_follow_the_vendor_permissions_and_tenancy(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    vendor = await add_vendor(client, admin)
    other_vendor = await add_vendor(client, admin)
    url = f"/v1/vendors/{vendor['id']}/notes"
    note = (await client.post(url, headers=admin.headers, json={"body": "Hi"})).json()

    customers_only = await member(client, admin, ["customers:read", "customers:write"])
    refused = await client.get(url, headers=customers_only.headers)
    assert refused.status_code == 403
    assert refused.json()["permission"] == "vendors:read"
    reader = await member(client, admin, ["vendors:read"])
    assert (await client.get(url, headers=reader.headers)).status_code == 200
    write = await client.post(url, headers=reader.headers, json={"body": "No"})
    assert write.status_code == 403
    assert write.json()["permission"] == "vendors:write"

    # Under another vendor, or from another company, the note is missing.
    elsewhere = await client.get(
        f"/v1/vendors/{other_vendor['id']}/notes/{note['id']}", headers=admin.headers
    )
    assert elsewhere.status_code == 404
    outsider = await signup(client, "Other Co")
    assert (await client.get(url, headers=outsider.headers)).status_code == 404

    events = await client.get(
        "/v1/events", headers=admin.headers, params={"entity_type": "vendor_note"}
    )
    assert [e["type"] for e in events.json()["data"]] == ["vendor_note.created"]
