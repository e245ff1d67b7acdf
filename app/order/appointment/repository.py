from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import delete, insert, select

from app.kit.repository import ChildRepository
from app.order.appointment.models import Appointment, AppointmentUser


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
        result: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
        if not appointment_ids:
            return result
        rows = await self.session.execute(
            select(AppointmentUser.appointment_id, AppointmentUser.user_id)
            .where(
                AppointmentUser.company_id == self.company_id,
                AppointmentUser.appointment_id.in_(appointment_ids),
            )
            .order_by(AppointmentUser.user_id)
        )
        for appointment_id, user_id in rows:
            result[appointment_id].append(user_id)
        return result

    async def set_users(self, appointment_id: uuid.UUID, user_ids: Iterable[uuid.UUID]) -> None:
        await self.session.execute(
            delete(AppointmentUser).where(
                AppointmentUser.company_id == self.company_id,
                AppointmentUser.appointment_id == appointment_id,
            )
        )
        rows = [
            {"company_id": self.company_id, "appointment_id": appointment_id, "user_id": u}
            for u in sorted(set(user_ids))
        ]
        if rows:
            await self.session.execute(insert(AppointmentUser), rows)
