"""Stripe, through the official SDK's async client over httpx: the only module that talks to
it. Replies are read into small frozen records; whatever goes wrong on the way (an error
answer, a timeout, a reply we cannot read) becomes one of our problems: 503 when Stripe could
not be reached, 502 when it answered with an error or nonsense, 402 for a declined card.
Every POST carries the idempotency key its caller derived from our own ids, so a retry can
never do a thing twice."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import stripe
import structlog
from stripe.params import (
    InvoiceCreatePreviewParams,
    SetupIntentCreateParams,
    SubscriptionUpdateParams,
)

from app.config import Settings
from app.errors import BadGateway, ServiceUnavailable, TrackrError, ValidationFailed

log = structlog.get_logger(__name__)
T = TypeVar("T")
RETRY_AFTER_SECONDS = 30


class CardDeclined(TrackrError):
    status = 402
    code = "card-declined"
    title = "Card declined"


class NotConfigured(ServiceUnavailable):
    def __init__(self) -> None:
        super().__init__(
            "Billing is not configured on this server: set STRIPE_API_KEY (and "
            "STRIPE_WEBHOOK_SECRET for webhooks) to enable it."
        )


@dataclass(frozen=True)
class Card:
    payment_method_id: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int


@dataclass(frozen=True)
class CustomerSnapshot:
    id: str
    balance: int
    currency: str
    card: Card | None


@dataclass(frozen=True)
class SubscriptionSnapshot:
    id: str
    customer_id: str
    status: str
    item_id: str
    price_id: str
    current_period_end: datetime | None
    created: int


@dataclass(frozen=True)
class InvoiceLine:
    description: str
    amount: int
    proration: bool
    period_start: datetime
    period_end: datetime


@dataclass(frozen=True)
class InvoicePreview:
    amount_due: int
    total: int
    currency: str
    lines: tuple[InvoiceLine, ...]
    payment_at: datetime | None


def _time(value: Any) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(int(value), UTC)


def _card(pm: dict[str, Any]) -> Card | None:
    card = pm.get("card")
    if pm.get("type") != "card" or not isinstance(card, dict):
        return None
    return Card(
        payment_method_id=str(pm["id"]),
        brand=str(card["brand"]),
        last4=str(card["last4"]),
        exp_month=int(card["exp_month"]),
        exp_year=int(card["exp_year"]),
    )


def _id(value: Any) -> str:
    """An expandable field: either the id or the expanded object."""
    return str(value["id"] if isinstance(value, dict) else value)


def _subscription(data: dict[str, Any]) -> SubscriptionSnapshot:
    item = data["items"]["data"][0]
    return SubscriptionSnapshot(
        id=str(data["id"]),
        customer_id=_id(data["customer"]),
        status=str(data["status"]),
        item_id=str(item["id"]),
        price_id=str(item["price"]["id"]),
        current_period_end=_time(item.get("current_period_end")),
        created=int(data["created"]),
    )


def _line(data: dict[str, Any]) -> InvoiceLine:
    parent = data.get("parent") or {}
    details = parent.get("subscription_item_details") or parent.get("invoice_item_details") or {}
    return InvoiceLine(
        description=str(data.get("description") or ""),
        amount=int(data["amount"]),
        proration=bool(details.get("proration", False)),
        period_start=datetime.fromtimestamp(int(data["period"]["start"]), UTC),
        period_end=datetime.fromtimestamp(int(data["period"]["end"]), UTC),
    )


def _preview(data: dict[str, Any]) -> InvoicePreview:
    return InvoicePreview(
        amount_due=int(data["amount_due"]),
        total=int(data["total"]),
        currency=str(data["currency"]),
        lines=tuple(_line(line) for line in data["lines"]["data"]),
        payment_at=_time(data.get("next_payment_attempt") or data.get("period_end")),
    )


def _unavailable(what: str, exc: Exception) -> ServiceUnavailable:
    log.warning("stripe_unavailable", what=what, error=str(exc))
    error = ServiceUnavailable(
        f"Stripe could not be reached ({what}); nothing was saved, retry shortly."
    )
    error.headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return error


def _bad_gateway(what: str, exc: stripe.StripeError) -> BadGateway:
    log.warning("stripe_error", what=what, status=exc.http_status, error=str(exc))
    return BadGateway(f"Stripe answered with an error ({what}); nothing was saved, retry later.")


class StripeGateway:
    def __init__(self, settings: Settings) -> None:
        if not settings.stripe_api_key:
            raise ValueError("StripeGateway needs STRIPE_API_KEY")
        self.settings = settings
        self._http = stripe.HTTPXClient(timeout=settings.stripe_timeout_seconds)
        self._client = stripe.StripeClient(
            settings.stripe_api_key,
            base_addresses={"api": settings.stripe_api_base},
            http_client=self._http,
            # Retries reuse the request's idempotency key, so they cannot do a thing twice.
            max_network_retries=1,
        )
        self.v1 = self._client.v1

    async def aclose(self) -> None:
        await self._http.close_async()  # type: ignore[no-untyped-call]

    async def _call(
        self,
        what: str,
        request: Callable[[], Awaitable[Any]],
        read: Callable[[dict[str, Any]], T],
        fields: dict[str, str] | None = None,
        missing: Callable[[], T] | None = None,
    ) -> T:
        """Make one request and read its reply; every failure becomes a problem. `fields`
        names our request fields after Stripe's parameters: Stripe refusing one of those is
        the caller's 422 on that field, not our 502. `missing` gives the answer when Stripe
        has nothing to return (404, or no upcoming invoice)."""
        try:
            reply = await request()
            return read(reply.to_dict())
        except stripe.InvalidRequestError as exc:
            if missing is not None and (
                exc.http_status == 404 or exc.code == "invoice_upcoming_none"
            ):
                return missing()
            field = (fields or {}).get(exc.param or "")
            if field is None:
                raise _bad_gateway(what, exc) from exc
            raise ValidationFailed.field(field, exc.user_message or str(exc)) from exc
        except stripe.CardError as exc:
            raise CardDeclined(exc.user_message or "The card was declined.") from exc
        except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
            raise _unavailable(what, exc) from exc
        except stripe.StripeError as exc:
            if exc.http_status in {502, 503, 504}:
                raise _unavailable(what, exc) from exc
            raise _bad_gateway(what, exc) from exc
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            log.warning("stripe_unreadable", what=what, error=repr(exc))
            raise BadGateway(f"Stripe sent a reply we could not read ({what}).") from exc

    async def create_customer(self, *, company_id: str, name: str, key: str) -> str:
        return await self._call(
            "create customer",
            lambda: self.v1.customers.create_async(
                params={"name": name, "metadata": {"company_id": company_id}},
                options={"idempotency_key": key},
            ),
            lambda data: str(data["id"]),
        )

    async def customer(self, customer_id: str) -> CustomerSnapshot:
        def read(data: dict[str, Any]) -> CustomerSnapshot:
            pm = (data.get("invoice_settings") or {}).get("default_payment_method")
            return CustomerSnapshot(
                id=str(data["id"]),
                balance=int(data.get("balance") or 0),
                currency=str(data.get("currency") or "usd"),
                card=_card(pm) if isinstance(pm, dict) else None,
            )

        return await self._call(
            "read customer",
            lambda: self.v1.customers.retrieve_async(
                customer_id, params={"expand": ["invoice_settings.default_payment_method"]}
            ),
            read,
        )

    async def create_setup_intent(self, *, customer_id: str, key: str) -> tuple[str, str]:
        params: SetupIntentCreateParams = {
            "customer": customer_id,
            "usage": "off_session",
        }
        return await self._call(
            "create setup intent",
            lambda: self.v1.setup_intents.create_async(
                params=params, options={"idempotency_key": key}
            ),
            lambda data: (str(data["id"]), str(data["client_secret"])),
        )

    async def payment_method(self, payment_method_id: str) -> tuple[Card | None, str | None]:
        """The card and the customer it is attached to; (None, None) when Stripe has no
        such payment method."""
        return await self._call(
            "read payment method",
            lambda: self.v1.payment_methods.retrieve_async(payment_method_id),
            lambda data: (_card(data), _id(data["customer"]) if data.get("customer") else None),
            missing=lambda: (None, None),
        )

    async def attach_payment_method(
        self, payment_method_id: str, *, customer_id: str, key: str
    ) -> None:
        await self._call(
            "attach payment method",
            lambda: self.v1.payment_methods.attach_async(
                payment_method_id,
                params={"customer": customer_id},
                options={"idempotency_key": key},
            ),
            lambda data: None,
        )

    async def set_default_payment_method(
        self, customer_id: str, payment_method_id: str, *, key: str
    ) -> None:
        await self._call(
            "set default payment method",
            lambda: self.v1.customers.update_async(
                customer_id,
                params={"invoice_settings": {"default_payment_method": payment_method_id}},
                options={"idempotency_key": key},
            ),
            lambda data: None,
        )

    async def subscription(self, subscription_id: str) -> SubscriptionSnapshot:
        return await self._call(
            "read subscription",
            lambda: self.v1.subscriptions.retrieve_async(subscription_id),
            _subscription,
        )

    async def create_subscription(
        self, *, customer_id: str, price_id: str, company_id: str, key: str
    ) -> SubscriptionSnapshot:
        return await self._call(
            "create subscription",
            lambda: self.v1.subscriptions.create_async(
                params={
                    "customer": customer_id,
                    "items": [{"price": price_id}],
                    "metadata": {"company_id": company_id},
                    "payment_behavior": "error_if_incomplete",
                },
                options={"idempotency_key": key},
            ),
            _subscription,
        )

    async def update_subscription(
        self,
        current: SubscriptionSnapshot,
        *,
        price_id: str,
        proration_behavior: str,
        proration_date: int | None,
        key: str,
    ) -> SubscriptionSnapshot:
        params: SubscriptionUpdateParams = {
            "items": [{"id": current.item_id, "price": price_id}],
            "proration_behavior": proration_behavior,
        }
        if proration_date is not None:
            params["proration_date"] = proration_date
        return await self._call(
            "change subscription",
            lambda: self.v1.subscriptions.update_async(
                current.id, params=params, options={"idempotency_key": key}
            ),
            _subscription,
            fields={"proration_date": "proration_date"},
        )

    async def preview_change(
        self,
        customer_id: str,
        current: SubscriptionSnapshot | None,
        *,
        price_id: str,
        proration_behavior: str,
        proration_date: int | None,
    ) -> InvoicePreview:
        """The invoice a change would produce: for a new subscription its first invoice,
        otherwise the proration lines (and, with create_prorations, the next renewal).
        Without a proration date Stripe prorates as of its own now."""
        params: InvoiceCreatePreviewParams = {"customer": customer_id}
        if current is None:
            params["subscription_details"] = {"items": [{"price": price_id}]}
        else:
            params["subscription"] = current.id
            params["subscription_details"] = {
                "items": [{"id": current.item_id, "price": price_id}],
                "proration_behavior": proration_behavior,
            }
            if proration_date is not None:
                params["subscription_details"]["proration_date"] = proration_date
        return await self._call(
            "preview invoice",
            lambda: self.v1.invoices.create_preview_async(params=params),
            _preview,
            fields={"subscription_details[proration_date]": "proration_date"},
        )

    async def upcoming_invoice(
        self, customer_id: str, subscription_id: str
    ) -> InvoicePreview | None:
        """The subscription's next invoice; None when it has none (it ends at the period's
        end, or it is not active)."""
        read: Callable[[dict[str, Any]], InvoicePreview | None] = _preview
        return await self._call(
            "preview upcoming invoice",
            lambda: self.v1.invoices.create_preview_async(
                params={"customer": customer_id, "subscription": subscription_id}
            ),
            read,
            missing=lambda: None,
        )
