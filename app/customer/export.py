"""CSV export of the customer list: rendered by PostgreSQL (COPY), streamed in constant memory."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Subquery,
    Text,
    case,
    cast,
    func,
    literal,
    select,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql import ClauseElement

from app.custom_field.models import CustomField
from app.customer.models import RECORD_FIELDS, Customer, CustomerTag
from app.customer.queries import account_by_customer
from app.tag.models import Tag

BATCH_ROWS = 2000
COLUMNS = ("id", "number", *RECORD_FIELDS, "is_default", "created_at")
# Text columns: a cell starting like a formula is prefixed with ' so spreadsheets show it,
# not run it (OWASP CSV injection). E.164 phones (+1...) and negative numbers stay as they are.
TEXT_COLUMNS = frozenset(COLUMNS) - {"id", "number", "is_default", "created_at"}
_FORMULA_START = ("=", "@", "\t", "\r")
_SIGNED_NUMBER = r"^[+-][0-9 ]*[0-9][0-9 ]*$"
LINE_END = "\r\n"
# For the export's own transaction. The rows are sorted by number: with the default 4 MB a
# 100k-row export sorts on disk. And a parallel plan builds the orders aggregate once per
# worker (three times over), which costs more than the parallel scan saves.
EXPORT_SETTINGS = "SET LOCAL work_mem = '64MB'; SET LOCAL max_parallel_workers_per_gather = 0"


def _safe_text(value: ColumnElement[Any]) -> ColumnElement[Any]:
    """`value` neutralised for spreadsheets. The first character is compared by its code
    (ascii(), 0 for an empty string): half the cost of left(value, 1) over a dozen cells of
    every row, which showed in the export's time."""
    first = func.ascii(value)
    formula = first.in_([ord(c) for c in _FORMULA_START]) | (
        first.in_([ord("+"), ord("-")]) & ~value.regexp_match(_SIGNED_NUMBER)
    )
    return case((formula, literal("'") + value), else_=value)


def _flag(value: ColumnElement[bool]) -> ColumnElement[str]:
    return case((value, "true"), else_="false")


def _cell(name: str) -> ColumnElement[str]:
    column = getattr(Customer, name)
    if name in TEXT_COLUMNS:
        return _safe_text(column)
    if name == "is_default":
        return _flag(column)
    if name == "created_at":  # RFC 3339 in UTC, as the API writes it
        return func.to_char(func.timezone("UTC", column), 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
    return cast(column, Text)


def _tag_names(company_id: uuid.UUID) -> Subquery:
    """Each tagged customer's tag names, "a; b", as one grouped subquery (customer_id,
    names) to LEFT JOIN: one pass over the company's tags rather than one per row."""
    return (
        select(
            CustomerTag.customer_id,
            func.string_agg(Tag.name, aggregate_order_by(literal("; "), Tag.name)).label("names"),
        )
        .join(Tag, (CustomerTag.tag_id == Tag.id) & (CustomerTag.company_id == Tag.company_id))
        .where(CustomerTag.company_id == company_id)
        .group_by(CustomerTag.customer_id)
        .subquery("tag_names")
    )


async def custom_field_columns(session: AsyncSession, company_id: uuid.UUID) -> list[CustomField]:
    rows = await session.scalars(
        select(CustomField)
        .where(CustomField.company_id == company_id, CustomField.entity == "customer")
        .order_by(CustomField.position, CustomField.key)
    )
    return list(rows)


async def stream_csv(
    sessions: async_sessionmaker[AsyncSession],
    company_id: uuid.UUID,
    filtered: Select[Any],
    fields: Sequence[CustomField],
) -> AsyncIterator[bytes]:
    """Yield the CSV in chunks of BATCH_ROWS rows. `filtered` is the list's query (same
    filters, already scoped to the company). PostgreSQL renders the CSV itself
    (`COPY (query) TO STDOUT (FORMAT csv)`): Python only passes its bytes on, with CRLF row
    ends. Memory stays flat however many rows there are: asyncpg stops reading the socket
    while a chunk waits to be sent. Runs in a session of its own, because the response is
    streamed after the request's session is closed."""
    header = [*COLUMNS, "tags", "balance", "is_lead", *(f"cf.{f.key}" for f in fields)]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=LINE_END).writerow(header)
    yield buffer.getvalue().encode()
    # Balance and lead status come from the company's orders grouped by customer, tags
    # likewise, joined in the same statement: no query per row, and the same definitions
    # as the list (app.customer.queries). Every cell is text already made safe by
    # PostgreSQL; empty text is NULL, which COPY writes as an empty cell, as the csv
    # module did (it would write a quoted "" otherwise).
    account = account_by_customer(company_id)
    tags = _tag_names(company_id)
    stmt = (
        filtered.with_only_columns(
            *(_cell(c) for c in COLUMNS),
            func.nullif(_safe_text(tags.c.names), ""),
            cast(func.coalesce(account.c.balance, 0), Text),
            _flag(account.c.customer_id.is_(None)),
            *(func.nullif(_safe_text(Customer.custom_fields[f.key].astext), "") for f in fields),
        )
        .outerjoin(account, account.c.customer_id == Customer.id)
        .outerjoin(tags, tags.c.customer_id == Customer.id)
        .order_by(Customer.number)
    )
    async with sessions() as session:
        connection = await session.connection()
        sql, args = _positional(stmt, connection.dialect)
        raw: Any = (await connection.get_raw_connection()).driver_connection
        chunks: asyncio.Queue[bytes | Exception | None] = asyncio.Queue(maxsize=2)

        async def sink(data: bytes) -> None:
            await chunks.put(data)

        async def copy() -> None:
            try:
                async with raw.transaction(readonly=True):
                    await raw.execute(EXPORT_SETTINGS)
                    await raw.copy_from_query(sql, *args, output=sink, format="csv")
            except Exception as exc:  # noqa: BLE001 - handed to the reader, which raises it
                await chunks.put(exc)
                return
            await chunks.put(None)

        task = asyncio.create_task(copy())
        rows = RowBatches(BATCH_ROWS)
        try:
            while (data := await chunks.get()) is not None:
                if isinstance(data, Exception):
                    raise data
                for batch in rows.feed(data):
                    yield batch
            if tail := rows.rest():
                yield tail
            await task
        finally:
            if not task.done():
                # The client went away mid-export: stop the COPY, and do not hand a
                # connection in the middle of one back to the pool.
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task
                await connection.invalidate()


