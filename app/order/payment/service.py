"""Payments against an order, and its invoice.

Payments are immutable: a wrong one is deleted (permanently, audited with its amount) and
recorded again. Every change takes the order's row lock first and recomputes its totals
(app.order.money) after, so two payments posted at the same moment queue on the lock and
can never together take the balance below zero.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.company import service as companies
from app.errors import Conflict, NotFound, ValidationFailed
from app.event import service as events
from app.kit.clock import today_in
from app.kit.pagination import CursorCodec, PageParams, PageResult, Sort
from app.order import money
from app.order.models import Order
from app.order.payment.models import Payment
from app.order.payment.repository import PaymentRepository
from app.order.payment.schemas import InvoiceCreate, PaymentCreate
from app.order.repository import OrderRepository

SORTS = {
    "paid_on": Sort("paid_on", Payment.paid_on, Payment.id),
    "-paid_on": Sort("-paid_on", Payment.paid_on, Payment.id, descending=True),
}


async def list_payments(
    session: AsyncSession,
    principal: Principal,
    order_id: uuid.UUID,
    *,
    sort: str,
    params: PageParams,
    codec: CursorCodec,
) -> PageResult[Payment]:
    """The order's payments by date paid (then by when they were recorded); 404 when the
    order is not the company's."""
    order = await OrderRepository(session, principal.company_id).get_or_404(order_id)
    repository = PaymentRepository(session, principal.company_id, order.id)
    return await repository.page(repository.select(), sort=SORTS[sort], params=params, codec=codec)


async def get_payment(
    session: AsyncSession, principal: Principal, order_id: uuid.UUID, payment_id: uuid.UUID
) -> Payment:
    """One payment of the order; 404 for a payment of another order."""
    order = await OrderRepository(session, principal.company_id).get_or_404(order_id)
    return await PaymentRepository(session, principal.company_id, order.id).get_or_404(payment_id)


async def create_payment(
    session: AsyncSession, principal: Principal, order_id: uuid.UUID, body: PaymentCreate
) -> Payment:
    """Record a payment under the order's lock. More than the balance due is a 422 naming
    `amount` and stating the balance. `paid_on` defaults to the company's today."""
    order = await OrderRepository(session, principal.company_id).lock(order_id)
    paid_on = body.paid_on
    if paid_on is None:
        company = await companies.get_company(session, principal)
        paid_on = today_in(company.timezone)
    payment = PaymentRepository(session, principal.company_id, order.id).add(
        Payment(
            amount=body.amount,
            paid_on=paid_on,
            method=body.method,
            reference=body.reference,
            note=body.note,
            recorded_by=principal.user_id,
        )
    )
    await money.refresh_totals(session, order, field="amount")
    events.record(session, principal, "created", payment, parent=order)
    return payment


async def delete_payment(
    session: AsyncSession, principal: Principal, order_id: uuid.UUID, payment_id: uuid.UUID
) -> None:
    """Delete a payment permanently under the order's lock; the audit event keeps it (its
    amount, date and method) and the order's totals are recomputed."""
    order = await OrderRepository(session, principal.company_id).lock(order_id)
    repository = PaymentRepository(session, principal.company_id, order.id)
    payment = await repository.get_or_404(payment_id)
    before = events.snapshot(payment)
    await repository.delete(payment)
    await money.refresh_totals(session, order, field="payment_id")
    events.record(session, principal, "deleted", payment, before=before, deleted=True, parent=order)


@dataclass(frozen=True)
class Invoice:
    issued_on: date
    due_on: date | None
    payment_state: money.PaymentState
    is_overdue: bool


def invoice_of(order: Order, today: date) -> Invoice | None:
    """The order's invoice with its payment state as of `today`; None when not invoiced."""
    return None if order.invoiced_on is None else _invoice(order, order.invoiced_on, today)


def _invoice(order: Order, issued_on: date, today: date) -> Invoice:
    return Invoice(
        issued_on=issued_on,
        due_on=order.due_on,
        payment_state=money.payment_state(order.total, order.amount_paid),
        is_overdue=money.is_overdue(order.due_on, order.balance_due, today),
    )


async def create_invoice(
    session: AsyncSession, principal: Principal, order_id: uuid.UUID, body: InvoiceCreate
) -> Invoice:
    """Invoice the order under its lock: issued today (company timezone) unless given, due
    after the company's payment terms unless given. 409 when already invoiced; 422 naming
    `due_on` when it falls before the issue date."""
    order = await OrderRepository(session, principal.company_id).lock(order_id)
    if order.invoiced_on is not None:
        raise Conflict(
            f"Order {order.number} was already invoiced on {order.invoiced_on}; "
            "void that invoice first to issue another."
        )
    company = await companies.get_company(session, principal)
    today = today_in(company.timezone)
    issued_on = body.issued_on or today
    due_on = body.due_on
    if due_on is None:
        try:
            due_on = issued_on + timedelta(days=company.payment_terms_days)
        except OverflowError:
            raise ValidationFailed.field(
                "issued_on", "is too late for a due date after the payment terms"
            ) from None
    if due_on < issued_on:
        raise ValidationFailed.field("due_on", f"must not be before the issue date {issued_on}")
    before = events.snapshot(order)
    order.invoiced_on = issued_on
    order.due_on = due_on
    await session.flush()
    events.record(session, principal, "invoiced", order, before=before)
    return _invoice(order, issued_on, today)


async def delete_invoice(session: AsyncSession, principal: Principal, order_id: uuid.UUID) -> None:
    """Void the order's invoice under its lock: 404 when it has none, 409 while payments are
    recorded against it (delete them first)."""
    order = await OrderRepository(session, principal.company_id).lock(order_id)
    if order.invoiced_on is None:
        raise NotFound(f"Order {order.number} has no invoice.")
    if order.amount_paid > 0:
        raise Conflict(
            f"Order {order.number} has payments recorded against its invoice; "
            "delete them before voiding it."
        )
    before = events.snapshot(order)
    order.invoiced_on = None
    order.due_on = None
    await session.flush()
    events.record(session, principal, "invoice_voided", order, before=before)
