"""Service locations of a customer (seed 002): where the work is done, apart from the
billing address, which stays on the customer and becomes a location only by an explicit
copy. At most one location of a customer is its primary one.

Every change to a customer's locations first locks the customer row FOR NO KEY UPDATE, so
that they run one after another (two requests making different locations primary cannot both
win; the partial unique index `uq_location_primary` backs this up), while orders being
written for the customer, whose foreign key checks take only KEY SHARE, do not wait. Locks
are taken customer first, then location, then the orders and appointments naming it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.customer.location.models import ADDRESS_FIELDS, LOCATION_FIELDS, Location
from app.customer.location.repository import (
    CompanyLocationRepository,
    LocationRepository,
    LocationUsage,
)
from app.customer.location.schemas import (
    LocationCreate,
    LocationFromBillingAddress,
    LocationUpdate,
)
from app.customer.models import Customer
from app.customer.repository import CustomerRepository
from app.errors import Conflict, NotFound, ValidationFailed
from app.event import service as events
from app.kit.concurrency import check_version
from app.kit.pagination import CursorCodec, PageParams, PageResult, Sort
from app.kit.schemas import COUNTRY_CODES

SORT = Sort("created_at", Location.created_at, Location.id)


async def _customer(
    session: AsyncSession, principal: Principal, customer_id: uuid.UUID, *, lock: bool = False
) -> Customer:
    repository = CustomerRepository(session, principal.company_id)
    if lock:
        return await repository.lock_for_children(customer_id)
    return await repository.get_or_404(customer_id)


def _check_place(values: Mapping[str, Any]) -> None:
    """A location is somewhere: an address line or coordinates, and never half a
    coordinate (422 naming the field missing)."""
    latitude, longitude = values.get("latitude"), values.get("longitude")
    if latitude is not None and longitude is None:
        raise ValidationFailed.field(
            "longitude", "required with latitude: send both coordinates, or neither"
        )
    if longitude is not None and latitude is None:
        raise ValidationFailed.field(
            "latitude", "required with longitude: send both coordinates, or neither"
        )
    if values.get("address_line1") is None and latitude is None:
        raise ValidationFailed.field(
            "address_line1",
            "a location needs an address (address_line1) or coordinates (latitude and longitude)",
        )


async def _take_primary(
    session: AsyncSession,
    principal: Principal,
    customer: Customer,
    repository: LocationRepository,
    location_id: uuid.UUID | None,
) -> None:
    """Unset the current primary location (unless it is `location_id`), on its own flush
    and audited, so that the unique index never sees two."""
    current = await repository.primary()
    if current is None or current.id == location_id:
        return
    before = events.snapshot(current)
    current.is_primary = False
    await session.flush()
    events.record(session, principal, "updated", current, before=before, parent=customer)


async def _add(
    session: AsyncSession,
    principal: Principal,
    customer: Customer,
    values: Mapping[str, Any],
    *,
    is_primary: bool,
) -> Location:
    repository = LocationRepository(session, principal.company_id, customer.id)
    if is_primary:
        await _take_primary(session, principal, customer, repository, None)
    location = repository.add(Location(is_primary=is_primary, **values))
    await session.flush()
    events.record(session, principal, "created", location, parent=customer)
    return location


async def list_locations(
    session: AsyncSession,
    principal: Principal,
    customer_id: uuid.UUID,
    *,
    params: PageParams,
    codec: CursorCodec,
) -> PageResult[Location]:
    """The customer's service locations, oldest first; 404 when the customer is not the
    company's."""
    customer = await _customer(session, principal, customer_id)
    repository = LocationRepository(session, principal.company_id, customer.id)
    return await repository.page(repository.select(), sort=SORT, params=params, codec=codec)


async def get_location(
    session: AsyncSession, principal: Principal, customer_id: uuid.UUID, location_id: uuid.UUID
) -> Location:
    """One location of the customer; 404 for another customer's."""
    customer = await _customer(session, principal, customer_id)
    return await LocationRepository(session, principal.company_id, customer.id).get_or_404(
        location_id
    )


async def create_location(
    session: AsyncSession, principal: Principal, customer_id: uuid.UUID, body: LocationCreate
) -> Location:
    """Add a service location, under the customer's lock. Refuses half a coordinate, or a
    location with neither an address line nor coordinates (422 naming the field).
    `is_primary` takes the flag from the current primary in the same transaction."""
    customer = await _customer(session, principal, customer_id, lock=True)
    values = {field: getattr(body, field) for field in LOCATION_FIELDS}
    _check_place(values)
    return await _add(session, principal, customer, values, is_primary=body.is_primary)


async def copy_billing_address(
    session: AsyncSession,
    principal: Principal,
    customer_id: uuid.UUID,
    body: LocationFromBillingAddress,
) -> Location:
    """Add a service location holding a copy of the customer's billing address: a copy, so
    that a later change to either leaves the other as it is. Refused (409) when the customer
    has no billing address (no `address_line1`), or one whose country is not an ISO 3166-1
    code (customers were not held to the list): correct the customer first."""
    customer = await _customer(session, principal, customer_id, lock=True)
    if customer.address_line1 is None:
        raise Conflict(
            "The customer has no billing address to copy (its address_line1 is empty): "
            "set it on the customer first, or create the location with its own address."
        )
    if customer.country is not None and customer.country not in COUNTRY_CODES:
        raise Conflict(
            f"The billing address's country {customer.country!r} is not an ISO 3166-1 "
            "alpha-2 code: correct it on the customer first."
        )
    values: dict[str, Any] = {field: getattr(customer, field) for field in ADDRESS_FIELDS}
    values.update(label=body.label, access_notes=body.access_notes)
    return await _add(session, principal, customer, values, is_primary=body.is_primary)


