"""Idempotency-Key for POST (draft-ietf-httpapi-idempotency-key-header).

- The key is scoped to the caller's company and kept `IDEMPOTENCY_TTL_SECONDS` (24 h).
- First use claims the key in its own short transaction, so a concurrent request with the
  same key sees the claim and gets 409 at once.
- The response is stored by the request's own transaction, in the same commit as the change
  it describes: a change is never committed without its stored response, and vice versa.
- Same key, same request: the stored response is replayed with `Idempotent-Replayed: true`.
- Same key, another request (method, path or body): 422.
- A request that fails releases its claim, so the client can retry with the same key.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ForeignKey,
    LargeBinary,
    SmallInteger,
    String,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from app.errors import Conflict, ValidationFailed
from app.kit.models import Base

# A claim this old belongs to a request that died without releasing it.
ABANDONED_AFTER = timedelta(minutes=5)
REPLAYED_HEADERS = ("content-type", "location", "etag")


class IdempotencyKey(Base):
    __tablename__ = "idempotency_key"

    company_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("company.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), index=True)
    status_code: Mapped[int | None] = mapped_column(SmallInteger)
    headers: Mapped[dict[str, str] | None] = mapped_column(JSONB)
    body: Mapped[bytes | None] = mapped_column(LargeBinary)


def fingerprint(method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Claim:
    company_id: uuid.UUID
    key: str


async def claim(
    sessions: async_sessionmaker[AsyncSession],
    company_id: uuid.UUID,
    key: str,
    request_fingerprint: str,
    ttl: timedelta,
) -> Claim | StoredResponse:
    """Claim `key` for this request, or return the response stored for it.

    Raises Conflict while another request holds the key, ValidationFailed when the key was
    used for a different request.
    """
    async with sessions.begin() as session:
        # Expired and abandoned claims are free again.
        await session.execute(
            delete(IdempotencyKey).where(
                IdempotencyKey.company_id == company_id,
                IdempotencyKey.key == key,
                (IdempotencyKey.created_at < func.now() - ttl)
                | (
                    IdempotencyKey.status_code.is_(None)
                    & (IdempotencyKey.created_at < func.now() - ABANDONED_AFTER)
                ),
            )
        )
        inserted = await session.scalar(
            insert(IdempotencyKey)
            .values(company_id=company_id, key=key, fingerprint=request_fingerprint)
            .on_conflict_do_nothing()
            .returning(IdempotencyKey.key)
        )
        if inserted is not None:
            return Claim(company_id, key)
        row = await session.scalar(
            select(IdempotencyKey).where(
                IdempotencyKey.company_id == company_id, IdempotencyKey.key == key
            )
        )
    if row is None:  # released between our insert and select: let the client retry
        raise Conflict("A request with this Idempotency-Key is in progress; retry shortly.")
    if row.fingerprint != request_fingerprint:
        raise ValidationFailed.field(
            "Idempotency-Key", "was already used for a different request", "header"
        )
    if row.status_code is None:
        raise Conflict("A request with this Idempotency-Key is in progress; retry shortly.")
    return StoredResponse(row.status_code, dict(row.headers or {}), row.body or b"")


async def complete(session: AsyncSession, held: Claim, response: StoredResponse) -> None:
    """Store the response in the request's transaction (committed with the change)."""
    await session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.company_id == held.company_id, IdempotencyKey.key == held.key)
        .values(
            status_code=response.status_code,
            headers=response.headers,
            body=response.body,
        )
    )


async def release(sessions: async_sessionmaker[AsyncSession], held: Claim) -> None:
    async with sessions.begin() as session:
        await session.execute(
            delete(IdempotencyKey).where(
                IdempotencyKey.company_id == held.company_id,
                IdempotencyKey.key == held.key,
                IdempotencyKey.status_code.is_(None),
            )
        )


async def purge_expired(session: AsyncSession, ttl: timedelta) -> int:
    result: Any = await session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.created_at < func.now() - ttl)
    )
    return int(result.rowcount or 0)
