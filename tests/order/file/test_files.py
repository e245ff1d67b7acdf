"""Order files: multipart upload, metadata, streamed download with a safe Content-Disposition,
the size limit, content-addressed blobs shared within a company and removed with their last
reference, tenancy."""

from __future__ import annotations

import asyncio
import hashlib
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from fastapi import FastAPI

from app.order.file.service import blob_key
from app.storage.files import clean_content_type, clean_filename
from app.storage.local import LocalBlobStore
from app.storage.web import content_disposition
from tests.conftest import client_for, make_settings
from tests.factories import Caller, create_order, member, signup

SMALL_LIMIT = 1000


def _url(order_id: str, file_id: str | None = None, suffix: str = "") -> str:
    base = f"/v1/orders/{order_id}/files"
    return base if file_id is None else f"{base}/{file_id}{suffix}"


def _multipart(filename: str, content: bytes, content_type: str | None) -> dict[str, Any]:
    """A request with one `file` part written byte for byte (httpx would escape the name)."""
    boundary = uuid.uuid4().hex
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
    if content_type is not None:
        head += f"Content-Type: {content_type}\r\n"
    body = head.encode() + b"\r\n" + content + f"\r\n--{boundary}--\r\n".encode()
    return {
        "content": body,
        "headers": {"Content-Type": f"multipart/form-data; boundary={boundary}"},
    }


async def _upload(
    client: httpx.AsyncClient,
    caller: Caller,
    order_id: str,
    content: bytes = b"hello",
    filename: str = "hello.txt",
    content_type: str = "text/plain",
    **headers: str,
) -> dict[str, Any]:
    response = await client.post(
        _url(order_id),
        headers={**caller.headers, **headers},
        files={"file": (filename, content, content_type)},
    )
    assert response.status_code == 201, response.text
    file: dict[str, Any] = response.json()
    assert response.headers["location"] == _url(order_id, file["id"])
    return file


def _blob(app: FastAPI, caller: Caller, sha256: str) -> Path:
    store: LocalBlobStore = app.state.blob_store
    return store.path(blob_key(uuid.UUID(caller.company_id), sha256))


