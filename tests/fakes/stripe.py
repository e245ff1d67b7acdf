"""A local fake of the slice of Stripe's REST API that Trackr calls, for tests and the benchmark.

The real `stripe` SDK talks to it over HTTP, on 127.0.0.1, from any thread or event loop:

    with FakeStripe() as fake:
        client = stripe.StripeClient("sk_test_x", base_addresses={"api": fake.url}, ...)
        intent = await client.v1.setup_intents.create_async(params={"customer": customer.id})
        fake.confirm_setup_intent(intent.id)        # what Stripe.js does in the browser
        fake.renew(subscription.id)                 # the billing period ends
        body, headers = fake.signed(fake.events[-1], "whsec_test")

It keeps customers, setup intents, card payment methods, one-item subscriptions with
prorations, invoices (and previews of the next one) and events, shaped as API version
2026-10-28.endive. What it simplifies, on purpose:
- The clock (`fake.now`) starts at the real time and stands still until a test moves it
  (`advance`, `renew`), so amounts are exact. Signed webhooks carry the real time, as their
  receiver checks their age against its own clock.
- Periods are calendar months (or years) counted from the billing cycle anchor, as Stripe counts
  them: an anchor on the 31st renews on the last day of shorter months. A proration is the price
  times the seconds left in the period over the period's length, rounded half up.
- A card payment succeeds unless `fake.decline_cards` is set. No PaymentIntent, 3-D Secure, tax,
  discount or quantity; one currency (usd). A subscription without any payment method starts
  `incomplete` (Stripe would refuse it unless payment_behavior is default_incomplete).
- Events: customer.created/.updated, setup_intent.created/.succeeded, payment_method.attached,
  customer.subscription.created/.updated/.deleted, invoiceitem.created, invoice.paid and
  invoice.payment_failed; no invoice.created/.finalized, charge.* or payment_intent.*.
- A pending proration lands on the next invoice as an invoice item line
  (`parent.invoice_item_details.proration`), as Stripe shows it; the lines of a change that is
  previewed or invoiced at once are subscription item lines
  (`parent.subscription_item_details.proration`).
An unknown top-level parameter gets Stripe's 400 `parameter_unknown`, so that a typo fails loudly.
"""

from __future__ import annotations

import asyncio
import calendar
import copy
import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl

import stripe
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fakes.server import LocalServer

Json = dict[str, Any]
PriceSpec = tuple[int, str, str]  # unit amount in minor units, "month" | "year", product name
Handler = Callable[[Json, str], Json]

API_VERSION = "2026-10-28.endive"
DAY = 86_400
FAULT_MODES = ("500", "503", "timeout", "malformed", "card_declined")
PRORATION_BEHAVIORS = ("always_invoice", "create_prorations", "none")
PAYMENT_BEHAVIORS = ("allow_incomplete", "default_incomplete", "error_if_incomplete")
# How Stripe names each kind of object in "No such ...: 'id'".
_NAMES = {"payment_method": "PaymentMethod", "setup_intent": "setupintent"}
# The parameters each endpoint takes besides `expand`.
_CUSTOMER = "email name description phone metadata"
_CUSTOMER_UPDATE = f"{_CUSTOMER} invoice_settings balance"
_SETUP_INTENT = "customer usage payment_method_types metadata description automatic_payment_methods"
_SUBSCRIPTION = "items default_payment_method metadata payment_behavior off_session description"
_SUBSCRIPTION_CREATE = f"{_SUBSCRIPTION} customer collection_method"
_SUBSCRIPTION_UPDATE = f"{_SUBSCRIPTION} proration_behavior proration_date cancel_at_period_end"
_PREVIEW = "customer subscription subscription_details"


class StripeError(Exception):
    """An error answered in Stripe's shape: `{"error": {"type", "message", "code", "param"}}`."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        kind: str = "invalid_request_error",
        **extra: str,
    ) -> None:
        super().__init__(message)
        self.status = status
        error = {"type": kind, "message": message, "code": code, "param": param, **extra}
        self.body: Json = {"error": error}


def _card_declined() -> StripeError:
    return StripeError(
        402, "Your card was declined.", code="card_declined", kind="card_error",
        decline_code="generic_decline",
    )  # fmt: skip


@dataclass
class RecordedRequest:
    method: str
    path: str
    params: Json
    idempotency_key: str | None
    replayed: bool = False
    fault: str | None = None  # the injected fault that answered it


@dataclass
class _Fault:
    mode: str
    times: int
    path_prefix: str | None


@dataclass
class _Stored:
    """A response kept under its idempotency key, with the request it answered."""

    request: tuple[str, str, Json]
    status: int
    body: bytes
    request_id: str


@dataclass
class _Change:
    """A price change: its lines, whether they are invoiced at once, the item's new period."""

    price: Json
    when: int
    lines: list[Json]
    invoice_now: bool
    period: tuple[int, int]


# --- parameters, money and time ---------------------------------------------------------


def parse_params(pairs: list[tuple[str, str]]) -> Json:
    """Form pairs `a[b][0][c]=v` as nested dicts and lists; `a[]=v` appends (as Stripe.js sends)."""
    root: Json = {}
    for key, value in pairs:
        name = key.split("[", 1)[0]
        parts = [name, *re.findall(r"\[([^\]]*)\]", key[len(name) :])]
        node = root
        for part in parts[:-1]:
            child = node.get(part or str(len(node)))
            if not isinstance(child, dict):
                child = node[part or str(len(node))] = {}
            node = child
        node[parts[-1] or str(len(node))] = value
    listed: Json = _listify(root)
    return listed


def _listify(node: Json, under: str = "") -> Any:
    values = {k: _listify(v, k) if isinstance(v, dict) else v for k, v in node.items()}
    if values and under != "metadata" and all(k.isdigit() for k in values):
        return [values[k] for k in sorted(values, key=int)]
    return values


def _param(prefix: str, name: str) -> str:
    return f"{prefix}[{name}]" if prefix else name


def _required(params: Json, name: str) -> Any:
    if params.get(name) in (None, ""):
        raise StripeError(
            400, f"Missing required param: {name}.", code="parameter_missing", param=name
        )
    return params[name]


def _hash(params: Json, name: str) -> Json:
    value = params.get(name) or {}
    if not isinstance(value, dict):
        raise StripeError(400, f"Invalid object: {name}", code="parameter_invalid", param=name)
    return value


