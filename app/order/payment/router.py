from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter, Response, status

from app.auth.dependencies import OrdersWrite, PaymentsRead, PaymentsWrite
from app.kit.dependencies import CursorCodecDep, PageParamsDep, SessionDep
from app.kit.responses import as_page
from app.kit.schemas import Page
from app.kit.unit_of_work import UnitOfWorkRoute
from app.order.payment import service
from app.order.payment.schemas import InvoiceCreate, InvoiceRead, PaymentCreate, PaymentRead

router = APIRouter(prefix="/v1/orders/{order_id:uuid}", route_class=UnitOfWorkRoute)

PaymentSort = Literal["paid_on", "-paid_on"]


@router.get("/payments", operation_id="orders_payments_list", tags=["payments"])
async def list_payments(
    order_id: uuid.UUID,
    principal: PaymentsRead,
    session: SessionDep,
    codec: CursorCodecDep,
    params: PageParamsDep,
    sort: PaymentSort = "paid_on",
) -> Page[PaymentRead]:
    """The order's payments by date paid, oldest first unless `sort=-paid_on`."""
    page = await service.list_payments(
        session, principal, order_id, sort=sort, params=params, codec=codec
    )
    return as_page(page, PaymentRead.model_validate)


@router.post(
    "/payments",
    operation_id="orders_payments_create",
    status_code=status.HTTP_201_CREATED,
    tags=["payments"],
)
async def create_payment(
    order_id: uuid.UUID,
    body: PaymentCreate,
    principal: PaymentsWrite,
    session: SessionDep,
    response: Response,
) -> PaymentRead:
    """Record a payment. More than the balance due is a 422 naming `amount`; send an
    `Idempotency-Key` so that a retry never records it twice."""
    payment = await service.create_payment(session, principal, order_id, body)
    response.headers["Location"] = f"/v1/orders/{order_id}/payments/{payment.id}"
    return PaymentRead.model_validate(payment)


@router.get("/payments/{payment_id:uuid}", operation_id="orders_payments_get", tags=["payments"])
async def get_payment(
    order_id: uuid.UUID, payment_id: uuid.UUID, principal: PaymentsRead, session: SessionDep
) -> PaymentRead:
    payment = await service.get_payment(session, principal, order_id, payment_id)
    return PaymentRead.model_validate(payment)


@router.delete(
    "/payments/{payment_id:uuid}",
    operation_id="orders_payments_delete",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["payments"],
)
async def delete_payment(
    order_id: uuid.UUID, payment_id: uuid.UUID, principal: PaymentsWrite, session: SessionDep
) -> Response:
    """Delete a payment permanently (payments are never edited: delete and record again).
    The audit log keeps it, with its amount."""
    await service.delete_payment(session, principal, order_id, payment_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/invoice",
    operation_id="orders_invoice_create",
    status_code=status.HTTP_201_CREATED,
    tags=["invoices"],
)
async def create_invoice(
    order_id: uuid.UUID,
    body: InvoiceCreate,
    principal: OrdersWrite,
    session: SessionDep,
    response: Response,
) -> InvoiceRead:
    """Invoice the order: issued today and due after the company's payment terms unless
    given. 409 when it is already invoiced. The order's `invoice` shows it from now on."""
    invoice = await service.create_invoice(session, principal, order_id, body)
    response.headers["Location"] = f"/v1/orders/{order_id}"
    return InvoiceRead.model_validate(invoice)


@router.delete(
    "/invoice",
    operation_id="orders_invoice_delete",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["invoices"],
)
async def delete_invoice(
    order_id: uuid.UUID, principal: OrdersWrite, session: SessionDep
) -> Response:
    """Void the invoice (both dates cleared); 409 while payments are recorded against it."""
    await service.delete_invoice(session, principal, order_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
