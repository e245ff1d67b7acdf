"""CSV export of the customer list, streamed from a server-side cursor in constant memory."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Text,
    case,
    cast,
    func,
    literal,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql.selectable import LateralFromClause

from app.custom_field.models import CustomField
from app.customer.models import RECORD_FIELDS, Customer, CustomerTag
from app.customer.queries import account_columns
from app.tag.models import Tag

BATCH_ROWS = 2000
COLUMNS = ("id", "number", *RECORD_FIELDS, "is_default", "created_at")
# Text columns: a cell starting like a formula is prefixed with ' so spreadsheets show it,
# not run it (OWASP CSV injection). E.164 phones (+1...) and negative numbers stay as they are.
TEXT_COLUMNS = frozenset(COLUMNS) - {"id", "number", "is_default", "created_at"}
_FORMULA_START = ("=", "@", "\t", "\r")
_SIGNED_NUMBER = r"^[+-][0-9 ]*[0-9][0-9 ]*$"
LINE_END = "\r\n"


def _safe_text(value: ColumnElement[Any]) -> ColumnElement[Any]:
    """`value` neutralised for spreadsheets."""
    first = func.left(value, 1)
    formula = first.in_(_FORMULA_START) | (
        first.in_(("+", "-")) & ~value.regexp_match(_SIGNED_NUMBER)
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


def _tag_names(company_id: uuid.UUID) -> LateralFromClause:
    """The customer's tag names, "a; b", as a LATERAL subquery: a column the cell can
    name several times without running the subquery again."""
    return (
        select(
            func.string_agg(Tag.name, aggregate_order_by(literal("; "), Tag.name)).label("names")
        )
        .join(
            CustomerTag, (CustomerTag.tag_id == Tag.id) & (CustomerTag.company_id == Tag.company_id)
        )
        .where(CustomerTag.company_id == company_id, CustomerTag.customer_id == Customer.id)
        .lateral("tag_names")
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
    filters, already scoped to the company); rows come from a server-side cursor, so memory
    stays flat however many rows there are. Runs in a session of its own, because the
    response is streamed after the request's session is closed."""
    header = [*COLUMNS, "tags", "balance", "is_lead", *(f"cf.{f.key}" for f in fields)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=LINE_END)
    writer.writerow(header)
    yield buffer.getvalue().encode()
    # Balance and lead status come from a LATERAL aggregate in the same statement: no
    # query per row, and the same definitions as the list (app.customer.queries). Every
    # cell comes as text, already made safe by PostgreSQL, so that the csv module writes
    # the rows as they come, in C: that is what makes the export fast (bench/).
    account, balance, is_lead = account_columns()
    tags = _tag_names(company_id)
    stmt = (
        filtered.with_only_columns(
            *(_cell(c) for c in COLUMNS),
            _safe_text(tags.c.names),
            cast(balance, Text),
            _flag(is_lead),
            *(_safe_text(Customer.custom_fields[f.key].astext) for f in fields),
        )
        .join_from(Customer, account, true())
        .join_from(Customer, tags, true())
        .order_by(Customer.number)
        .execution_options(yield_per=BATCH_ROWS)
    )
    async with sessions() as session, session.begin():
        result = await session.stream(stmt)
        async for partition in result.partitions():
            buffer.seek(0)
            buffer.truncate()
            writer.writerows(partition)
            yield buffer.getvalue().encode()
