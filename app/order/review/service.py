"""Orders that come from the public order form: created `pending`, then accepted (kept) or
rejected (deleted, with the customer the submission created when nothing else hangs off
it) by a user with `orders:write`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal, Visitor
from app.custom_field import service as custom_fields
from app.customer import service as customers
from app.customer.models import Customer
from app.errors import Conflict
from app.event import service as events
from app.kit.concurrency import check_version
from app.kit.numbering import next_number
from app.order import service as orders
from app.order.models import Order
from app.order.note.models import OrderNote
from app.order.repository import OrderRepository
from app.order_status import service as statuses
from app.storage.blob import BlobStore


@dataclass(frozen=True)
class Review:
    order_id: uuid.UUID
    decision: str
    review_state: str | None
    order_deleted: bool
    customer_deleted: bool


async def create_submitted_order(
    session: AsyncSession,
    visitor: Visitor,
    *,
    customer: Customer,
    customer_created: bool,
    title: str,
    referral: str | None,
    scheduled_on: date | None,
    values: dict[str, Any],
    message: str | None,
) -> Order:
    """An order from the public form: the company's next number, its default status, source
    `public_form`, `review_state` pending; the visitor's message as an office note on it.
    Custom field values are checked against the company's definitions (422 naming
    `custom_fields.<key>`). Audited with no user as the actor."""
    company_id = visitor.company_id
    status = await statuses.default_status(session, company_id)
    checked = await custom_fields.validate_values(session, company_id, orders.ENTITY, values)
    order = OrderRepository(session, company_id).add(
        Order(
            number=await next_number(session, company_id, orders.ENTITY),
            customer_id=customer.id,
            customer_name=customer.name,
            title=title,
            status_id=status.id,
            source="public_form",
            referral=referral,
            scheduled_on=scheduled_on,
            custom_fields=checked,
            review_state="pending",
            review_customer_created=customer_created,
        )
    )
    await session.flush()
    events.record(session, visitor, "created", order)
    if message:
        note = OrderNote(
            company_id=company_id, order_id=order.id, body=message, visibility="office"
        )
        session.add(note)
        await session.flush()
        events.record(session, visitor, "created", note, parent=order)
    return order


async def review_order(
    session: AsyncSession,
    principal: Principal,
    order_id: uuid.UUID,
    decision: str,
    *,
    expected_version: int | None,
    store: BlobStore,
) -> Review:
    """Accept or reject a pending order (409 when it is not pending; 412 when stale). Runs
    under the order's row lock, so two reviewers cannot both decide."""
    order = await OrderRepository(session, principal.company_id).lock(order_id)
    check_version(order.version, expected_version)
    if order.review_state != "pending":
        raise Conflict("This order is not waiting for review.", field="decision")
    if decision == "accept":
        before = events.snapshot(order)
        order.review_state = "accepted"
        await session.flush()
        events.record(session, principal, "accepted", order, before=before)
        return Review(order.id, decision, "accepted", order_deleted=False, customer_deleted=False)
    customer_id, created = order.customer_id, order.review_customer_created
    events.record(
        session, principal, "rejected", order, before=events.snapshot(order), deleted=True
    )
    await orders.delete_order(session, principal, order.id, expected_version=None, store=store)
    customer_deleted = False
    if created and customer_id is not None:
        customer_deleted = await customers.delete_if_bare(session, principal, customer_id)
    return Review(order_id, decision, None, order_deleted=True, customer_deleted=customer_deleted)
