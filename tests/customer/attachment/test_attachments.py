"""Customer attachments: multipart upload with metadata, list, get, streamed download, PATCH
of the metadata with If-Match, delete with the blob removed after commit, the location rule,
the size limit (the shared upload mechanism of order files), tenancy."""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.storage.local import LocalBlobStore
from tests.conftest import client_for, make_settings
from tests.customer.attachment.helpers import attachment_url, blob_path, upload
from tests.customer.location.helpers import add_location
from tests.factories import create_customer, signup

SMALL_LIMIT = 1000


async def test_upload_list_get_download_round_trip(client: httpx.AsyncClient, app: FastAPI) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    location = await add_location(client, admin, customer_id)
    content = os.urandom(150_000)
    manual = await upload(
        client,
        admin,
        customer_id,
        content,
        "Install manual é.pdf",
        name="Boiler manual",
        description="Model X200",
        location_id=location["id"],
        visible_to_field=True,
    )
    assert {k: manual[k] for k in manual if k not in ("id", "created_at", "updated_at")} == {
        "customer_id": customer_id,
        "location_id": location["id"],
        "equipment_id": None,
        "name": "Boiler manual",
        "description": "Model X200",
        "visible_to_field": True,
        "filename": "Install manual é.pdf",
        "content_type": "application/pdf",
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "uploaded_by": admin.user_id,
    }
    # An office caller's upload is office-only unless it says otherwise; the name is the
    # file's unless given.
    photo = await upload(client, admin, customer_id, b"jpeg", "gate.jpg", "image/jpeg")
    assert (photo["name"], photo["visible_to_field"], photo["location_id"]) == (
        "gate.jpg",
        False,
        None,
    )

    listed = await client.get(attachment_url(customer_id), headers=admin.headers)
    assert [a["id"] for a in listed.json()["data"]] == [photo["id"], manual["id"]]
    at_location = await client.get(
        attachment_url(customer_id), headers=admin.headers, params={"location_id": location["id"]}
    )
    assert [a["id"] for a in at_location.json()["data"]] == [manual["id"]]

    got = await client.get(attachment_url(customer_id, manual["id"]), headers=admin.headers)
    assert (got.status_code, got.headers["etag"], got.json()) == (200, '"1"', manual)
    download = await client.get(
        attachment_url(customer_id, manual["id"], "/content"), headers=admin.headers
    )
    assert download.status_code == 200
    assert download.content == content
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"] == (
        'attachment; filename="Install manual e.pdf"; '
        "filename*=UTF-8''Install%20manual%20%C3%A9.pdf"
    )
    assert download.headers["x-content-type-options"] == "nosniff"
    assert blob_path(app, admin, manual["sha256"]).read_bytes() == content

    timeline = await client.get(f"/v1/customers/{customer_id}/activity", headers=admin.headers)
    assert "attachment.created" in [e["type"] for e in timeline.json()["data"]]


