from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, exists, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.pagination import CursorCodec, PageParams, PageResult, Sort
from app.kit.repository import ChildRepository, TenantRepository
from app.order.appointment.models import MAX_DURATION_MINUTES, Appointment, AppointmentUser
from app.order.models import Order


@dataclass(frozen=True)
class ScheduleFilters:
    user_id: uuid.UUID | None = None
    customer_id: uuid.UUID | None = None
    location_id: uuid.UUID | None = None
    kind: str | None = None


async def _user_ids(
    session: AsyncSession, company_id: uuid.UUID, appointment_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """The users assigned to each appointment, in one query (no N+1 on lists)."""
    result: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    if not appointment_ids:
        return result
    rows = await session.execute(
        select(AppointmentUser.appointment_id, AppointmentUser.user_id)
        .where(
            AppointmentUser.company_id == company_id,
            AppointmentUser.appointment_id.in_(appointment_ids),
        )
        .order_by(AppointmentUser.user_id)
    )
    for appointment_id, user_id in rows:
        result[appointment_id].append(user_id)
    return result


class AppointmentRepository(ChildRepository[Appointment]):
    """The appointments of one order."""

    model = Appointment
    label = "Appointment"
    parent_key = "order_id"

    async def with_location(self) -> list[Appointment]:
        """The order's appointments that name a location, locked, in id order."""
        stmt = (
            self.select()
            .where(Appointment.location_id.is_not(None))
            .order_by(Appointment.id)
            .with_for_update()
        )
        return list(await self.session.scalars(stmt))

    async def user_ids(
        self, appointment_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[uuid.UUID]]:
        """The users assigned to each appointment, in one query (no N+1 on lists)."""
        return await _user_ids(self.session, self.company_id, appointment_ids)

    async def set_users(
        self,
        appointment: Appointment,
        user_ids: Iterable[uuid.UUID],
        *,
        ends_at: datetime,
        allow_overlap: bool,
    ) -> None:
        """Assign exactly these users, each row with the appointment's time range; the
        database refuses a user's overlapping rows (`NO_OVERLAP`) unless `allow_overlap`."""
        await self.session.execute(
            delete(AppointmentUser).where(
                AppointmentUser.company_id == self.company_id,
                AppointmentUser.appointment_id == appointment.id,
            )
        )
        rows = [
            {
                "company_id": self.company_id,
                "appointment_id": appointment.id,
                "user_id": u,
                "starts_at": appointment.starts_at,
                "ends_at": ends_at,
                "overlap_allowed": allow_overlap,
            }
            for u in sorted(set(user_ids))
        ]
        if rows:
            await self.session.execute(insert(AppointmentUser), rows)

    async def overlapping(
        self,
        appointment_id: uuid.UUID,
        user_ids: Sequence[uuid.UUID],
        starts_at: datetime,
        ends_at: datetime,
    ) -> list[AppointmentUser]:
        """The other appointments' rows of these users that overlap [starts_at, ends_at)
        and count (booked without `allow_overlap`), by start time."""
        stmt = (
            select(AppointmentUser)
            .where(
                AppointmentUser.company_id == self.company_id,
                AppointmentUser.user_id.in_(user_ids),
                AppointmentUser.appointment_id != appointment_id,
                AppointmentUser.starts_at < ends_at,
                AppointmentUser.ends_at > starts_at,
                AppointmentUser.overlap_allowed.is_(False),
            )
            .order_by(AppointmentUser.starts_at, AppointmentUser.appointment_id)
        )
        return list(await self.session.scalars(stmt))

    async def orders_of(self, appointment_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
        """The order of each of these appointments (any order of the company)."""
        if not appointment_ids:
            return {}
        rows = await self.session.execute(
            select(Appointment.id, Appointment.order_id).where(
                Appointment.company_id == self.company_id, Appointment.id.in_(appointment_ids)
            )
        )
        return {row.id: row.order_id for row in rows}


class ScheduleRepository(TenantRepository[Appointment]):
    """Every appointment of the company, whatever its order: the schedule."""

    model = Appointment
    label = "Appointment"

    async def user_ids(
        self, appointment_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[uuid.UUID]]:
        """The users assigned to each appointment, in one query."""
        return await _user_ids(self.session, self.company_id, appointment_ids)

    async def page_in_period(
        self,
        *,
        start: datetime,
        end: datetime,
        filters: ScheduleFilters,
        sort: Sort,
        params: PageParams,
        codec: CursorCodec,
    ) -> PageResult[Any]:
        """One page of (appointment, the order's customer id) overlapping [start, end)."""
        stmt = (
            select(Appointment)
            .add_columns(Order.customer_id)
            .join(
                Order,
                and_(Order.company_id == Appointment.company_id, Order.id == Appointment.order_id),
            )
            .where(
                Appointment.company_id == self.company_id,
                Appointment.starts_at < end,
                # Bounded below by the longest duration, so (company_id, starts_at) serves it.
                Appointment.starts_at > start - timedelta(minutes=MAX_DURATION_MINUTES),
                Appointment.starts_at
                + func.make_interval(0, 0, 0, 0, 0, Appointment.duration_minutes)
                > start,
            )
        )
        if filters.user_id is not None:
            stmt = stmt.where(
                exists().where(
                    AppointmentUser.company_id == Appointment.company_id,
                    AppointmentUser.appointment_id == Appointment.id,
                    AppointmentUser.user_id == filters.user_id,
                )
            )
        if filters.customer_id is not None:
            stmt = stmt.where(Order.customer_id == filters.customer_id)
        if filters.location_id is not None:
            stmt = stmt.where(Appointment.location_id == filters.location_id)
        if filters.kind is not None:
            stmt = stmt.where(Appointment.kind == filters.kind)
        return await self.page_rows(stmt, sort=sort, params=params, codec=codec)

    async def busy(
        self, user_id: uuid.UUID, start: datetime, end: datetime
    ) -> list[tuple[datetime, datetime]]:
        """The time ranges of the user's appointments overlapping [start, end), by start."""
        rows = await self.session.execute(
            select(AppointmentUser.starts_at, AppointmentUser.ends_at)
            .where(
                AppointmentUser.company_id == self.company_id,
                AppointmentUser.user_id == user_id,
                AppointmentUser.starts_at < end,
                AppointmentUser.ends_at > start,
            )
            .order_by(AppointmentUser.starts_at, AppointmentUser.ends_at)
        )
        return [(row.starts_at, row.ends_at) for row in rows]
