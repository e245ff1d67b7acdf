"""Uploaded files, whatever record they are on (an order's files, a customer's attachments):
the one upload mechanism, minus its HTTP half (app/storage/web.py).

A file row references a blob of the company's store by content, under the key
`<company_id>/[<space>/]<sha256[:2]>/<sha256>`: the same bytes uploaded twice make two rows
and one blob. Each kind of file row is a `BlobSpace`: the table whose rows reference the
space's blobs, and the key prefix that keeps one space's blobs apart from another's (so that
counting references never needs another domain's table). A blob is removed once no row of
its space and company references it, and only after the transaction that removed the last
reference committed (`remove_after_commit`), so a request that fails never loses a blob that
is still referenced. Uploads and clean-ups of one blob take the same advisory lock
(`BlobSpace.lock`), so a clean-up can never remove a blob that a concurrent upload has just
written or reused.

Empty files are accepted: a user may attach a file that happens to be empty, and nothing
about it is invalid.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
import uuid
from collections.abc import AsyncIterator, Collection, Iterable
from dataclasses import dataclass
from typing import Protocol

import structlog
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import InstrumentedAttribute

from app.errors import PayloadTooLarge
from app.kit.transaction import after_commit
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

log = structlog.get_logger(__name__)


class Upload(Protocol):
    """An uploaded file as the web layer hands it over (Starlette's UploadFile is one):
    its content can be read in chunks, and read again after `seek(0)`."""

    filename: str | None

    @property
    def content_type(self) -> str | None: ...

    async def read(self, size: int = -1) -> bytes: ...

    async def seek(self, offset: int) -> None: ...


@dataclass(frozen=True)
class StoredUpload:
    """What a file row records of an upload whose bytes are in the store."""

    sha256: str
    size: int
    filename: str
    content_type: str


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


class BlobSpace:
    """The blobs that one kind of file row references: `company_id` and `sha256` are that
    table's columns; `prefix` (None for the order files, which came first) keeps its keys
    apart from every other space's."""

    def __init__(
        self,
        name: str,
        *,
        company_id: InstrumentedAttribute[uuid.UUID],
        sha256: InstrumentedAttribute[str],
        prefix: str | None,
    ) -> None:
        self.name = name
        self.company_id = company_id
        self.sha256 = sha256
        self.prefix = prefix

    def __repr__(self) -> str:
        return f"BlobSpace({self.name!r})"

    def key(self, company_id: uuid.UUID, sha256: str) -> str:
        middle = f"{self.prefix}/" if self.prefix else ""
        return f"{company_id}/{middle}{sha256[:2]}/{sha256}"

    async def lock(self, session: AsyncSession, company_id: uuid.UUID, sha256: str) -> None:
        """Serialise, until the transaction ends, everything that writes or removes the
        company's blob `sha256` of this space: an upload holds it from writing the blob to
        committing its row, the clean-up from counting references to removing the blob."""
        key = f"{self.name}:{company_id}:{sha256}"
        await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))

    async def referenced(
        self, session: AsyncSession, company_id: uuid.UUID, shas: Collection[str]
    ) -> set[str]:
        """Which of the blobs `shas` rows of the company still reference."""
        if not shas:
            return set()
        rows = await session.scalars(
            select(self.sha256)
            .where(self.company_id == company_id, self.sha256.in_(list(shas)))
            .distinct()
        )
        return set(rows)

    async def store(
        self,
        session: AsyncSession,
        store: BlobStore,
        company_id: uuid.UUID,
        upload: Upload,
        *,
        max_bytes: int,
    ) -> StoredUpload:
        """Hash and measure the upload (413 beyond `max_bytes`, and nothing is stored), then
        write its blob unless the company already has it. The blob's lock is held until the
        transaction ends: the caller adds the row that references it in this transaction."""
        sha256, size = await _measure(upload, max_bytes)
        await self.lock(session, company_id, sha256)
        key = self.key(company_id, sha256)
        if not await store.exists(key):
            await store.put(key, _chunks(upload, sha256))
        return StoredUpload(
            sha256=sha256,
            size=size,
            filename=clean_filename(upload.filename),
            content_type=clean_content_type(upload.content_type),
        )

    def remove_after_commit(
        self,
        session: AsyncSession,
        store: BlobStore,
        company_id: uuid.UUID,
        shas: Iterable[str],
    ) -> None:
        """Once this session's transaction committed (never if it rolls back), remove the
        blobs `shas` that no row references any more (`delete_unreferenced`)."""
        sessions = async_sessionmaker(session.bind, expire_on_commit=False)
        after_commit(
            session,
            functools.partial(self.delete_unreferenced, sessions, store, company_id, list(shas)),
        )

    async def delete_unreferenced(
        self,
        sessions: async_sessionmaker[AsyncSession],
        store: BlobStore,
        company_id: uuid.UUID,
        shas: Iterable[str],
    ) -> None:
        """Remove each of the company's blobs `shas` that no row references any more.

        Call it only after the transaction that removed the references committed. Each blob
        is re-checked in a transaction of its own under the blob's lock, so a reference added
        meanwhile (a concurrent upload of the same bytes) keeps it. A failure leaves the blob
        in place (space, never data, is lost) and is logged."""
        for sha256 in sorted(set(shas)):
            try:
                async with sessions() as session, session.begin():
                    await self.lock(session, company_id, sha256)
                    if not await self.referenced(session, company_id, [sha256]):
                        await store.delete(self.key(company_id, sha256))
            except Exception:  # one blob's failure must not keep the others
                log.exception(
                    "blob clean-up failed",
                    space=self.name,
                    company_id=str(company_id),
                    sha256=sha256,
                )
