from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field

from app.customer.location.schemas import Latitude, Longitude
from app.geofence.geometry import MAX_VERTICES
from app.kit.schemas import DateTimeParam, InputSchema, NonBlankText, ReadSchema, UpdateSchema

MIN_RADIUS_M = 10
MAX_RADIUS_M = 50_000
MAX_NOTIFIED_USERS = 50
MAX_POSITIONS = 500
MAX_ACCURACY_M = 100_000

AlertOn = Literal["enter", "exit", "both"]
EventKind = Literal["enter", "exit"]
Color = Annotated[str, Field(pattern=r"^#[0-9A-Fa-f]{6}$", description="`#RRGGBB`.")]
# GeoJSON's order: [longitude, latitude].
LonLat = tuple[Longitude, Latitude]


def _text(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError("must be an RFC 3339 date-time string, e.g. 2026-12-01T09:00:00Z")
    return value


# A time in a JSON body: a string, as `format: date-time` says (not a Unix time).
DateTimeText = Annotated[DateTimeParam, BeforeValidator(_text)]

_ALERT_ON = "Which crossings notify the fence's users: `enter`, `exit` or `both`."
_NOTIFY = "Users of the company notified of the fence's alerts (none: events only)."


class CircleGeometry(InputSchema):
    """A circle: its centre (WGS 84 degrees) and radius in metres."""

    type: Literal["Circle"]
    latitude: Latitude
    longitude: Longitude
    radius_m: float = Field(ge=MIN_RADIUS_M, le=MAX_RADIUS_M, allow_inf_nan=False, strict=True)


class PolygonGeometry(InputSchema):
    """A GeoJSON `Polygon` of one ring (no holes): closed (the last position repeats the
    first), at most 500 vertices, and valid (no self-intersection; a 422 names
    `geometry.coordinates` otherwise)."""

    type: Literal["Polygon"]
    coordinates: list[Annotated[list[LonLat], Field(min_length=4, max_length=MAX_VERTICES + 1)]] = (
        Field(min_length=1, max_length=1)
    )


Geometry = Annotated[CircleGeometry | PolygonGeometry, Field(discriminator="type")]

_EXAMPLE: dict[str, Any] = {
    "name": "Warehouse gate",
    "color": "#1E88E5",
    "alert_on": "both",
    "geometry": {"type": "Circle", "latitude": 37.8044, "longitude": -122.2712, "radius_m": 150},
    "notify_user_ids": [],
}


class GeofenceCreate(InputSchema):
    name: NonBlankText = Field(max_length=100)
    color: Color = "#1E88E5"
    alert_on: AlertOn = Field(default="both", description=_ALERT_ON)
    geometry: Geometry
    notify_user_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=MAX_NOTIFIED_USERS, description=_NOTIFY
    )

    model_config = {"json_schema_extra": {"examples": [_EXAMPLE]}}


class GeofenceUpdate(UpdateSchema):
    name: NonBlankText | None = Field(default=None, max_length=100)
    color: Color | None = None
    alert_on: AlertOn | None = Field(default=None, description=_ALERT_ON)
    geometry: Geometry | None = Field(
        default=None, description="The new shape, whole (events already recorded stay)."
    )
    notify_user_ids: list[uuid.UUID] | None = Field(
        default=None, max_length=MAX_NOTIFIED_USERS, description=_NOTIFY + " Replaces the list."
    )

    model_config = {"json_schema_extra": {"examples": [{"alert_on": "enter"}]}}


class GeofenceRead(BaseModel):
    id: uuid.UUID
    customer_id: uuid.UUID
    location_id: uuid.UUID
    name: str
    color: str
    alert_on: AlertOn
    geometry: Geometry
    notify_user_ids: list[uuid.UUID]
    bbox: list[float] = Field(description="[west, south, east, north] of the shape.")
    created_at: datetime
    updated_at: datetime


# --- The map overlay: RFC 7946 GeoJSON --------------------------------------------------------


class FeatureGeometry(BaseModel):
    type: Literal["Polygon"]
    coordinates: list[list[list[float]]]


class FeatureProperties(BaseModel):
    name: str
    color: str
    alert_on: AlertOn
    shape: Literal["circle", "polygon"] = Field(
        description="A circle is drawn as a 64-sided polygon; `center` and `radius_m` are "
        "its true shape."
    )
    center: list[float] | None = Field(description="A circle's [longitude, latitude].")
    radius_m: float | None
    customer_id: uuid.UUID
    location_id: uuid.UUID


class Feature(BaseModel):
    type: Literal["Feature"] = "Feature"
    id: uuid.UUID
    bbox: list[float]
    geometry: FeatureGeometry
    properties: FeatureProperties


class FeatureCollection(BaseModel):
    """RFC 7946 GeoJSON (`application/geo+json`): the company's fences whose bounding box
    meets the requested box. `truncated` (a foreign member) says the box held more than
    `limit` fences: zoom in."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    bbox: list[float]
    features: list[Feature]
    truncated: bool


# --- Positions and events ----------------------------------------------------------------------


class PositionIn(InputSchema):
    latitude: Latitude
    longitude: Longitude
    accuracy_m: float = Field(
        ge=0,
        le=MAX_ACCURACY_M,
        allow_inf_nan=False,
        strict=True,
        description="The device's horizontal accuracy (68% radius) in metres.",
    )
    recorded_at: DateTimeText = Field(description="When the device took it (RFC 3339).")


class PositionBatch(InputSchema):
    """Positions of the calling user's device, in any order; a position whose `recorded_at`
    was stored before is ignored, so a retried batch changes nothing."""

    positions: list[PositionIn] = Field(min_length=1, max_length=MAX_POSITIONS)

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "positions": [
                        {
                            "latitude": 37.8044,
                            "longitude": -122.2712,
                            "accuracy_m": 8,
                            "recorded_at": "2026-12-01T09:00:00Z",
                        },
                        {
                            "latitude": 37.8050,
                            "longitude": -122.2712,
                            "accuracy_m": 12,
                            "recorded_at": "2026-12-01T09:00:10Z",
                        },
                    ]
                }
            ]
        }
    }


class GeofenceEventRead(ReadSchema):
    id: uuid.UUID
    kind: EventKind
    occurred_at: datetime = Field(description="The time of the position that showed it.")
    geofence_id: uuid.UUID
    user_id: uuid.UUID
    location_id: uuid.UUID
    customer_id: uuid.UUID
    created_at: datetime


class PositionsRecorded(BaseModel):
    received: int = Field(description="Positions in the batch.")
    stored: int = Field(description="New positions (the others were stored before).")
    evaluated_from: datetime | None = Field(
        description="The earliest new position: the user's positions from there on were "
        "evaluated again in time order (null when nothing was new)."
    )
    events: list[GeofenceEventRead] = Field(description="Events this batch added.")
    events_withdrawn: int = Field(
        description="Events an earlier position, arriving late, showed did not happen "
        "(replaced by those above)."
    )