async def test_update_changes_metadata_under_if_match(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    location = await add_location(client, admin, customer_id)
    attachment = await upload(client, admin, customer_id, description="old")
    url = attachment_url(customer_id, attachment["id"])
    changed = await client.patch(
        url,
        headers={**admin.headers, "If-Match": '"1"'},
        json={"name": "Contract 2027", "location_id": location["id"], "visible_to_field": True},
    )
    assert changed.status_code == 200, changed.text
    assert changed.headers["etag"] == '"2"'
    body = changed.json()
    assert (body["name"], body["location_id"], body["visible_to_field"]) == (
        "Contract 2027",
        location["id"],
        True,
    )
    assert (body["description"], body["sha256"]) == ("old", attachment["sha256"])
    stale = await client.patch(
        url, headers={**admin.headers, "If-Match": '"1"'}, json={"description": None}
    )
    assert stale.status_code == 412
    cleared = await client.patch(url, headers=admin.headers, json={"location_id": None})
    assert cleared.json()["location_id"] is None
    refused = await client.patch(url, headers=admin.headers, json={"name": None})
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["name"]


async def test_the_location_must_be_this_customers(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    other_customer = await create_customer(client, admin, name="Someone Else")
    theirs = await add_location(client, admin, other_customer)
    for response in (
        await client.post(
            attachment_url(customer_id),
            headers=admin.headers,
            files={"file": ("a.txt", b"a", "text/plain")},
            data={"location_id": theirs["id"]},
        ),
        await client.patch(
            attachment_url(customer_id, (await upload(client, admin, customer_id))["id"]),
            headers=admin.headers,
            json={"location_id": theirs["id"]},
        ),
    ):
        assert response.status_code == 422, response.text
        assert [e["field"] for e in response.json()["errors"]] == ["location_id"]
    # Another company's location is as missing as one that never was.
    stranger = await signup(client, "Other Co")
    foreign = await add_location(client, stranger, await create_customer(client, stranger))
    missing = await client.post(
        attachment_url(customer_id),
        headers=admin.headers,
        files={"file": ("a.txt", b"a", "text/plain")},
        data={"location_id": foreign["id"]},
    )
    assert missing.status_code == 404, missing.text
    bad = await client.post(
        attachment_url(customer_id),
        headers=admin.headers,
        files={"file": ("a.txt", b"a", "text/plain")},
        data={"visible_to_field": "maybe"},
    )
    assert bad.status_code == 422
    assert "visible_to_field" in [e["field"] for e in bad.json()["errors"]]


async def test_deleting_a_location_clears_the_link(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    location = await add_location(client, admin, customer_id)
    attachment = await upload(client, admin, customer_id, location_id=location["id"])
    deleted = await client.delete(
        f"/v1/customers/{customer_id}/locations/{location['id']}", headers=admin.headers
    )
    assert deleted.status_code == 204, deleted.text
    got = await client.get(attachment_url(customer_id, attachment["id"]), headers=admin.headers)
    assert got.json()["location_id"] is None


async def test_delete_removes_the_blob_after_its_last_reference(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    content = os.urandom(1000)
    first = await upload(client, admin, customer_id, content)
    second = await upload(client, admin, customer_id, content, "copy.pdf")
    blob = blob_path(app, admin, first["sha256"])
    assert blob.exists()
    stale = await client.delete(
        attachment_url(customer_id, first["id"]), headers={**admin.headers, "If-Match": '"7"'}
    )
    assert stale.status_code == 412
    assert (
        await client.delete(attachment_url(customer_id, first["id"]), headers=admin.headers)
    ).status_code == 204
    assert blob.exists()
    assert (
        await client.get(attachment_url(customer_id, first["id"]), headers=admin.headers)
    ).status_code == 404
    assert (
        await client.delete(attachment_url(customer_id, second["id"]), headers=admin.headers)
    ).status_code == 204
    assert not blob.exists()


async def test_another_customer_or_company_answers_404(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    attachment = await upload(client, admin, customer_id)
    other_customer = await create_customer(client, admin, name="Other Customer")
    stranger = await signup(client, "Other Co")
    for caller, customer in ((admin, other_customer), (stranger, customer_id)):
        for suffix in ("", "/content"):
            response = await client.get(
                attachment_url(customer, attachment["id"], suffix), headers=caller.headers
            )
            assert response.status_code == 404, response.text


@pytest.fixture
async def small_app(
    database_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[FastAPI]:
    settings = make_settings(
        database_url,
        redis_url,
        max_upload_bytes=SMALL_LIMIT,
        files_dir=tmp_path_factory.mktemp("small-attachments"),
    )
    from app.main import create_app

    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


async def test_a_file_over_the_limit_is_413_and_nothing_is_stored(small_app: FastAPI) -> None:
    store: LocalBlobStore = small_app.state.blob_store
    async with client_for(small_app) as client:
        admin = await signup(client)
        customer_id = await create_customer(client, admin)
        for size in (SMALL_LIMIT + 1, 300_000):  # in the route; at the door
            response = await client.post(
                attachment_url(customer_id),
                headers=admin.headers,
                files={"file": ("big.bin", b"x" * size, "application/octet-stream")},
            )
            assert response.status_code == 413, (size, response.text)
            assert response.headers["content-type"] == "application/problem+json"
        listed = await client.get(attachment_url(customer_id), headers=admin.headers)
        assert listed.json()["data"] == []
        assert [p for p in store.root.rglob("*") if p.is_file()] == []
        at_limit = await upload(client, admin, customer_id, b"y" * SMALL_LIMIT)
        assert at_limit["size"] == SMALL_LIMIT


async def test_deleting_the_customer_removes_its_unshared_blobs(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    other_id = await create_customer(client, admin, name="Keeps Its Copy")
    mine = await upload(client, admin, customer_id, os.urandom(500))
    shared = os.urandom(500)
    await upload(client, admin, customer_id, shared)
    kept = await upload(client, admin, other_id, shared)
    deleted = await client.delete(f"/v1/customers/{customer_id}", headers=admin.headers)
    assert deleted.status_code == 204, deleted.text
    assert not blob_path(app, admin, mine["sha256"]).exists()
    assert blob_path(app, admin, kept["sha256"]).read_bytes() == shared
    bulk = await client.post(
        "/v1/customers/bulk", headers=admin.headers, json={"action": "delete", "ids": [other_id]}
    )
    assert bulk.status_code == 200, bulk.text
    assert not blob_path(app, admin, kept["sha256"]).exists()


async def test_an_idempotent_retry_stores_one_attachment(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    headers = {**admin.headers, "Idempotency-Key": "attach-once"}
    request: dict[str, Any] = {
        "files": {"file": ("plan.pdf", b"once", "application/pdf")},
        "data": {"name": "Plan", "visible_to_field": "true"},
    }
    first = await client.post(attachment_url(customer_id), headers=headers, **request)
    assert first.status_code == 201, first.text
    again = await client.post(attachment_url(customer_id), headers=headers, **request)
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    other = await client.post(
        attachment_url(customer_id),
        headers=headers,
        files=request["files"],
        data={"name": "Another name"},
    )
    assert other.status_code == 422
    listed = await client.get(attachment_url(customer_id), headers=admin.headers)
    assert [a["id"] for a in listed.json()["data"]] == [first.json()["id"]]
