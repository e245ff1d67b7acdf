"""One user's positions and geofence events, and the candidate fences of positions. Every
statement names the company and the user the repository was built for."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, Text, Uuid, any_, bindparam, delete, exists, select, text
from sqlalchemy.dialects.postgresql import ARRAY, DOUBLE_PRECISION, TIMESTAMP
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.geofence.models import Geofence, GeofenceEvent, UserPosition, UserTracking
from app.geofence.position.tracking import Crossing, Fix
from app.kit.models import new_id
from app.kit.repository import TenantRepository

_FLOATS = ARRAY(DOUBLE_PRECISION)

# The fences whose bounding box holds each position: one GiST index probe per position
# (ix_geofence_bbox), never a scan of the company's fences.
_CANDIDATES = text(
    """
    SELECT p.i, g.id
    FROM unnest(:lons, :lats) WITH ORDINALITY AS p(lon, lat, i)
    JOIN geofence AS g
      ON g.company_id = :company_id
     AND box(point(g.west, g.south), point(g.east, g.north))
         && box(point(p.lon, p.lat), point(p.lon, p.lat))
    """
).bindparams(
    bindparam("company_id", type_=Uuid()),
    bindparam("lons", type_=_FLOATS),
    bindparam("lats", type_=_FLOATS),
)

_STORE = text(
    """
    INSERT INTO user_position (company_id, user_id, recorded_at, latitude, longitude, accuracy_m)
    SELECT :company_id, :user_id, p.t, p.lat, p.lon, p.accuracy
    FROM unnest(:times, :lats, :lons, :accuracies) AS p(t, lat, lon, accuracy)
    ON CONFLICT DO NOTHING
    RETURNING recorded_at
    """
).bindparams(
    bindparam("company_id", type_=Uuid()),
    bindparam("user_id", type_=Uuid()),
    bindparam("times", type_=ARRAY(TIMESTAMP(timezone=True))),
    bindparam("lats", type_=_FLOATS),
    bindparam("lons", type_=_FLOATS),
    bindparam("accuracies", type_=_FLOATS),
)

_UUIDS = ARRAY(Uuid())
_ADD_EVENTS = text(
    """
    INSERT INTO geofence_event
        (id, company_id, user_id, geofence_id, location_id, customer_id, kind, occurred_at)
    SELECT e.id, :company_id, :user_id, e.fence, e.location, e.customer, e.kind, e.at
    FROM unnest(:ids, :fences, :locations, :customers, :kinds, :times)
        AS e(id, fence, location, customer, kind, at)
    RETURNING id, kind, occurred_at, geofence_id, user_id, location_id, customer_id, created_at
    """
).bindparams(
    bindparam("company_id", type_=Uuid()),
    bindparam("user_id", type_=Uuid()),
    bindparam("ids", type_=_UUIDS),
    bindparam("fences", type_=_UUIDS),
    bindparam("locations", type_=_UUIDS),
    bindparam("customers", type_=_UUIDS),
    bindparam("kinds", type_=ARRAY(Text())),
    bindparam("times", type_=ARRAY(TIMESTAMP(timezone=True))),
)


class TrackingRepository:
    def __init__(self, session: AsyncSession, company_id: uuid.UUID, user_id: uuid.UUID) -> None:
        self.session = session
        self.company_id = company_id
        self.user_id = user_id

    async def lock(self) -> UserTracking:
        """The user's tracking row, made if need be and locked FOR UPDATE until commit: one
        batch of a user at a time, each evaluating what the one before it committed."""
        await self.session.execute(
            pg_insert(UserTracking)
            .values(company_id=self.company_id, user_id=self.user_id)
            .on_conflict_do_nothing()
        )
        tracking = await self.session.scalar(
            select(UserTracking)
            .where(UserTracking.company_id == self.company_id, UserTracking.user_id == self.user_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        assert tracking is not None  # made just above, and a user's is never deleted alone
        return tracking

    async def store(self, fixes: Sequence[Fix]) -> list[datetime]:
        """Store the positions not stored before (by `recorded_at`); their times."""
        result = await self.session.execute(
            _STORE,
            {
                "company_id": self.company_id,
                "user_id": self.user_id,
                "times": [f.recorded_at for f in fixes],
                "lats": [f.latitude for f in fixes],
                "lons": [f.longitude for f in fixes],
                "accuracies": [f.accuracy_m for f in fixes],
            },
        )
        return list(result.scalars())

    async def history(self, since: datetime) -> list[Fix]:
        """The user's positions from `since` on, in time order."""
        rows = await self.session.execute(
            select(
                UserPosition.recorded_at,
                UserPosition.latitude,
                UserPosition.longitude,
                UserPosition.accuracy_m,
            )
            .where(
                UserPosition.company_id == self.company_id,
                UserPosition.user_id == self.user_id,
                UserPosition.recorded_at >= since,
            )
            .order_by(UserPosition.recorded_at)
        )
        return [Fix(*row) for row in rows]

    async def inside_before(self, since: datetime) -> set[uuid.UUID]:
        """The fences the user was in just before `since`: those whose last event before it
        is an `enter`."""
        event, later = aliased(GeofenceEvent), aliased(GeofenceEvent)
        mine = (
            (event.company_id == self.company_id)
            & (event.user_id == self.user_id)
            & (event.occurred_at < since)
        )
        rows = await self.session.scalars(
            select(event.geofence_id).where(
                mine,
                event.kind == "enter",
                ~exists().where(
                    later.company_id == event.company_id,
                    later.user_id == event.user_id,
                    later.geofence_id == event.geofence_id,
                    later.occurred_at > event.occurred_at,
                    later.occurred_at < since,
                ),
            )
        )
        return set(rows)

    async def near(self, fixes: Sequence[Fix]) -> list[set[uuid.UUID]]:
        """For each position, the company's fences whose bounding box holds it."""
        found: list[set[uuid.UUID]] = [set() for _ in fixes]
        rows = await self.session.execute(
            _CANDIDATES,
            {
                "company_id": self.company_id,
                "lons": [f.longitude for f in fixes],
                "lats": [f.latitude for f in fixes],
            },
        )
        for index, fence_id in rows:
            found[index - 1].add(fence_id)
        return found

    async def fences(self, ids: set[uuid.UUID]) -> list[Geofence]:
        if not ids:
            return []
        return list(
            await self.session.scalars(
                select(Geofence).where(
                    Geofence.company_id == self.company_id,
                    Geofence.id == any_(bindparam("fence_ids", list(ids), type_=_UUIDS)),
                )
            )
        )

    async def events_since(self, since: datetime) -> list[GeofenceEvent]:
        return list(
            await self.session.scalars(
                select(GeofenceEvent).where(
                    GeofenceEvent.company_id == self.company_id,
                    GeofenceEvent.user_id == self.user_id,
                    GeofenceEvent.occurred_at >= since,
                )
            )
        )

    async def withdraw(self, event_ids: Sequence[uuid.UUID]) -> None:
        """Delete events a late position showed did not happen (and their notifications)."""
        if event_ids:
            await self.session.execute(
                delete(GeofenceEvent).where(
                    GeofenceEvent.company_id == self.company_id, GeofenceEvent.id.in_(event_ids)
                )
            )

    async def add_events(
        self, crossings: Sequence[Crossing], fences: dict[uuid.UUID, Geofence]
    ) -> list[Any]:
        """Insert the events of `crossings` in one statement; their rows."""
        if not crossings:
            return []
        result = await self.session.execute(
            _ADD_EVENTS,
            {
                "company_id": self.company_id,
                "user_id": self.user_id,
                "ids": [new_id() for _ in crossings],
                "fences": [c.geofence_id for c in crossings],
                "locations": [fences[c.geofence_id].location_id for c in crossings],
                "customers": [fences[c.geofence_id].customer_id for c in crossings],
                "kinds": [c.kind for c in crossings],
                "times": [c.occurred_at for c in crossings],
            },
        )
        return list(result.all())


class GeofenceEventRepository(TenantRepository[GeofenceEvent]):
    """The company's geofence events, for the list."""

    model = GeofenceEvent
    label = "Geofence event"

    def filtered(self, **filters: Any) -> Select[tuple[GeofenceEvent]]:
        stmt = self.select()
        for name in ("customer_id", "user_id", "geofence_id"):
            if filters.get(name) is not None:
                stmt = stmt.where(getattr(GeofenceEvent, name) == filters[name])
        if filters.get("occurred_from") is not None:
            stmt = stmt.where(GeofenceEvent.occurred_at >= filters["occurred_from"])
        if filters.get("occurred_to") is not None:
            stmt = stmt.where(GeofenceEvent.occurred_at < filters["occurred_to"])
        return stmt
