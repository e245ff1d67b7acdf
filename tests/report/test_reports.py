"""Reports on real orders built through the API: sales per associated user (the numbers a
commission is based on) and receivables by age."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from tests.factories import PASSWORD, Caller, assign, member, signup, unique_email
from tests.report.builders import order, pay, status_ids


def _today() -> date:
    return datetime.now(UTC).date()  # a new company's timezone is UTC


async def _user(client: httpx.AsyncClient, admin: Caller, name: str) -> str:
    response = await client.post(
        "/v1/users",
        headers=admin.headers,
        json={"email": unique_email("rep"), "name": name, "password": PASSWORD},
    )
    assert response.status_code == 201, response.text
    user_id: str = response.json()["id"]
    return user_id


async def _sales(
    client: httpx.AsyncClient, caller: Caller, first: date, last: date, **params: Any
) -> httpx.Response:
    return await client.get(
        "/v1/reports/sales",
        headers=caller.headers,
        params={"from": first.isoformat(), "to": last.isoformat(), **params},
    )


async def test_sales_per_associated_user(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    statuses = await status_ids(client, admin)
    sam = await _user(client, admin, "Sam Seller")
    ivy = await _user(client, admin, "Ivy Installer")
    today = _today()
    yesterday = today - timedelta(days=1)

    shared = await order(client, admin, 10_000, status_id=statuses["Sold"])
    await assign(client, admin, shared, sam, "salesperson")
    await assign(client, admin, shared, ivy, "installer")
    await pay(client, admin, shared, 3_000, today)
    quote = await order(client, admin, 5_000, status_id=statuses["New"])
    await assign(client, admin, quote, sam, "salesperson")
    lost = await order(client, admin, 700, status_id=statuses["Lost"])
    await assign(client, admin, lost, sam, "other")
    installed = await order(client, admin, 20_000, status_id=statuses["Installed"])
    await assign(client, admin, installed, ivy, "installer")
    await pay(client, admin, installed, 4_000, yesterday)
    await pay(client, admin, installed, 16_000, today)
    await order(client, admin, 1_000, status_id=statuses["Sold"], paid=1_000)  # nobody's
    other = await signup(client)  # another company's sale never shows
    theirs = await order(client, other, 50_000, status_id=(await status_ids(client, other))["Sold"])
    await assign(client, other, theirs, other.user_id, "salesperson")

    response = await _sales(client, admin, today, today)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["from"], body["to"], body["currency"]) == (today.isoformat(),) * 2 + ("USD",)
    assert body["data"] == [
        {
            "user_id": ivy,
            "name": "Ivy Installer",
            "orders": 2,
            "sold_orders": 2,
            "sold_ratio": "1.0000",
            "sold_amount": 30_000,
            "payments_collected": 3_000 + 16_000,
        },
        {
            "user_id": sam,
            "name": "Sam Seller",
            "orders": 3,
            "sold_orders": 1,
            "sold_ratio": "0.3333",
            "sold_amount": 10_000,
            "payments_collected": 3_000,
        },
    ]

    only_sam = await _sales(client, admin, today, today, user_id=sam)
    assert [r["user_id"] for r in only_sam.json()["data"]] == [sam]

    # Payments count by the day they were paid, whenever the order was created: yesterday
    # had no new orders, but Ivy collected 4,000 on hers.
    before = (await _sales(client, admin, yesterday, yesterday)).json()["data"]
    assert before == [
        {
            "user_id": ivy,
            "name": "Ivy Installer",
            "orders": 0,
            "sold_orders": 0,
            "sold_ratio": None,
            "sold_amount": 0,
            "payments_collected": 4_000,
        }
    ]
    both = (await _sales(client, admin, yesterday, today)).json()["data"]
    assert {r["user_id"]: r["payments_collected"] for r in both} == {ivy: 23_000, sam: 3_000}
    later = await _sales(client, admin, today + timedelta(days=1), today + timedelta(days=9))
    assert later.json()["data"] == []


async def test_sales_period_is_validated(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    today = _today()
    reversed_period = await _sales(client, admin, today, today - timedelta(days=1))
    assert reversed_period.status_code == 422
    assert [e["field"] for e in reversed_period.json()["errors"]] == ["to"]
    too_long = await _sales(client, admin, today - timedelta(days=366), today)
    assert too_long.status_code == 422
    assert [e["field"] for e in too_long.json()["errors"]] == ["to"]
    a_leap_year = await _sales(client, admin, date(2024, 1, 1), date(2024, 12, 31))
    assert a_leap_year.status_code == 200, a_leap_year.text
    missing = await client.get(
        "/v1/reports/sales", headers=admin.headers, params={"to": today.isoformat()}
    )
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "from"
    edge = await _sales(client, admin, date(1, 1, 1), date(1, 1, 1))
    assert edge.status_code == 422
    assert edge.json()["errors"][0]["field"] == "from"


async def test_reports_need_reports_read(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    sales_person = await member(client, admin, ["orders:read", "payments:read"])
    today = _today()
    for response in (
        await _sales(client, sales_person, today, today),
        await client.get("/v1/reports/receivables", headers=sales_person.headers),
    ):
        assert response.status_code == 403
        assert response.json()["permission"] == "reports:read"
    reader = await member(client, admin, ["reports:read"])
    assert (await _sales(client, reader, today, today)).status_code == 200


async def test_receivables_by_days_overdue(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    today = _today()
    # (days past due, amount): negative is not yet due.
    for overdue, amount in (
        (-10, 100),
        (0, 200),
        (1, 300),
        (30, 400),
        (31, 500),
        (60, 600),
        (61, 700),
        (90, 800),
        (91, 900),
    ):
        due = today - timedelta(days=overdue)
        await order(client, admin, amount, invoiced=(min(due, today), due))
    long_ago = today - timedelta(days=400)
    await order(client, admin, 1_000, invoiced=(long_ago, long_ago), paid=250)  # owes 750
    paid_up = today - timedelta(days=5)
    await order(client, admin, 1_100, invoiced=(paid_up, paid_up), paid=1_100)  # owes nothing
    await order(client, admin, 1_200)  # not invoiced: not a receivable
    other = await signup(client)
    await order(client, other, 5_000, invoiced=(long_ago, long_ago))

    response = await client.get("/v1/reports/receivables", headers=admin.headers)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "as_of": today.isoformat(),
        "currency": "USD",
        "current": {"count": 2, "amount": 300},
        "days_1_30": {"count": 2, "amount": 700},
        "days_31_60": {"count": 2, "amount": 1_100},
        "days_61_90": {"count": 2, "amount": 1_500},
        "days_over_90": {"count": 2, "amount": 900 + 750},
        "total": {"count": 10, "amount": 5_250},
    }


async def test_reports_use_the_companys_timezone(client: httpx.AsyncClient) -> None:
    zone = "Pacific/Kiritimati"  # UTC+14: its today is often not UTC's
    email = unique_email("tz")
    signed_up = await client.post(
        "/v1/signup",
        json={
            "company_name": "Line Islands Plumbing",
            "name": "Kai Admin",
            "email": email,
            "password": PASSWORD,
            "currency": "AUD",
            "timezone": zone,
        },
    )
    assert signed_up.status_code == 201, signed_up.text
    body = signed_up.json()
    admin = Caller(
        company_id=body["company"]["id"],
        user_id=body["user"]["id"],
        token=body["token"]["access_token"],
        email=email,
    )
    receivables = (await client.get("/v1/reports/receivables", headers=admin.headers)).json()
    local_today = datetime.now(ZoneInfo(zone)).date()
    assert receivables["as_of"] == local_today.isoformat()
    assert receivables["currency"] == "AUD"
    assert receivables["total"] == {"count": 0, "amount": 0}

    # An order created now was created on the company's today, whatever the date in UTC.
    created = await order(client, admin, 1_500)
    await assign(client, admin, created, admin.user_id, "salesperson")
    sales = (await _sales(client, admin, local_today, local_today)).json()
    assert [(r["user_id"], r["orders"]) for r in sales["data"]] == [(admin.user_id, 1)]
    assert sales["currency"] == "AUD"
