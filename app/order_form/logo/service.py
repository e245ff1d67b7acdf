"""The order form's logo (the Style tab): an image uploaded through the blob store, checked
by size and by what its bytes are (PNG, JPEG, GIF or WebP; never SVG, which can carry
script), and served on the form's public address. Blobs live under a prefix of their own,
so the order files' clean-up never touches them; a replaced logo's blob goes after commit."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.errors import NotFound, PayloadTooLarge, ValidationFailed
from app.event import service as events
from app.kit.transaction import after_commit
from app.order_form.models import OrderForm
from app.order_form.repository import OrderFormRepository
from app.order_form.service import DEFAULT_FIELDS, DEFAULT_THANK_YOU, PublicForm
from app.storage.blob import BlobNotFound, BlobStore

MAX_BYTES = 512 * 1024
# What the file's first bytes say it is: the type the page is served with comes from here,
# never from what the uploader claimed.
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def sniff(data: bytes) -> str | None:
    for signature, media_type in _SIGNATURES:
        if data.startswith(signature):
            return media_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def blob_key(company_id: uuid.UUID, sha256: str) -> str:
    return f"order-form-logo/{company_id}/{sha256}"


async def _one(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def set_logo(
    session: AsyncSession, principal: Principal, store: BlobStore, data: bytes
) -> OrderForm:
    """Make `data` the form's logo: 413 beyond MAX_BYTES, 422 (naming `file`) unless it is
    a PNG, JPEG, GIF or WebP image. The form's settings row is created (with the defaults,
    disabled) when it has none yet."""
    if len(data) > MAX_BYTES:
        raise PayloadTooLarge(f"The logo is larger than {MAX_BYTES} bytes.")
    media_type = sniff(data)
    if media_type is None:
        raise ValidationFailed.field("file", "must be a PNG, JPEG, GIF or WebP image")
    repository = OrderFormRepository(session, principal.company_id)
    form = await repository.get(for_update=True)
    if form is None:
        form = repository.add(
            OrderForm(
                enabled=False,
                fields=DEFAULT_FIELDS,
                thank_you_message=DEFAULT_THANK_YOU,
                style={},
                allowed_origins=[],
                review_recipient_ids=[],
            )
        )
        before = None
    else:
        before = events.snapshot(form)
    sha256 = hashlib.sha256(data).hexdigest()
    previous = form.logo_sha256
    await store.put(blob_key(principal.company_id, sha256), _one(data))
    form.logo_sha256, form.logo_content_type = sha256, media_type
    await session.flush()
    events.record(
        session, principal, "logo_set", form, before=before, entity_id=principal.company_id
    )
    if previous and previous != sha256:
        _remove_after_commit(session, store, principal.company_id, previous)
    return form


async def remove_logo(session: AsyncSession, principal: Principal, store: BlobStore) -> None:
    """Take the logo off the form (its blob goes after commit); 404 when it has none."""
    form = await OrderFormRepository(session, principal.company_id).get(for_update=True)
    if form is None or form.logo_sha256 is None:
        raise NotFound("The order form has no logo.")
    before, previous = events.snapshot(form), form.logo_sha256
    form.logo_sha256 = form.logo_content_type = None
    await session.flush()
    events.record(
        session, principal, "logo_removed", form, before=before, entity_id=principal.company_id
    )
    _remove_after_commit(session, store, principal.company_id, previous)


def _remove_after_commit(
    session: AsyncSession, store: BlobStore, company_id: uuid.UUID, sha256: str
) -> None:
    async def remove() -> None:
        await store.delete(blob_key(company_id, sha256))

    after_commit(session, remove)


async def open_logo(form: PublicForm, store: BlobStore) -> tuple[AsyncIterator[bytes], str]:
    """The logo's bytes and media type; 404 when the form has none (or its blob is gone)."""
    if form.logo_sha256 is None or form.logo_content_type is None:
        raise NotFound("This form has no logo.")
    try:
        chunks = await store.open(blob_key(form.company_id, form.logo_sha256))
    except BlobNotFound:
        raise NotFound("This form has no logo.") from None
    return chunks, form.logo_content_type
