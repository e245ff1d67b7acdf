"""Files attached to an order (seed 000): uploaded, listed, downloaded, deleted.

A file row references a blob of the company's store by content, under the key
`<company_id>/<sha256[:2]>/<sha256>`: the same bytes uploaded twice make two rows and one
blob. A blob is removed once no row of its company references it, and only after the
transaction that removed the last reference committed (`delete_unreferenced_blobs`), so a
request that fails never loses a blob that is still referenced. Uploads and clean-ups of one
blob take the same advisory lock (`BlobReferences.lock`), so a clean-up can never remove a
blob that a concurrent upload has just written or reused.

Empty files are accepted: a user may attach a file that happens to be empty, and nothing
about it is invalid.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
import uuid
from collections.abc import AsyncIterator, Iterable
from typing import Protocol

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.auth.principal import Principal
from app.errors import PayloadTooLarge
from app.event import service as events
from app.kit.pagination import CursorCodec, PageParams, PageResult, Sort
from app.kit.transaction import after_commit
from app.order.file.models import OrderFile
from app.order.file.repository import BlobReferences, OrderFileRepository
from app.order.models import Order
from app.order.repository import OrderRepository
from app.storage.blob import CHUNK_BYTES, BlobStore

FILENAME_MAX_LENGTH = 255
DEFAULT_FILENAME = "file"
DEFAULT_CONTENT_TYPE = "application/octet-stream"
CONTENT_TYPE_MAX_LENGTH = 127
# RFC 6838 type/subtype names, then RFC 9110 parameters (token or quoted-string values).
_TCHARS = r"[A-Za-z0-9!#$%&'*+.^_`|~-]+"
_NAME = r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}"
_CONTENT_TYPE = re.compile(
    rf'({_NAME}/{_NAME})((?:[ \t]*;[ \t]*{_TCHARS}=(?:{_TCHARS}|"[^"\\\x00-\x1f\x7f]*"))*)[ \t]*'
)
# Control characters (C0, DEL, C1) and the like: nothing a file name should carry.
_UNPRINTABLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})

SORT = Sort("-created_at", OrderFile.created_at, OrderFile.id, descending=True)

log = structlog.get_logger(__name__)


class Upload(Protocol):
    """An uploaded file as the web layer hands it over (Starlette's UploadFile is one):
    its content can be read in chunks, and read again after `seek(0)`."""

    filename: str | None

    @property
    def content_type(self) -> str | None: ...

    async def read(self, size: int = -1) -> bytes: ...

    async def seek(self, offset: int) -> None: ...


def blob_key(company_id: uuid.UUID, sha256: str) -> str:
    return f"{company_id}/{sha256[:2]}/{sha256}"


def clean_filename(raw: str | None) -> str:
    """The name without any folder part (`../../etc/passwd` is `passwd`) or control
    characters, at most 255 characters (the extension kept), never empty."""
    name = "".join(c for c in (raw or "") if unicodedata.category(c) not in _UNPRINTABLE)
    name = re.split(r"[/\\]", name)[-1].strip()
    if name in {"", ".", ".."}:
        return DEFAULT_FILENAME
    if len(name) > FILENAME_MAX_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and stem and len(extension) <= 16:
            name = stem[: FILENAME_MAX_LENGTH - len(extension) - 1].rstrip() + "." + extension
        else:
            name = name[:FILENAME_MAX_LENGTH]
    return name


def clean_content_type(raw: str | None) -> str:
    """The upload's media type when it is a well-formed `type/subtype` (parameters kept),
    else `application/octet-stream`."""
    if raw is None or len(raw.strip()) > CONTENT_TYPE_MAX_LENGTH:
        return DEFAULT_CONTENT_TYPE
    match = _CONTENT_TYPE.fullmatch(raw.strip())
    if match is None:
        return DEFAULT_CONTENT_TYPE
    return match.group(1).lower() + match.group(2)


async def _order(session: AsyncSession, principal: Principal, order_id: uuid.UUID) -> Order:
    return await OrderRepository(session, principal.company_id).get_or_404(order_id)


async def list_files(
    session: AsyncSession,
    principal: Principal,
    order_id: uuid.UUID,
    *,
    params: PageParams,
    codec: CursorCodec,
) -> PageResult[OrderFile]:
    """The order's files, newest first; 404 when the order is not the company's."""
    order = await _order(session, principal, order_id)
    repository = OrderFileRepository(session, principal.company_id, order.id)
    return await repository.page(repository.select(), sort=SORT, params=params, codec=codec)


async def get_file(
    session: AsyncSession, principal: Principal, order_id: uuid.UUID, file_id: uuid.UUID
) -> OrderFile:
    """One file of the order; 404 for another order's file."""
    order = await _order(session, principal, order_id)
    return await OrderFileRepository(session, principal.company_id, order.id).get_or_404(file_id)


async def _measure(upload: Upload, max_bytes: int) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    while chunk := await upload.read(CHUNK_BYTES):
        size += len(chunk)
        if size > max_bytes:
            raise PayloadTooLarge(f"The file is larger than {max_bytes} bytes.")
        digest.update(chunk)
    return digest.hexdigest(), size


async def _chunks(upload: Upload, sha256: str) -> AsyncIterator[bytes]:
    """The upload again, checked against the hash it was stored under: a blob is never
    kept under a key that is not its content's."""
    await upload.seek(0)
    digest = hashlib.sha256()
    while chunk := await upload.read(CHUNK_BYTES):
        digest.update(chunk)
        yield chunk
    if digest.hexdigest() != sha256:
        raise RuntimeError("the upload changed while it was being stored")


async def create_file(
    session: AsyncSession,
    principal: Principal,
    store: BlobStore,
    order_id: uuid.UUID,
    upload: Upload,
    *,
    max_bytes: int,
) -> OrderFile:
    """Attach an uploaded file to the order: hashed and measured first (413 beyond
    `max_bytes`, and nothing is stored), then its blob written unless the company already
    has it, then the row. The blob's lock is held until the transaction ends."""
    order = await _order(session, principal, order_id)
    sha256, size = await _measure(upload, max_bytes)
    await BlobReferences(session, principal.company_id).lock(sha256)
    key = blob_key(principal.company_id, sha256)
    if not await store.exists(key):
        await store.put(key, _chunks(upload, sha256))
    file = OrderFileRepository(session, principal.company_id, order.id).add(
        OrderFile(
            sha256=sha256,
            filename=clean_filename(upload.filename),
            content_type=clean_content_type(upload.content_type),
            size=size,
            uploaded_by=principal.user_id,
        )
    )
    await session.flush()
    await session.refresh(file, ["created_at"])
    events.record(session, principal, "created", file, parent=order)
    return file


async def delete_file(
    session: AsyncSession,
    principal: Principal,
    order_id: uuid.UUID,
    file_id: uuid.UUID,
    *,
    store: BlobStore,
) -> None:
    """Remove the file's row (audited); its content goes after commit when no other file
    uses it (`remove_blobs_after_commit`)."""
    order = await _order(session, principal, order_id)
    repository = OrderFileRepository(session, principal.company_id, order.id)
    file = await repository.get_or_404(file_id, for_update=True)
    before = events.snapshot(file)
    await repository.delete(file)
    await session.flush()
    events.record(session, principal, "deleted", file, before=before, deleted=True, parent=order)
    remove_blobs_after_commit(session, store, principal.company_id, [file.sha256])


async def shas_of_order(
    session: AsyncSession, company_id: uuid.UUID, order_id: uuid.UUID
) -> list[str]:
    """The blobs the order's files reference; read before deleting the order, then passed
    to `delete_unreferenced_blobs` after the deletion committed."""
    return await BlobReferences(session, company_id).of_order(order_id)


def remove_blobs_after_commit(
    session: AsyncSession, store: BlobStore, company_id: uuid.UUID, shas: Iterable[str]
) -> None:
    """Once this session's transaction committed (never if it rolls back), remove the blobs
    `shas` that no file references any more (`delete_unreferenced_blobs`)."""
    sessions = async_sessionmaker(session.bind, expire_on_commit=False)
    after_commit(
        session,
        functools.partial(delete_unreferenced_blobs, sessions, store, company_id, list(shas)),
    )


async def delete_unreferenced_blobs(
    sessions: async_sessionmaker[AsyncSession],
    store: BlobStore,
    company_id: uuid.UUID,
    shas: Iterable[str],
) -> None:
    """Remove each of the company's blobs `shas` that no file row references any more.

    Call it only after the transaction that removed the references committed. Each blob is
    re-checked in a transaction of its own under the blob's lock, so a reference added
    meanwhile (a concurrent upload of the same bytes) keeps it. A failure leaves the blob
    in place (space, never data, is lost) and is logged."""
    for sha256 in sorted(set(shas)):
        try:
            async with sessions() as session, session.begin():
                references = BlobReferences(session, company_id)
                await references.lock(sha256)
                if not await references.referenced([sha256]):
                    await store.delete(blob_key(company_id, sha256))
        except Exception:  # one blob's failure must not keep the others
            log.exception("blob clean-up failed", company_id=str(company_id), sha256=sha256)
