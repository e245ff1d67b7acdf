"""Geofences of a customer's service location (seed 002's Geofences tab) and the map
overlay. A fence is a circle (10 m to 50 km) or a valid polygon, alerts on entering,
exiting or both, and notifies users of the company. It belongs to its location: deleting
the location deletes it (app.customer.location.service counts them in its 409).

The shape is kept as given, with its bounding box and narrowest width derived here: the
box feeds the GiST index through which positions find their candidate fences
(app.geofence.position), the width the rule that a position less accurate than the fence
is wide says nothing about it."""

from __future__ import annotations

import math
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

from app.auth.principal import Principal
from app.customer.location import service as locations
from app.errors import ValidationFailed
from app.event import service as events
from app.geofence.geometry import Area, Circle, Shape, bbox_of_box, check_ring
from app.geofence.models import Geofence
from app.geofence.repository import CompanyGeofenceRepository, GeofenceRepository
from app.geofence.schemas import (
    CircleGeometry,
    Feature,
    FeatureCollection,
    FeatureGeometry,
    FeatureProperties,
    GeofenceCreate,
    GeofenceRead,
    GeofenceUpdate,
    PolygonGeometry,
)
from app.kit.concurrency import check_version
from app.kit.pagination import CursorCodec, PageParams, PageResult, Sort
from app.user import service as users

SORT = Sort("created_at", Geofence.created_at, Geofence.id)
MAP_MAX_FENCES = 5_000


def shape_of(geofence: Geofence) -> Shape:
    """The fence's shape, to measure positions against."""
    if geofence.shape == "circle":
        assert geofence.latitude is not None
        assert geofence.longitude is not None
        assert geofence.radius_m is not None
        return Circle(geofence.latitude, geofence.longitude, geofence.radius_m)
    assert geofence.ring is not None
    return Area(geofence.ring)


def _geometry_values(geometry: CircleGeometry | PolygonGeometry) -> dict[str, Any]:
    """The columns of a shape: as given, plus its bounding box and width. A polygon that
    is not closed, simple and of some area is a 422 naming `geometry.coordinates`."""
    shape: Shape
    if isinstance(geometry, CircleGeometry):
        shape = Circle(geometry.latitude, geometry.longitude, geometry.radius_m)
        values: dict[str, Any] = {
            "shape": "circle",
            "latitude": geometry.latitude,
            "longitude": geometry.longitude,
            "radius_m": geometry.radius_m,
            "ring": None,
        }
    else:
        ring = [[lon, lat] for lon, lat in geometry.coordinates[0]]
        problem = check_ring(ring)
        if problem is not None:
            raise ValidationFailed.field("geometry.coordinates", problem)
        shape = Area(ring)
        values = {"shape": "polygon", "latitude": None, "longitude": None, "radius_m": None}
        values["ring"] = ring
    box = shape.bbox
    values.update(
        west=box.west, south=box.south, east=box.east, north=box.north, width_m=shape.width_m
    )
    return values


def geometry_of(geofence: Geofence) -> CircleGeometry | PolygonGeometry:
    """The shape as the API shows it (as it was given)."""
    if geofence.shape == "circle":
        return CircleGeometry.model_validate(
            {
                "type": "Circle",
                "latitude": geofence.latitude,
                "longitude": geofence.longitude,
                "radius_m": geofence.radius_m,
            }
        )
    return PolygonGeometry.model_validate({"type": "Polygon", "coordinates": [geofence.ring]})


def to_read(geofence: Geofence, user_ids: list[uuid.UUID]) -> GeofenceRead:
    return GeofenceRead(
        id=geofence.id,
        customer_id=geofence.customer_id,
        location_id=geofence.location_id,
        name=geofence.name,
        color=geofence.color,
        alert_on=geofence.alert_on,  # the column's CHECK
        geometry=geometry_of(geofence),
        notify_user_ids=user_ids,
        bbox=[geofence.west, geofence.south, geofence.east, geofence.north],
        created_at=geofence.created_at,
        updated_at=geofence.updated_at,
    )