def _int(params: Json, name: str, prefix: str = "") -> int | None:
    value = params.get(name)
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        param = _param(prefix, name)
        message = f"Invalid integer: {value}"
        raise StripeError(400, message, code="parameter_invalid_integer", param=param) from None


def _flag(params: Json, name: str) -> bool | None:
    value = params.get(name)
    if value not in (None, "true", "false"):
        raise StripeError(400, f"Invalid boolean: {value}", code="parameter_invalid", param=name)
    return None if value is None else value == "true"


def _choice(
    params: Json, name: str, allowed: tuple[str, ...], default: str, prefix: str = ""
) -> str:
    value = params.get(name) or default
    if value not in allowed:
        param = _param(prefix, name)
        message = f"Invalid {param}: must be one of {', '.join(allowed)}"
        raise StripeError(400, message, code="parameter_invalid", param=param)
    return str(value)


def _merged_metadata(current: Json, given: Any) -> Json:
    """Stripe's metadata update: keys merge, an empty value deletes its key, `metadata=""` all."""
    if given is None:
        return current
    if not isinstance(given, dict):
        return {}
    return {k: v for k, v in {**current, **given}.items() if v != ""}


def _add_months(ts: int, months: int) -> int:
    moment = datetime.fromtimestamp(ts, UTC)
    year, month = divmod(moment.month - 1 + months, 12)
    year += moment.year
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return int(moment.replace(year=year, month=month + 1, day=day).timestamp())


def _period_end(anchor: int, start: int, interval: str) -> int:
    """The end of the period that begins at `start`, in whole intervals from the anchor."""
    step = 12 if interval == "year" else 1
    months = step
    while _add_months(anchor, months) <= start:
        months += step
    return _add_months(anchor, months)


def _prorate(amount: int, left: int, length: int) -> int:
    """amount * left / length rounded half up, in integers (no float drift)."""
    return (2 * amount * left + length) // (2 * length)


def _day(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%d %b %Y")


def _changes(before: Json, after: Json) -> Json:
    """`previous_attributes`: the old values of what changed; nested hashes only in part."""
    previous: Json = {}
    for key, old in before.items():
        new = after.get(key)
        if new == old:
            continue
        if isinstance(old, dict) and isinstance(new, dict) and key != "metadata":
            previous[key] = _changes(old, new)
        else:
            previous[key] = old
    return previous


def _new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:16]}"


def _json_response(status: int, body: Json, headers: Mapping[str, str] | None = None) -> Response:
    content = json.dumps(body, indent=2).encode()
    return Response(content, status, dict(headers or {}), media_type="application/json")


# --- the fake -----------------------------------------------------------------------------


