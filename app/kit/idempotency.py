"""Idempotency-Key for POST (draft-ietf-httpapi-idempotency-key-header).

- The key is scoped to the caller's company and kept `IDEMPOTENCY_TTL_SECONDS` (24 h).
- First use claims the key in its own short transaction, so a concurrent request with the
  same key sees the claim and gets 409 at once.
- The response is stored by the request's own transaction, in the same commit as the change
  it describes: a change is never committed without its stored response, and vice versa.
- Same key, same request: the stored response is replayed with `Idempotent-Replayed: true`.
- Same key, another request (method, path or body): 422.
- A request that fails releases its claim, so the client can retry with the same key.

The storage half is the `idempotency_key` table and `claim` / `complete` / `release`; the
HTTP half (`with_idempotency`) adds the header to every authenticated POST and replays.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Response, params
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
from starlette.datastructures import UploadFile

from app.errors import Conflict, ValidationFailed
from app.kit.dependencies import get_sessions, get_settings_dep
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


IDEMPOTENCY_HEADER = "Idempotency-Key"


async def _content(request: Request) -> bytes:
    """What an Idempotency-Key fingerprint covers: the body; for a form (a file upload), its
    fields and files as parsed, since parsing consumed the body and a retry may frame the
    same parts with another multipart boundary."""
    route = request.scope.get("route")
    body_field = getattr(route, "body_field", None)
    if body_field is None or not isinstance(body_field.field_info, params.Form):
        return await request.body()
    parts: list[list[str | None]] = []
    for name, value in (await request.form()).multi_items():
        if isinstance(value, UploadFile):
            digest = hashlib.sha256()
            while chunk := await value.read(64 * 1024):
                digest.update(chunk)
            await value.seek(0)
            parts.append([name, value.filename, value.content_type, digest.hexdigest()])
        else:
            parts.append([name, value])
    return json.dumps(parts).encode()


async def _claim_idempotency(
    request: Request,
    key: Annotated[
        str | None,
        Header(
            alias=IDEMPOTENCY_HEADER,
            min_length=1,
            max_length=255,
            description="Makes a retried POST safe: the same key replays the first response.",
        ),
    ] = None,
) -> None:
    principal = getattr(request.state, "principal", None)
    if key is None or principal is None:
        return
    settings = await get_settings_dep(request)
    sessions = get_sessions(request)
    result = await claim(
        sessions,
        principal.company_id,
        key,
        fingerprint(request.method, request.url.path, await _content(request)),
        timedelta(seconds=settings.idempotency_ttl_seconds),
    )
    if isinstance(result, StoredResponse):
        raise Replay(result)
    request.state.idempotency_claim = result


class Replay(Exception):
    def __init__(self, stored: StoredResponse) -> None:
        self.stored = stored


def with_idempotency(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """Append the Idempotency-Key dependency as the endpoint's last parameter, so that
    FastAPI resolves it after authentication has established the company."""
    signature = inspect.signature(endpoint, eval_str=True)
    extra = inspect.Parameter(
        "_idempotency",
        inspect.Parameter.KEYWORD_ONLY,
        annotation=Annotated[None, Depends(_claim_idempotency)],
    )

    async def wrapper(*args: Any, _idempotency: None = None, **kwargs: Any) -> Any:
        result = endpoint(*args, **kwargs)
        return await result if inspect.isawaitable(result) else result

    wrapper.__name__ = endpoint.__name__
    wrapper.__doc__ = endpoint.__doc__
    wrapper.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[*signature.parameters.values(), extra]
    )
    return wrapper


def replayed(stored: StoredResponse) -> Response:
    """The stored response of the first request, marked as a replay."""
    headers = {**stored.headers, "Idempotent-Replayed": "true"}
    return Response(content=stored.body, status_code=stored.status_code, headers=headers)
