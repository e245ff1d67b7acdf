"""CSV export of the customer list, streamed from a server-side cursor in constant memory."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

from sqlalchemy import ScalarSelect, Select, func, literal, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.custom_field.models import CustomField
from app.customer.models import Customer, CustomerTag
from app.customer.queries import Derived
from app.tag.models import Tag

BATCH_ROWS = 2000
COLUMNS = (
    "id",
    "number",
    "name",
    "account_number",
    "email",
    "phone",
    "alt_phone",
    "status",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "country",
    "is_default",
    "created_at",
)
# A cell starting like a formula is prefixed with ' so spreadsheets show it, not run it
# (OWASP CSV injection). E.164 phones (+1…) and negative numbers stay as they are.
_FORMULA_START = ("=", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) or (
        text[:1] in ("+", "-") and not text[1:].replace(" ", "").isdigit()
    ):
        return "'" + text
    return text


def _tag_names(company_id: uuid.UUID) -> ScalarSelect[Any]:
    return (
        select(func.string_agg(Tag.name, aggregate_order_by(literal("; "), Tag.name)))
        .join(
            CustomerTag, (CustomerTag.tag_id == Tag.id) & (CustomerTag.company_id == Tag.company_id)
        )
        .where(CustomerTag.company_id == company_id, CustomerTag.customer_id == Customer.id)
        .scalar_subquery()
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
    writer = csv.writer(buffer)
    writer.writerow(header)
    yield buffer.getvalue().encode()
    stmt = (
        filtered.with_only_columns(
            *[getattr(Customer, c) for c in COLUMNS],
            Customer.custom_fields,
            _tag_names(company_id),
        )
        .order_by(Customer.number)
        .execution_options(yield_per=BATCH_ROWS)
    )
    derived = Derived()  # no orders yet; see app.customer.queries
    async with sessions() as session, session.begin():
        result = await session.stream(stmt)
        async for partition in result.partitions():
            buffer.seek(0)
            buffer.truncate()
            for row in partition:
                values = row[: len(COLUMNS)]
                custom, tag_names = row[len(COLUMNS)], row[len(COLUMNS) + 1]
                writer.writerow(
                    [
                        *(_cell(v) for v in values),
                        _cell(tag_names),
                        derived.balance,
                        derived.is_lead,
                        *(_cell((custom or {}).get(f.key)) for f in fields),
                    ]
                )
            yield buffer.getvalue().encode()
