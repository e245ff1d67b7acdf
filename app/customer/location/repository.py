from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select

from app.customer.location.models import Location
from app.geofence.models import Geofence
from app.kit.repository import ChildRepository, TenantRepository
from app.order.appointment.models import Appointment
from app.order.models import Order


@dataclass(frozen=True)
class LocationUsage:
    """What points at a location, and is cleared when it goes with `detach`."""

    orders: int
    appointments: int
    geofences: int = 0  # deleted with the location (ON DELETE CASCADE), not detached

    @property
    def total(self) -> int:
        return self.orders + self.appointments + self.geofences


class LocationRepository(ChildRepository[Location]):
    """The service locations of one customer: a location id under another customer is as
    missing as one of another company."""

    model = Location
    label = "Location"
    parent_key = "customer_id"

    async def primary(self) -> Location | None:
        """The primary location, locked (the caller holds the customer's lock)."""
        stmt = self.select().where(Location.is_primary).with_for_update()
        location: Location | None = await self.session.scalar(stmt)
        return location

    # Orders and appointments are the order domain's rows; their `location_id` column is
    # read and cleared here as data (the way a customer's rename reaches its orders), since
    # the order domain, which uses customers, cannot be used by them.

    async def usage(self, location_id: uuid.UUID) -> LocationUsage:
        """How many orders, appointments and geofences name the location, in one query."""
        orders = (
            select(func.count())
            .select_from(Order)
            .where(Order.company_id == self.company_id, Order.location_id == location_id)
            .scalar_subquery()
        )
        appointments = (
            select(func.count())
            .select_from(Appointment)
            .where(
                Appointment.company_id == self.company_id,
                Appointment.location_id == location_id,
            )
            .scalar_subquery()
        )
        geofences = (
            select(func.count())
            .select_from(Geofence)
            .where(Geofence.company_id == self.company_id, Geofence.location_id == location_id)
            .scalar_subquery()
        )
        row = (await self.session.execute(select(orders, appointments, geofences))).one()
        return LocationUsage(orders=int(row[0]), appointments=int(row[1]), geofences=int(row[2]))

    async def orders_using(self, location_id: uuid.UUID) -> list[Order]:
        """The orders naming the location, locked, in id order (so two callers lock them in
        the same order)."""
        stmt = (
            select(Order)
            .where(Order.company_id == self.company_id, Order.location_id == location_id)
            .order_by(Order.id)
            .with_for_update()
        )
        return list(await self.session.scalars(stmt))

    async def appointments_using(self, location_id: uuid.UUID) -> list[tuple[Appointment, Order]]:
        """The appointments naming the location, locked in id order, each with its order
        (the parent its audit event names)."""
        stmt = (
            select(Appointment, Order)
            .join(
                Order,
                (Order.company_id == Appointment.company_id) & (Order.id == Appointment.order_id),
            )
            .where(
                Appointment.company_id == self.company_id,
                Appointment.location_id == location_id,
            )
            .order_by(Appointment.id)
            .with_for_update(of=Appointment)
        )
        return [(appointment, order) for appointment, order in await self.session.execute(stmt)]


class CompanyLocationRepository(TenantRepository[Location]):
    """Any service location of the company, whichever customer's: for a record elsewhere
    that names one (an order's `location_id`)."""

    model = Location
    label = "Location"