async def update_location(
    session: AsyncSession,
    principal: Principal,
    customer_id: uuid.UUID,
    location_id: uuid.UUID,
    body: LocationUpdate,
    *,
    expected_version: int | None,
) -> Location:
    """Change the fields sent, under the customer's lock; If-Match is checked on the locked
    row. The result must still be somewhere (an address line or both coordinates: 422
    naming the field). `is_primary: true` moves the flag here in the same transaction;
    `false` on the primary leaves the customer without one."""
    customer = await _customer(session, principal, customer_id, lock=True)
    repository = LocationRepository(session, principal.company_id, customer.id)
    location = await repository.get_or_404(location_id, for_update=True)
    check_version(location.version, expected_version)
    changes = body.changes()
    is_primary = changes.pop("is_primary", None)
    _check_place({field: changes.get(field, getattr(location, field)) for field in LOCATION_FIELDS})
    before = events.snapshot(location)
    if is_primary and not location.is_primary:
        await _take_primary(session, principal, customer, repository, location.id)
    if is_primary is not None:
        location.is_primary = is_primary
    for field, value in changes.items():
        setattr(location, field, value)
    await session.flush()
    events.record(session, principal, "updated", location, before=before, parent=customer)
    return location


async def delete_location(
    session: AsyncSession,
    principal: Principal,
    customer_id: uuid.UUID,
    location_id: uuid.UUID,
    *,
    expected_version: int | None,
    detach: bool,
) -> None:
    """Delete a location. While orders, appointments or equipment name it, or geofences
    belong to it, refused with a 409 that counts them (`orders_count`, `appointments_count`,
    `equipment_count`, `geofences_count`), unless `detach`: then the link of the orders,
    appointments and equipment is cleared in the same transaction, each of them getting a
    new version and an audit event, and its geofences are deleted with it (with their
    events: a fence is of its location only).
    The location is locked before they are counted, so none can start naming it meanwhile
    (naming it takes a KEY SHARE lock on it, which waits)."""
    customer = await _customer(session, principal, customer_id, lock=True)
    repository = LocationRepository(session, principal.company_id, customer.id)
    location = await repository.get_or_404(location_id, for_update=True)
    check_version(location.version, expected_version)
    usage = await repository.usage(location.id)
    if usage.total and not detach:
        raise _in_use(usage)
    if usage.total:
        await _detach(session, principal, repository, location.id)
    if usage.equipment:
        await _detach_equipment(session, principal, customer, repository, location.id)
    before = events.snapshot(location)
    await repository.delete(location)
    await session.flush()
    events.record(
        session, principal, "deleted", location, before=before, deleted=True, parent=customer
    )


def _in_use(usage: LocationUsage) -> Conflict:
    return Conflict(
        f"The location is used by {usage.orders} order(s), {usage.appointments} "
        f"appointment(s) and {usage.equipment} piece(s) of equipment, and has "
        f"{usage.geofences} geofence(s); send `detach=true` to delete it, clear their "
        "location and delete its geofences.",
        orders_count=usage.orders,
        appointments_count=usage.appointments,
        equipment_count=usage.equipment,
        geofences_count=usage.geofences,
    )


async def _detach(
    session: AsyncSession,
    principal: Principal,
    repository: LocationRepository,
    location_id: uuid.UUID,
) -> None:
    """Clear the location of the orders and appointments naming it, audited on each."""
    orders = await repository.orders_using(location_id)
    appointments = await repository.appointments_using(location_id)
    order_befores = [events.snapshot(order) for order in orders]
    appointment_befores = [events.snapshot(appointment) for appointment, _ in appointments]
    for order in orders:
        order.location_id = None
    for appointment, _ in appointments:
        appointment.location_id = None
    await session.flush()
    for order, before in zip(orders, order_befores, strict=True):
        events.record(session, principal, "updated", order, before=before)
    for (appointment, order), before in zip(appointments, appointment_befores, strict=True):
        events.record(session, principal, "updated", appointment, before=before, parent=order)


async def _detach_equipment(
    session: AsyncSession,
    principal: Principal,
    customer: Customer,
    repository: LocationRepository,
    location_id: uuid.UUID,
) -> None:
    """Clear the location of the equipment installed there, audited on each (a new
    version: what it shows changed)."""
    equipment = await repository.equipment_using(location_id)
    befores = [events.snapshot(piece) for piece in equipment]
    for piece in equipment:
        piece.location_id = None
    await session.flush()
    for piece, before in zip(equipment, befores, strict=True):
        events.record(session, principal, "updated", piece, before=before, parent=customer)


async def require_location(
    session: AsyncSession,
    company_id: uuid.UUID,
    location_id: uuid.UUID,
    *,
    customer_id: uuid.UUID | None,
    field: str = "location_id",
    lock: bool = False,
) -> Location:
    """The location `location_id`, for a record of customer `customer_id` that names it (an
    order, an appointment). 404 when it is not the company's: another company's location
    is as missing as one that never was. 422 naming `field` when it is another customer's,
    or when the record has no customer. `lock` holds a KEY SHARE lock on it until the
    transaction ends, so that a deletion running meanwhile either counts the record, or
    went first and the location is a 404 (rather than the record's insert failing on its
    foreign key, a vague 409)."""
    repository = CompanyLocationRepository(session, company_id)
    location = await (
        repository.get_key_shared(location_id) if lock else repository.get(location_id)
    )
    if location is None:
        raise NotFound(f"Location {location_id} not found (`{field}`).")
    if customer_id is None:
        raise ValidationFailed.field(field, "the record has no customer, so no location")
    if location.customer_id != customer_id:
        raise ValidationFailed.field(
            field, f"location {location_id} is another customer's: name one of this customer's"
        )
    return location