async def test_upload_list_get_and_download_round_trip(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    content = os.urandom(200_000)  # several chunks
    sha256 = hashlib.sha256(content).hexdigest()
    photo = await _upload(client, admin, order_id, content, "site photo.jpg", "image/jpeg")
    assert photo == {
        "id": photo["id"],
        "order_id": order_id,
        "filename": "site photo.jpg",
        "content_type": "image/jpeg",
        "size": len(content),
        "sha256": sha256,
        "uploaded_by": admin.user_id,
        "created_at": photo["created_at"],
    }
    assert _blob(app, admin, sha256).read_bytes() == content
    note = await _upload(client, admin, order_id, b"gate code 4512\n", "notes.txt")

    got = await client.get(_url(order_id, photo["id"]), headers=admin.headers)
    assert got.status_code == 200
    assert got.json() == photo

    listed = await client.get(_url(order_id), headers=admin.headers)
    assert [f["id"] for f in listed.json()["data"]] == [note["id"], photo["id"]]
    first = await client.get(_url(order_id), headers=admin.headers, params={"limit": 1})
    assert [f["id"] for f in first.json()["data"]] == [note["id"]]
    second = await client.get(
        _url(order_id),
        headers=admin.headers,
        params={"limit": 1, "cursor": first.json()["next_cursor"]},
    )
    assert [f["id"] for f in second.json()["data"]] == [photo["id"]]
    assert second.json()["has_more"] is False

    reader = await member(client, admin, ["orders:read"])
    download = await client.get(_url(order_id, photo["id"], "/content"), headers=reader.headers)
    assert download.status_code == 200
    assert download.content == content
    assert download.headers["content-type"] == "image/jpeg"
    assert download.headers["content-length"] == str(len(content))
    assert download.headers["content-disposition"] == (
        "attachment; filename=\"site photo.jpg\"; filename*=UTF-8''site%20photo.jpg"
    )
    assert download.headers["x-content-type-options"] == "nosniff"
    text = await client.get(_url(order_id, note["id"], "/content"), headers=reader.headers)
    assert text.headers["content-type"] == "text/plain"  # as stored: no charset added
    assert text.content == b"gate code 4512\n"

    refused = await client.post(
        _url(order_id), headers=reader.headers, files={"file": ("x.txt", b"x", "text/plain")}
    )
    assert refused.status_code == 403
    assert refused.json()["permission"] == "orders:write"

    audit = await client.get("/v1/events", headers=admin.headers, params={"entity_id": photo["id"]})
    (created,) = audit.json()["data"]
    assert created["type"] == "order_file.created"
    assert (created["parent_type"], created["parent_id"]) == ("orders", order_id)
    assert created["after"]["sha256"] == sha256


@pytest.mark.parametrize(
    ("sent", "stored", "fallback"),
    [
        ("Résumé \u2013 東京 😀.pdf", "Résumé \u2013 東京 😀.pdf", "Resume _ __ _.pdf"),
        ("../../etc/passwd", "passwd", "passwd"),
        ("..\\\\..\\\\Windows\\\\evil.bat", "evil.bat", "evil.bat"),
        ('say \\"hi\\".txt', 'say "hi".txt', "say _hi_.txt"),
        ("semi;colon=1,ok.txt", "semi;colon=1,ok.txt", "semi_colon=1,ok.txt"),
        ("..", "file", "file"),
        ("", "file", "file"),
    ],
)
async def test_file_names_are_kept_and_offered_back_safely(
    client: httpx.AsyncClient, sent: str, stored: str, fallback: str
) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    response = await client.post(
        _url(order_id),
        **_with_auth(_multipart(sent, b"content", "application/pdf"), admin),
    )
    assert response.status_code == 201, response.text
    file = response.json()
    assert file["filename"] == stored
    download = await client.get(_url(order_id, file["id"], "/content"), headers=admin.headers)
    disposition = download.headers["content-disposition"]
    assert disposition == content_disposition(stored)
    quoted, encoded = disposition.removeprefix('attachment; filename="').split('"; filename*=')
    assert quoted == fallback
    assert unquote(encoded.removeprefix("UTF-8''")) == stored
    assert download.content == b"content"


def _with_auth(kwargs: dict[str, Any], caller: Caller) -> dict[str, Any]:
    return {**kwargs, "headers": {**kwargs["headers"], **caller.headers}}


async def test_control_characters_never_reach_a_header(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    response = await client.post(
        _url(order_id),
        **_with_auth(_multipart("evil\nSet-Cookie: a=b\t.txt", b"x", "text/plain"), admin),
    )
    if response.status_code != 201:  # the multipart parser may refuse it outright
        assert response.status_code == 400, response.text
        return
    file = response.json()
    assert "\n" not in file["filename"]
    download = await client.get(_url(order_id, file["id"], "/content"), headers=admin.headers)
    assert "set-cookie" not in download.headers
    for value in download.headers.values():
        assert "\r" not in value
        assert "\n" not in value


def test_name_and_type_cleaning() -> None:
    assert clean_filename("a\r\nb\x00c\u202etxt.exe") == "abctxt.exe"
    assert clean_filename("C:\\Users\\ada\\plan.pdf") == "plan.pdf"
    long = "x" * 300 + ".jpeg"
    assert clean_filename(long) == "x" * 250 + ".jpeg"
    assert len(clean_filename("y" * 300)) == 255
    header = content_disposition('a"\r\n/\\b.txt')
    assert header.startswith('attachment; filename="a_____b.txt"; ')
    assert header.endswith("filename*=UTF-8''a%22%0D%0A%2F%5Cb.txt")
    assert (
        content_disposition("東京")
        == "attachment; filename=\"__\"; filename*=UTF-8''%E6%9D%B1%E4%BA%AC"
    )

    assert clean_content_type("Text/Plain; charset=utf-8") == "text/plain; charset=utf-8"
    assert clean_content_type('multipart/x; a="b c"') == 'multipart/x; a="b c"'
    for bad in (None, "", "text", "text/", "/plain", "text/plain\r\nX: y", "a/b; c", "x" * 200):
        assert clean_content_type(bad) == "application/octet-stream", bad


async def test_missing_content_type_is_octet_stream(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    for sent in (None, "not a type"):
        response = await client.post(
            _url(order_id), **_with_auth(_multipart("data.bin", b"\x00\x01", sent), admin)
        )
        assert response.status_code == 201, response.text
        assert response.json()["content_type"] == "application/octet-stream"
        download = await client.get(
            _url(order_id, response.json()["id"], "/content"), headers=admin.headers
        )
        assert download.headers["content-type"] == "application/octet-stream"


async def test_a_request_without_a_file_is_422_naming_it(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    for kwargs in (
        {"files": {"other": ("a.txt", b"a", "text/plain")}},
        {"data": {"file": "not a file"}},
        {"json": {"file": "aGVsbG8="}},
    ):
        response = await client.post(_url(order_id), headers=admin.headers, **kwargs)
        assert response.status_code == 422, (kwargs, response.text)
        assert [e["field"] for e in response.json()["errors"]] == ["file"]
    assert (await client.get(_url(order_id), headers=admin.headers)).json()["data"] == []


async def test_an_idempotent_retry_stores_one_file(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    key = {"Idempotency-Key": uuid.uuid4().hex}
    first = await _upload(client, admin, order_id, b"once", **key)
    again = await client.post(
        _url(order_id),
        headers={**admin.headers, **key},
        files={"file": ("hello.txt", b"once", "text/plain")},
    )
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first
    other = await client.post(
        _url(order_id),
        headers={**admin.headers, **key},
        files={"file": ("hello.txt", b"other content", "text/plain")},
    )
    assert other.status_code == 422
    listed = await client.get(_url(order_id), headers=admin.headers)
    assert [f["id"] for f in listed.json()["data"]] == [first["id"]]


@pytest.fixture
async def small_app(
    database_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[FastAPI]:
    settings = make_settings(
        database_url,
        redis_url,
        max_upload_bytes=SMALL_LIMIT,
        files_dir=tmp_path_factory.mktemp("small-files"),
    )
    from app.main import create_app

    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


async def test_a_file_over_the_limit_is_413_and_nothing_is_stored(small_app: FastAPI) -> None:
    store: LocalBlobStore = small_app.state.blob_store
    async with client_for(small_app) as client:
        admin = await signup(client)
        order_id = await create_order(client, admin)
        for size in (SMALL_LIMIT + 1, 50_000, 300_000):  # in the route; at the door
            response = await client.post(
                _url(order_id),
                headers=admin.headers,
                files={"file": ("big.bin", b"x" * size, "application/octet-stream")},
            )
            assert response.status_code == 413, (size, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["status"] == 413
        listed = await client.get(_url(order_id), headers=admin.headers)
        assert listed.json()["data"] == []
        assert [p for p in store.root.rglob("*") if p.is_file()] == []

        at_limit = await _upload(client, admin, order_id, b"y" * SMALL_LIMIT)
        assert at_limit["size"] == SMALL_LIMIT
        empty = await _upload(client, admin, order_id, b"", "empty.txt")
        assert (empty["size"], empty["sha256"]) == (0, hashlib.sha256(b"").hexdigest())
        download = await client.get(_url(order_id, empty["id"], "/content"), headers=admin.headers)
        assert (download.status_code, download.content) == (200, b"")
        # Other bodies keep their own, smaller limit.
        assert (
            await client.post("/v1/orders", headers=admin.headers, json={"title": "x" * 2_000_000})
        ).status_code == 413


async def test_same_content_is_one_blob_removed_with_its_last_reference(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    admin = await signup(client)
    order_a = await create_order(client, admin)
    order_b = await create_order(client, admin)
    content = f"quote {uuid.uuid4()}".encode()
    first = await _upload(client, admin, order_a, content, "quote.pdf")
    second = await _upload(client, admin, order_b, content, "copy of quote.pdf")
    third = await _upload(client, admin, order_b, content, "again.pdf")
    assert first["sha256"] == second["sha256"] == third["sha256"]
    assert len({first["id"], second["id"], third["id"]}) == 3
    blob = _blob(app, admin, first["sha256"])
    assert blob.read_bytes() == content
    assert len(list(blob.parent.iterdir())) == 1

    # Another company uploading the same bytes has a blob of its own.
    stranger = await signup(client, "Other Co")
    theirs = await _upload(client, stranger, await create_order(client, stranger), content)
    assert _blob(app, stranger, theirs["sha256"]) != blob

    deleted = await client.delete(_url(order_a, first["id"]), headers=admin.headers)
    assert deleted.status_code == 204
    assert (await client.get(_url(order_a, first["id"]), headers=admin.headers)).status_code == 404
    assert blob.exists()
    assert (
        await client.delete(_url(order_b, second["id"]), headers=admin.headers)
    ).status_code == 204
    assert blob.exists()
    still = await client.get(_url(order_b, third["id"], "/content"), headers=admin.headers)
    assert still.content == content
    assert (
        await client.delete(_url(order_b, third["id"]), headers=admin.headers)
    ).status_code == 204
    assert not blob.exists()
    assert _blob(app, stranger, theirs["sha256"]).exists()

    # Uploading it again after it was removed stores it again.
    back = await _upload(client, admin, order_a, content)
    assert blob.read_bytes() == content
    audit = await client.get("/v1/events", headers=admin.headers, params={"entity_id": first["id"]})
    assert [e["type"] for e in audit.json()["data"]] == [
        "order_file.deleted",
        "order_file.created",
    ]
    assert audit.json()["data"][0]["before"]["filename"] == "quote.pdf"
    assert back["sha256"] == first["sha256"]


async def test_deleting_the_order_removes_its_unshared_blobs(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    keeper = await create_order(client, admin)
    shared = f"shared {uuid.uuid4()}".encode()
    own = f"own {uuid.uuid4()}".encode()
    await _upload(client, admin, order_id, shared)
    mine = await _upload(client, admin, order_id, own)
    kept = await _upload(client, admin, keeper, shared)

    response = await client.delete(f"/v1/orders/{order_id}", headers=admin.headers)
    assert response.status_code == 204, response.text
    assert not _blob(app, admin, mine["sha256"]).exists()
    assert _blob(app, admin, kept["sha256"]).read_bytes() == shared
    gone = await client.get(_url(order_id, mine["id"]), headers=admin.headers)
    assert gone.status_code == 404


async def test_another_order_or_company_answers_404(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    other_order = await create_order(client, admin)
    file = await _upload(client, admin, order_id)
    stranger = await signup(client, "Other Co")
    strangers_order = await create_order(client, stranger)

    for caller, order in ((admin, other_order), (stranger, order_id), (stranger, strangers_order)):
        for suffix in ("", "/content"):
            response = await client.get(_url(order, file["id"], suffix), headers=caller.headers)
            assert response.status_code == 404, response.text
            assert response.headers["content-type"] == "application/problem+json"
        deleted = await client.delete(_url(order, file["id"]), headers=caller.headers)
        assert deleted.status_code == 404
    listed = await client.get(_url(order_id), headers=stranger.headers)
    assert listed.status_code == 404
    upload = await client.post(
        _url(order_id), headers=stranger.headers, files={"file": ("x.txt", b"x", "text/plain")}
    )
    assert upload.status_code == 404
    still = await client.get(_url(order_id, file["id"], "/content"), headers=admin.headers)
    assert still.content == b"hello"


async def test_an_upload_racing_the_last_delete_keeps_its_blob(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    admin = await signup(client)
    order_a = await create_order(client, admin)
    order_b = await create_order(client, admin)
    for round_ in range(8):
        content = f"race {round_} {uuid.uuid4()}".encode()
        old = await _upload(client, admin, order_a, content)
        deleted, new = await asyncio.gather(
            client.delete(_url(order_a, old["id"]), headers=admin.headers),
            client.post(
                _url(order_b),
                headers=admin.headers,
                files={"file": ("race.txt", content, "text/plain")},
            ),
        )
        assert (deleted.status_code, new.status_code) == (204, 201), new.text
        download = await client.get(
            _url(order_b, new.json()["id"], "/content"), headers=admin.headers
        )
        assert download.content == content, round_
        assert _blob(app, admin, old["sha256"]).exists()
