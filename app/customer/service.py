"""Customers: create with duplicate detection, read, inline edit, delete, list, timeline."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Actor, Principal
from app.custom_field import service as custom_fields
from app.customer.attachment import service as attachments
from app.customer.contact.models import Contact
from app.customer.location.models import Location
from app.customer.models import RECORD_FIELDS, Customer
from app.customer.note.models import Note
from app.customer.queries import (
    Derived,
    derived_values,
    is_lead_clause,
    name_key,
)
from app.customer.reminder.models import CustomerReminder
from app.customer.repository import (
    SORTS,
    CustomerRepository,
    CustomerTagRepository,
    ListShape,
)
from app.customer.schemas import CustomerCreate, CustomerUpdate
from app.errors import Conflict, NotFound
from app.event import service as events
from app.event.models import Event
from app.kit.concurrency import check_version
from app.kit.numbering import next_number
from app.kit.pagination import CursorCodec, PageParams, PageResult
from app.kit.repository import like_pattern
from app.order.models import Order
from app.storage.blob import BlobStore
from app.tag import service as tags
from app.tag.models import Tag

ENTITY = "customer"


@dataclass(frozen=True)
class CustomerView:
    """A customer with what its read schema shows beyond its row."""

    customer: Customer
    tags: Sequence[Tag]
    derived: Derived


@dataclass(frozen=True)
class CustomerFilters:
    q: str | None = None
    status: str | None = None
    tag_ids: Sequence[uuid.UUID] = ()
    is_lead: bool | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    custom_fields: Mapping[str, str] | None = None


async def _views(
    session: AsyncSession, company_id: uuid.UUID, customers: Sequence[Customer]
) -> list[CustomerView]:
    """Read views for a page of customers: two queries, whatever the page size."""
    ids = [c.id for c in customers]
    tag_map = await CustomerTagRepository(session, company_id).tags_of(ids)
    derived = await derived_values(session, company_id, ids)
    return [CustomerView(c, tag_map.get(c.id, []), derived[c.id]) for c in customers]


def _duplicate_conflict(matches: Sequence[Customer]) -> Conflict:
    return Conflict(
        "A customer with the same name, email or phone exists; "
        "send `confirm_duplicate: true` to create this one anyway.",
        matches=[{"id": str(c.id), "number": c.number, "name": c.name} for c in matches],
    )


async def create_customer(
    session: AsyncSession, principal: Actor, body: CustomerCreate
) -> CustomerView:
    """Create a customer with the next number of the company.

    Refuses (409, listing them) when customers with the same normalised name, email or
    phone exist, unless `confirm_duplicate`. Becoming the default clears the previous one
    in the same transaction.
    """
    repository = CustomerRepository(session, principal.company_id)
    key = name_key(body.name)
    email = body.email.lower() if body.email else None
    phones = [p for p in (body.phone, body.alt_phone) if p]
    if not body.confirm_duplicate:
        matches = await repository.exact_duplicates(key=key, email=email, phones=phones)
        if matches:
            raise _duplicate_conflict(matches)
    tag_list = await tags.require_tags(session, principal.company_id, body.tag_ids)
    values = await custom_fields.validate_values(
        session, principal.company_id, ENTITY, body.custom_fields
    )
    await _check_account_number(repository, body.account_number, None)
    if body.is_default:
        await repository.clear_default(None)
    customer = Customer(
        number=await next_number(session, principal.company_id, ENTITY),
        name_key=key,
        custom_fields=values,
        is_default=body.is_default,
        **{field: getattr(body, field) for field in RECORD_FIELDS},
    )
    customer.email = email
    repository.add(customer)
    await session.flush()
    await CustomerTagRepository(session, principal.company_id).set_tags(
        customer.id, [t.id for t in tag_list]
    )
    events.record(
        session, principal, "created", customer, tag_ids=sorted(str(t.id) for t in tag_list)
    )
    return CustomerView(customer, sorted(tag_list, key=lambda t: t.name), Derived())


async def _check_account_number(
    repository: CustomerRepository, account_number: str | None, customer_id: uuid.UUID | None
) -> None:
    if account_number is None:
        return
    stmt = repository.select().where(Customer.account_number == account_number)
    if customer_id is not None:
        stmt = stmt.where(Customer.id != customer_id)
    if await repository.session.scalar(stmt.limit(1)) is not None:
        raise Conflict("Another customer has this account number.", field="account_number")


async def update_customer(
    session: AsyncSession,
    principal: Principal,
    customer_id: uuid.UUID,
    body: CustomerUpdate,
    *,
    expected_version: int | None,
) -> CustomerView:
    """Change only the fields sent (inline edit). Custom fields merge into the current
    values; tag_ids replace the customer's tags. If-Match is checked on the locked row."""
    repository = CustomerRepository(session, principal.company_id)
    customer = await repository.get_or_404(customer_id, for_update=True)
    check_version(customer.version, expected_version)
    tag_repository = CustomerTagRepository(session, principal.company_id)
    before_tags = (await tag_repository.tags_of([customer.id]))[customer.id]
    before = events.snapshot(customer, tag_ids=sorted(str(t.id) for t in before_tags))
    changes = body.changes()
    if "account_number" in changes:
        await _check_account_number(repository, changes["account_number"], customer.id)
    for field in RECORD_FIELDS:
        if field in changes:
            setattr(customer, field, changes[field])
    if "email" in changes and customer.email:
        customer.email = customer.email.lower()
    if "name" in changes:
        customer.name_key = name_key(customer.name)
        await _rename_on_orders(session, customer)
    if "custom_fields" in changes:
        customer.custom_fields = await custom_fields.validate_values(
            session,
            principal.company_id,
            ENTITY,
            changes["custom_fields"],
            current=customer.custom_fields,
        )
    if changes.get("is_default") and not customer.is_default:
        await repository.clear_default(customer.id)
    if "is_default" in changes:
        customer.is_default = changes["is_default"]
    tag_list = before_tags
    if "tag_ids" in changes:
        tag_list = await tags.require_tags(session, principal.company_id, changes["tag_ids"])
        await tag_repository.set_tags(customer.id, [t.id for t in tag_list])
        customer.updated_at = datetime.now(UTC)  # tags are part of the record: new ETag
    await session.flush()
    events.record(
        session,
        principal,
        "updated",
        customer,
        before=before,
        tag_ids=sorted(str(t.id) for t in tag_list),
    )
    return (await _views(session, principal.company_id, [customer]))[0]


