from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request, Response, status
from pydantic import BaseModel

from app.auth.dependencies import SIGNED, BillingManage
from app.billing import service
from app.billing.event import service as stripe_events
from app.billing.gateway import NotConfigured, StripeGateway
from app.billing.schemas import (
    BillingRead,
    PaymentMethodSet,
    SetupIntentRead,
    StripeEventIn,
    SubscriptionChange,
    SubscriptionPreview,
)
from app.kit.dependencies import ArqDep, SessionDep, SettingsDep, from_state
from app.kit.problem import problem_responses
from app.kit.unit_of_work import UnitOfWorkRoute

router = APIRouter(prefix="/v1/billing", route_class=UnitOfWorkRoute, tags=["billing"])
webhooks = APIRouter(prefix="/v1/webhooks", route_class=UnitOfWorkRoute, tags=["webhooks"])

# Stripe unreachable or not configured (503), Stripe answered an error or nonsense (502).
STRIPE_FAILURES = problem_responses(502, 503)
CHANGES = {**STRIPE_FAILURES, **problem_responses(402)}


async def get_gateway(
    gateway: Annotated[StripeGateway | None, Depends(from_state("stripe", object))],
) -> StripeGateway:
    """The Stripe gateway; None (no STRIPE_API_KEY) answers 503 "not configured"."""
    if not isinstance(gateway, StripeGateway):
        raise NotConfigured()
    return gateway


GatewayDep = Annotated[StripeGateway, Depends(get_gateway)]


@router.get("", operation_id="billing_get", responses=STRIPE_FAILURES)
async def get_billing(
    principal: BillingManage, session: SessionDep, _gateway: GatewayDep
) -> BillingRead:
    """Plan, interval and subscription status; users used and the plan's limit; the Stripe
    balance; the next payment; the card on file. Served from the copy Stripe's webhooks
    keep current, so it answers while Stripe is away."""
    return await service.get_billing(session, principal)


@router.post(
    "/setup-intent",
    operation_id="billing_setup_intent_create",
    status_code=status.HTTP_201_CREATED,
    responses=STRIPE_FAILURES,
)
async def create_setup_intent(
    principal: BillingManage, session: SessionDep, gateway: GatewayDep
) -> SetupIntentRead:
    """A client secret for Stripe.js to collect a card (the card never reaches us)."""
    return await service.create_setup_intent(session, principal, gateway)


@router.put("/payment-method", operation_id="billing_payment_method_set", responses=CHANGES)
async def set_payment_method(
    body: PaymentMethodSet, principal: BillingManage, session: SessionDep, gateway: GatewayDep
) -> BillingRead:
    """Make the card collected by Stripe.js the one invoices are charged to."""
    return await service.set_payment_method(session, principal, gateway, body)


@router.post(
    "/subscription/preview",
    operation_id="billing_subscription_preview",
    responses=STRIPE_FAILURES,
)
async def preview_subscription(
    body: SubscriptionChange, principal: BillingManage, session: SessionDep, gateway: GatewayDep
) -> SubscriptionPreview:
    """The proration lines and the amount due that a change of plan or interval would
    produce, computed by Stripe. Pass its `proration_date` to the change to be charged
    exactly this. A plan with fewer users than are active is refused (409)."""
    return await service.preview_subscription(session, principal, gateway, body)


@router.put("/subscription", operation_id="billing_subscription_set", responses=CHANGES)
async def change_subscription(
    body: SubscriptionChange, principal: BillingManage, session: SessionDep, gateway: GatewayDep
) -> BillingRead:
    """Subscribe, or change plan or interval. An upgrade charges the prorated difference
    at once; a downgrade credits it to the balance. Refused (409, `plan-limit-reached`)
    when more users are active than the plan allows, or without a card for a first
    subscription."""
    return await service.change_subscription(session, principal, gateway, body)


# The body is read raw (the signature covers its exact bytes); this documents its shape.
STRIPE_EVENT_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": StripeEventIn.model_json_schema()}},
    }
}


class WebhookReceived(BaseModel):
    received: bool
    duplicate: bool


@webhooks.post(
    "/stripe",
    operation_id="webhooks_stripe",
    dependencies=[SIGNED],
    response_model=WebhookReceived,
    openapi_extra=STRIPE_EVENT_BODY,
    responses=problem_responses(400, 503),
)
async def stripe_webhook(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    arq: ArqDep,
    stripe_signature: Annotated[
        str | None,
        Header(alias="Stripe-Signature", description="Stripe's signature of the raw body."),
    ] = None,
) -> Response:
    """Stripe's events about the company subscriptions. The signature is the
    authentication: a missing, wrong, stale or future-dated one (beyond 5 minutes) is 400.
    The event is stored once and applied by the worker; the answer comes at once."""
    if not settings.stripe_webhook_secret:
        raise NotConfigured()
    event = stripe_events.verify_webhook(
        await request.body(),
        stripe_signature,
        settings.stripe_webhook_secret,
        settings.stripe_webhook_tolerance_seconds,
    )
    new = await stripe_events.receive_event(session, arq, event)
    body = WebhookReceived(received=True, duplicate=not new).model_dump_json()
    return Response(body, media_type="application/json")
