from __future__ import annotations

from typing import Any

from sqlalchemy import (
    DateTime,
    Integer,
    Select,
    Uuid,
    column,
    func,
    literal,
    select,
    table,
    tuple_,
    update,
)
from sqlalchemy import Text as SqlText
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.expression import TableClause

from app.custom_field.models import CustomField
from app.errors import ValidationFailed
from app.kit.pagination import CursorCodec, PageParams, PageResult
from app.kit.repository import TenantRepository

# The tables whose `custom_fields` JSONB holds the values of each entity's definitions.
# Only the columns touched here are declared, so this package need not import the entity's
# own (which would invert the import direction: the customer package validates its values
# through this one).
VALUE_TABLES: dict[str, TableClause] = {
    "customer": table(
        "customer",
        column("company_id", Uuid),
        column("custom_fields", JSONB),
        column("version", Integer),
        column("updated_at", DateTime(timezone=True)),
    ),
    "vendor": table(
        "vendor",
        column("company_id", Uuid),
        column("custom_fields", JSONB),
        column("version", Integer),
        column("updated_at", DateTime(timezone=True)),
    ),
    # "order": no order table yet, so no order holds a value; add it here when orders land.
    "equipment": table(
        "equipment",
        column("company_id", Uuid),
        column("custom_fields", JSONB),
        column("version", Integer),
        column("updated_at", DateTime(timezone=True)),
    ),
}

# Keyset order of definition lists: (position, key, id). The kit's Sort has one key column;
# this list needs two, so it pages itself, with the same signed cursors.
ORDER = "position,key"


class CustomFieldRepository(TenantRepository[CustomField]):
    model = CustomField
    label = "Custom field"

    async def key_taken(self, entity: str, key: str) -> bool:
        return (
            await self.session.scalar(
                select(CustomField.id).where(
                    CustomField.company_id == self.company_id,
                    CustomField.entity == entity,
                    CustomField.key == key,
                )
            )
            is not None
        )

    async def for_entity(self, entity: str) -> list[CustomField]:
        """The entity's definitions, ordered by position then key."""
        rows = await self.session.scalars(
            select(CustomField)
            .where(CustomField.company_id == self.company_id, CustomField.entity == entity)
            .order_by(CustomField.position, CustomField.key)
        )
        return list(rows)

    async def page_in_order(
        self, stmt: Select[Any], *, params: PageParams, codec: CursorCodec
    ) -> PageResult[CustomField]:
        """One page of `stmt` in (position, key, id) order; one SQL statement."""
        position = tuple_(CustomField.position, CustomField.key, CustomField.id)
        if params.cursor:
            values = codec.decode(params.cursor, self.company_id, ORDER)
            if len(values) != 3:
                raise ValidationFailed.field("cursor", "is not a valid cursor for this list")
            stmt = stmt.where(position > tuple_(*values))
        rows = list(
            (
                await self.session.scalars(
                    stmt.order_by(CustomField.position, CustomField.key, CustomField.id).limit(
                        params.limit + 1
                    )
                )
            ).all()
        )
        has_more = len(rows) > params.limit
        rows = rows[: params.limit]
        next_cursor = None
        if has_more:
            last = rows[-1]
            next_cursor = codec.encode(self.company_id, ORDER, [last.position, last.key, last.id])
        return PageResult(rows, has_more, next_cursor)

    async def count_values(self, entity: str, key: str) -> int:
        """How many of the company's records of `entity` hold a value for `key`."""
        values = VALUE_TABLES.get(entity)
        if values is None:
            return 0
        count = await self.session.scalar(
            select(func.count())
            .select_from(values)
            .where(
                values.c.company_id == self.company_id,
                values.c.custom_fields.has_key(key),
            )
        )
        return int(count or 0)

    async def remove_values(self, entity: str, key: str) -> int:
        """Remove `key` from the records of `entity` holding it; their version (ETag) moves
        on, since what they show changed. Returns how many records changed."""
        values = VALUE_TABLES.get(entity)
        if values is None:
            return 0
        result = await self.session.execute(
            update(values)
            .where(
                values.c.company_id == self.company_id,
                values.c.custom_fields.has_key(key),
            )
            .values(
                custom_fields=values.c.custom_fields.op("-", return_type=JSONB)(
                    literal(key, SqlText)
                ),
                version=values.c.version + 1,
                updated_at=func.now(),
            )
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