async def _rename_on_orders(session: AsyncSession, customer: Customer) -> None:
    """Orders show their customer's name, and keep it once the customer is deleted; while
    it exists, it is the current one."""
    await session.execute(
        update(Order)
        .where(Order.company_id == customer.company_id, Order.customer_id == customer.id)
        .values(customer_name=customer.name)
        .execution_options(synchronize_session=False)
    )


async def delete_customer(
    session: AsyncSession,
    principal: Principal,
    customer_id: uuid.UUID,
    *,
    expected_version: int | None,
    store: BlobStore,
) -> None:
    """Delete a customer; its contacts, notes, attachments and tags go with it (FK
    cascades), and the attachments' blobs after commit unless still used. The audit event
    keeps a snapshot of the record. (Orders keep the customer's name and lose only the
    link: their FK is ON DELETE SET NULL.)"""
    repository = CustomerRepository(session, principal.company_id)
    customer = await repository.get_or_404(customer_id, for_update=True)
    check_version(customer.version, expected_version)
    shas = await attachments.shas_of_customer(session, principal.company_id, customer.id)
    tag_list = (await CustomerTagRepository(session, principal.company_id).tags_of([customer.id]))[
        customer.id
    ]
    before = events.snapshot(customer, tags=[t.name for t in tag_list])
    await repository.delete(customer)
    await session.flush()
    events.record(session, principal, "deleted", customer, before=before, deleted=True)
    attachments.remove_blobs_after_commit(session, store, principal.company_id, shas)


