"""Field visibility probe: a caller without `customers:office` (field staff) never sees an
office note or an attachment not visible to the field, through any route.

One company holds office-only records whose text carries a marker (a customer's office note,
an office note on one of its orders, an office-only attachment, and a note that was office
before it became a site note: its earlier events said office things). Then every GET route
the app serves is called, as the routes are discovered (a new route is covered without being
listed here), by a user and an API key holding every grantable permission but
`customers:office`: no answer may carry the marker, while an admin's answers do on the
routes that show notes, attachments and events (so the probe can tell a leak). Every route
naming a note or attachment by id answers 404 to such a caller for the office-only ones.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.auth import permissions
from tests.billing.helpers import subscribe
from tests.conftest import client_for
from tests.customer.attachment.helpers import upload
from tests.factories import Caller, api_key, member
from tests.fakes.stripe import FakeStripe
from tests.probes import GAPS, ProbeRoute, api_routes, path_ids, request_kwargs
from tests.probes.resources import Tenant

MARKER = "OFFICE-ONLY-7f3a"
# Query variants of the lists that show notes or events, beside their plain call.
VARIANTS: dict[str, list[dict[str, str]]] = {
    "customers_notes_list": [
        {"include": "orders"},
        {"include": "orders", "visibility": "office"},
        {"visibility": "office"},
        {"sort": "created_at", "include": "orders"},
    ],
    "orders_notes_list": [{"visibility": "office"}],
}
# Where an admin must see the marker: proof that the probe would see a leak.
SHOWN_TO_OFFICE = frozenset(
    {
        "customers_notes_list",
        "orders_notes_list",
        "customers_attachments_list",
        "customers_activity",
        "events_list",
    }
)
FIELD = sorted(permissions.GRANTABLE - {permissions.CUSTOMERS_OFFICE.name})


@dataclass
class Hidden:
    """The office-only records, by the path parameter that names each kind."""

    ids: dict[str, str]


@pytest.fixture(scope="module")
def app(module_app: FastAPI) -> FastAPI:
    return module_app


@pytest.fixture(scope="module")
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app) as client:
        yield client


async def _post(http: httpx.AsyncClient, caller: Caller, path: str, json: Any) -> dict[str, Any]:
    response = await http.post(path, headers=caller.headers, json=json)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture(scope="module")
async def company(
    http: httpx.AsyncClient, fake_stripe: FakeStripe
) -> tuple[Tenant, Hidden, list[Caller]]:
    tenant = await Tenant.signup(http, "F")
    await subscribe(http, tenant.admin, fake_stripe, "plus")
    admin = tenant.admin
    customer = await _post(http, admin, "/v1/customers", {"name": "Field Probe Customer"})
    customer_id = customer["id"]
    order = await _post(http, admin, "/v1/orders", {"title": "Job", "customer_id": customer_id})
    notes = f"/v1/customers/{customer_id}/notes"
    order_notes = f"/v1/orders/{order['id']}/notes"
    # What field staff may see: the ids the walk uses for the path parameters.
    tenant.ids["customer_id"] = customer_id
    tenant.ids["order_id"] = order["id"]
    tenant.ids["note_id"] = (
        await _post(http, admin, notes, {"body": "Gate 1", "visibility": "site"})
    )["id"]
    tenant.ids["order_note_id"] = (
        await _post(http, admin, order_notes, {"body": "Ladder", "visibility": "site"})
    )["id"]
    tenant.ids["attachment_id"] = (
        await upload(http, admin, customer_id, b"map", "map.pdf", visible_to_field=True)
    )["id"]
    # What they may not.
    hidden = Hidden(
        {
            "note_id": (await _post(http, admin, notes, {"body": f"{MARKER} note"}))["id"],
            "order_note_id": (await _post(http, admin, order_notes, {"body": f"{MARKER} job"}))[
                "id"
            ],
            "attachment_id": (
                await upload(
                    http,
                    admin,
                    customer_id,
                    f"{MARKER} bytes".encode(),
                    f"{MARKER}.pdf",
                    name=f"{MARKER} contract",
                    description=MARKER,
                )
            )["id"],
        }
    )
    # Office once, site now: its earlier events are office-only.
    was_office = await _post(http, admin, notes, {"body": f"{MARKER} draft"})
    changed = await http.patch(
        f"{notes}/{was_office['id']}",
        headers=admin.headers,
        json={"body": "Dog in the yard", "visibility": "site"},
    )
    assert changed.status_code == 200, changed.text
    field_user = await member(http, admin, FIELD)
    field_key = await api_key(http, admin, FIELD)
    return tenant, hidden, [field_user, field_key]


def _gets(app: FastAPI) -> list[ProbeRoute]:
    return [r for r in api_routes(app) if r.method == "GET" and not r.public]


async def _call(
    app: FastAPI,
    http: httpx.AsyncClient,
    route: ProbeRoute,
    tenant: Tenant,
    caller: Caller,
    *,
    ids: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
) -> httpx.Response:
    kwargs = await request_kwargs(
        app, route, tenant, ids or await path_ids(tenant, route), caller.headers
    )
    if params:
        kwargs["params"] = {**kwargs.get("params", {}), **params}
    return await http.request(**kwargs)


async def test_field_staff_never_see_office_records_on_any_get(
    app: FastAPI, http: httpx.AsyncClient, company: tuple[Tenant, Hidden, list[Caller]]
) -> None:
    tenant, _, field = company
    failures: list[str] = []
    shown: set[str] = set()
    for route in _gets(app):
        for params in [{}, *VARIANTS.get(route.operation_id, [])]:
            try:
                office = await _call(app, http, route, tenant, tenant.admin, params=params)
            except GAPS as gap:
                failures.append(str(gap))
                break
            if MARKER in office.text:
                shown.add(route.operation_id)
            for caller in field:
                response = await _call(app, http, route, tenant, caller, params=params)
                if response.status_code >= 500:
                    failures.append(f"{route.label} {params}: {response.status_code}")
                if MARKER in response.content.decode(errors="replace"):
                    who = "an API key" if caller.extra.get("api_key_id") else "a user"
                    failures.append(
                        f"{route.label} {params} shows an office-only record to {who} "
                        f"without customers:office: {response.text[:300]}"
                    )
    missing = SHOWN_TO_OFFICE - shown
    assert not missing, f"an admin does not see the office records on {sorted(missing)}"
    assert not failures, "\n".join(failures)


async def test_office_records_by_id_answer_404_to_field_staff(
    app: FastAPI, http: httpx.AsyncClient, company: tuple[Tenant, Hidden, list[Caller]]
) -> None:
    tenant, hidden, field = company
    failures: list[str] = []
    routes = [r for r in api_routes(app) if set(r.params) & set(hidden.ids) and not r.public]
    assert {r.operation_id for r in routes} >= {
        "customers_notes_get",
        "customers_notes_update",
        "customers_notes_delete",
        "orders_notes_get",
        "customers_attachments_get",
        "customers_attachments_download",
        "customers_attachments_update",
        "customers_attachments_delete",
    }
    for route in routes:
        ids = {**await path_ids(tenant, route)}
        ids.update({p: hidden.ids[p] for p in route.params if p in hidden.ids})
        for caller in field:
            response = await _call(app, http, route, tenant, caller, ids=ids)
            if response.status_code != 404 or MARKER in response.text:
                failures.append(f"{route.label}: {response.status_code} {response.text[:300]}")
    assert not failures, "\n".join(failures)
    # And they are still there for the office.
    for param, path in (
        ("note_id", f"/v1/customers/{tenant.ids['customer_id']}/notes/"),
        ("attachment_id", f"/v1/customers/{tenant.ids['customer_id']}/attachments/"),
    ):
        response = await http.get(path + hidden.ids[param], headers=tenant.admin.headers)
        assert response.status_code == 200, response.text


async def test_field_staff_write_what_the_field_sees(
    http: httpx.AsyncClient, company: tuple[Tenant, Hidden, list[Caller]]
) -> None:
    tenant, _, field = company
    customer_id = tenant.ids["customer_id"]
    for caller in field:
        note = await _post(http, caller, f"/v1/customers/{customer_id}/notes", {"body": "Done"})
        assert note["visibility"] == "site"
        attachment = await upload(http, caller, customer_id, b"photo", "after.jpg", "image/jpeg")
        assert attachment["visible_to_field"] is True
        for response in (
            await http.post(
                f"/v1/customers/{customer_id}/notes",
                headers=caller.headers,
                json={"body": "x", "visibility": "office"},
            ),
            await http.patch(
                f"/v1/customers/{customer_id}/notes/{note['id']}",
                headers=caller.headers,
                json={"visibility": "office"},
            ),
            await http.patch(
                f"/v1/customers/{customer_id}/attachments/{attachment['id']}",
                headers=caller.headers,
                json={"visible_to_field": False},
            ),
        ):
            assert response.status_code == 403, response.text
            assert response.json()["permission"] == "customers:office"
