"""Property: whatever sequence of line adds, edits and deletes and of payments and their
deletion a client sends, the order's subtotal, total, amount paid and balance due equal what
its listed rows add up to (line totals rounded half-to-even), the balance never goes below
zero, and exactly the changes that would take it below zero are refused with a 422."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import Caller, create_order, signup

THOUSANDTHS = st.integers(min_value=1, max_value=50_000)  # quantity 0.001 .. 50.000
UNIT_AMOUNTS = st.integers(min_value=0, max_value=20_000)
PICK = st.integers(min_value=0, max_value=1_000)

STEPS = st.one_of(
    st.tuples(st.just("add"), THOUSANDTHS, UNIT_AMOUNTS, st.booleans()),
    st.tuples(st.just("update"), PICK, st.none() | THOUSANDTHS, st.none() | UNIT_AMOUNTS),
    st.tuples(st.just("delete"), PICK),
    st.tuples(st.just("pay"), st.integers(min_value=1, max_value=60_000)),
    st.tuples(st.just("pay_rest")),
    st.tuples(st.just("unpay"), PICK),
)


def _half_even(quantity: Decimal, unit_amount: int) -> int:
    return int((quantity * unit_amount).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def _quantity(thousandths: int, as_number: bool) -> Any:
    """As a decimal string, or as a JSON number (a float, as many clients would send)."""
    value = Decimal(thousandths) / 1000
    return float(value) if as_number else str(value)


@dataclass
class Model:
    """What the test expects the order to hold: line id -> (quantity, unit amount), and
    payment id -> amount."""

    lines: dict[str, tuple[Decimal, int]] = field(default_factory=dict)
    payments: dict[str, int] = field(default_factory=dict)

    def total(self, lines: dict[str, tuple[Decimal, int]] | None = None) -> int:
        return sum(_half_even(q, u) for q, u in (self.lines if lines is None else lines).values())

    @property
    def paid(self) -> int:
        return sum(self.payments.values())


@dataclass
class Run:
    client: httpx.AsyncClient
    caller: Caller
    order_id: str
    model: Model = field(default_factory=Model)

    @property
    def base(self) -> str:
        return f"/v1/orders/{self.order_id}"

    async def step(self, step: tuple[Any, ...]) -> None:
        kind, *args = step
        await getattr(self, f"_{kind}")(*args)

    def _expect(self, response: httpx.Response, ok: bool, status: int, field_name: str) -> bool:
        if ok:
            assert response.status_code == status, response.text
        else:
            assert response.status_code == 422, response.text
            assert response.json()["errors"][0]["field"] == field_name
        return ok

    async def _add(self, thousandths: int, unit_amount: int, as_number: bool) -> None:
        body = {
            "name": "Item",
            "quantity": _quantity(thousandths, as_number),
            "unit_amount": unit_amount,
        }
        response = await self.client.post(
            f"{self.base}/items", headers=self.caller.headers, json=body
        )
        assert response.status_code == 201, response.text
        self.model.lines[response.json()["id"]] = (Decimal(thousandths) / 1000, unit_amount)

    async def _update(self, pick: int, thousandths: int | None, unit_amount: int | None) -> None:
        if not self.model.lines:
            return
        line_id = sorted(self.model.lines)[pick % len(self.model.lines)]
        quantity, amount = self.model.lines[line_id]
        body: dict[str, Any] = {}
        if thousandths is not None:
            quantity = Decimal(thousandths) / 1000
            body["quantity"] = str(quantity)
        if unit_amount is not None:
            amount = unit_amount
            body["unit_amount"] = unit_amount
        after = {**self.model.lines, line_id: (quantity, amount)}
        response = await self.client.patch(
            f"{self.base}/items/{line_id}", headers=self.caller.headers, json=body
        )
        named = "unit_amount" if unit_amount is not None else "quantity"
        if self._expect(response, self.model.total(after) >= self.model.paid, 200, named):
            self.model.lines = after

    async def _delete(self, pick: int) -> None:
        if not self.model.lines:
            return
        line_id = sorted(self.model.lines)[pick % len(self.model.lines)]
        after = {k: v for k, v in self.model.lines.items() if k != line_id}
        response = await self.client.delete(
            f"{self.base}/items/{line_id}", headers=self.caller.headers
        )
        if self._expect(response, self.model.total(after) >= self.model.paid, 204, "line_id"):
            self.model.lines = after

    async def _pay(self, amount: int) -> None:
        response = await self.client.post(
            f"{self.base}/payments", headers=self.caller.headers, json={"amount": amount}
        )
        if self._expect(response, self.model.paid + amount <= self.model.total(), 201, "amount"):
            self.model.payments[response.json()["id"]] = amount

    async def _pay_rest(self) -> None:
        balance = self.model.total() - self.model.paid
        if balance > 0:
            await self._pay(balance)

    async def _unpay(self, pick: int) -> None:
        if not self.model.payments:
            return
        payment_id = sorted(self.model.payments)[pick % len(self.model.payments)]
        response = await self.client.delete(
            f"{self.base}/payments/{payment_id}", headers=self.caller.headers
        )
        assert response.status_code == 204, response.text
        del self.model.payments[payment_id]

    async def check(self) -> None:
        """The order's figures are the sums of its listed rows, and match the model."""
        headers = self.caller.headers
        lines = (await self.client.get(f"{self.base}/items", headers=headers)).json()["data"]
        payments = (
            await self.client.get(f"{self.base}/payments", headers=headers, params={"limit": 200})
        ).json()["data"]
        order = (await self.client.get(self.base, headers=headers)).json()
        for line in lines:
            assert line["line_total"] == _half_even(Decimal(line["quantity"]), line["unit_amount"])
        subtotal = sum(_half_even(Decimal(line["quantity"]), line["unit_amount"]) for line in lines)
        paid = sum(payment["amount"] for payment in payments)
        assert order["subtotal"] == subtotal
        assert order["total"] == subtotal
        assert order["amount_paid"] == paid
        assert order["balance_due"] == subtotal - paid
        assert order["balance_due"] >= 0
        assert {line["id"] for line in lines} == set(self.model.lines)
        assert {p["id"]: p["amount"] for p in payments} == self.model.payments
        assert subtotal == self.model.total()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(STEPS, min_size=1, max_size=12))
async def test_order_totals_always_agree_with_the_rows(
    client: httpx.AsyncClient, steps: list[tuple[Any, ...]]
) -> None:
    admin = await _admin(client)
    run = Run(client, admin, await create_order(client, admin))
    for step in steps:
        await run.step(step)
        await run.check()


_ADMIN: list[Caller] = []


async def _admin(client: httpx.AsyncClient) -> Caller:
    """One company for every example (each has an order of its own): a signup costs a
    password hash."""
    if not _ADMIN:
        _ADMIN.append(await signup(client, "Property Co"))
    return _ADMIN[0]
