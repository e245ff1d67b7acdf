from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import Float, and_, cast, delete, func, literal_column, or_, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.sql.elements import ColumnElement

from app.geofence.geometry import BBox
from app.geofence.models import BBOX, Geofence, GeofenceUser
from app.kit.repository import ChildRepository, TenantRepository


def bbox_meets(box: BBox) -> ColumnElement[bool]:
    """The fence's bounding box meets `box` (boundaries included): the GiST index
    `ix_geofence_bbox` answers it."""
    corner = func.point
    other = func.box(
        corner(cast(box.west, Float), cast(box.south, Float)),
        corner(cast(box.east, Float), cast(box.north, Float)),
    )
    meets: ColumnElement[bool] = literal_column(BBOX).op("&&")(other)
    return meets


class GeofenceRepository(ChildRepository[Geofence]):
    """The fences of one service location."""

    model = Geofence
    label = "Geofence"
    parent_key = "location_id"


class CompanyGeofenceRepository(TenantRepository[Geofence]):
    """Any fence of the company: the map, and who each notifies."""

    model = Geofence
    label = "Geofence"

    async def in_boxes(self, boxes: Sequence[BBox], *, limit: int) -> list[Geofence]:
        """Up to `limit` fences whose bounding box meets one of `boxes`, oldest first."""
        stmt = (
            self.select()
            .where(or_(*(bbox_meets(box) for box in boxes)))
            .order_by(Geofence.created_at, Geofence.id)
            .limit(limit)
        )
        return list(await self.session.scalars(stmt))

    async def users_of(self, geofence_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[uuid.UUID]]:
        """The users each fence notifies, in one query."""
        ids = list(geofence_ids)
        found: dict[uuid.UUID, list[uuid.UUID]] = {i: [] for i in ids}
        if not ids:
            return found
        rows = await self.session.execute(
            select(GeofenceUser.geofence_id, GeofenceUser.user_id)
            .where(
                GeofenceUser.company_id == self.company_id,
                GeofenceUser.geofence_id.in_(ids),
            )
            .order_by(GeofenceUser.geofence_id, GeofenceUser.user_id)
        )
        for geofence_id, user_id in rows:
            found[geofence_id].append(user_id)
        return found

    async def set_users(self, geofence_id: uuid.UUID, user_ids: Sequence[uuid.UUID]) -> None:
        """Make `user_ids` exactly the users the fence notifies."""
        await self.session.execute(
            delete(GeofenceUser).where(
                and_(
                    GeofenceUser.company_id == self.company_id,
                    GeofenceUser.geofence_id == geofence_id,
                    GeofenceUser.user_id.not_in(user_ids) if user_ids else text("true"),
                )
            )
        )
        if user_ids:
            await self.session.execute(
                pg_insert(GeofenceUser)
                .values(
                    [
                        {"company_id": self.company_id, "geofence_id": geofence_id, "user_id": u}
                        for u in user_ids
                    ]
                )
                .on_conflict_do_nothing()
            )
