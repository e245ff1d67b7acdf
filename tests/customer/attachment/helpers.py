"""What the attachment tests share: the URLs and an upload."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from app.customer.attachment.service import blob_key
from app.storage.local import LocalBlobStore
from tests.factories import Caller


def attachment_url(customer_id: str, attachment_id: str | None = None, suffix: str = "") -> str:
    base = f"/v1/customers/{customer_id}/attachments"
    return base if attachment_id is None else f"{base}/{attachment_id}{suffix}"


async def upload(
    client: httpx.AsyncClient,
    caller: Caller,
    customer_id: str,
    content: bytes = b"hello",
    filename: str = "site-map.pdf",
    content_type: str = "application/pdf",
    **fields: Any,
) -> dict[str, Any]:
    """POST an attachment with the metadata `fields` (form fields); expect 201."""
    response = await client.post(
        attachment_url(customer_id),
        headers=caller.headers,
        files={"file": (filename, content, content_type)},
        data={k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in fields.items()},
    )
    assert response.status_code == 201, response.text
    attachment: dict[str, Any] = response.json()
    assert response.headers["location"] == attachment_url(customer_id, attachment["id"])
    assert response.headers["etag"] == '"1"'
    return attachment


def blob_path(app: FastAPI, caller: Caller, sha256: str) -> Path:
    store: LocalBlobStore = app.state.blob_store
    return store.path(blob_key(uuid.UUID(caller.company_id), sha256))