def _positional(stmt: ClauseElement, dialect: Dialect) -> tuple[str, list[Any]]:
    """`stmt` as asyncpg's SQL ($1, $2...) and its arguments, as SQLAlchemy would bind them
    (JSON serialised by its bind processor, IN lists expanded). asyncpg inlines them into the
    COPY with PostgreSQL's own quote_literal, since COPY takes no parameters."""
    compiled: Any = stmt.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    # No public accessor; there since 1.4.
    processors: dict[str, Callable[[Any], Any]] = compiled._bind_processors
    names = compiled.positiontup or []
    args = [
        processors[name](params[name]) if name in processors else params[name] for name in names
    ]
    return compiled.string, args


class RowBatches:
    """Re-cut COPY's CSV stream (chunks as the network brought them, rows ending in LF) into
    chunks of `size` whole rows ending in CRLF (RFC 4180, as the csv module wrote them).

    A newline inside a quoted cell is data, not a row end: the parity of the quotes seen so
    far tells which is which (an escaped quote is two, so it never changes the parity)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.inside = False  # within a quoted cell at the end of what was fed
        self.rows = 0  # complete rows in `pending`
        self.pending: list[bytes] = []

    def feed(self, data: bytes) -> list[bytes]:
        out: list[bytes] = []
        parts = data.split(b'"')
        for i, part in enumerate(parts):
            if i:
                self.pending.append(b'"')
                self.inside = not self.inside
            if self.inside or b"\n" not in part:
                self.pending.append(part)
                continue
            rest = part
            while (ends := rest.count(b"\n")) >= self.size - self.rows:
                cut = _nth_newline(rest, self.size - self.rows)
                self.pending.append(rest[:cut].replace(b"\n", b"\r\n"))
                out.append(b"".join(self.pending))
                self.pending, self.rows, rest = [], 0, rest[cut:]
            self.pending.append(rest.replace(b"\n", b"\r\n"))
            self.rows += ends
        return out

    def rest(self) -> bytes:
        tail = b"".join(self.pending)
        self.pending, self.rows = [], 0
        return tail


def _nth_newline(data: bytes, n: int) -> int:
    """The position just after the n-th LF of `data` (which has at least n)."""
    position = -1
    for _ in range(n):
        position = data.index(b"\n", position + 1)
    return position + 1
