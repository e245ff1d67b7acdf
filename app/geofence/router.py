from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import JSONResponse

from app.auth.dependencies import CustomersRead, CustomersWrite
from app.geofence import service
from app.geofence.models import Geofence
from app.geofence.schemas import FeatureCollection, GeofenceCreate, GeofenceRead, GeofenceUpdate
from app.kit.dependencies import CursorCodecDep, IfMatch, PageParamsDep, SessionDep
from app.kit.responses import set_etag
from app.kit.schemas import Page
from app.kit.unit_of_work import UnitOfWorkRoute

router = APIRouter(
    prefix="/v1/customers/{customer_id:uuid}/locations/{location_id:uuid}/geofences",
    route_class=UnitOfWorkRoute,
    tags=["geofences"],
)
map_router = APIRouter(prefix="/v1/geofences", route_class=UnitOfWorkRoute, tags=["geofences"])


class GeoJSONResponse(JSONResponse):
    media_type = "application/geo+json"  # RFC 7946 12


def _one(response: Response, geofence: Geofence, user_ids: list[uuid.UUID]) -> GeofenceRead:
    set_etag(response, geofence.version)
    return service.to_read(geofence, user_ids)


@router.get("", operation_id="customers_locations_geofences_list")
async def list_geofences(
    customer_id: uuid.UUID,
    location_id: uuid.UUID,
    principal: CustomersRead,
    session: SessionDep,
    codec: CursorCodecDep,
    params: PageParamsDep,
) -> Page[GeofenceRead]:
    """The location's geofences, oldest first."""
    page, notified = await service.list_geofences(
        session, principal, customer_id, location_id, params=params, codec=codec
    )
    return Page(
        data=[service.to_read(g, notified[g.id]) for g in page.items],
        has_more=page.has_more,
        next_cursor=page.next_cursor,
    )


@router.post(
    "", operation_id="customers_locations_geofences_create", status_code=status.HTTP_201_CREATED
)
async def create_geofence(
    customer_id: uuid.UUID,
    location_id: uuid.UUID,
    body: GeofenceCreate,
    principal: CustomersWrite,
    session: SessionDep,
    response: Response,
) -> GeofenceRead:
    """Add a geofence to the location: a circle (centre, radius 10 m to 50 km) or a GeoJSON
    Polygon (one closed ring, at most 500 vertices, no self-intersection). Its users are
    notified when a user's positions (`POST /v1/me/positions`) cross it."""
    geofence, user_ids = await service.create_geofence(
        session, principal, customer_id, location_id, body
    )
    response.headers["Location"] = (
        f"/v1/customers/{customer_id}/locations/{location_id}/geofences/{geofence.id}"
    )
    return _one(response, geofence, user_ids)


@router.get("/{geofence_id:uuid}", operation_id="customers_locations_geofences_get")
async def get_geofence(
    customer_id: uuid.UUID,
    location_id: uuid.UUID,
    geofence_id: uuid.UUID,
    principal: CustomersRead,
    session: SessionDep,
    response: Response,
) -> GeofenceRead:
    geofence, user_ids = await service.get_geofence(
        session, principal, customer_id, location_id, geofence_id
    )
    return _one(response, geofence, user_ids)


@router.patch("/{geofence_id:uuid}", operation_id="customers_locations_geofences_update")
async def update_geofence(
    customer_id: uuid.UUID,
    location_id: uuid.UUID,
    geofence_id: uuid.UUID,
    body: GeofenceUpdate,
    principal: CustomersWrite,
    session: SessionDep,
    if_match: IfMatch,
    response: Response,
) -> GeofenceRead:
    """Change the fields sent; `geometry` and `notify_user_ids` are replaced whole."""
    geofence, user_ids = await service.update_geofence(
        session,
        principal,
        customer_id,
        location_id,
        geofence_id,
        body,
        expected_version=if_match,
    )
    return _one(response, geofence, user_ids)


@router.delete(
    "/{geofence_id:uuid}",
    operation_id="customers_locations_geofences_delete",
    status_code=status.HTTP_204_NO_CONTENT,
)
async def delete_geofence(
    customer_id: uuid.UUID,
    location_id: uuid.UUID,
    geofence_id: uuid.UUID,
    principal: CustomersWrite,
    session: SessionDep,
    if_match: IfMatch,
) -> Response:
    """Delete a geofence, with its events."""
    await service.delete_geofence(
        session, principal, customer_id, location_id, geofence_id, expected_version=if_match
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@map_router.get(
    "",
    operation_id="geofences_map",
    response_class=GeoJSONResponse,
    response_model=FeatureCollection,
)
async def geofences_map(
    principal: CustomersRead,
    session: SessionDep,
    bbox: Annotated[
        str,
        Query(
            max_length=200,
            pattern=r"^[^,]+,[^,]+,[^,]+,[^,]+$",
            description="`west,south,east,north` in WGS 84 degrees; west > east crosses "
            "the antimeridian.",
            examples=["-122.5,37.7,-122.3,37.9"],
        ),
    ],
    limit: Annotated[
        int,
        Query(ge=1, le=service.MAP_MAX_FENCES, description="At most this many fences."),
    ] = 1000,
) -> GeoJSONResponse:
    """The company's geofences whose bounding box meets `bbox`, as an RFC 7946 GeoJSON
    FeatureCollection (`application/geo+json`), for the map overlay: each fence a Feature
    whose `id` is the fence's and whose properties name it, its colour and its location."""
    collection = await service.map_fences(session, principal, bbox, limit=limit)
    return GeoJSONResponse(collection.model_dump(mode="json"))