async def filtered(
    session: AsyncSession, principal: Principal, filters: CustomerFilters
) -> Select[Any]:
    """The company's customers matching `filters`: the list and the export share it."""
    repository = CustomerRepository(session, principal.company_id)
    stmt = repository.select()
    if filters.q:
        stmt = stmt.where(Customer.search_text.contains(filters.q.lower(), autoescape=True))
    if filters.status:
        stmt = stmt.where(Customer.status == filters.status)
    if filters.tag_ids:
        stmt = stmt.where(repository.has_any_tag(filters.tag_ids))
    if filters.is_lead is not None:
        lead = is_lead_clause()
        stmt = stmt.where(lead if filters.is_lead else ~lead)
    if filters.created_from:
        stmt = stmt.where(Customer.created_at >= filters.created_from)
    if filters.created_to:
        stmt = stmt.where(Customer.created_at < filters.created_to)
    if filters.custom_fields:
        wanted = await custom_fields.filter_values(
            session, principal.company_id, ENTITY, filters.custom_fields
        )
        stmt = stmt.where(Customer.custom_fields.contains(wanted))
    return stmt


async def list_customers(
    session: AsyncSession,
    principal: Principal,
    *,
    filters: CustomerFilters,
    sort: str,
    params: PageParams,
    codec: CursorCodec,
) -> PageResult[dict[str, Any]]:
    """One page in keyset order, in one statement whatever the page size: each customer as
    the fields of its read schema, tags and account figures included.

    The rows are served as they come from the database, columns named as the read
    schema's fields (app.customer.schemas.CustomerRead): a page needs neither ORM objects
    nor models, and its statement is built and compiled once per shape of filters
    (app.customer.repository.list_statement), so a request only binds values."""
    repository = CustomerRepository(session, principal.company_id)
    values: dict[str, Any] = {"limit": params.limit + 1}
    if params.cursor:
        values["after_key"], values["after_id"] = codec.decode(
            params.cursor, principal.company_id, sort
        )
    if filters.q:
        values["q_pattern"] = like_pattern(filters.q.lower())
    if filters.status:
        values["status"] = filters.status
    if filters.tag_ids:
        values["tag_ids"] = list(filters.tag_ids)
    if filters.created_from:
        values["created_from"] = filters.created_from
    if filters.created_to:
        values["created_to"] = filters.created_to
    if filters.custom_fields:
        values["custom_fields"] = await custom_fields.filter_values(
            session, principal.company_id, ENTITY, filters.custom_fields
        )
    shape = ListShape(
        sort,
        after=bool(params.cursor),
        q=bool(filters.q),
        status=bool(filters.status),
        tags=bool(filters.tag_ids),
        is_lead=filters.is_lead,
        created_from=bool(filters.created_from),
        created_to=bool(filters.created_to),
        custom_fields=bool(filters.custom_fields),
    )
    rows = await repository.list_rows(shape, **values)
    items = [dict(row) for row in rows[: params.limit]]
    next_cursor = None
    if len(rows) > params.limit:
        last, key = items[-1], SORTS[sort].key.key
        next_cursor = codec.encode(principal.company_id, sort, [last[key], last["id"]])
    return PageResult(items, next_cursor is not None, next_cursor)


async def read_customer(
    session: AsyncSession, principal: Principal, customer_id: uuid.UUID
) -> tuple[dict[str, Any], int]:
    """The company's customer as its read schema's fields (the list's row) and its version,
    in one prepared statement; 404 when it is missing or another company's."""
    row = await CustomerRepository(session, principal.company_id).row(customer_id)
    if row is None:
        raise NotFound(f"Customer {customer_id} not found.")
    fields = dict(row)
    return fields, fields.pop("version")


