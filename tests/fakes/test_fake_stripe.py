"""The fake Stripe, driven by the real SDK over HTTP: customers, cards, subscriptions and their
prorations, idempotent replays, injected faults, events and their signatures."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
import stripe

from tests.fakes.stripe import FakeStripe, parse_params

DAY = 86_400
SECRET = "whsec_test_secret"


@pytest.fixture(scope="module")
def running_fake() -> Iterator[FakeStripe]:
    with FakeStripe() as fake:
        yield fake


@pytest.fixture
def fake(running_fake: FakeStripe) -> FakeStripe:
    running_fake.reset()
    return running_fake


Clients = Callable[..., stripe.StripeClient]


@pytest.fixture
async def clients(fake: FakeStripe) -> AsyncIterator[Clients]:
    """Makes SDK clients of the fake (with another timeout or API key), closed afterwards."""
    made: list[stripe.HTTPXClient] = []

    def make(timeout: float = 2, api_key: str = "sk_test_x") -> stripe.StripeClient:
        made.append(stripe.HTTPXClient(timeout=timeout))
        return stripe.StripeClient(
            api_key, base_addresses={"api": fake.url}, http_client=made[-1], max_network_retries=0
        )

    yield make
    for http in made:
        await http.close_async()  # type: ignore[no-untyped-call]


@pytest.fixture
def sdk(clients: Clients) -> stripe.StripeClient:
    return clients()


def _prorated(amount: int, left: int, length: int) -> int:
    return int((Decimal(amount) * left / length).quantize(Decimal(1), rounding=ROUND_HALF_UP))


async def _customer_with_card(sdk: stripe.StripeClient, fake: FakeStripe) -> tuple[str, str]:
    customer = await sdk.v1.customers.create_async(params={"email": "ada@example.com"})
    intent = await sdk.v1.setup_intents.create_async(params={"customer": customer.id})
    method = fake.confirm_setup_intent(intent.id)
    settings: Any = {"invoice_settings": {"default_payment_method": method}}
    await sdk.v1.customers.update_async(customer.id, params=settings)
    return customer.id, method


async def _subscribe(
    sdk: stripe.StripeClient, fake: FakeStripe, price: str = "price_basic_month"
) -> stripe.Subscription:
    customer_id, _ = await _customer_with_card(sdk, fake)
    items: Any = [{"price": price}]
    return await sdk.v1.subscriptions.create_async(params={"customer": customer_id, "items": items})


def _change(sub: stripe.Subscription, price: str, behavior: str, when: int) -> Any:
    item_id = sub["items"].data[0].id
    items = [{"id": item_id, "price": price}]
    return {"items": items, "proration_behavior": behavior, "proration_date": when}


def test_form_parameters_become_nested_hashes_and_lists() -> None:
    pairs = [
        ("customer", "cus_1"),
        ("items[0][price]", "price_a"),
        ("items[1][price]", "price_b"),
        ("metadata[0]", "kept as a key"),
        ("expand[]", "latest_invoice"),
        ("expand[]", "customer"),
        ("subscription_details[items][0][id]", "si_1"),
    ]
    assert parse_params(pairs) == {
        "customer": "cus_1",
        "items": [{"price": "price_a"}, {"price": "price_b"}],
        "metadata": {"0": "kept as a key"},
        "expand": ["latest_invoice", "customer"],
        "subscription_details": {"items": [{"id": "si_1"}]},
    }


async def test_a_customer_is_created_read_and_updated(
    sdk: stripe.StripeClient, fake: FakeStripe
) -> None:
    params: Any = {"email": "ada@example.com", "name": "Acme", "metadata": {"company_id": "c1"}}
    created = await sdk.v1.customers.create_async(params=params)
    assert created.id.startswith("cus_")
    assert (created.object, created.balance, created.livemode) == ("customer", 0, False)
    read = await sdk.v1.customers.retrieve_async(created.id)
    assert read.to_dict()["metadata"] == {"company_id": "c1"}
    assert (read.email, read.name) == ("ada@example.com", "Acme")

    update: Any = {"email": "office@example.com", "metadata": {"plan": "basic"}}
    updated = await sdk.v1.customers.update_async(created.id, params=update)
    assert updated.email == "office@example.com"
    assert updated.to_dict()["metadata"] == {"company_id": "c1", "plan": "basic"}
    [event] = fake.events_of("customer.updated")
    assert event["data"]["previous_attributes"] == {
        "email": "ada@example.com",
        "metadata": {"company_id": "c1"},
    }
    assert event["data"]["object"]["email"] == "office@example.com"


async def test_a_request_needs_a_test_key_and_a_known_object_and_parameter(
    fake: FakeStripe, sdk: stripe.StripeClient, clients: Clients
) -> None:
    live = clients(api_key="sk_live_x")
    with pytest.raises(stripe.AuthenticationError):
        await live.v1.customers.create_async()
    with pytest.raises(stripe.InvalidRequestError) as missing:
        await sdk.v1.customers.retrieve_async("cus_nope")
    assert (missing.value.http_status, missing.value.code) == (404, "resource_missing")
    typo: Any = {"emial": "typo@example.com"}
    with pytest.raises(stripe.InvalidRequestError) as unknown:
        await sdk.v1.customers.create_async(params=typo)
    assert (unknown.value.http_status, unknown.value.param) == (400, "emial")
    customer = await sdk.v1.customers.create_async()
    gold: Any = {"customer": customer.id, "items": [{"price": "price_gold"}]}
    with pytest.raises(stripe.InvalidRequestError) as no_price:
        await sdk.v1.subscriptions.create_async(params=gold)
    assert (no_price.value.code, no_price.value.param) == ("resource_missing", "items[0][price]")


async def test_a_confirmed_setup_intent_attaches_a_card_that_becomes_the_default(
    sdk: stripe.StripeClient, fake: FakeStripe
) -> None:
    customer = await sdk.v1.customers.create_async(params={"email": "ada@example.com"})
    params: Any = {
        "customer": customer.id,
        "usage": "off_session",
        "payment_method_types": ["card"],
    }
    intent = await sdk.v1.setup_intents.create_async(params=params)
    assert intent.id.startswith("seti_")
    assert str(intent.client_secret).startswith(f"{intent.id}_secret_")
    assert intent.status == "requires_payment_method"

    method_id = fake.confirm_setup_intent(
        intent.id, brand="mastercard", last4="4444", exp_year=2031
    )
    method = await sdk.v1.payment_methods.retrieve_async(method_id)
    assert method.customer == customer.id
    assert method.card is not None
    assert (method.card.brand, method.card.last4, method.card.exp_month, method.card.exp_year) == (
        "mastercard",
        "4444",
        12,
        2031,
    )
    assert (await sdk.v1.setup_intents.retrieve_async(intent.id)).status == "succeeded"
    [attached] = fake.events_of("payment_method.attached")
    assert attached["data"]["object"]["id"] == method_id

    settings: Any = {"invoice_settings": {"default_payment_method": method_id}}
    await sdk.v1.customers.update_async(customer.id, params=settings)
    expand = ["invoice_settings.default_payment_method"]
    read = await sdk.v1.customers.retrieve_async(customer.id, params={"expand": expand})
    assert read.invoice_settings is not None
    default = read.invoice_settings.default_payment_method
    assert isinstance(default, stripe.PaymentMethod)
    assert default.id == method_id
    [updated] = fake.events_of("customer.updated")
    previous = {"invoice_settings": {"default_payment_method": None}}
    assert updated["data"]["previous_attributes"] == previous

    stranger = fake.create_payment_method()
    stranger_settings: Any = {"invoice_settings": {"default_payment_method": stranger}}
    with pytest.raises(stripe.InvalidRequestError):  # not attached to this customer
        await sdk.v1.customers.update_async(customer.id, params=stranger_settings)
    attached_now = await sdk.v1.payment_methods.attach_async(
        stranger, params={"customer": customer.id}
    )
    assert attached_now.customer == customer.id
    assert len(fake.events_of("payment_method.attached")) == 2


async def test_a_subscription_with_a_card_is_active_and_its_first_invoice_paid(
    sdk: stripe.StripeClient, fake: FakeStripe
) -> None:
    customer_id, method_id = await _customer_with_card(sdk, fake)
    started = fake.now
    items: Any = [{"price": "price_plus_year"}]
    sub = await sdk.v1.subscriptions.create_async(
        params={"customer": customer_id, "items": items, "metadata": {"company_id": "c1"}},
        options={"idempotency_key": "subscribe-c1"},
    )
    assert sub.id.startswith("sub_")
    assert (sub.status, sub.customer, sub.cancel_at_period_end) == ("active", customer_id, False)
    item = sub["items"].data[0]
    assert item.id.startswith("si_")
    assert (item.price.id, item.price.unit_amount, item.price.recurring.interval) == (
        "price_plus_year",
        49000,
        "year",
    )
    assert item.current_period_start == started
    assert time.gmtime(item.current_period_end)[1:3] == time.gmtime(started)[1:3]  # a year on
    assert item.current_period_end - started in (365 * DAY, 366 * DAY)

    invoice = await sdk.v1.invoices.retrieve_async(str(sub.latest_invoice))
    assert (invoice.status, invoice.amount_due, invoice.amount_paid) == ("paid", 49000, 49000)
    assert invoice.lines.data[0].description == "1 \N{MULTIPLICATION SIGN} Plus (at $490.00 / year)"
    types = [e["type"] for e in fake.events]
    assert types.index("customer.subscription.created") < types.index("invoice.paid")
    [created] = fake.events_of("customer.subscription.created")
    assert created["request"]["idempotency_key"] == "subscribe-c1"
    assert created["data"]["object"]["metadata"] == {"company_id": "c1"}
    assert method_id == fake.get(customer_id)["invoice_settings"]["default_payment_method"]


async def test_a_subscription_without_a_card_is_incomplete_until_its_invoice_is_paid(
    sdk: stripe.StripeClient, fake: FakeStripe
) -> None:
    customer = await sdk.v1.customers.create_async()
    items: Any = [{"price": "price_basic_month"}]
    sub = await sdk.v1.subscriptions.create_async(params={"customer": customer.id, "items": items})
    assert sub.status == "incomplete"
    [failed] = fake.events_of("invoice.payment_failed")
    assert failed["data"]["object"]["id"] == sub.latest_invoice

    fake.pay_invoice(str(sub.latest_invoice))
    assert (await sdk.v1.subscriptions.retrieve_async(sub.id)).status == "active"
    [updated] = fake.events_of("customer.subscription.updated")
    assert updated["data"]["previous_attributes"] == {"status": "incomplete"}


async def test_the_preview_of_an_upgrade_shows_the_credit_and_the_charge(
    sdk: stripe.StripeClient, fake: FakeStripe
) -> None:
    sub = await _subscribe(sdk, fake)
    item = sub["items"].data[0]
    when = fake.advance(9 * DAY + 3600)
    details = _change(sub, "price_plus_month", "always_invoice", when)
    preview = await sdk.v1.invoices.create_preview_async(
        params={
            "customer": str(sub.customer),
            "subscription": sub.id,
            "subscription_details": details,
        }
    )
    left, length = (
        item.current_period_end - when,
        item.current_period_end - item.current_period_start,
    )
    credit, charge = preview.lines.data
    assert credit.amount == -_prorated(2900, left, length)
    assert charge.amount == _prorated(4900, left, length)
    assert credit.description is not None
    assert credit.description.startswith("Unused time on Basic after ")
    assert charge.description is not None
    assert charge.description.startswith("Remaining time on Plus after ")
    for line in (credit, charge):
        assert line.parent is not None
        assert line.parent.subscription_item_details is not None
        assert line.parent.subscription_item_details.proration is True
        assert (line.period.start, line.period.end) == (when, item.current_period_end)
    assert credit.pricing is not None
    assert credit.pricing.price_details is not None
    assert credit.pricing.price_details.price == "price_basic_month"
    assert preview.subtotal == preview.total == preview.amount_due == credit.amount + charge.amount
    assert preview.currency == "usd"
    assert preview.next_payment_attempt == when
    # A preview changes nothing.
    assert (await sdk.v1.subscriptions.retrieve_async(sub.id))["items"].data[0].price.id == (
        "price_basic_month"
    )
    assert fake.events_of("invoice.paid")[-1]["data"]["object"]["id"] == sub.latest_invoice


async def test_an_upgrade_with_always_invoice_charges_the_previewed_difference(
    sdk: stripe.StripeClient, fake: FakeStripe
) -> None:
    sub = await _subscribe(sdk, fake)
    when = fake.advance(12 * DAY)
    change = _change(sub, "price_plus_month", "always_invoice", when)
    preview = await sdk.v1.invoices.create_preview_async(
        params={"subscription": sub.id, "subscription_details": change}
    )
    updated = await sdk.v1.subscriptions.update_async(
        sub.id, params=change, options={"idempotency_key": "upgrade-1"}
    )
    item = updated["items"].data[0]
    assert item.price.id == "price_plus_month"
    assert item.current_period_end == sub["items"].data[0].current_period_end  # same period
    paid = fake.events_of("invoice.paid")[-1]["data"]["object"]
    assert paid["id"] == updated.latest_invoice
    assert paid["billing_reason"] == "subscription_update"
    assert paid["amount_paid"] == preview.amount_due > 0
    event = fake.events_of("customer.subscription.updated")[-1]
    assert event["request"]["idempotency_key"] == "upgrade-1"
    previous_item = event["data"]["previous_attributes"]["items"]["data"][0]
    assert previous_item["price"]["id"] == "price_basic_month"
    assert not fake.events_of("invoiceitem.created")


async def test_a_downgrade_with_create_prorations_credits_the_next_invoice(
    sdk: stripe.StripeClient, fake: FakeStripe
) -> None:
    sub = await _subscribe(sdk, fake, "price_plus_month")
    item = sub["items"].data[0]
    start, end = item.current_period_start, item.current_period_end
    when = fake.advance(20 * DAY)
    change = _change(sub, "price_basic_month", "create_prorations", when)
    updated = await sdk.v1.subscriptions.update_async(sub.id, params=change)
    assert updated.latest_invoice == sub.latest_invoice  # nothing invoiced now
    net = _prorated(2900, end - when, end - start) - _prorated(4900, end - when, end - start)
    assert net < 0
    pending = fake.events_of("invoiceitem.created")
    assert sum(e["data"]["object"]["amount"] for e in pending) == net

    upcoming = await sdk.v1.invoices.create_preview_async(params={"subscription": sub.id})
    assert [line.amount for line in upcoming.lines.data][-1] == 2900  # the renewal, on Basic
    prorations = upcoming.lines.data[:-1]
    assert all(
        line.parent is not None
        and line.parent.invoice_item_details is not None
        and line.parent.invoice_item_details.proration
        for line in prorations
    )
    assert upcoming.amount_due == 2900 + net
    assert upcoming.next_payment_attempt == end

    invoice_id = fake.renew(sub.id)
    assert invoice_id is not None
    invoice = await sdk.v1.invoices.retrieve_async(invoice_id)
    assert (invoice.status, invoice.amount_paid) == ("paid", 2900 + net)
    assert fake.now == end
    renewed = await sdk.v1.subscriptions.retrieve_async(sub.id)
    assert renewed["items"].data[0].current_period_start == end
    after = await sdk.v1.invoices.create_preview_async(params={"subscription": sub.id})
    assert after.amount_due == 2900  # the prorations were used once


async def test_a_change_of_interval_restarts_the_period_and_keeps_the_credit(
    sdk: stripe.StripeClient, fake: FakeStripe
) -> None:
    sub = await _subscribe(sdk, fake, "price_plus_year")
    item = sub["items"].data[0]
    when = fake.advance(40 * DAY)
    change = _change(sub, "price_basic_month", "create_prorations", when)
    updated = await sdk.v1.subscriptions.update_async(sub.id, params=change)
    new_item = updated["items"].data[0]
    assert new_item.current_period_start == when == updated.billing_cycle_anchor
    assert new_item.current_period_end - when in (28 * DAY, 29 * DAY, 30 * DAY, 31 * DAY)
    invoice = await sdk.v1.invoices.retrieve_async(str(updated.latest_invoice))
    left, length = (
        item.current_period_end - when,
        item.current_period_end - item.current_period_start,
    )
    credit = _prorated(49000, left, length)
    assert invoice.total == 2900 - credit < 0
    assert (invoice.status, invoice.amount_due, invoice.ending_balance) == (
        "paid",
        0,
        2900 - credit,
    )
    customer = await sdk.v1.customers.retrieve_async(str(sub.customer))
    assert customer.balance == 2900 - credit
    balance_event = fake.events_of("customer.updated")[-1]
    assert balance_event["data"]["previous_attributes"] == {"balance": 0}

    upcoming = await sdk.v1.invoices.create_preview_async(params={"customer": customer.id})
    assert (upcoming.total, upcoming.amount_due) == (2900, 0)  # paid from the credit


async def test_a_declined_renewal_makes_the_subscription_past_due_until_paid(
    sdk: stripe.StripeClient, fake: FakeStripe
) -> None:
    sub = await _subscribe(sdk, fake)
    fake.decline_cards = True
    invoice_id = fake.renew(sub.id)
    assert invoice_id is not None
    assert (await sdk.v1.subscriptions.retrieve_async(sub.id)).status == "past_due"
    failed = fake.events_of("invoice.payment_failed")[-1]["data"]["object"]
    assert (failed["id"], failed["status"], failed["attempt_count"]) == (invoice_id, "open", 1)
    updated = fake.events_of("customer.subscription.updated")[-1]
    assert updated["data"]["previous_attributes"]["status"] == "active"

    fake.pay_invoice(invoice_id)
    assert (await sdk.v1.subscriptions.retrieve_async(sub.id)).status == "active"
    assert fake.events_of("invoice.paid")[-1]["data"]["object"]["id"] == invoice_id


async def test_error_if_incomplete_refuses_a_declined_upgrade_and_changes_nothing(
    sdk: stripe.StripeClient, fake: FakeStripe
) -> None:
    sub = await _subscribe(sdk, fake)
    fake.decline_cards = True
    change = _change(sub, "price_plus_month", "always_invoice", fake.advance(DAY))
    params: Any = {**change, "payment_behavior": "error_if_incomplete"}
    events = len(fake.events)
    with pytest.raises(stripe.CardError) as declined:
        await sdk.v1.subscriptions.update_async(sub.id, params=params)
    assert declined.value.code == "card_declined"
    assert len(fake.events) == events
    assert fake.get(sub.id)["items"]["data"][0]["price"]["id"] == "price_basic_month"


async def test_cancel_now_or_at_the_period_end(sdk: stripe.StripeClient, fake: FakeStripe) -> None:
    first = await _subscribe(sdk, fake)
    canceled = await sdk.v1.subscriptions.cancel_async(first.id)
    assert (canceled.status, canceled.ended_at) == ("canceled", fake.now)
    [deleted] = fake.events_of("customer.subscription.deleted")
    assert deleted["data"]["object"]["id"] == first.id

    second = await _subscribe(sdk, fake)
    marked = await sdk.v1.subscriptions.update_async(
        second.id, params={"cancel_at_period_end": True}
    )
    end = second["items"].data[0].current_period_end
    assert (marked.cancel_at_period_end, marked.cancel_at, marked.status) == (True, end, "active")
    with pytest.raises(stripe.InvalidRequestError) as none:
        await sdk.v1.invoices.create_preview_async(params={"subscription": second.id})
    assert none.value.code == "invoice_upcoming_none"
    assert fake.renew(second.id) is None
    assert fake.get(second.id)["status"] == "canceled"
    assert len(fake.events_of("customer.subscription.deleted")) == 2


async def test_an_idempotent_replay_returns_the_same_object_and_does_nothing_again(
    sdk: stripe.StripeClient, fake: FakeStripe, clients: Clients
) -> None:
    options: Any = {"idempotency_key": "company-c1-customer"}
    first = await sdk.v1.customers.create_async(params={"email": "a@example.com"}, options=options)
    again = await sdk.v1.customers.create_async(params={"email": "a@example.com"}, options=options)
    assert again.id == first.id
    assert again.to_dict() == first.to_dict()
    assert again.last_response is not None
    assert again.last_response.headers["idempotent-replayed"] == "true"
    assert len(fake.events_of("customer.created")) == 1
    assert [r.replayed for r in fake.requests] == [False, True]
    assert fake.requests[1].idempotency_key == "company-c1-customer"

    with pytest.raises(stripe.IdempotencyError):  # the same key for another request
        await sdk.v1.customers.create_async(params={"email": "b@example.com"}, options=options)
    other_account = clients(api_key="sk_test_other")
    other = await other_account.v1.customers.create_async(
        params={"email": "a@example.com"}, options=options
    )
    assert other.id != first.id  # keys belong to one API key
    assert len(fake.events_of("customer.created")) == 2


@pytest.mark.parametrize(
    ("mode", "error", "status"),
    [
        ("500", stripe.APIError, 500),
        ("503", stripe.APIError, 503),
        ("malformed", stripe.APIError, 200),
        ("card_declined", stripe.CardError, 402),
        ("timeout", stripe.APIConnectionError, None),
    ],
)
async def test_each_fault_raises_its_sdk_error_and_changes_nothing(
    fake: FakeStripe,
    clients: Clients,
    mode: str,
    error: type[stripe.StripeError],
    status: int | None,
) -> None:
    client = clients(timeout=0.5)
    fake.hang_seconds = 1.5
    fake.fail_next(mode)
    options: Any = {"idempotency_key": f"fault-{mode}"}
    with pytest.raises(error) as raised:
        await client.v1.customers.create_async(params={"email": "a@example.com"}, options=options)
    assert raised.value.http_status == status
    assert fake.requests[0].fault == mode
    assert not fake.events
    # Service resumes, and the key was not spent on the failure.
    created = await client.v1.customers.create_async(
        params={"email": "a@example.com"}, options=options
    )
    assert created.id.startswith("cus_")
    assert fake.requests[1].replayed is False


async def test_a_held_request_does_not_hold_the_others(
    fake: FakeStripe, sdk: stripe.StripeClient, clients: Clients
) -> None:
    fake.hang_seconds = 1.5
    fake.fail_next("timeout", path_prefix="/v1/subscriptions")
    impatient = clients(timeout=1)
    slow = asyncio.create_task(impatient.v1.subscriptions.retrieve_async("sub_anything"))
    await asyncio.sleep(0.1)
    started = time.monotonic()
    await sdk.v1.customers.create_async()
    assert time.monotonic() - started < 0.5
    with pytest.raises(stripe.APIConnectionError):
        await slow


async def test_faults_apply_under_their_path_so_many_times(
    fake: FakeStripe, sdk: stripe.StripeClient
) -> None:
    fake.fail_next("503", times=2, path_prefix="/v1/subscriptions")
    customer = await sdk.v1.customers.create_async()  # another path: served
    for _ in range(2):
        with pytest.raises(stripe.APIError):
            await sdk.v1.subscriptions.retrieve_async("sub_x")
    with pytest.raises(stripe.InvalidRequestError):  # served again: 404
        await sdk.v1.subscriptions.retrieve_async("sub_x")
    assert [r.fault for r in fake.requests] == [None, "503", "503", None]
    assert fake.get(customer.id)["id"] == customer.id

    fake.fail_next("500", times=5)
    fake.clear_faults()
    assert (await sdk.v1.customers.retrieve_async(customer.id)).id == customer.id


async def test_events_are_listed_newest_first_a_page_at_a_time(
    sdk: stripe.StripeClient, fake: FakeStripe
) -> None:
    for n in range(5):
        await sdk.v1.customers.create_async(params={"name": f"c{n}"})
    first = await sdk.v1.events.list_async(params={"limit": 3})
    assert [e.data.object["name"] for e in first.data] == ["c4", "c3", "c2"]
    assert first.has_more is True
    rest = await sdk.v1.events.list_async(params={"limit": 3, "starting_after": first.data[-1].id})
    assert [e.data.object["name"] for e in rest.data] == ["c1", "c0"]
    assert rest.has_more is False
    one = await sdk.v1.events.retrieve_async(first.data[0].id)
    assert (one.type, one.api_version, one.livemode) == (
        "customer.created",
        "2026-10-28.endive",
        False,
    )


async def test_signed_events_verify_with_the_sdk_and_tampered_ones_do_not(
    sdk: stripe.StripeClient, fake: FakeStripe
) -> None:
    await _subscribe(sdk, fake)
    event = fake.events_of("customer.subscription.created")[0]
    body, headers = fake.signed(event, SECRET)
    verified = stripe.Webhook.construct_event(body, headers["Stripe-Signature"], SECRET)
    assert (verified.id, verified.type) == (event["id"], "customer.subscription.created")
    assert verified.data.object["status"] == "active"
    assert verified.request is not None
    assert verified.request.id is not None

    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(
            body.replace(b"active", b"canceled"), headers["Stripe-Signature"], SECRET
        )
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, headers["Stripe-Signature"], "whsec_other")
    _, stale = fake.signed(event, SECRET, timestamp=int(time.time()) - 600)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, stale["Stripe-Signature"], SECRET, tolerance=300)


async def test_reset_forgets_everything(sdk: stripe.StripeClient, fake: FakeStripe) -> None:
    customer = await sdk.v1.customers.create_async()
    fake.fail_next("500")
    fake.advance(DAY)
    fake.reset()
    assert (fake.events, fake.requests) == ([], [])
    assert abs(fake.now - time.time()) < 5
    with pytest.raises(stripe.InvalidRequestError):  # the fault is gone too: a plain 404
        await sdk.v1.customers.retrieve_async(customer.id)
    assert FakeStripe.default_prices() == {
        "price_basic_month": (2900, "month", "Basic"),
        "price_basic_year": (29000, "year", "Basic"),
        "price_plus_month": (4900, "month", "Plus"),
        "price_plus_year": (49000, "year", "Plus"),
    }
