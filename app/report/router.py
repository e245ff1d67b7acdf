from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from app.auth.dependencies import ReportsRead
from app.kit.dependencies import SessionDep
from app.kit.schemas import DateParam
from app.kit.unit_of_work import UnitOfWorkRoute
from app.report import service
from app.report.schemas import BucketRead, ReceivablesRead, SalesReportRead, SalesRowRead

router = APIRouter(prefix="/v1/reports", route_class=UnitOfWorkRoute, tags=["reports"])


@router.get("/sales", operation_id="reports_sales")
async def sales_report(
    principal: ReportsRead,
    session: SessionDep,
    from_: Annotated[
        DateParam,
        Query(
            alias="from",
            description="First day, in the company's timezone.",
            examples=["2026-01-01"],
        ),
    ],
    to: Annotated[
        DateParam,
        Query(
            description="Last day, inclusive; the period covers at most 366 days.",
            examples=["2026-03-31"],
        ),
    ],
    user_id: Annotated[uuid.UUID | None, Query(description="Only this user's row.")] = None,
) -> SalesReportRead:
    """Sales statistics per user associated with orders (any role), the numbers a
    commission is based on: orders created in the period, sold orders (status
    `counts_as_sold`), sold ratio and amount, and payments collected in the period on any
    of the user's orders. Largest sold amount first."""
    report = await service.sales(session, principal, first=from_, last=to, user_id=user_id)
    return SalesReportRead(
        from_=report.from_,
        to=report.to,
        currency=report.currency,
        data=[SalesRowRead.model_validate(row) for row in report.data],
    )


@router.get("/receivables", operation_id="reports_receivables")
async def receivables_report(principal: ReportsRead, session: SessionDep) -> ReceivablesRead:
    """Accounts receivable: invoiced orders with a balance due, by days past their due date
    as of today in the company's timezone, and in total."""
    report = await service.receivables(session, principal)
    return ReceivablesRead.model_validate(
        {
            "as_of": report.as_of,
            "currency": report.currency,
            "total": BucketRead.model_validate(report.total),
            **{name: BucketRead.model_validate(b) for name, b in report.buckets.items()},
        }
    )