async def find_duplicates(
    session: AsyncSession,
    principal: Principal,
    *,
    name: str | None,
    email: str | None,
    phone: str | None,
) -> list[tuple[Customer, list[str], float]]:
    """Exact matches (score 1) first, then similar names ranked by trigram similarity."""
    repository = CustomerRepository(session, principal.company_id)
    key = name_key(name) if name else None
    email = email.lower() if email else None
    found: dict[uuid.UUID, tuple[Customer, list[str], float]] = {}
    for customer in await repository.exact_duplicates(
        key=key, email=email, phones=[phone] if phone else []
    ):
        reasons = [
            reason
            for reason, hit in (
                ("name", key is not None and customer.name_key == key),
                ("email", email is not None and customer.email == email),
                ("phone", phone is not None and phone in (customer.phone, customer.alt_phone)),
            )
            if hit
        ]
        found[customer.id] = (customer, reasons, 1.0)
    if key:
        for customer, score in await repository.similar_names(key):
            if customer.id not in found:
                found[customer.id] = (customer, ["similar_name"], round(score, 3))
    return sorted(found.values(), key=lambda item: (-item[2], item[0].number))


async def timeline(
    session: AsyncSession,
    principal: Principal,
    customer_id: uuid.UUID,
    *,
    params: PageParams,
    codec: CursorCodec,
) -> PageResult[Event]:
    """The customer's activity: its own events and its children's, newest first."""
    await CustomerRepository(session, principal.company_id).get_or_404(customer_id)
    return await events.timeline(
        session, principal, ENTITY, customer_id, params=params, codec=codec
    )


async def customer_or_404(
    session: AsyncSession, company_id: uuid.UUID, customer_id: uuid.UUID
) -> Customer:
    """The company's customer row, for another domain that hangs something off it; 404 when
    it is missing or another company's."""
    return await CustomerRepository(session, company_id).get_or_404(customer_id)


async def find_customer(
    session: AsyncSession, company_id: uuid.UUID, customer_id: uuid.UUID
) -> Customer | None:
    """The company's customer row, or None (for a caller that names the field at fault)."""
    return await CustomerRepository(session, company_id).get(customer_id)


async def find_by_contact(
    session: AsyncSession, company_id: uuid.UUID, *, email: str | None, phone: str | None
) -> Customer | None:
    """The company's first customer (by number) whose email (ignoring case) or phone
    (E.164) is exactly this one, for a public form that links rather than duplicates."""
    clauses = []
    if email:
        clauses.append(Customer.email == email.lower())
    if phone:
        clauses.append(Customer.phone == phone)
    if not clauses:
        return None
    repository = CustomerRepository(session, company_id)
    stmt = repository.select().where(or_(*clauses)).order_by(Customer.number).limit(1)
    found: Customer | None = await session.scalar(stmt)
    return found


async def delete_if_bare(
    session: AsyncSession, principal: Principal, customer_id: uuid.UUID
) -> bool:
    """Delete the customer (audited) when nothing hangs off it: no order, contact, service
    location, note or reminder. True when it was deleted; False (and nothing changed) when
    something does, or it is gone already. Locks the customer's row."""
    repository = CustomerRepository(session, principal.company_id)
    customer = await repository.get(customer_id, for_update=True)
    if customer is None:
        return False
    for model in (Order, Contact, Location, Note, CustomerReminder):
        owned = select(model.id).where(
            model.company_id == customer.company_id, model.customer_id == customer.id
        )
        if await session.scalar(owned.limit(1)) is not None:
            return False
    before = events.snapshot(customer)
    await repository.delete(customer)
    await session.flush()
    events.record(session, principal, "deleted", customer, before=before, deleted=True)
    return True


async def default_customer(session: AsyncSession, company_id: uuid.UUID) -> Customer | None:
    """The company's default customer (seed 004), if it has one."""
    repository = CustomerRepository(session, company_id)
    default: Customer | None = await session.scalar(repository.select().where(Customer.is_default))
    return default
