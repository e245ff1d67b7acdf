from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select

from app.customer.equipment.models import Equipment
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
    equipment: int = 0
    geofences: int = 0  # deleted with the location (ON DELETE CASCADE), not detached

    @property
    def total(self) -> int:
        return self.orders + self.appointments + self.equipment + self.geofences


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
        """How many orders, appointments, pieces of equipment and geofences name the
        location, in one query."""
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
        equipment = (
            select(func.count())
            .select_from(Equipment)
            .where(Equipment.company_id == self.company_id, Equipment.location_id == location_id)
            .scalar_subquery()
        )
        geofences = (
            select(func.count())
            .select_from(Geofence)
            .where(Geofence.company_id == self.company_id, Geofence.location_id == location_id)
            .scalar_subquery()
        )
        row = (await self.session.execute(select(orders, appointments, equipment, geofences))).one()
        return LocationUsage(
            orders=int(row[0]),
            appointments=int(row[1]),
            equipment=int(row[2]),
            geofences=int(row[3]),
        )

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

    async def equipment_using(self, location_id: uuid.UUID) -> list[Equipment]:
        """The customer's equipment at the location, locked in id order."""
        stmt = (
            select(Equipment)
            .where(Equipment.company_id == self.company_id, Equipment.location_id == location_id)
            .order_by(Equipment.id)
            .with_for_update()
        )
        return list(await self.session.scalars(stmt))


class CompanyLocationRepository(TenantRepository[Location]):
    """Any service location of the company, whichever customer's: for a record elsewhere
    that names one (an order's `location_id`)."""

    model = Location
    label = "Location"

    async def get_key_shared(self, location_id: uuid.UUID) -> Location | None:
        """The location, locked FOR KEY SHARE (what the foreign key check of a row naming
        it takes, only earlier): a deletion under way is waited for, and then it is gone."""
        stmt = (
            self.select()
            .where(Location.id == location_id)
            .with_for_update(key_share=True, read=True)
        )
        location: Location | None = await self.session.scalar(stmt)
        return location