class FakeStripe:
    """Stripe's API for customers, setup intents, payment methods, subscriptions, invoices and
    events, in memory, behind a lock: the server thread and the tests both read and write it."""

    def __init__(self, prices: Mapping[str, PriceSpec] | None = None) -> None:
        self._prices = dict(prices if prices is not None else self.default_prices())
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._server: LocalServer | None = None
        self.url = ""
        get = self._getter
        self._routes: list[tuple[str, re.Pattern[str], Handler, frozenset[str]]] = []
        for method, path, handler, params in [
            ("POST", "/v1/customers", self._create_customer, _CUSTOMER),
            ("GET", "/v1/customers/{id}", get("customer"), ""),
            ("POST", "/v1/customers/{id}", self._update_customer, _CUSTOMER_UPDATE),
            ("POST", "/v1/setup_intents", self._create_setup_intent, _SETUP_INTENT),
            ("GET", "/v1/setup_intents/{id}", get("setup_intent"), "client_secret"),
            ("GET", "/v1/payment_methods/{id}", get("payment_method"), ""),
            ("POST", "/v1/payment_methods/{id}/attach", self._attach_payment_method, "customer"),
            ("POST", "/v1/subscriptions", self._create_subscription, _SUBSCRIPTION_CREATE),
            ("GET", "/v1/subscriptions/{id}", get("subscription"), ""),
            ("POST", "/v1/subscriptions/{id}", self._update_subscription, _SUBSCRIPTION_UPDATE),
            ("DELETE", "/v1/subscriptions/{id}", self._cancel_subscription, "invoice_now prorate"),
            ("POST", "/v1/invoices/create_preview", self._preview_invoice, _PREVIEW),
            ("GET", "/v1/invoices/{id}", get("invoice"), ""),
            ("GET", "/v1/prices/{id}", get("price"), ""),
            ("GET", "/v1/products/{id}", get("product"), ""),
            ("GET", "/v1/events", self._list_events, "limit starting_after type"),
            ("GET", "/v1/events/{id}", get("event"), ""),
        ]:  # fmt: skip
            pattern = re.compile(path.replace("{id}", "(?P<id>[^/]+)"))
            self._routes.append((method, pattern, handler, frozenset(params.split())))
        self.reset()

    @staticmethod
    def default_prices() -> dict[str, PriceSpec]:
        """The plans app/billing/plans.py configures: Basic and Plus, monthly or yearly."""
        return {
            "price_basic_month": (2900, "month", "Basic"),
            "price_basic_year": (29000, "year", "Basic"),
            "price_plus_month": (4900, "month", "Plus"),
            "price_plus_year": (49000, "year", "Plus"),
        }

    # --- serving ------------------------------------------------------------------------

    def start(self) -> FakeStripe:
        """Serve on a free port of 127.0.0.1, from a thread with its own event loop."""
        self._stopping.clear()
        app = Starlette(
            routes=[Route("/{path:path}", self._endpoint, methods=["GET", "POST", "DELETE"])]
        )
        self._server = LocalServer(app, "fake-stripe")
        self.url = self._server.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # ends the requests held by a "timeout" fault
        if self._server is not None:
            self._server.stop()
        self._server = None

    def __enter__(self) -> FakeStripe:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- test controls ------------------------------------------------------------------

    def reset(self) -> None:
        """Forget everything: objects, events, requests, faults; the clock goes back to now."""
        with self._lock:
            self.now = int(time.time())
            self.decline_cards = False
            self.hang_seconds = 5.0
            self.objects: dict[str, Json] = {}
            self.events: list[Json] = []
            self.requests: list[RecordedRequest] = []
            self._faults: list[_Fault] = []
            self._idempotent: dict[tuple[str, str], _Stored] = {}
            self._request: Json | None = None
            for price_id, (amount, interval, product_name) in self._prices.items():
                product_id = "prod_" + re.sub(r"\W+", "_", product_name.lower())
                product = self._shape("product", product_id, "description", name=product_name)
                self.objects.setdefault(product_id, product)
                self.objects[price_id] = self._shape(
                    "price", price_id, "lookup_key nickname", active=True, currency="usd",
                    billing_scheme="per_unit", product=product_id, type="recurring",
                    recurring={"interval": interval, "interval_count": 1, "usage_type": "licensed"},
                    unit_amount=amount, unit_amount_decimal=str(amount),
                )  # fmt: skip

    def advance(self, seconds: int) -> int:
        with self._lock:
            self.now += seconds
            return self.now

    def get(self, object_id: str) -> Json:
        """A copy of a stored object: customer, subscription, invoice, invoice item, event..."""
        with self._lock:
            return copy.deepcopy(self.objects[object_id])

    def events_of(self, event_type: str) -> list[Json]:
        with self._lock:
            return [e for e in self.events if e["type"] == event_type]

    def fail_next(self, mode: str, times: int = 1, path_prefix: str | None = None) -> None:
        """Make the next `times` requests (under `path_prefix`) fail before they do anything:
        "500"/"503" api_error, "timeout" (held `hang_seconds`, then a 500), "malformed" (200
        with a body that is not JSON) or "card_declined" (402 card_error). As the request never
        ran, its idempotency key stays unused: a retry with the same key runs."""
        if mode not in FAULT_MODES:
            raise ValueError(f"unknown fault mode {mode!r}; one of {FAULT_MODES}")
        with self._lock:
            self._faults.append(_Fault(mode, times, path_prefix))

    def clear_faults(self) -> None:
        """Stripe is back: the faults not used yet are dropped."""
        with self._lock:
            self._faults.clear()

    def create_payment_method(
        self,
        *,
        brand: str = "visa",
        last4: str = "4242",
        exp_month: int = 12,
        exp_year: int = 2030,
        customer: str | None = None,
    ) -> str:
        with self._lock:
            method = self._new_payment_method(brand, last4, exp_month, exp_year)
            if customer is not None:
                self._attach(method, self._lookup(customer, "customer")["id"])
            return str(method["id"])

    def confirm_setup_intent(
        self,
        setup_intent_id: str,
        *,
        brand: str = "visa",
        last4: str = "4242",
        exp_month: int = 12,
        exp_year: int = 2030,
    ) -> str:
        """What Stripe.js does with the card a customer typed in: a payment method attached to
        the intent's customer, and the intent succeeded. Returns the payment method's id."""
        with self._lock:
            intent = self._lookup(setup_intent_id, "setup_intent")
            if intent["status"] != "requires_payment_method":
                raise ValueError(f"setup intent {setup_intent_id} is {intent['status']}")
            method = self._new_payment_method(brand, last4, exp_month, exp_year)
            if intent["customer"]:
                self._attach(method, intent["customer"])
            before = copy.deepcopy(intent)
            intent.update(status="succeeded", payment_method=method["id"])
            self._emit("setup_intent.succeeded", intent, _changes(before, intent))
            return str(method["id"])

    def renew(self, subscription_id: str) -> str | None:
        """End the current period (the clock moves to its end if it is not there yet): invoice
        the next period with the pending items, the credit balance applied, paid unless
        `decline_cards`. A subscription set to cancel at period end is canceled instead."""
        with self._lock:
            sub = self._lookup(subscription_id, "subscription")
            if sub["status"] not in ("active", "past_due"):
                raise ValueError(f"cannot renew a subscription that is {sub['status']}")
            item = sub["items"]["data"][0]
            start, end = item["current_period_start"], item["current_period_end"]
            self.now = max(self.now, end)
            if sub["cancel_at_period_end"]:
                self._end(sub)
                return None
            before = copy.deepcopy(sub)
            price = item["price"]
            next_end = _period_end(sub["billing_cycle_anchor"], end, price["recurring"]["interval"])
            lines = [*self._pending_lines(sub), self._plan_line(sub, price, (end, next_end))]
            invoice = self._build_invoice(sub, lines, "subscription_cycle", (start, end))
            item["current_period_start"], item["current_period_end"] = end, next_end
            self._issue(invoice, sub)
            sub["latest_invoice"] = invoice["id"]
            sub["status"] = "active" if invoice["status"] == "paid" else "past_due"
            self._emit_update("customer.subscription.updated", sub, before)
            self._emit_invoice_outcome(invoice)
            return str(invoice["id"])

    def pay_invoice(self, invoice_id: str) -> None:
        """The customer pays an open invoice (with a new card, say): paid, and its subscription
        is active again if this was its latest invoice."""
        with self._lock:
            invoice = self._lookup(invoice_id, "invoice")
            if invoice["status"] != "open":
                raise ValueError(f"invoice {invoice_id} is {invoice['status']}")
            self._mark_paid(invoice)
            sub = self.objects[invoice["parent"]["subscription_details"]["subscription"]]
            before = copy.deepcopy(sub)
            if sub["latest_invoice"] == invoice_id and sub["status"] in ("incomplete", "past_due"):
                sub["status"] = "active"
            self._emit("invoice.paid", invoice)
            self._emit_update("customer.subscription.updated", sub, before)

    def signed(
        self, event: Json, secret: str, timestamp: int | None = None
    ) -> tuple[bytes, dict[str, str]]:
        """The webhook delivery of `event`: its body and headers, signed with the SDK's own
        helper, at the real time unless `timestamp` says otherwise."""
        payload = json.dumps(event, indent=2)
        signature = stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp)
        headers = {
            "Stripe-Signature": signature,
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        }
        return payload.encode(), headers

    # --- HTTP ---------------------------------------------------------------------------

    async def _endpoint(self, request: Request) -> Response:
        pairs = parse_qsl(request.url.query, keep_blank_values=True)
        pairs += parse_qsl((await request.body()).decode(), keep_blank_values=True)
        key = request.headers.get("idempotency-key") if request.method == "POST" else None
        api_key = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        with self._lock:
            record = RecordedRequest(request.method, request.url.path, parse_params(pairs), key)
            self.requests.append(record)
            if not api_key.startswith("sk_test_"):
                error = StripeError(401, f"Invalid API Key provided: {api_key[:8]}***")
                return _json_response(error.status, error.body)
            record.fault = self._take_fault(record.path)
            if record.fault is None:
                return self._dispatch(record, api_key)
        return await self._fault_response(record.fault)

    def _take_fault(self, path: str) -> str | None:
        for fault in self._faults:
            if fault.path_prefix is None or path.startswith(fault.path_prefix):
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return fault.mode
        return None

    async def _fault_response(self, mode: str) -> Response:
        if mode == "timeout":  # holds this answer only: not the lock, not the event loop
            deadline = time.monotonic() + self.hang_seconds
            while time.monotonic() < deadline and not self._stopping.is_set():  # noqa: ASYNC110 (set by another thread)
                await asyncio.sleep(0.05)
        if mode == "malformed":
            body = b'{"object": "customer", "id": "cus_'
            return Response(body, 200, media_type="application/json")
        if mode == "card_declined":
            return _json_response(402, _card_declined().body)
        status = 503 if mode == "503" else 500
        message = "Stripe is temporarily unavailable" if status == 503 else "An error occurred"
        return _json_response(status, StripeError(status, message, kind="api_error").body)

    def _dispatch(self, record: RecordedRequest, api_key: str) -> Response:
        key = record.idempotency_key
        stored = self._idempotent.get((api_key, key)) if key else None
        if stored is not None and stored.request != (record.method, record.path, record.params):
            error = StripeError(
                400,
                "Keys for idempotent requests can only be used with the same parameters they were"
                f" first used with. Try using a key other than '{key}' if you meant to execute a"
                " different request.",
                kind="idempotency_error",
            )
            return _json_response(400, error.body)
        if stored is not None:
            record.replayed = True
            headers = {"Request-Id": stored.request_id, "Idempotent-Replayed": "true"}
            return Response(stored.body, stored.status, headers, media_type="application/json")
        request_id = _new_id("req")
        self._request = {"id": request_id, "idempotency_key": key}
        try:
            status, body = 200, self._handle(record)
        except StripeError as error:
            status, body = error.status, error.body
        finally:
            self._request = None
        response = _json_response(status, body, {"Request-Id": request_id})
        # Stripe keeps the result of a request that ran, not of one its validation refused.
        if key and status in (200, 402):
            request = (record.method, record.path, record.params)
            content = bytes(response.body)
            self._idempotent[(api_key, key)] = _Stored(request, status, content, request_id)
        return response

    def _handle(self, record: RecordedRequest) -> Json:
        for method, pattern, handler, allowed in self._routes:
            match = pattern.fullmatch(record.path)
            if method != record.method or match is None:
                continue
            unknown = sorted(set(record.params) - allowed - {"expand"})
            if unknown:
                message = f"Received unknown parameter: {unknown[0]}"
                raise StripeError(400, message, code="parameter_unknown", param=unknown[0])
            result = handler(record.params, match.groupdict().get("id", ""))
            expand = record.params.get("expand") or []
            return self._expanded(result, [expand] if isinstance(expand, str) else expand)
        raise StripeError(404, f"Unrecognized request URL ({record.method}: {record.path}).")

    def _expanded(self, result: Json, paths: list[str]) -> Json:
        if paths:
            result = copy.deepcopy(result)
        for path in paths:
            self._expand(result, path.split("."), path)
        return result

    def _expand(self, node: Any, parts: list[str], path: str) -> None:
        """Replace the id at `parts` with the object it names (through lists, as Stripe does)."""
        if isinstance(node, list):
            for each in node:
                self._expand(each, parts, path)
            return
        if not isinstance(node, dict) or parts[0] not in node:
            message = f"This property cannot be expanded ({path})."
            raise StripeError(400, message, code="parameter_invalid", param="expand")
        value = node[parts[0]]
        if isinstance(value, str) and value in self.objects:
            value = node[parts[0]] = copy.deepcopy(self.objects[value])
        if len(parts) > 1 and value is not None:
            self._expand(value, parts[1:], path)

    def _lookup(
        self, object_id: object, kind: str, *, param: str = "id", status: int = 404
    ) -> Json:
        found = self.objects.get(str(object_id))
        if found is None or found["object"] != kind:
            message = f"No such {_NAMES.get(kind, kind)}: '{object_id}'"
            raise StripeError(status, message, code="resource_missing", param=param)
        return found

    def _getter(self, kind: str) -> Handler:
        return lambda params, object_id: self._lookup(object_id, kind)

    def _shape(self, kind: str, object_id: str, nulls: str = "", **fields: Any) -> Json:
        """An object as Stripe shapes every one, with the fields named in `nulls` null."""
        shape: Json = {"id": object_id, "object": kind, "created": self.now, "livemode": False}
        return {**shape, "metadata": {}, **dict.fromkeys(nulls.split()), **fields}

    def _emit(self, event_type: str, obj: Json, previous: Json | None = None) -> None:
        data: Json = {"object": copy.deepcopy(obj)}
        if previous is not None:
            data["previous_attributes"] = copy.deepcopy(previous)
        event = self._shape(
            "event", _new_id("evt"), api_version=API_VERSION, data=data, pending_webhooks=1,
            request=dict(self._request or {"id": None, "idempotency_key": None}), type=event_type,
        )  # fmt: skip
        del event["metadata"]
        self.events.append(event)
        self.objects[event["id"]] = event

    def _emit_update(self, event_type: str, obj: Json, before: Json) -> None:
        previous = _changes(before, obj)
        if previous:
            self._emit(event_type, obj, previous)

    # --- customers and payment methods --------------------------------------------------

    def _create_customer(self, params: Json, _: str) -> Json:
        customer_id = _new_id("cus")
        customer = self._shape(
            "customer", customer_id, "address currency default_source discount shipping test_clock",
            balance=0, delinquent=False, description=params.get("description"),
            email=params.get("email"), name=params.get("name"), phone=params.get("phone"),
            invoice_prefix=customer_id[4:12].upper(), next_invoice_sequence=1,
            invoice_settings=dict.fromkeys(("custom_fields", "default_payment_method", "footer")),
            metadata=_merged_metadata({}, params.get("metadata")), preferred_locales=[],
            tax_exempt="none",
        )  # fmt: skip
        self.objects[customer_id] = customer
        self._emit("customer.created", customer)
        return customer

    def _update_customer(self, params: Json, customer_id: str) -> Json:
        customer = self._lookup(customer_id, "customer")
        default_method = _hash(params, "invoice_settings").get("default_payment_method")
        if default_method:
            param = "invoice_settings[default_payment_method]"
            self._check_payment_method(default_method, customer, param)
        balance = _int(params, "balance")
        before = copy.deepcopy(customer)
        for name in ("email", "name", "description", "phone"):
            if name in params:
                customer[name] = params[name] or None
        customer["metadata"] = _merged_metadata(customer["metadata"], params.get("metadata"))
        if default_method is not None:
            customer["invoice_settings"]["default_payment_method"] = default_method or None
        if balance is not None:
            customer["balance"] = balance
        self._emit_update("customer.updated", customer, before)
        return customer

    def _check_payment_method(self, method_id: str, customer: Json, param: str) -> None:
        method = self._lookup(method_id, "payment_method", param=param, status=400)
        if method["customer"] != customer["id"]:
            message = (
                f"The customer does not have a payment method with the ID {method_id}. The"
                " payment method must be attached to the customer."
            )
            raise StripeError(400, message, code="resource_missing", param=param)

    def _create_setup_intent(self, params: Json, _: str) -> Json:
        customer_id = params.get("customer") or None
        if customer_id:
            self._lookup(customer_id, "customer", param="customer", status=400)
        intent_id = _new_id("seti")
        automatic = {"enabled": True} if _hash(params, "automatic_payment_methods") else None
        intent = self._shape(
            "setup_intent", intent_id,
            "application cancellation_reason last_setup_error latest_attempt mandate next_action"
            " on_behalf_of payment_method single_use_mandate",
            automatic_payment_methods=automatic, customer=customer_id,
            client_secret=f"{intent_id}_secret_{uuid.uuid4().hex[:24]}",
            description=params.get("description"),
            metadata=_merged_metadata({}, params.get("metadata")),
            payment_method_options={"card": {"request_three_d_secure": "automatic"}},
            payment_method_types=params.get("payment_method_types") or ["card"],
            status="requires_payment_method", usage=params.get("usage") or "off_session",
        )  # fmt: skip
        self.objects[intent_id] = intent
        self._emit("setup_intent.created", intent)
        return intent

    def _new_payment_method(self, brand: str, last4: str, exp_month: int, exp_year: int) -> Json:
        card = {
            "brand": brand, "checks": {"cvc_check": "pass"}, "country": "US",
            "display_brand": brand, "exp_month": exp_month, "exp_year": exp_year,
            "fingerprint": uuid.uuid4().hex[:16], "funding": "credit", "last4": last4,
            "networks": {"available": [brand], "preferred": None}, "wallet": None,
        }  # fmt: skip
        billing_details = dict.fromkeys(("address", "email", "name", "phone"))
        method = self._shape(
            "payment_method", _new_id("pm"), "customer", allow_redisplay="unspecified",
            billing_details=billing_details, card=card, type="card",
        )  # fmt: skip
        self.objects[method["id"]] = method
        return method

    def _attach(self, method: Json, customer_id: str) -> None:
        if method["customer"] == customer_id:
            return
        if method["customer"] is not None:
            message = "The payment method you provided has already been attached to a customer."
            raise StripeError(400, message, code="payment_method_unexpected_state")
        method["customer"] = customer_id
        self._emit("payment_method.attached", method)

    def _attach_payment_method(self, params: Json, method_id: str) -> Json:
        method = self._lookup(method_id, "payment_method")
        customer_id = _required(params, "customer")
        self._lookup(customer_id, "customer", param="customer", status=400)
        self._attach(method, customer_id)
        return method

    # --- subscriptions ------------------------------------------------------------------

    def _create_subscription(self, params: Json, _: str) -> Json:
        customer_id = _required(params, "customer")
        customer = self._lookup(customer_id, "customer", param="customer", status=400)
        items = _required(params, "items")
        if not isinstance(items, list) or len(items) != 1 or not isinstance(items[0], dict):
            raise StripeError(400, "This fake supports subscriptions of one item.", param="items")
        price = self._lookup(items[0].get("price"), "price", param="items[0][price]", status=400)
        method = params.get("default_payment_method") or None
        if method:
            self._check_payment_method(method, customer, "default_payment_method")
        behavior = _choice(params, "payment_behavior", PAYMENT_BEHAVIORS, "allow_incomplete")
        sub_id, start = _new_id("sub"), self.now
        end = _period_end(start, start, price["recurring"]["interval"])
        item = self._shape(
            "subscription_item", _new_id("si"), current_period_start=start,
            current_period_end=end, discounts=[], plan=self._plan(price),
            price=copy.deepcopy(price), quantity=1, subscription=sub_id, tax_rates=[],
        )  # fmt: skip
        items_list = {"object": "list", "data": [item], "has_more": False, "total_count": 1}
        sub = self._shape(
            "subscription", sub_id,
            "application cancel_at canceled_at ended_at latest_invoice pending_setup_intent"
            " pending_update trial_end trial_start",
            billing_cycle_anchor=start, cancel_at_period_end=False,
            cancellation_details={"comment": None, "feedback": None, "reason": None},
            collection_method="charge_automatically", currency="usd", customer=customer_id,
            default_payment_method=method, description=params.get("description"), discounts=[],
            items={**items_list, "url": f"/v1/subscription_items?subscription={sub_id}"},
            metadata=_merged_metadata({}, params.get("metadata")), start_date=start,
            status="incomplete",
        )  # fmt: skip
        lines = [self._plan_line(sub, price, (start, end))]
        invoice = self._build_invoice(sub, lines, "subscription_create", (start, start))
        if behavior == "error_if_incomplete":
            self._raise_if_unpaid(invoice, sub)
        # Everything is checked: from here on the request changes state.
        self.objects[sub_id] = sub
        customer["currency"] = "usd"
        self._issue(invoice, sub, attempt=behavior != "default_incomplete")
        sub["latest_invoice"] = invoice["id"]
        sub["status"] = "active" if invoice["status"] == "paid" else "incomplete"
        self._emit("customer.subscription.created", sub)
        self._emit_invoice_outcome(invoice)
        return sub

    def _update_subscription(self, params: Json, sub_id: str) -> Json:
        sub = self._lookup(sub_id, "subscription")
        if sub["status"] == "canceled":
            raise StripeError(400, "A canceled subscription can only update its metadata.")
        change = self._requested_change(sub, params)
        cancel_at_end = _flag(params, "cancel_at_period_end")
        method = params.get("default_payment_method")
        if method:
            customer = self.objects[sub["customer"]]
            self._check_payment_method(method, customer, "default_payment_method")
        behavior = _choice(params, "payment_behavior", PAYMENT_BEHAVIORS, "allow_incomplete")
        invoice = None
        if change is not None and change.invoice_now:
            lines = [*self._pending_lines(sub), *change.lines]
            invoice = self._build_invoice(sub, lines, "subscription_update", (self.now, self.now))
            if behavior == "error_if_incomplete":
                self._raise_if_unpaid(invoice, sub)
        # Everything is checked: from here on the request changes state.
        before = copy.deepcopy(sub)
        if method is not None:
            sub["default_payment_method"] = method or None
        sub["metadata"] = _merged_metadata(sub["metadata"], params.get("metadata"))
        if cancel_at_end is not None:
            canceled_at = self.now if cancel_at_end else None
            sub.update(cancel_at_period_end=cancel_at_end, canceled_at=canceled_at)
        if change is not None:
            self._apply_change(sub, change, invoice)
        period_end = sub["items"]["data"][0]["current_period_end"]
        sub["cancel_at"] = period_end if sub["cancel_at_period_end"] else None
        self._emit_update("customer.subscription.updated", sub, before)
        if invoice is not None:
            self._emit_invoice_outcome(invoice)
        return sub

    def _apply_change(self, sub: Json, change: _Change, invoice: Json | None) -> None:
        item = sub["items"]["data"][0]
        if change.period[0] != item["current_period_start"]:
            sub["billing_cycle_anchor"] = change.period[0]
        item.update(price=copy.deepcopy(change.price), plan=self._plan(change.price))
        item["current_period_start"], item["current_period_end"] = change.period
        if invoice is None:
            for line in change.lines:
                self._add_pending_item(sub, line)
            return
        self._issue(invoice, sub)
        sub["latest_invoice"] = invoice["id"]
        if sub["status"] in ("active", "past_due"):  # as its latest invoice goes
            sub["status"] = "active" if invoice["status"] == "paid" else "past_due"

    def _cancel_subscription(self, params: Json, sub_id: str) -> Json:
        sub = self._lookup(sub_id, "subscription")
        if sub["status"] == "canceled":
            raise StripeError(400, f"This subscription is already canceled: {sub_id}")
        self._end(sub)
        return sub

    def _end(self, sub: Json) -> None:
        sub.update(status="canceled", canceled_at=sub["canceled_at"] or self.now, ended_at=self.now)
        sub["cancellation_details"]["reason"] = "cancellation_requested"
        self._emit("customer.subscription.deleted", sub)

    def _requested_change(
        self, sub: Json, params: Json, prefix: str = "", *, preview: bool = False
    ) -> _Change | None:
        """The price change `params` asks for (items, proration_behavior, proration_date)."""
        item = sub["items"]["data"][0]
        items = params.get("items")
        behavior = _choice(
            params, "proration_behavior", PRORATION_BEHAVIORS, "create_prorations", prefix
        )
        start, end = item["current_period_start"], item["current_period_end"]
        when = _int(params, "proration_date", prefix)
        if when is not None and not start <= when <= end:
            param = _param(prefix, "proration_date")
            message = "proration_date must be within the current period of the subscription."
            raise StripeError(400, message, code="parameter_invalid", param=param)
        if items is None:
            return None
        param = _param(prefix, "items")
        if not isinstance(items, list) or len(items) != 1 or not isinstance(items[0], dict):
            raise StripeError(
                400, "This fake changes the one item: pass items[0][id].", param=param
            )
        if items[0].get("id") != item["id"]:
            message = f"Invalid subscription_item id: {items[0].get('id')} (pass {item['id']})"
            raise StripeError(400, message, param=f"{param}[0][id]")
        if items[0].get("price") in (None, item["price"]["id"]):
            return None
        price = self._lookup(items[0]["price"], "price", param=f"{param}[0][price]", status=400)
        when = min(max(self.now, start), end) if when is None else when
        return self._price_change(sub, price, behavior, when, preview=preview)

    def _price_change(
        self, sub: Json, new: Json, behavior: str, when: int, *, preview: bool
    ) -> _Change:
        """Stripe's arithmetic for a price change at `when`: a credit for the unused time on the
        old price, a charge for the time left on the new one. A change of interval restarts the
        billing period now and bills the whole new period at once."""
        item = sub["items"]["data"][0]
        old = item["price"]
        start, end = item["current_period_start"], item["current_period_end"]
        left, length, period = end - when, end - start, (when, end)
        lines = []
        if behavior != "none":
            text = f"Unused time on {self._product_name(old)} after {_day(when)}"
            amount = -_prorate(old["unit_amount"], left, length)
            lines.append(
                self._line(sub, old, amount, text, period, proration=True, preview=preview)
            )
        if old["recurring"]["interval"] == new["recurring"]["interval"]:
            if behavior != "none":
                text = f"Remaining time on {self._product_name(new)} after {_day(when)}"
                amount = _prorate(new["unit_amount"], left, length)
                lines.append(
                    self._line(sub, new, amount, text, period, proration=True, preview=preview)
                )
            return _Change(new, when, lines, behavior == "always_invoice", (start, end))
        new_period = (self.now, _period_end(self.now, self.now, new["recurring"]["interval"]))
        lines.append(self._plan_line(sub, new, new_period, preview=preview))
        return _Change(new, when, lines, True, new_period)

    def _plan(self, price: Json) -> Json:
        return {
            "id": price["id"], "object": "plan", "active": True, "amount": price["unit_amount"],
            "currency": price["currency"], "interval": price["recurring"]["interval"],
            "interval_count": 1, "product": price["product"], "usage_type": "licensed",
        }  # fmt: skip

    def _product_name(self, price: Json) -> str:
        return str(self.objects[price["product"]]["name"])

    # --- invoices -----------------------------------------------------------------------

    def _line(
        self,
        sub: Json,
        price: Json,
        amount: int,
        description: str,
        period: tuple[int, int],
        *,
        proration: bool,
        preview: bool = False,
        invoice_item: str | None = None,
    ) -> Json:
        details: Json = {"invoice_item": invoice_item, "proration": proration}
        details.update(proration_details={"credited_items": None}, subscription=sub["id"])
        if invoice_item is None:
            details["subscription_item"] = sub["items"]["data"][0]["id"]
            parent = {"type": "subscription_item_details", "subscription_item_details": details}
        else:
            parent = {"type": "invoice_item_details", "invoice_item_details": details}
        unit_amount = amount if proration else price["unit_amount"]
        line = self._shape(
            "line_item", _new_id("il_tmp" if preview else "il"), "invoice", amount=amount,
            currency="usd", description=description, discount_amounts=[], discountable=True,
            discounts=[], parent=parent, period={"start": period[0], "end": period[1]},
            pretax_credit_amounts=[], quantity=1, subtotal=amount, taxes=[],
            pricing={
                "price_details": {"price": price["id"], "product": price["product"]},
                "type": "price_details", "unit_amount_decimal": str(unit_amount),
            },
        )  # fmt: skip
        del line["created"]
        return line

    def _plan_line(
        self, sub: Json, price: Json, period: tuple[int, int], *, preview: bool = False
    ) -> Json:
        amount, interval = price["unit_amount"], price["recurring"]["interval"]
        times = "\N{MULTIPLICATION SIGN}"  # "1 x Basic (at $29.00 / month)", with a real times sign
        text = f"1 {times} {self._product_name(price)} (at ${amount / 100:,.2f} / {interval})"
        return self._line(sub, price, amount, text, period, proration=False, preview=preview)

    def _add_pending_item(self, sub: Json, line: Json) -> None:
        subscription = {
            "subscription": sub["id"],
            "subscription_item": sub["items"]["data"][0]["id"],
        }
        pending = self._shape(
            "invoiceitem", _new_id("ii"), "invoice", amount=line["amount"], currency="usd",
            customer=sub["customer"], date=self.now, description=line["description"],
            discountable=False, period=dict(line["period"]), pricing=copy.deepcopy(line["pricing"]),
            parent={"type": "subscription_details", "subscription_details": subscription},
            proration=True, quantity=1,
        )  # fmt: skip
        self.objects[pending["id"]] = pending
        self._emit("invoiceitem.created", pending)

    def _pending_lines(self, sub: Json, *, preview: bool = False) -> list[Json]:
        """The items of `sub` not invoiced yet, as lines of its next invoice."""
        lines = []
        for pending in self.objects.values():
            if pending["object"] != "invoiceitem" or pending["invoice"] is not None:
                continue
            if pending["parent"]["subscription_details"]["subscription"] != sub["id"]:
                continue
            price = self.objects[pending["pricing"]["price_details"]["price"]]
            period = (pending["period"]["start"], pending["period"]["end"])
            line = self._line(
                sub, price, pending["amount"], pending["description"], period, proration=True,
                preview=preview, invoice_item=pending["id"],
            )  # fmt: skip
            lines.append(line)
        return lines

    def _build_invoice(
        self,
        sub: Json,
        lines: list[Json],
        reason: str,
        period: tuple[int, int],
        *,
        preview: bool = False,
    ) -> Json:
        """A draft invoice, the customer balance applied as Stripe applies it when it finalizes:
        a credit (negative balance) lowers what is due, a negative total becomes credit."""
        customer = self.objects[sub["customer"]]
        total = sum(line["amount"] for line in lines)
        due = total + customer["balance"]
        invoice_id = _new_id("upcoming_in" if preview else "in")
        subscription = {"metadata": dict(sub["metadata"]), "subscription": sub["id"]}
        subscription["subscription_proration_date"] = None
        return self._shape(
            "invoice", invoice_id,
            "confirmation_secret default_payment_method description due_date next_payment_attempt"
            " number",
            account_country="US", account_name="Trackr (fake Stripe)", amount_due=max(due, 0),
            amount_overpaid=0, amount_paid=0, amount_remaining=max(due, 0), attempt_count=0,
            attempted=False, auto_advance=True, billing_reason=reason,
            collection_method="charge_automatically", currency="usd", customer=customer["id"],
            customer_email=customer["email"], customer_name=customer["name"], discounts=[],
            ending_balance=min(due, 0), starting_balance=customer["balance"], status="draft",
            lines={
                "object": "list", "data": lines, "has_more": False, "total_count": len(lines),
                "url": f"/v1/invoices/{invoice_id}/lines",
            },
            parent={"type": "subscription_details", "subscription_details": subscription},
            period_start=period[0], period_end=period[1],
            status_transitions=dict.fromkeys(("finalized_at", "paid_at", "voided_at")),
            subtotal=total, subtotal_excluding_tax=total, total=total, total_excluding_tax=total,
            total_discount_amounts=[], total_taxes=[],
        )  # fmt: skip

    def _payment_method_for(self, sub: Json) -> str | None:
        customer = self.objects[sub["customer"]]
        method: str | None = sub["default_payment_method"]
        return method or customer["invoice_settings"]["default_payment_method"]

    def _raise_if_unpaid(self, invoice: Json, sub: Json) -> None:
        """`payment_behavior=error_if_incomplete`: refuse if the payment would fail."""
        if invoice["amount_due"] > 0 and self._payment_method_for(sub) is None:
            message = "This customer has no attached payment source or default payment method."
            raise StripeError(400, message, code="resource_missing")
        if invoice["amount_due"] > 0 and self.decline_cards:
            raise _card_declined()

    def _issue(self, invoice: Json, sub: Json, *, attempt: bool = True) -> None:
        """Finalize a draft (its number, the balance applied, the pending items taken) and try
        to collect it."""
        customer = self.objects[invoice["customer"]]
        invoice["status"] = "open"
        invoice["number"] = f"{customer['invoice_prefix']}-{customer['next_invoice_sequence']:04d}"
        invoice["status_transitions"]["finalized_at"] = self.now
        invoice["parent"]["subscription_details"]["metadata"] = dict(sub["metadata"])
        customer["next_invoice_sequence"] += 1
        customer["balance"] = invoice["ending_balance"]
        for line in invoice["lines"]["data"]:
            line["invoice"] = invoice["id"]
            if line["parent"]["type"] == "invoice_item_details":
                pending = line["parent"]["invoice_item_details"]["invoice_item"]
                self.objects[pending]["invoice"] = invoice["id"]
        self.objects[invoice["id"]] = invoice
        if not attempt:
            return
        if invoice["amount_due"] > 0:
            invoice["attempted"] = True
            invoice["attempt_count"] += 1
            if self._payment_method_for(sub) is None or self.decline_cards:
                invoice["next_payment_attempt"] = self.now + 3 * DAY
                return
        self._mark_paid(invoice)

    def _mark_paid(self, invoice: Json) -> None:
        invoice.update(status="paid", amount_paid=invoice["amount_due"], amount_remaining=0)
        invoice["next_payment_attempt"] = None
        invoice["status_transitions"]["paid_at"] = self.now

    def _emit_invoice_outcome(self, invoice: Json) -> None:
        if invoice["starting_balance"] != invoice["ending_balance"]:
            customer = self.objects[invoice["customer"]]
            self._emit("customer.updated", customer, {"balance": invoice["starting_balance"]})
        if invoice["status"] == "paid":
            self._emit("invoice.paid", invoice)
        elif invoice["attempted"]:
            self._emit("invoice.payment_failed", invoice)

    def _preview_invoice(self, params: Json, _: str) -> Json:
        """The next invoice of a subscription, or the one a change in `subscription_details`
        would bring: at once for `always_invoice` or a new interval, else at the renewal.
        For a customer without a live subscription, the first invoice of the one
        `subscription_details` describes."""
        if not params.get("subscription") and not self._live_subscriptions(params):
            first = self._first_invoice_preview(params)
            if first is not None:
                return first
        sub = self._previewed_subscription(params)
        item = sub["items"]["data"][0]
        prefix = "subscription_details"
        details = _hash(params, prefix)
        for name in sorted(set(details) - {"items", "proration_behavior", "proration_date"}):
            param = _param(prefix, name)
            message = f"Received unknown parameter: {param}"
            raise StripeError(400, message, code="parameter_unknown", param=param)
        change = self._requested_change(sub, details, prefix, preview=True)
        lines = self._pending_lines(sub, preview=True)
        if change is not None and change.invoice_now:
            period = (self.now, self.now)
            invoice = self._build_invoice(
                sub, lines + change.lines, "subscription_update", period, preview=True
            )
            invoice["next_payment_attempt"] = self.now
        else:
            if sub["cancel_at_period_end"]:
                message = f"No upcoming invoices for customer: {sub['customer']}"
                raise StripeError(404, message, code="invoice_upcoming_none")
            price = change.price if change else item["price"]
            start, end = item["current_period_start"], item["current_period_end"]
            next_end = _period_end(sub["billing_cycle_anchor"], end, price["recurring"]["interval"])
            lines += change.lines if change else []
            lines.append(self._plan_line(sub, price, (end, next_end), preview=True))
            invoice = self._build_invoice(sub, lines, "upcoming", (start, end), preview=True)
            invoice["next_payment_attempt"] = end
        if change is not None:
            invoice["parent"]["subscription_details"]["subscription_proration_date"] = change.when
        return invoice

    def _live_subscriptions(self, params: Json) -> list[Json]:
        return [
            s
            for s in self.objects.values()
            if s["object"] == "subscription"
            and s["customer"] == params.get("customer")
            and s["status"] != "canceled"
        ]

    def _first_invoice_preview(self, params: Json) -> Json | None:
        """What subscribing to `subscription_details[items][0][price]` would invoice now:
        the whole first period, the customer's credit applied."""
        items = _hash(params, "subscription_details").get("items")
        if not items or not items[0].get("price"):
            return None
        self._lookup(_required(params, "customer"), "customer", param="customer", status=400)
        param = "subscription_details[items][0][price]"
        price = self._lookup(items[0]["price"], "price", param=param, status=400)
        end = _period_end(self.now, self.now, price["recurring"]["interval"])
        # Not stored: the shape the invoice of a subscription about to exist would have.
        sub: Json = {
            "id": None,
            "customer": params["customer"],
            "metadata": {},
            "items": {"data": [{"id": None}]},
        }
        line = self._plan_line(sub, price, (self.now, end), preview=True)
        invoice = self._build_invoice(
            sub, [line], "subscription_create", (self.now, self.now), preview=True
        )
        invoice["next_payment_attempt"] = self.now
        return invoice

    def _previewed_subscription(self, params: Json) -> Json:
        customer_id = params.get("customer")
        if params.get("subscription"):
            sub = self._lookup(
                params["subscription"], "subscription", param="subscription", status=400
            )
            if customer_id and customer_id != sub["customer"]:
                message = f"The subscription does not belong to {customer_id}."
                raise StripeError(400, message, param="customer")
        else:
            self._lookup(_required(params, "customer"), "customer", param="customer", status=400)
            subs = [
                s
                for s in self.objects.values()
                if s["object"] == "subscription" and s["customer"] == customer_id
            ]
            live = [s for s in subs if s["status"] != "canceled"]
            sub = live[-1] if live else {"status": "canceled", "customer": customer_id}
        if sub["status"] == "canceled":
            message = f"No upcoming invoices for customer: {sub['customer']}"
            raise StripeError(404, message, code="invoice_upcoming_none")
        return sub

    # --- events -------------------------------------------------------------------------

    def _list_events(self, params: Json, _: str) -> Json:
        """Newest first, as Stripe lists them; `starting_after` pages to older ones."""
        limit = _int(params, "limit") or 10
        if not 1 <= limit <= 100:
            message = "limit must be between 1 and 100."
            raise StripeError(400, message, code="parameter_invalid", param="limit")
        wanted = params.get("type")
        events = [e for e in reversed(self.events) if wanted in (None, e["type"])]
        after = params.get("starting_after")
        if after:
            ids = [e["id"] for e in events]
            if after not in ids:
                message = f"No such event: '{after}'"
                raise StripeError(400, message, code="resource_missing", param="starting_after")
            events = events[ids.index(after) + 1 :]
        page = events[:limit]
        return {
            "object": "list",
            "data": page,
            "has_more": len(events) > limit,
            "url": "/v1/events",
        }
