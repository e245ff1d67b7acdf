"""Equipment of a customer (seed 002's Equipment tab): what the customer has, where it is
installed (one of the customer's service locations), and its warranty, whose expiry the
reminder scan (workers/reminders.py, through app.notification) notifies the company's
recipients of, a number of days before (both company settings).

The warranty is stored as its expiry date, given or derived from months since installation
(app/customer/equipment/warranty.py), and the day to notify it, derived from the company's
reminder days. A write reads those settings under a share lock, so that a change of them,
which moves every reminder day of the company in its own transaction, never misses a row
being written meanwhile. `warranty_months_left` and the warranty filters count from today in
the company's timezone.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.company import service as companies
from app.company.models import Company
from app.custom_field import service as custom_fields
from app.customer.equipment import warranty as warranties
from app.customer.equipment.models import EQUIPMENT_FIELDS, Equipment
from app.customer.equipment.repository import CompanyEquipmentRepository, EquipmentRepository
from app.customer.equipment.schemas import EquipmentCreate, EquipmentUpdate
from app.customer.location import service as locations
from app.customer.models import Customer
from app.customer.repository import CustomerRepository
from app.errors import NotFound, ValidationFailed
from app.event import service as events
from app.kit.clock import today_in
from app.kit.concurrency import check_version
from app.kit.pagination import CursorCodec, PageParams, PageResult, Sort
from app.vendor import service as vendors

ENTITY = "equipment"
SORT = Sort("created_at", Equipment.created_at, Equipment.id)
WARRANTY_FIELDS = ("warranty_months", "warranty_expires_on")


@dataclass(frozen=True)
class EquipmentView:
    """A piece of equipment with what its read schema derives: the warranty in months and
    the whole months left, as of `today` in the company's timezone."""

    equipment: Equipment
    warranty_months: int | None
    warranty_months_left: int | None


def _view(equipment: Equipment, today: date) -> EquipmentView:
    stored = warranties.Warranty(equipment.warranty_months, equipment.warranty_expires_on)
    return EquipmentView(
        equipment,
        warranty_months=warranties.months_of(equipment.installed_on, stored),
        warranty_months_left=warranties.months_left(equipment.warranty_expires_on, today),
    )


def _today(company: Company) -> date:
    return today_in(company.timezone)


async def _scope(
    session: AsyncSession, principal: Principal, customer_id: uuid.UUID
) -> tuple[Customer, EquipmentRepository]:
    """The customer (404 when it is not the company's) and a repository of its equipment."""
    customer = await CustomerRepository(session, principal.company_id).get_or_404(customer_id)
    return customer, EquipmentRepository(session, principal.company_id, customer.id)


async def _location(
    session: AsyncSession, company_id: uuid.UUID, location_id: uuid.UUID | None, customer: Customer
) -> uuid.UUID | None:
    """The location, which must be the customer's: another customer's is a 422 naming
    `location_id`, another company's a 404 (as for orders). Key-share locked, so that a
    deletion of the location running meanwhile counts this equipment or went first."""
    if location_id is None:
        return None
    location = await locations.require_location(
        session, company_id, location_id, customer_id=customer.id, lock=True
    )
    return location.id


async def _vendor(
    session: AsyncSession, company_id: uuid.UUID, vendor_id: uuid.UUID | None
) -> uuid.UUID | None:
    """The vendor, which must be the company's (404 otherwise, as for any row named)."""
    if vendor_id is None:
        return None
    return (await vendors.vendor_or_404(session, company_id, vendor_id)).id


def _set_warranty(equipment: Equipment, warranty: warranties.Warranty, company: Company) -> None:
    equipment.warranty_months = warranty.months
    equipment.warranty_expires_on = warranty.expires_on
    equipment.warranty_remind_on = warranties.remind_on(
        warranty.expires_on, company.warranty_reminder_days
    )


async def list_equipment(
    session: AsyncSession,
    principal: Principal,
    customer_id: uuid.UUID,
    *,
    location_id: uuid.UUID | None,
    vendor_id: uuid.UUID | None,
    warranty: str | None,
    params: PageParams,
    codec: CursorCodec,
) -> PageResult[EquipmentView]:
    """The customer's equipment, oldest first, at one location and by warranty state when
    asked: `active` (not expired yet), `expiring` (active, and expiring within the
    company's reminder days), `expired` (from the expiry date on); today in the company's
    timezone. 404 when the customer is not the company's."""
    _, repository = await _scope(session, principal, customer_id)
    company = await companies.settings_of(session, principal.company_id)
    today = _today(company)
    stmt = repository.select()
    if location_id is not None:
        stmt = stmt.where(Equipment.location_id == location_id)
    if vendor_id is not None:
        stmt = stmt.where(Equipment.vendor_id == vendor_id)
    expires_on = Equipment.warranty_expires_on
    if warranty == "expired":
        stmt = stmt.where(expires_on <= today)
    elif warranty == "active":
        stmt = stmt.where(expires_on > today)
    elif warranty == "expiring":
        window_end = today + timedelta(days=company.warranty_reminder_days)
        stmt = stmt.where(expires_on > today, expires_on <= window_end)
    page = await repository.page(stmt, sort=SORT, params=params, codec=codec)
    return PageResult([_view(e, today) for e in page.items], page.has_more, page.next_cursor)


