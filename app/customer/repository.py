from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    ScalarSelect,
    Select,
    delete,
    func,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.customer.models import Customer, CustomerTag
from app.errors import NotFound
from app.kit.repository import TenantRepository
from app.tag.models import Tag

MAX_DUPLICATES = 10
SIMILAR_NAME_THRESHOLD = 0.4


class CustomerRepository(TenantRepository[Customer]):
    model = Customer
    label = "Customer"

    def matching(self, *, key: str | None, email: str | None, phones: Sequence[str]) -> Select[Any]:
        """Customers with this exact name key, email, or phone (either number)."""
        clauses = []
        if key:
            clauses.append(Customer.name_key == key)
        if email:
            clauses.append(Customer.email == email)
        for phone in phones:
            clauses.extend([Customer.phone == phone, Customer.alt_phone == phone])
        return self.select().where(or_(*clauses)).order_by(Customer.number).limit(MAX_DUPLICATES)

    async def exact_duplicates(
        self, *, key: str | None, email: str | None, phones: Sequence[str]
    ) -> list[Customer]:
        if not (key or email or phones):
            return []
        return list(
            (await self.session.scalars(self.matching(key=key, email=email, phones=phones))).all()
        )

    async def similar_names(self, key: str) -> list[tuple[Customer, float]]:
        """Near matches by trigram similarity, best first (served by the name_key GIN index)."""
        similarity = func.similarity(Customer.name_key, key)
        rows = await self.session.execute(
            select(Customer, similarity)
            .where(
                Customer.company_id == self.company_id,
                Customer.name_key.bool_op("%")(key),
                similarity >= SIMILAR_NAME_THRESHOLD,
            )
            .order_by(similarity.desc(), Customer.number)
            .limit(MAX_DUPLICATES)
        )
        return [(customer, float(score)) for customer, score in rows]

    def has_any_tag(self, tag_ids: Sequence[uuid.UUID]) -> ColumnElement[bool]:
        return (
            select(CustomerTag.customer_id)
            .where(
                CustomerTag.company_id == self.company_id,
                CustomerTag.customer_id == Customer.id,
                CustomerTag.tag_id.in_(tag_ids),
            )
            .exists()
        )

    async def lock_for_children(self, customer_id: uuid.UUID) -> Customer:
        """The customer, locked FOR NO KEY UPDATE until the transaction ends: changes to its
        children that must run one at a time (the primary location) queue on it, and so does
        the customer's own edit or deletion; an order or a location being written for it,
        whose foreign key check takes only KEY SHARE, does not wait. 404 when missing."""
        stmt = self.select().where(Customer.id == customer_id).with_for_update(key_share=True)
        customer: Customer | None = await self.session.scalar(stmt)
        if customer is None:
            raise NotFound(f"{self.label} {customer_id} not found.")
        return customer

    async def clear_default(self, except_id: uuid.UUID | None) -> None:
        """Unset the current default customer. Serialised per company by an advisory lock,
        so two requests making different customers default cannot both win."""
        await self.session.execute(
            select(func.pg_advisory_xact_lock(func.hashtext(f"default-customer:{self.company_id}")))
        )
        stmt = update(Customer).where(Customer.company_id == self.company_id, Customer.is_default)
        if except_id is not None:
            stmt = stmt.where(Customer.id != except_id)
        await self.session.execute(
            stmt.values(is_default=False, version=Customer.version + 1).execution_options(
                synchronize_session=False
            )
        )


class CustomerTagRepository:
    """Tags on customers, read and written a page at a time."""

    def __init__(self, session: AsyncSession, company_id: uuid.UUID) -> None:
        self.session = session
        self.company_id = company_id

    async def tags_of(self, customer_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Tag]]:
        result: dict[uuid.UUID, list[Tag]] = defaultdict(list)
        if not customer_ids:
            return result
        rows = await self.session.execute(
            select(CustomerTag.customer_id, Tag)
            .join(Tag, (Tag.id == CustomerTag.tag_id) & (Tag.company_id == CustomerTag.company_id))
            .where(
                CustomerTag.company_id == self.company_id,
                CustomerTag.customer_id.in_(customer_ids),
            )
            .order_by(Tag.name)
        )
        for customer_id, tag in rows:
            result[customer_id].append(tag)
        return result

    @staticmethod
    def tags_column() -> ScalarSelect[Any]:
        """The tags of each `Customer` row of a query as a JSON array ordered by name, a
        correlated subquery: a page reads its tags in its own statement."""
        tag = func.json_build_object("id", Tag.id, "name", Tag.name, "color", Tag.color)
        return (
            select(
                func.coalesce(
                    func.json_agg(aggregate_order_by(tag, Tag.name)), literal_column("'[]'::json")
                )
            )
            .select_from(CustomerTag)
            .join(Tag, (Tag.id == CustomerTag.tag_id) & (Tag.company_id == CustomerTag.company_id))
            .where(
                CustomerTag.company_id == Customer.company_id,
                CustomerTag.customer_id == Customer.id,
            )
            .scalar_subquery()
        )

    async def set_tags(self, customer_id: uuid.UUID, tag_ids: Iterable[uuid.UUID]) -> None:
        await self.session.execute(
            delete(CustomerTag).where(
                CustomerTag.company_id == self.company_id, CustomerTag.customer_id == customer_id
            )
        )
        await self.add_tags([customer_id], tag_ids)

    async def add_tags(
        self, customer_ids: Iterable[uuid.UUID], tag_ids: Iterable[uuid.UUID]
    ) -> None:
        rows = [
            {"company_id": self.company_id, "customer_id": c, "tag_id": t}
            for c in customer_ids
            for t in sorted(set(tag_ids))
        ]
        if rows:
            await self.session.execute(pg_insert(CustomerTag).values(rows).on_conflict_do_nothing())

    async def remove_tags(
        self, customer_ids: Sequence[uuid.UUID], tag_ids: Sequence[uuid.UUID]
    ) -> None:
        await self.session.execute(
            delete(CustomerTag).where(
                CustomerTag.company_id == self.company_id,
                CustomerTag.customer_id.in_(customer_ids),
                CustomerTag.tag_id.in_(tag_ids),
            )
        )
