from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    ScalarSelect,
    Select,
    Uuid,
    any_,
    bindparam,
    delete,
    func,
    literal_column,
    or_,
    select,
    true,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, aggregate_order_by
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.customer.models import ROW_FIELDS, Customer, CustomerTag
from app.customer.queries import account_columns, is_lead_clause
from app.errors import NotFound
from app.kit.pagination import Sort
from app.kit.repository import LIKE_ESCAPE, TenantRepository, company_param
from app.kit.statements import Prepared
from app.tag.models import Tag

MAX_DUPLICATES = 10
SIMILAR_NAME_THRESHOLD = 0.4


SORTS = {
    "name": Sort("name", Customer.name, Customer.id),
    "-name": Sort("-name", Customer.name, Customer.id, descending=True),
    "number": Sort("number", Customer.number, Customer.id),
    "-number": Sort("-number", Customer.number, Customer.id, descending=True),
    "created_at": Sort("created_at", Customer.created_at, Customer.id),
    "-created_at": Sort("-created_at", Customer.created_at, Customer.id, descending=True),
}


@dataclass(frozen=True)
class ListShape:
    """What varies between list statements besides values: the sort, whether a cursor
    continues a previous page, and which filters are set. Each shape is built and compiled
    once (`list_statement`); a request binds its values."""

    sort: str  # a key of SORTS
    after: bool = False
    q: bool = False
    status: bool = False
    tags: bool = False
    is_lead: bool | None = None
    created_from: bool = False
    created_to: bool = False
    custom_fields: bool = False


def _rows() -> Select[Any]:
    """The company's customers as rows of their read schema (app.customer.schemas
    .CustomerRead): its fields, tags and account figures included, named as those fields."""
    account, balance, is_lead = account_columns()
    return (
        select(
            *(getattr(Customer, name) for name in ROW_FIELDS),
            balance.label("balance"),
            is_lead.label("is_lead"),
            CustomerTagRepository.tags_column().label("tags"),
        )
        .join_from(Customer, account, true())
        .where(Customer.company_id == company_param())
    )


@lru_cache(maxsize=512)
def list_statement(shape: ListShape) -> Prepared:
    """One page of the company's customers in keyset order, in one statement: values
    `limit`, and per the shape `after_key`/`after_id`, `q_pattern`, `status`, `tag_ids`,
    `created_from`, `created_to`, `custom_fields`."""
    sort = SORTS[shape.sort]
    stmt = _rows()
    if shape.q:
        stmt = stmt.where(Customer.search_text.like(bindparam("q_pattern"), escape=LIKE_ESCAPE))
    if shape.status:
        stmt = stmt.where(Customer.status == bindparam("status"))
    if shape.tags:
        tag_ids = bindparam("tag_ids", type_=ARRAY(Uuid()))
        stmt = stmt.where(
            select(CustomerTag.customer_id)
            .where(
                CustomerTag.company_id == Customer.company_id,
                CustomerTag.customer_id == Customer.id,
                CustomerTag.tag_id == any_(tag_ids),
            )
            .exists()
        )
    if shape.is_lead is not None:
        lead = is_lead_clause()
        stmt = stmt.where(lead if shape.is_lead else ~lead)
    if shape.created_from:
        stmt = stmt.where(Customer.created_at >= bindparam("created_from"))
    if shape.created_to:
        stmt = stmt.where(Customer.created_at < bindparam("created_to"))
    if shape.custom_fields:
        stmt = stmt.where(Customer.custom_fields.contains(bindparam("custom_fields", type_=JSONB)))
    if shape.after:
        last = tuple_(
            bindparam("after_key", type_=sort.key.type), bindparam("after_id", type_=Uuid())
        )
        position = tuple_(sort.key, sort.id)
        stmt = stmt.where(position < last if sort.descending else position > last)
    order = (sort.key.desc(), sort.id.desc()) if sort.descending else (sort.key, sort.id)
    return Prepared.of(stmt.order_by(*order).limit(bindparam("limit")))


@cache
def row_statement() -> Prepared:
    """One customer as a list row, with its version (the ETag): value `id`."""
    return Prepared.of(_rows().add_columns(Customer.version).where(Customer.id == bindparam("id")))


class CustomerRepository(TenantRepository[Customer]):
    model = Customer
    label = "Customer"

    async def list_rows(self, shape: ListShape, **values: Any) -> Sequence[Any]:
        """A page of rows (`list_statement`), `limit` + 1 of them when there is more."""
        return await self.fetch(list_statement(shape), **values)

    async def row(self, customer_id: uuid.UUID) -> Any:
        """The customer as a list row plus `version`, or None."""
        return await self.fetchrow(row_statement(), id=customer_id)

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
