"""Keyset pagination with opaque, signed cursors.

A cursor holds the last row's sort key and id, the company and the sort it belongs to,
signed with the server secret. Page 10,000 costs what page 1 costs, a cursor cannot be
replayed against another company or another sort, and an edited one is a 422.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.errors import ValidationFailed

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


@dataclass(frozen=True)
class PageParams:
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None


@dataclass(frozen=True)
class Sort:
    """A stable order `(key, id)`; `name` is what the client asked for, e.g. `-created_at`."""

    name: str
    key: InstrumentedAttribute[Any]
    id: InstrumentedAttribute[Any]
    descending: bool = False


@dataclass(frozen=True)
class PageResult(Generic[T]):
    items: Sequence[T]
    has_more: bool
    next_cursor: str | None


def _encode_value(value: Any) -> list[Any]:
    if isinstance(value, datetime):
        return ["dt", value.isoformat()]
    if isinstance(value, date):  # after datetime, which is a date too
        return ["d", value.isoformat()]
    if isinstance(value, uuid.UUID):
        return ["uuid", str(value)]
    return ["v", value]


def _decode_value(pair: Any) -> Any:
    kind, raw = pair
    if kind == "dt":
        return datetime.fromisoformat(raw)
    if kind == "d":
        return date.fromisoformat(raw)
    if kind == "uuid":
        return uuid.UUID(raw)
    return raw


class CursorCodec:
    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(("cursor:" + secret).encode()).digest()

    def _sign(self, payload: bytes) -> str:
        mac = hmac.new(self._key, payload, hashlib.sha256).digest()[:16]
        return base64.urlsafe_b64encode(mac).decode().rstrip("=")

    def encode(self, company_id: uuid.UUID, sort: str, values: Sequence[Any]) -> str:
        payload = json.dumps(
            {"c": str(company_id), "s": sort, "v": [_encode_value(v) for v in values]},
            separators=(",", ":"),
        ).encode()
        body = base64.urlsafe_b64encode(payload).decode().rstrip("=")
        return f"{body}.{self._sign(payload)}"

    def decode(
        self, cursor: str, company_id: uuid.UUID, sort: str, *, field: str = "cursor"
    ) -> list[Any]:
        """The values `encode` signed; a 422 naming the query parameter `field` when the
        cursor is not one, or is another company's or another list's."""
        invalid = ValidationFailed.field(field, "is not a valid cursor for this list", "query")
        try:
            body, signature = cursor.split(".", 1)
            payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except (ValueError, UnicodeEncodeError):
            raise invalid from None
        if not hmac.compare_digest(signature, self._sign(payload)):
            raise invalid
        try:
            data = json.loads(payload)
            values = [_decode_value(v) for v in data["v"]]
        except (ValueError, KeyError, TypeError):
            raise invalid from None
        if data.get("c") != str(company_id) or data.get("s") != sort:
            raise ValidationFailed.field(field, "belongs to another list or sort order", "query")
        return values


async def paginate(
    session: AsyncSession,
    stmt: Select[Any],
    *,
    sort: Sort,
    params: PageParams,
    codec: CursorCodec,
    company_id: uuid.UUID,
) -> PageResult[Any]:
    """Run `stmt` for one page in keyset order; one SQL statement. A statement of one
    entity pages entities; one that selects more columns pages rows: either an entity and
    what the page shows beside it, or columns, among them the sort key and id by name."""
    if params.cursor:
        last_key, last_id = codec.decode(params.cursor, company_id, sort.name)
        position = tuple_(sort.key, sort.id)
        stmt = stmt.where(
            position < tuple_(last_key, last_id)
            if sort.descending
            else position > tuple_(last_key, last_id)
        )
    order = (sort.key.desc(), sort.id.desc()) if sort.descending else (sort.key, sort.id)
    result = await session.execute(stmt.order_by(*order).limit(params.limit + 1))
    columns = stmt.column_descriptions
    whole_rows = len(columns) > 1
    rows: list[Any] = list(result.all() if whole_rows else result.scalars().all())
    has_more = len(rows) > params.limit
    rows = rows[: params.limit]
    next_cursor = None
    if has_more:
        # The sort key lives on the entity (first in the row), or in the row itself when
        # the statement selects columns named as the entity's.
        entity_first = isinstance(columns[0]["expr"], type)
        last = rows[-1][0] if whole_rows and entity_first else rows[-1]
        next_cursor = codec.encode(
            company_id,
            sort.name,
            [getattr(last, sort.key.key), getattr(last, sort.id.key)],
        )
    return PageResult(rows, has_more, next_cursor)