async def _users(
    session: AsyncSession, principal: Principal, user_ids: list[uuid.UUID]
) -> list[uuid.UUID]:
    """The users to notify: active users of the company, once each (422 naming
    `notify_user_ids` otherwise)."""
    found = await users.require_active_users(
        session, principal.company_id, user_ids, field="notify_user_ids"
    )
    return [user.id for user in found]


async def list_geofences(
    session: AsyncSession,
    principal: Principal,
    customer_id: uuid.UUID,
    location_id: uuid.UUID,
    *,
    params: PageParams,
    codec: CursorCodec,
) -> tuple[PageResult[Geofence], dict[uuid.UUID, list[uuid.UUID]]]:
    """The location's fences, oldest first, with the users each notifies; 404 when the
    location is not the customer's."""
    await locations.get_location(session, principal, customer_id, location_id)
    repository = GeofenceRepository(session, principal.company_id, location_id)
    page = await repository.page(repository.select(), sort=SORT, params=params, codec=codec)
    notified = await CompanyGeofenceRepository(session, principal.company_id).users_of(
        g.id for g in page.items
    )
    return page, notified


async def get_geofence(
    session: AsyncSession,
    principal: Principal,
    customer_id: uuid.UUID,
    location_id: uuid.UUID,
    geofence_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> tuple[Geofence, list[uuid.UUID]]:
    """One fence of the location, with the users it notifies; 404 for another
    location's, customer's or company's."""
    location = await locations.get_location(session, principal, customer_id, location_id)
    geofence = await GeofenceRepository(session, principal.company_id, location.id).get_or_404(
        geofence_id, for_update=for_update
    )
    notified = await CompanyGeofenceRepository(session, principal.company_id).users_of(
        [geofence.id]
    )
    return geofence, notified[geofence.id]


async def create_geofence(
    session: AsyncSession,
    principal: Principal,
    customer_id: uuid.UUID,
    location_id: uuid.UUID,
    body: GeofenceCreate,
) -> tuple[Geofence, list[uuid.UUID]]:
    """Add a fence to the location. 422 naming the field for a polygon that is not a
    fence (`geometry.coordinates`) or a user to notify who is not an active user of the
    company (`notify_user_ids`). The location's row is held (KEY SHARE, by the foreign key)
    until commit, so a concurrent delete of it waits and then counts this fence."""
    location = await locations.get_location(session, principal, customer_id, location_id)
    values = _geometry_values(body.geometry)
    user_ids = await _users(session, principal, body.notify_user_ids)
    repository = GeofenceRepository(session, principal.company_id, location.id)
    geofence = repository.add(
        Geofence(
            customer_id=location.customer_id,
            name=body.name,
            color=body.color.upper(),
            alert_on=body.alert_on,
            **values,
        )
    )
    await session.flush()
    await CompanyGeofenceRepository(session, principal.company_id).set_users(geofence.id, user_ids)
    events.record(
        session, principal, "created", geofence, parent=location, notify_user_ids=user_ids
    )
    return geofence, user_ids


async def update_geofence(
    session: AsyncSession,
    principal: Principal,
    customer_id: uuid.UUID,
    location_id: uuid.UUID,
    geofence_id: uuid.UUID,
    body: GeofenceUpdate,
    *,
    expected_version: int | None,
) -> tuple[Geofence, list[uuid.UUID]]:
    """Change the fields sent, on the locked row (If-Match checked on it). A new shape
    applies to positions from now on: the events recorded stay as they were."""
    geofence, user_ids = await get_geofence(
        session, principal, customer_id, location_id, geofence_id, for_update=True
    )
    check_version(geofence.version, expected_version)
    changes = body.changes()
    before = events.snapshot(geofence, notify_user_ids=user_ids)
    if "geometry" in changes:
        assert body.geometry is not None
        for field, value in _geometry_values(body.geometry).items():
            setattr(geofence, field, value)
    if "notify_user_ids" in changes:
        assert body.notify_user_ids is not None
        user_ids = await _users(session, principal, body.notify_user_ids)
        await CompanyGeofenceRepository(session, principal.company_id).set_users(
            geofence.id, user_ids
        )
    for field in ("name", "alert_on"):
        if field in changes:
            setattr(geofence, field, changes[field])
    if "color" in changes:
        geofence.color = changes["color"].upper()
    # A new version even when only its users changed: they are part of what it shows.
    flag_modified(geofence, "name")
    await session.flush()
    events.record(session, principal, "updated", geofence, before=before, notify_user_ids=user_ids)
    return geofence, user_ids


async def delete_geofence(
    session: AsyncSession,
    principal: Principal,
    customer_id: uuid.UUID,
    location_id: uuid.UUID,
    geofence_id: uuid.UUID,
    *,
    expected_version: int | None,
) -> None:
    """Delete a fence, its events and their notifications (If-Match on the locked row)."""
    geofence, user_ids = await get_geofence(
        session, principal, customer_id, location_id, geofence_id, for_update=True
    )
    check_version(geofence.version, expected_version)
    before = events.snapshot(geofence, notify_user_ids=user_ids)
    await GeofenceRepository(session, principal.company_id, geofence.location_id).delete(geofence)
    await session.flush()
    events.record(session, principal, "deleted", geofence, before=before, deleted=True)


# --- The map overlay ----------------------------------------------------------------------------


def parse_bbox(raw: str) -> tuple[float, float, float, float]:
    """`west,south,east,north` in WGS 84 degrees (RFC 7946 5): longitudes within
    -180..180, latitudes within -90..90 and south <= north; west > east crosses the
    antimeridian. A 422 names `bbox` otherwise."""
    parts = raw.split(",")

    def refuse(message: str) -> ValidationFailed:
        return ValidationFailed.field("bbox", message, "query")

    if len(parts) != 4:
        raise refuse("must be four numbers: west,south,east,north")
    try:
        west, south, east, north = (float(p) for p in parts)
    except ValueError:
        raise refuse("must be four numbers: west,south,east,north") from None
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        raise refuse("must be finite numbers")
    if not (-180 <= west <= 180 and -180 <= east <= 180):
        raise refuse("west and east must be longitudes within -180..180")
    if not (-90 <= south <= 90 and -90 <= north <= 90):
        raise refuse("south and north must be latitudes within -90..90")
    if south > north:
        raise refuse("south must not be north of north")
    return west, south, east, north


async def map_fences(
    session: AsyncSession, principal: Principal, bbox: str, *, limit: int
) -> FeatureCollection:
    """The company's fences whose bounding box meets `bbox`, as a GeoJSON FeatureCollection,
    at most `limit` of them (oldest first; `truncated` when there were more). Circles are
    drawn as polygons, their true centre and radius in the properties."""
    west, south, east, north = parse_bbox(bbox)
    repository = CompanyGeofenceRepository(session, principal.company_id)
    found = await repository.in_boxes(bbox_of_box(west, south, east, north), limit=limit + 1)
    features = [
        Feature(
            id=g.id,
            bbox=[g.west, g.south, g.east, g.north],
            geometry=FeatureGeometry(type="Polygon", coordinates=[shape_of(g).outline()]),
            properties=FeatureProperties(
                name=g.name,
                color=g.color,
                alert_on=g.alert_on,  # the column's CHECK
                shape="circle" if g.shape == "circle" else "polygon",
                center=None if g.latitude is None else [g.longitude or 0.0, g.latitude],
                radius_m=g.radius_m,
                customer_id=g.customer_id,
                location_id=g.location_id,
            ),
        )
        for g in found[:limit]
    ]
    return FeatureCollection(
        bbox=[west, south, east, north], features=features, truncated=len(found) > limit
    )
