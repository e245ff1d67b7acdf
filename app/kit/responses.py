"""Responses: plain rows serialised once, the ETag header, and the one page
response every list returns."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

import orjson
from fastapi import Response
from pydantic_core import to_json

from app.kit.concurrency import etag
from app.kit.pagination import PageResult
from app.kit.schemas import Page

T = TypeVar("T")


def json_response(content: Any, *, headers: dict[str, str] | None = None) -> Response:
    """A 200 JSON response of plain data (dicts and lists of database values). For a hot
    path whose rows come from the database named as its read schema's fields; the route
    declares that schema as `response_model=`, and the contract tests check what is
    served against it.

    orjson writes it: the same bytes as pydantic-core for these types (UTC datetimes with
    `Z`, UUIDs, dates), at a fraction of the cost of pydantic-core's type inference, which
    was the list's largest single cost once its queries were prepared (bench/ profile).
    pydantic-core still writes what orjson refuses (an integer past 64 bits in a custom
    field)."""
    try:
        body = orjson.dumps(content, option=orjson.OPT_UTC_Z, default=_uuid_text)
    except (TypeError, orjson.JSONEncodeError):
        body = to_json(content)
    return Response(body, media_type="application/json", headers=headers)


def _uuid_text(value: Any) -> str:
    """asyncpg's own UUID type, which orjson does not know by its type (it is a uuid.UUID)."""
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(type(value).__name__)


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


def as_page(result: PageResult[Any], convert: Callable[[Any], T]) -> Page[T]:
    """The list response for one page of rows, each converted to its read schema."""
    return Page(
        data=[convert(row) for row in result.items],
        has_more=result.has_more,
        next_cursor=result.next_cursor,
    )
