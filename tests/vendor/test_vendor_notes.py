"""Notes on vendors (seed 000: "any notes that should be tracked with them") are app/note's
one implementation, tested for every parent in tests/note/test_notes.py; what is the
vendor's own: its notes go with it."""

from __future__ import annotations

import httpx

from tests.factories import signup
from tests.vendor.helpers import add_vendor


async def test_deleting_the_vendor_deletes_its_notes(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    vendor = await add_vendor(client, admin)
    url = f"/v1/vendors/{vendor['id']}/notes"
    note = await client.post(url, headers=admin.headers, json={"body": "Net 30 terms."})
    assert note.status_code == 201, note.text
    deleted = await client.delete(f"/v1/vendors/{vendor['id']}", headers=admin.headers)
    assert deleted.status_code == 204
    assert (
        await client.get(f"{url}/{note.json()['id']}", headers=admin.headers)
    ).status_code == 404
