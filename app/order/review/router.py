from __future__ import annotations

import uuid

from fastapi import APIRouter

from app.auth.dependencies import OrdersWrite
from app.kit.dependencies import IfMatch, SessionDep
from app.kit.problem import problem_responses
from app.kit.unit_of_work import UnitOfWorkRoute
from app.order.review import service
from app.order.review.schemas import OrderReview, OrderReviewResult
from app.storage.dependencies import BlobStoreDep

router = APIRouter(prefix="/v1/orders", route_class=UnitOfWorkRoute, tags=["orders"])


@router.post(
    "/{order_id:uuid}/review",
    operation_id="orders_review",
    responses=problem_responses(409),
)
async def review_order(
    order_id: uuid.UUID,
    body: OrderReview,
    principal: OrdersWrite,
    session: SessionDep,
    store: BlobStoreDep,
    if_match: IfMatch,
) -> OrderReviewResult:
    """Decide on an order from the public form (`review_state: pending`, the queue is
    `GET /v1/orders?review_state=pending`). Accepting keeps the order and its customer;
    rejecting deletes the order, and its customer when the submission created it and
    nothing else hangs off it. Both are audited. 409 when the order is not pending."""
    review = await service.review_order(
        session, principal, order_id, body.decision, expected_version=if_match, store=store
    )
    return OrderReviewResult.model_validate(review)