async def get_equipment(
    session: AsyncSession, principal: Principal, customer_id: uuid.UUID, equipment_id: uuid.UUID
) -> EquipmentView:
    """One piece of equipment of the customer; 404 for another customer's."""
    _, repository = await _scope(session, principal, customer_id)
    equipment = await repository.get_or_404(equipment_id)
    company = await companies.settings_of(session, principal.company_id)
    return _view(equipment, _today(company))


async def create_equipment(
    session: AsyncSession, principal: Principal, customer_id: uuid.UUID, body: EquipmentCreate
) -> EquipmentView:
    """Add equipment to the customer. Refuses (422 naming the field) a location of another
    customer, warranty months without an installation date, months and an expiry that
    disagree, an expiry not after installation, and custom field values that do not fit
    the company's `equipment` definitions; another company's location is a 404."""
    customer, repository = await _scope(session, principal, customer_id)
    company = await companies.settings_of(session, principal.company_id, share=True)
    location_id = await _location(session, principal.company_id, body.location_id, customer)
    vendor_id = await _vendor(session, principal.company_id, body.vendor_id)
    warranty = warranties.resolve(body.installed_on, body.warranty_months, body.warranty_expires_on)
    values = await custom_fields.validate_values(
        session, principal.company_id, ENTITY, body.custom_fields
    )
    equipment = Equipment(
        location_id=location_id,
        vendor_id=vendor_id,
        installed_on=body.installed_on,
        custom_fields=values,
        **{field: getattr(body, field) for field in EQUIPMENT_FIELDS},
    )
    _set_warranty(equipment, warranty, company)
    repository.add(equipment)
    await session.flush()
    events.record(session, principal, "created", equipment, parent=customer)
    return _view(equipment, _today(company))


async def update_equipment(
    session: AsyncSession,
    principal: Principal,
    customer_id: uuid.UUID,
    equipment_id: uuid.UUID,
    body: EquipmentUpdate,
    *,
    expected_version: int | None,
) -> EquipmentView:
    """Change the fields sent, under the row's lock (so a concurrent reminder scan either
    notified before, or sees the new expiry); If-Match is checked on the locked row.

    Sending `warranty_months` or `warranty_expires_on` replaces the warranty with what is
    sent (nulls remove it); otherwise a warranty given in months follows a new
    `installed_on`, and one given as a date stays. A new expiry date is notified again,
    the one already notified is not. The same 422s and 404 as `create_equipment`."""
    customer, repository = await _scope(session, principal, customer_id)
    company = await companies.settings_of(session, principal.company_id, share=True)
    equipment = await repository.get_or_404(equipment_id, for_update=True)
    check_version(equipment.version, expected_version)
    before = events.snapshot(equipment)
    changes = body.changes()
    if "location_id" in changes:
        equipment.location_id = await _location(
            session, principal.company_id, changes["location_id"], customer
        )
    if "vendor_id" in changes:
        equipment.vendor_id = await _vendor(session, principal.company_id, changes["vendor_id"])
    installed_on = changes.get("installed_on", equipment.installed_on)
    if any(field in changes for field in WARRANTY_FIELDS):
        months, expires_on = changes.get("warranty_months"), changes.get("warranty_expires_on")
    else:
        months = equipment.warranty_months
        expires_on = None if months is not None else equipment.warranty_expires_on
    warranty = warranties.resolve(installed_on, months, expires_on)
    if "custom_fields" in changes:
        equipment.custom_fields = await custom_fields.validate_values(
            session,
            principal.company_id,
            ENTITY,
            changes["custom_fields"],
            current=equipment.custom_fields,
        )
    for field in EQUIPMENT_FIELDS:
        if field in changes:
            setattr(equipment, field, changes[field])
    equipment.installed_on = installed_on
    _set_warranty(equipment, warranty, company)
    await session.flush()
    events.record(session, principal, "updated", equipment, before=before, parent=customer)
    return _view(equipment, _today(company))


async def delete_equipment(
    session: AsyncSession,
    principal: Principal,
    customer_id: uuid.UUID,
    equipment_id: uuid.UUID,
    *,
    expected_version: int | None,
) -> None:
    """Delete the equipment and, with it (foreign key cascade), its warranty
    notifications."""
    customer, repository = await _scope(session, principal, customer_id)
    equipment = await repository.get_or_404(equipment_id, for_update=True)
    check_version(equipment.version, expected_version)
    before = events.snapshot(equipment)
    await repository.delete(equipment)
    await session.flush()
    events.record(
        session, principal, "deleted", equipment, before=before, deleted=True, parent=customer
    )


async def require_equipment(
    session: AsyncSession,
    company_id: uuid.UUID,
    equipment_id: uuid.UUID,
    *,
    customer_id: uuid.UUID,
    field: str = "equipment_id",
) -> Equipment:
    """The piece of equipment `equipment_id`, for a record of customer `customer_id` that
    names it (an attachment). 404 when it is not the company's; 422 naming `field` when it
    is another customer's."""
    equipment = await CompanyEquipmentRepository(session, company_id).get(equipment_id)
    if equipment is None:
        raise NotFound(f"Equipment {equipment_id} not found (`{field}`).")
    if equipment.customer_id != customer_id:
        raise ValidationFailed.field(
            field, f"equipment {equipment_id} is another customer's: name one of this customer's"
        )
    return equipment
