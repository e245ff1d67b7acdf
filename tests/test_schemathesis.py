"""Property-based contract testing: schemathesis drives every operation of the contract.

- In process: the app is served by uvicorn on 127.0.0.1 (a free port) from a thread of this
  process, with its own event loop, so its asyncpg pool and Redis client stay on the loop
  that created them (an ASGI test client may run each call on a new loop).
- Every call carries an admin's bearer token (all permissions, via schemathesis's auth
  provider), so operations are exercised past authentication; schemathesis still sends some
  without credentials or with bad ones (negative cases, the `ignored_auth` check).
- All of schemathesis's default checks run on every response (`case.call_and_validate()`
  with no `checks=`): not_a_server_error, status_code_conformance, content_type_conformance,
  response_headers_conformance, response_schema_conformance, positive_data_acceptance,
  negative_data_rejection, missing_required_header, unsupported_method,
  allow_header_conformance, ignored_auth, use_after_free, ensure_resource_availability and
  object_level_authorization (the last three need a stateful run's history, so they pass
  here without asserting anything). Over the explicit-examples, coverage and fuzzing
  phases, in positive and negative modes, deterministically (`derandomize`), with 50 fuzzed
  examples per operation (fewer only where the inputs allow fewer: the health probes take
  none), besides the coverage phase's own cases.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import uuid
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import pytest
import schemathesis
import stripe
import uvicorn
from hypothesis import HealthCheck, settings
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from app.errors import ValidationFailed
from app.geofence.service import parse_bbox
from app.kit.phone import to_e164
from app.main import create_app
from app.order.appointment.service import EARLIEST as SCHEDULE_EARLIEST
from app.order.appointment.service import LATEST as SCHEDULE_LATEST
from app.order.appointment.service import MAX_PERIOD_DAYS as SCHEDULE_MAX_DAYS
from app.report.service import EARLIEST, LATEST, MAX_PERIOD_DAYS
from devtools.contract import current_schema
from tests.conftest import (
    STRIPE_WEBHOOK_SECRET,
    make_settings,
    stripe_settings,
    weather_settings,
)
from tests.factories import PASSWORD, unique_email
from tests.fakes.stripe import FakeStripe
from tests.fakes.weather import FakeWeather
from workers.reminders import scan

MAX_EXAMPLES = 50
# The operations whose required period a client keeps within the schedule's limits.
SCHEDULE_PERIODS = frozenset({"/v1/appointments", "/v1/users/{user_id}/availability"})
IDEMPOTENCY_KEY = "Idempotency-Key"
# Body fields of the `Phone` type (app/kit/phone.py), and a number it accepts.
PHONE_FIELDS = ("phone", "alt_phone")
VALID_PHONE = "+1 415 555 0132"

Case = schemathesis.Case[Any]

# The app's own schema: what `make openapi` commits (tests/test_contract.py keeps them equal).
schema = schemathesis.openapi.from_dict(current_schema())


@schema.auth(refresh_interval=None)
class AdminToken:
    """Puts the fuzzing company's admin token on every generated case, except those that
    schemathesis sends without credentials on purpose (it knows which, being told here).

    The coverage phase builds its cases when the test is collected, before any fixture has
    signed the admin up; so cases carry a placeholder, which `FuzzClient.prepare` replaces with
    the real token just before the call.
    """

    PLACEHOLDER = "admin-token-not-yet-issued"

    def get(self, case: Case, context: schemathesis.AuthContext) -> str:
        return self.PLACEHOLDER

    def set(self, case: Case, data: str, context: schemathesis.AuthContext) -> None:
        case.headers["Authorization"] = f"Bearer {data}"


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # the test process owns its signals
        pass


@pytest.fixture(scope="module")
def database_url(module_database_url: str) -> str:
    """One database for the module: every fuzzed call goes to one live server and company."""
    return module_database_url


@pytest.fixture(scope="module")
def live_server(
    database_url: str, redis_url: str, fake_stripe: FakeStripe, fake_weather: FakeWeather
) -> Iterator[str]:
    """The app, served by uvicorn from a thread of this process; yields its base URL. Its
    billing talks to the session's fake Stripe, its weather to the fake provider."""
    application = create_app(
        make_settings(
            database_url,
            redis_url,
            **stripe_settings(fake_stripe),
            **weather_settings(fake_weather),
        )
    )
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Inherited by accepted connections: no ~40 ms wait on the client's delayed ACK when an
    # answer is written in two parts.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = _Server(
        uvicorn.Config(application, lifespan="on", log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


@dataclass
class FuzzClient:
    """What a well-behaved client knows that a contract cannot say.

    A schema-valid request can still be one no client would send: a made-up pagination
    cursor (cursors are opaque and signed: only a `next_cursor` is one), a reused
    Idempotency-Key with another request (the draft makes that a 422: keys are unique per
    request), or a reference to a row that does not exist. For such a request the API's
    422 is right, and `positive_data_acceptance` would call it a failure; so positive cases
    are made into what a client would send, keeping everything else the fuzzer generated.
    Random ids in paths stay random: they answer 404, which the contract documents.
    """

    base_url: str
    token: str
    # (list path, sort or None) -> a cursor the server issued for that list and sort
    cursors: dict[tuple[str, str | None], str] = field(default_factory=dict)
    # body field -> ids of existing rows it may name
    references: dict[str, list[str]] = field(default_factory=dict)
    # path parameter -> an existing row's id, to read the second page of nested lists
    path_ids: dict[str, str] = field(default_factory=dict)

    def prepare(self, case: Case) -> None:
        if case.headers.get("Authorization") == f"Bearer {AdminToken.PLACEHOLDER}":
            case.headers["Authorization"] = f"Bearer {self.token}"
        key = case.headers.get(IDEMPOTENCY_KEY)
        if isinstance(key, str) and 1 <= len(key) <= 255:
            # Keep what was generated, and make it unique to this request.
            case.headers[IDEMPOTENCY_KEY] = f"{key[:200]}.{uuid.uuid4().hex}"
        if case.meta is None or not case.meta.generation.mode.is_positive:
            return
        if case.headers:
            # A client sends the ETag it read; a made-up one is rightly a 412.
            case.headers.pop("If-Match", None)
        if isinstance(case.query, dict):
            case.query = self._positive_query(case.path, dict(case.query))
        if isinstance(case.body, dict):
            case.body = self._positive_body(case.path, _valid_polygon(dict(case.body)))
        _an_image_for_a_logo(case)
        if case.path == "/v1/webhooks/stripe" and isinstance(case.body, dict):
            # Stripe signs what it sends; the signature covers the bytes the transport
            # sends for a JSON body (`requests`: json.dumps with its default separators).
            payload = json.dumps(case.body, allow_nan=False)
            case.headers["Stripe-Signature"] = stripe.WebhookSignature.generate_signature_header(
                payload, STRIPE_WEBHOOK_SECRET
            )

    def _positive_query(self, path: str, query: dict[str, Any]) -> dict[str, Any]:
        """The query a client would send: periods and boxes a route accepts, and only the
        cursors the server issued."""
        if path == "/v1/reports/sales":
            query = self._within_a_year(query)
        if path in SCHEDULE_PERIODS:
            query = self._a_schedule_period(query)
        if path == "/v1/geofences":
            query = self._a_map_box(query)
        if path == "/v1/events/feed":
            # Like `cursor`: only a `next_cursor` the feed issued is an `after`.
            query.pop("after", None)
        if "cursor" in query:
            cursor = self.cursors.get((path, query.get("sort")))
            if cursor is None:
                del query["cursor"]
            else:
                query["cursor"] = cursor
        return query

    @staticmethod
    def _within_a_year(query: dict[str, Any]) -> dict[str, Any]:
        """The sales report covers at most 366 days (a 422 naming `to` otherwise), of days
        that are days in every timezone (not the calendar's first and last), which a
        contract cannot say: a client asks for a period it may ask for."""
        try:
            first = date.fromisoformat(str(query["from"]))
            last = date.fromisoformat(str(query["to"]))
        except (KeyError, ValueError):
            return query
        if not EARLIEST <= first <= LATEST:
            first = min(max(first, EARLIEST), LATEST)
            query["from"] = first.isoformat()
        if not 0 <= (last - first).days < MAX_PERIOD_DAYS:
            query["to"] = query["from"]
        return query

    @staticmethod
    def _a_map_box(query: dict[str, Any]) -> dict[str, Any]:
        """A map's box is four numbers in range, south of north, which the contract's
        pattern says only in part: a client sends a box it may send."""
        try:
            parse_bbox(str(query.get("bbox")))
        except ValidationFailed:
            query["bbox"] = "-180,-90,180,90"
        return query

    @staticmethod
    def _a_schedule_period(query: dict[str, Any]) -> dict[str, Any]:
        """The schedule and availability take a period after `from`, of at most 92 days,
        within EARLIEST..LATEST (a 422 otherwise), which a contract cannot say."""
        try:
            first = datetime.fromisoformat(str(query["from"]))
            last = datetime.fromisoformat(str(query["to"]))
        except (KeyError, ValueError):
            return query
        if first.tzinfo is None or last.tzinfo is None:
            return query
        if not SCHEDULE_EARLIEST <= first <= SCHEDULE_LATEST - timedelta(days=1):
            first = SCHEDULE_EARLIEST
            query["from"] = first.isoformat()
        if not timedelta(0) < last - first <= timedelta(days=SCHEDULE_MAX_DAYS):
            query["to"] = (first + timedelta(days=1)).isoformat()
        return query

    def _positive_body(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """The body as a client would send it, at any depth (a bulk update nests the
        customer's fields under `fields`)."""
        if path == "/v1/order-statuses/order" and "ids" in body:
            # A reorder names exactly the company's statuses (the fuzzer adds some), in any
            # order.
            with httpx.Client(base_url=self.base_url) as http:
                listed = http.get(
                    "/v1/order-statuses",
                    params={"limit": 200},
                    headers={"Authorization": f"Bearer {self.token}"},
                )
            body["ids"] = [s["id"] for s in reversed(listed.json()["data"])]
            return body
        if path.startswith("/v1/billing/subscription"):
            # A proration date lies in the subscription's current period, which only Stripe
            # knows: a client sends the one a preview returned, or none.
            body.pop("proration_date", None)
        if path == "/v1/orders" and body.get("customer") and body.get("customer_id"):
            # An order's customer is either an existing one or a new one, not both.
            del body["customer_id"]
        for name, sent in body.items():
            ids = self.references.get(name)
            if ids and isinstance(sent, list):
                body[name] = [ids[i % len(ids)] for i in range(len(sent))]
            elif ids and isinstance(sent, str):
                body[name] = ids[len(sent) % len(ids)]
            elif name in PHONE_FIELDS and isinstance(sent, str) and not _possible_phone(sent):
                # No JSON schema can say which digit strings are possible phone numbers
                # (that depends on the country's numbering plan), so the contract states
                # characters and length only and the API answers 422 naming the field
                # for, say, "0". A client sends a real number.
                body[name] = VALID_PHONE
            elif name == "timezone" and isinstance(sent, str) and sent not in _ZONES:
                # Which names exist is the tz database's, not the contract's.
                body[name] = "UTC"
            elif isinstance(sent, dict) and (
                name == "custom_fields" or (path, name) == ("/v1/company/order-form", "fields")
            ):
                # Checked against the company's own definitions, which no contract can
                # list: a client sends values of fields it defined (none here), and puts
                # on its order form (`cf.<key>`) only custom fields it defined.
                body[name] = {k: v for k, v in sent.items() if name == "fields" and k[:3] != "cf."}
            elif isinstance(sent, dict):
                body[name] = self._positive_body(path, dict(sent))
        if path == "/v1/orders" and (body.get("location_id") or body.get("contact_id")):
            # An order's location and contact are its customer's: a client picks them from
            # that customer's lists (the references above are the first customer's).
            body.pop("customer", None)
            body["customer_id"] = self.path_ids["customer_id"]
        # A required custom field would make every later customer without it a 422;
        # the fuzzer may define fields, but not demand them of everything after.
        if path == "/v1/custom-fields" and body.get("required") is True:
            body["required"] = False
        return body


_ZONES = zoneinfo.available_timezones()
VALID_RING = [[7.0, 45.0], [7.01, 45.0], [7.01, 45.01], [7.0, 45.01], [7.0, 45.0]]


def _valid_polygon(body: dict[str, Any]) -> dict[str, Any]:
    """Whether a ring is simple (no self-intersection) no JSON schema can say: a client
    draws a valid polygon."""
    geometry = body.get("geometry")
    if isinstance(geometry, dict) and geometry.get("type") == "Polygon":
        body["geometry"] = {"type": "Polygon", "coordinates": [VALID_RING]}
    return body


def _fuzz_circle(north: float) -> dict[str, Any]:
    return {"type": "Circle", "latitude": 45.0 + north, "longitude": 7.0, "radius_m": 200}


def _an_image_for_a_logo(case: Case) -> None:
    """A logo is an image, which its bytes decide and no contract can say: the generated
    text behind a GIF signature (ASCII, so the part stays a string as the contract says)."""
    if case.path == "/v1/company/order-form/logo" and isinstance(case.body, dict):
        sent = case.body.get("file")
        if isinstance(sent, str):
            case.body = {**case.body, "file": "GIF89a" + sent}


def _scan_reminders(database_url: str) -> None:
    """Notifications come from the reminder scan only: run it on the database, as the
    worker does."""

    async def run() -> None:
        engine = create_async_engine(database_url)
        try:
            await scan(async_sessionmaker(engine))
        finally:
            await engine.dispose()

    asyncio.run(run())


def _possible_phone(value: str) -> bool:
    try:
        to_e164(value)
    except ValueError:
        return False
    return True


def _list_operations() -> list[tuple[str, list[str | None], dict[str, Any]]]:
    """Every paginated list (it takes `cursor`) with each `sort` it offers (None: default),
    and its required query parameters (a period) set to their first example."""
    lists = []
    for path, item in schema.raw_schema["paths"].items():
        parameters = {p["name"]: p for p in item.get("get", {}).get("parameters", [])}
        if "cursor" not in parameters:
            continue
        sort = parameters.get("sort", {}).get("schema", {})
        required = {
            name: p["schema"]["examples"][0]
            for name, p in parameters.items()
            if p.get("required") and p.get("in") == "query"
        }
        lists.append((path, [None, *sort.get("enum", [])], required))
    return lists


@pytest.fixture(scope="module")
def fuzz_client(live_server: str, database_url: str, fake_stripe: FakeStripe) -> FuzzClient:
    """A company of its own whose admin has made a few rows of everything there is to list,
    and read the second page of every list."""
    with httpx.Client(base_url=live_server, timeout=30) as http:
        response = http.post(
            "/v1/signup",
            json={
                "company_name": "Schemathesis Co",
                "name": "Fuzz Admin",
                "email": unique_email("fuzz"),
                "password": PASSWORD,
            },
        )
        assert response.status_code == 201, response.text
        token = response.json()["token"]["access_token"]
        client = FuzzClient(live_server, token)
        http.headers["Authorization"] = f"Bearer {token}"

        def create(path: str, body: dict[str, Any]) -> str:
            created = http.post(path, json=body)
            assert created.status_code == 201, created.text
            row_id: str = created.json()["id"]
            return row_id

        client.references["group_ids"] = [
            create("/v1/groups", {"name": f"Fuzz {n}", "permissions": ["customers:read"]})
            for n in range(3)
        ]
        client.references["tag_ids"] = [create("/v1/tags", {"name": f"Fuzz {n}"}) for n in range(2)]
        client.references["contact_type_ids"] = [
            create("/v1/contact-types", {"name": f"Fuzz {n}"}) for n in range(2)
        ]
        vendor_ids = [
            create(
                "/v1/vendors",
                {
                    "name": f"Fuzz Vendor {n}",
                    "contact_type_ids": client.references["contact_type_ids"],
                },
            )
            for n in range(2)
        ]
        client.path_ids["vendor_id"] = vendor_ids[0]
        for n in range(2):
            create(f"/v1/vendors/{vendor_ids[0]}/notes", {"body": f"Fuzz {n}"})
        users = []
        for n in range(2):
            users.append(
                create(
                    "/v1/users",
                    {"email": unique_email("fuzz"), "name": f"User {n}", "password": PASSWORD},
                )
            )
            create("/v1/api-keys", {"name": f"Fuzz {n}", "permissions": ["customers:read"]})
            create(
                "/v1/custom-fields",
                {"entity": "order", "key": f"fuzz_{n}", "label": f"Fuzz {n}", "type": "text"},
            )
        customer_ids = [create("/v1/customers", {"name": f"Fuzz Customer {n}"}) for n in range(2)]
        client.path_ids["customer_id"] = customer_ids[0]
        for n in range(2):
            client.references.setdefault("contact_id", []).append(
                create(f"/v1/customers/{customer_ids[0]}/contacts", {"first_name": f"Fuzz {n}"})
            )
            client.references.setdefault("location_id", []).append(
                create(
                    f"/v1/customers/{customer_ids[0]}/locations",
                    {"address_line1": f"{n + 1} Fuzz Street", "country": "US"},
                )
            )
            create(f"/v1/customers/{customer_ids[0]}/notes", {"body": f"Fuzz {n}"})
            create(
                f"/v1/customers/{customer_ids[0]}/equipment",
                {"type": f"Fuzz {n}", "installed_on": "2026-01-31", "warranty_months": 12},
            )
            create(
                f"/v1/customers/{customer_ids[0]}/reminders",
                {"due_on": f"2031-01-0{n + 1}", "assigned_user_id": users[0], "message": "Fuzz"},
            )
        client.references["customer_id"] = customer_ids
        # Two fences at the first location, and a drive through them: events to list.
        location_id = client.references["location_id"][0]
        client.path_ids["location_id"] = location_id
        for n in range(2):
            create(
                f"/v1/customers/{customer_ids[0]}/locations/{location_id}/geofences",
                {"name": f"Fuzz {n}", "geometry": _fuzz_circle(0.01 * n)},
            )
        drive = [
            {
                "latitude": 45.0,
                "longitude": 6.99 + 0.001 * i,
                "accuracy_m": 5,
                "recorded_at": f"2026-12-01T09:{i:02d}:00Z",
            }
            for i in range(40)
        ]
        driven = http.post("/v1/me/positions", json={"positions": drive})
        assert len(driven.json()["events"]) >= 2, driven.text
        # A card on file at the fake Stripe, as Stripe.js would have collected it: a client
        # makes the company's own card the default, and subscribes with one on file.
        intent = http.post("/v1/billing/setup-intent")
        assert intent.status_code == 201, intent.text
        card = fake_stripe.confirm_setup_intent(intent.json()["id"])
        client.references["payment_method_id"] = [card]
        assert http.put("/v1/billing/payment-method", json={"payment_method_id": card}).is_success
        client.references["user_id"] = client.references["user_ids"] = users
        client.references["assigned_user_id"] = users
        client.references["warranty_expiry_recipient_ids"] = users
        client.references["notify_user_ids"] = users
        client.references["review_recipient_ids"] = users
        statuses = http.get("/v1/order-statuses", params={"limit": 200}).json()["data"]
        client.references["status_ids"] = [s["id"] for s in statuses]
        client.references["status_id"] = client.references["status_ids"]
        order_ids = [create("/v1/orders", {"title": f"Fuzz order {n}"}) for n in range(2)]
        # The admin's control panel: two order reminders long due, and a reminder scan.
        admin_id = response.json()["user"]["id"]
        for n in range(2):
            reminded = create(
                "/v1/orders", {"title": f"Fuzz reminder {n}", "reminder_on": "2020-01-15"}
            )
            assigned = http.post(
                f"/v1/orders/{reminded}/assignees", json={"user_id": admin_id, "role": "other"}
            )
            assert assigned.status_code == 201, assigned.text
        _scan_reminders(database_url)
        client.path_ids["order_id"] = order_ids[0]
        order = f"/v1/orders/{order_ids[0]}"
        for n in range(2):
            client.references.setdefault("invoice_item_id", []).append(
                create(
                    "/v1/invoice-items", {"sku": f"FZ-{n}", "name": f"Fuzz {n}", "unit_amount": 100}
                )
            )
            # A large total, so that fuzzed payments have a balance to pay.
            create(f"{order}/items", {"name": f"Fuzz {n}", "unit_amount": 10**9, "quantity": 1})
            create(f"{order}/payments", {"amount": 100, "method": "cash"})
            create(
                f"{order}/appointments",
                {"kind": "appointment", "starts_at": f"2026-12-0{n + 1}T09:00:00Z"},
            )
            create(f"{order}/checklist", {"text": f"Fuzz {n}"})
            create(f"{order}/notes", {"body": f"Fuzz {n}"})
        for n in range(2):
            uploaded = http.post(
                f"/v1/orders/{order_ids[0]}/files",
                files={"file": (f"fuzz-{n}.txt", b"fuzz", "text/plain")},
            )
            assert uploaded.status_code == 201, uploaded.text
            attached = http.post(
                f"/v1/customers/{customer_ids[0]}/attachments",
                files={"file": (f"fuzz-{n}.pdf", b"fuzz", "application/pdf")},
            )
            assert attached.status_code == 201, attached.text
        for path, sorts, required in _list_operations():
            for sort in sorts:
                params: dict[str, str | int] = {"limit": 1, **required}
                if sort is not None:
                    params["sort"] = sort
                page = http.get(path.format_map(client.path_ids), params=params)
                assert page.status_code == 200, page.text
                assert page.json()["next_cursor"], f"{path} has a single row"
                client.cursors[(path, sort)] = page.json()["next_cursor"]
    return client


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_conforms_to_its_contract(case: Case, fuzz_client: FuzzClient) -> None:
    fuzz_client.prepare(case)
    case.call_and_validate(base_url=fuzz_client.base_url)
