"""The resource registry of the probes: how to create, through the API, one resource of each
kind for a company, keyed by the path parameter that names it in routes (`{user_id}`).

Edit this file when you add a router:

- Every path parameter of every route needs a factory. A factory receives the `Tenant` it
  creates for and returns the new resource's id; it asks for the ids of parents with
  `await tenant.id("customer_id")` (created on demand, once per company):

      @resource("contact_id")
      async def _contact(tenant: Tenant) -> str:
          customer_id = await tenant.id("customer_id")
          return await tenant.create(
              f"/v1/customers/{customer_id}/contacts", {"first_name": "Cy", "last_name": "Probe"}
          )

  A path parameter that is not a company's row (say `{format}` in `/v1/exports/{format}`)
  is registered with `tenant_scoped=False`: the probes then use its value but do not expect
  another company's value to be refused.

- Request bodies come from the OpenAPI examples of the request schemas
  (`model_config = {"json_schema_extra": {"examples": [...]}}`). When an example cannot do
  (a body that must name rows of the caller's company, a multipart upload), register the
  httpx keyword arguments of the request under its operationId:

      @body("orders_create")
      async def _order(tenant: Tenant) -> RequestKwargs:
          return {"json": {"customer_id": await tenant.id("customer_id"), "title": "Probe"}}
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.factories import PASSWORD, Caller, signup, unique_email

RequestKwargs = dict[str, Any]
"""Keyword arguments for `httpx.AsyncClient.request`: `json`, `files`, `data`, `content`."""

Factory = Callable[["Tenant"], Awaitable[str]]
BodyFactory = Callable[["Tenant"], Awaitable[RequestKwargs]]

REGISTRY_FILE = "tests/probes/resources.py"


@dataclass(frozen=True)
class Resource:
    param: str
    factory: Factory
    tenant_scoped: bool = True


RESOURCES: dict[str, Resource] = {}
BODIES: dict[str, BodyFactory] = {}


def resource(param: str, *, tenant_scoped: bool = True) -> Callable[[Factory], Factory]:
    """Register the factory of the resource named `{param}` in paths."""

    def register(factory: Factory) -> Factory:
        if param in RESOURCES:
            raise ValueError(f"two factories for path parameter {param!r}")
        RESOURCES[param] = Resource(param, factory, tenant_scoped)
        return factory

    return register


def body(operation_id: str) -> Callable[[BodyFactory], BodyFactory]:
    """Register the request body the probes send to `operation_id` (instead of its example)."""

    def register(factory: BodyFactory) -> BodyFactory:
        if operation_id in BODIES:
            raise ValueError(f"two bodies for operation {operation_id!r}")
        BODIES[operation_id] = factory
        return factory

    return register


class MissingFactory(LookupError):
    def __init__(self, param: str, used_by: str = "") -> None:
        where = f" (used by {used_by})" if used_by else ""
        super().__init__(
            f"No factory for the path parameter {{{param}}}{where}: register one with "
            f'`@resource("{param}")` in {REGISTRY_FILE}, creating that resource through '
            "the API and returning its id (see the module docstring)."
        )
        self.param = param


@dataclass(eq=False)
class Tenant:
    """A company of the probes: its admin, and the ids of the resources created so far."""

    label: str
    client: httpx.AsyncClient
    admin: Caller
    ids: dict[str, str] = field(default_factory=dict)
    created: dict[str, str] = field(default_factory=dict)
    """Every id created for this company -> how it was created (for failure messages)."""
    _creating: list[str] = field(default_factory=list)

    @classmethod
    async def signup(cls, client: httpx.AsyncClient, label: str) -> Tenant:
        admin = await signup(client, f"Probe company {label} {uuid.uuid4().hex[:6]}")
        tenant = cls(label, client, admin)
        tenant.created[admin.company_id] = f"company {label}"
        tenant.created[admin.user_id] = f"company {label}'s admin user"
        return tenant

    async def id(self, param: str) -> str:
        """The id for `{param}` in this company, created on first use."""
        if param in self.ids:
            return self.ids[param]
        registered = RESOURCES.get(param)
        if registered is None:
            raise MissingFactory(param)
        if param in self._creating:
            chain = " -> ".join([*self._creating, param])
            raise RuntimeError(f"factories in {REGISTRY_FILE} depend on each other: {chain}")
        self._creating.append(param)
        try:
            value = await registered.factory(self)
        finally:
            self._creating.pop()
        self.ids[param] = value
        if registered.tenant_scoped:
            self.created.setdefault(value, f"{{{param}}} of company {self.label}")
        return value

    async def provision(self) -> None:
        """Create one resource of every registered kind."""
        for param in RESOURCES:
            await self.id(param)

    async def create(self, path: str, json: dict[str, Any], *, id_field: str = "id") -> str:
        """POST `json` to `path` as the admin; expect 201 and return the new id."""
        response = await self.client.post(path, headers=self.admin.headers, json=json)
        assert response.status_code == 201, (
            f"factory POST {path} for company {self.label} answered "
            f"{response.status_code}: {response.text}"
        )
        value = str(response.json()[id_field])
        self.created[value] = f"POST {path} by company {self.label}"
        return value


# --- The registry ---------------------------------------------------------------------------


@resource("group_id")
async def _group(tenant: Tenant) -> str:
    return await tenant.create(
        "/v1/groups",
        {"name": f"probe-{uuid.uuid4().hex[:8]}", "permissions": ["customers:read"]},
    )


@resource("user_id")
async def _user(tenant: Tenant) -> str:
    # A member of a group, so that memberships are visible too.
    group_id = await tenant.id("group_id")
    return await tenant.create(
        "/v1/users",
        {
            "email": unique_email("probe"),
            "name": "Petra Probe",
            "password": PASSWORD,
            "group_ids": [group_id],
        },
    )


@resource("api_key_id")
async def _api_key(tenant: Tenant) -> str:
    return await tenant.create(
        "/v1/api-keys", {"name": "probe key", "permissions": ["customers:read"]}
    )


@resource("customer_id")
async def _customer(tenant: Tenant) -> str:
    # A postal code: the customer's weather is then a 200 from the fake provider.
    body = {"name": f"Probe Customer {uuid.uuid4().hex[:8]}", "postal_code": "62701"}
    return await tenant.create("/v1/customers", body)


@resource("contact_id")
async def _contact(tenant: Tenant) -> str:
    customer_id = await tenant.id("customer_id")
    return await tenant.create(
        f"/v1/customers/{customer_id}/contacts",
        {"first_name": "Cy", "last_name": "Probe", "phone": "+1 415 555 0100"},
    )


@resource("location_id")
async def _location(tenant: Tenant) -> str:
    customer_id = await tenant.id("customer_id")
    return await tenant.create(
        f"/v1/customers/{customer_id}/locations",
        {"label": "Probe site", "address_line1": "1 Probe Way", "country": "US"},
    )


@resource("equipment_id")
async def _equipment(tenant: Tenant) -> str:
    customer_id = await tenant.id("customer_id")
    return await tenant.create(
        f"/v1/customers/{customer_id}/equipment",
        {
            "type": "Furnace",
            "location_id": await tenant.id("location_id"),
            "installed_on": "2026-01-31",
            "warranty_months": 12,
        },
    )


@resource("geofence_id")
async def _geofence(tenant: Tenant) -> str:
    customer_id = await tenant.id("customer_id")
    location_id = await tenant.id("location_id")
    return await tenant.create(
        f"/v1/customers/{customer_id}/locations/{location_id}/geofences",
        {
            "name": "Probe fence",
            "geometry": {"type": "Circle", "latitude": 45.0, "longitude": 7.0, "radius_m": 100},
            "notify_user_ids": [await tenant.id("user_id")],
        },
    )


@resource("note_id")
async def _note(tenant: Tenant) -> str:
    customer_id = await tenant.id("customer_id")
    return await tenant.create(
        f"/v1/customers/{customer_id}/notes", {"body": "Probe note", "visibility": "site"}
    )


@resource("attachment_id")
async def _attachment(tenant: Tenant) -> str:
    # A multipart upload: `tenant.create` posts JSON.
    customer_id = await tenant.id("customer_id")
    path = f"/v1/customers/{customer_id}/attachments"
    response = await tenant.client.post(
        path, headers=tenant.admin.headers, **await _attachment_body(tenant)
    )
    assert response.status_code == 201, (
        f"factory POST {path} for company {tenant.label} answered "
        f"{response.status_code}: {response.text}"
    )
    attachment_id = str(response.json()["id"])
    tenant.created[attachment_id] = f"POST {path} by company {tenant.label}"
    return attachment_id


@body("customers_attachments_create")
async def _attachment_body(tenant: Tenant) -> RequestKwargs:
    return {
        "files": {"file": ("site-map.pdf", b"%PDF-probe", "application/pdf")},
        "data": {"name": "Site map", "visible_to_field": "true"},
    }


@resource("tag_id")
async def _tag(tenant: Tenant) -> str:
    return await tenant.create("/v1/tags", {"name": f"probe-{uuid.uuid4().hex[:8]}"})


@resource("custom_field_id")
async def _custom_field(tenant: Tenant) -> str:
    return await tenant.create(
        "/v1/custom-fields",
        {"entity": "customer", "key": "probe_field", "label": "Probe field", "type": "text"},
    )


@resource("order_id")
async def _order(tenant: Tenant) -> str:
    return await tenant.create("/v1/orders", {"title": f"Probe order {uuid.uuid4().hex[:8]}"})


@resource("status_id")
async def _order_status(tenant: Tenant) -> str:
    return await tenant.create(
        "/v1/order-statuses", {"name": f"Probe {uuid.uuid4().hex[:8]}", "stage": "open"}
    )


@body("order_statuses_reorder")
async def _reorder_statuses(tenant: Tenant) -> RequestKwargs:
    # The example's ids are nobody's: name every status of the tenant, in their order.
    response = await tenant.client.get(
        "/v1/order-statuses", headers=tenant.admin.headers, params={"limit": 200}
    )
    assert response.status_code == 200, response.text
    return {"json": {"ids": [s["id"] for s in response.json()["data"]]}}


@resource("invoice_item_id")
async def _invoice_item(tenant: Tenant) -> str:
    return await tenant.create(
        "/v1/invoice-items",
        {"sku": f"PRB-{uuid.uuid4().hex[:8]}", "name": "Probe item", "unit_amount": 1250},
    )


@body("orders_assignees_create")
async def _assignee(tenant: Tenant) -> RequestKwargs:
    # The example's user is nobody's: assign the tenant's own probe user.
    return {"json": {"user_id": await tenant.id("user_id"), "role": "installer"}}


@resource("appointment_id")
async def _appointment(tenant: Tenant) -> str:
    order_id = await tenant.id("order_id")
    return await tenant.create(
        f"/v1/orders/{order_id}/appointments",
        {
            "kind": "installation",
            "starts_at": "2026-12-01T08:30:00-05:00",
            "user_ids": [await tenant.id("user_id")],
        },
    )


@resource("checklist_item_id")
async def _checklist_item(tenant: Tenant) -> str:
    order_id = await tenant.id("order_id")
    return await tenant.create(
        f"/v1/orders/{order_id}/checklist", {"text": "Probe step", "is_done": True}
    )


@resource("order_note_id")
async def _order_note(tenant: Tenant) -> str:
    order_id = await tenant.id("order_id")
    return await tenant.create(
        f"/v1/orders/{order_id}/notes", {"body": "Probe order note", "visibility": "site"}
    )


@resource("file_id")
async def _order_file(tenant: Tenant) -> str:
    # A multipart upload: `tenant.create` posts JSON.
    order_id = await tenant.id("order_id")
    path = f"/v1/orders/{order_id}/files"
    response = await tenant.client.post(
        path, headers=tenant.admin.headers, files=(await _order_file_body(tenant))["files"]
    )
    assert response.status_code == 201, (
        f"factory POST {path} for company {tenant.label} answered "
        f"{response.status_code}: {response.text}"
    )
    file_id = str(response.json()["id"])
    tenant.created[file_id] = f"POST {path} by company {tenant.label}"
    return file_id


@body("orders_files_create")
async def _order_file_body(tenant: Tenant) -> RequestKwargs:
    return {"files": {"file": ("probe.txt", b"hello", "text/plain")}}


@resource("line_id")
async def _order_line(tenant: Tenant) -> str:
    order_id = await tenant.id("order_id")
    return await tenant.create(
        f"/v1/orders/{order_id}/items",
        {"name": "Probe labour", "quantity": "2", "unit_amount": 5000},
    )


@resource("payment_id")
async def _payment(tenant: Tenant) -> str:
    # The probe order totals zero until it has a line, and a payment may not exceed it.
    await tenant.id("line_id")
    order_id = await tenant.id("order_id")
    return await tenant.create(f"/v1/orders/{order_id}/payments", {"amount": 1000})


@body("orders_payments_create")
async def _payment_body(tenant: Tenant) -> RequestKwargs:
    # A line of its own first, so that this payment always has a balance to go against.
    order_id = await tenant.id("order_id")
    await tenant.create(f"/v1/orders/{order_id}/items", {"name": "Probe part", "unit_amount": 500})
    return {"json": {"amount": 500, "method": "cash"}}


@resource("customer_reminder_id")
async def _customer_reminder(tenant: Tenant) -> str:
    customer_id = await tenant.id("customer_id")
    return await tenant.create(
        f"/v1/customers/{customer_id}/reminders", (await _reminder_body(tenant))["json"]
    )


@body("customers_reminders_create")
async def _reminder_body(tenant: Tenant) -> RequestKwargs:
    # The example's user is nobody's: remind the tenant's own probe user.
    user_id = await tenant.id("user_id")
    return {"json": {"due_on": "2031-01-15", "assigned_user_id": user_id, "message": "Probe"}}


@resource("notification_id")
async def _notification(tenant: Tenant) -> str:
    # Only the reminder scan makes notifications: an order reminder long past, for the admin
    # (who makes the probes' calls), and a scan on the app's database, as the worker runs it.
    from workers.reminders import scan

    order_id = await tenant.create(
        "/v1/orders", {"title": "Probe reminder", "reminder_on": "2020-01-15"}
    )
    assigned = await tenant.client.post(
        f"/v1/orders/{order_id}/assignees",
        headers=tenant.admin.headers,
        json={"user_id": tenant.admin.user_id, "role": "other"},
    )
    assert assigned.status_code == 201, assigned.text
    transport = tenant.client._transport
    assert isinstance(transport, httpx.ASGITransport), "the probes call the app in process"
    await scan(transport.app.state.sessions)  # type: ignore[attr-defined]
    listed = await tenant.client.get(
        "/v1/me/notifications", headers=tenant.admin.headers, params={"limit": 200}
    )
    assert listed.status_code == 200, listed.text
    notification_id = next(n["id"] for n in listed.json()["data"] if n["order_id"] == order_id)
    tenant.created[notification_id] = f"the reminder scan, for company {tenant.label}"
    return str(notification_id)


@resource("contact_type_id")
async def _contact_type(tenant: Tenant) -> str:
    return await tenant.create("/v1/contact-types", {"name": f"Probe {uuid.uuid4().hex[:8]}"})


@resource("vendor_id")
async def _vendor(tenant: Tenant) -> str:
    return await tenant.create("/v1/vendors", (await _vendor_body(tenant))["json"])


@body("vendors_create")
async def _vendor_body(tenant: Tenant) -> RequestKwargs:
    # A vendor has one or more contact types, which are the tenant's own rows.
    return {
        "json": {
            "name": f"Probe Vendor {uuid.uuid4().hex[:8]}",
            "phone": "+1 415 555 0101",
            "contact_type_ids": [await tenant.id("contact_type_id")],
        }
    }


@resource("vendor_note_id")
async def _vendor_note(tenant: Tenant) -> str:
    vendor_id = await tenant.id("vendor_id")
    return await tenant.create(
        f"/v1/vendors/{vendor_id}/notes", {"body": "Probe vendor note", "visibility": "office"}
    )


@resource("referral_option_id")
async def _referral_option(tenant: Tenant) -> str:
    return await tenant.create("/v1/referral-options", {"label": f"probe {uuid.uuid4().hex[:8]}"})


@body("company_order_form_logo_put")
async def _order_form_logo(_: Tenant) -> RequestKwargs:
    return {"files": {"file": ("logo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 16, "image/png")}}
