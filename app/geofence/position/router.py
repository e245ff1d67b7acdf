from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from app.auth.dependencies import Authenticated, CustomersRead
from app.geofence.position import service
from app.geofence.schemas import GeofenceEventRead, PositionBatch, PositionsRecorded
from app.kit.dependencies import CursorCodecDep, PageParamsDep, SessionDep
from app.kit.problem import problem_responses
from app.kit.responses import as_page
from app.kit.schemas import DateTimeParam, Page
from app.kit.unit_of_work import UnitOfWorkRoute

positions_router = APIRouter(
    prefix="/v1/me/positions", route_class=UnitOfWorkRoute, tags=["geofences"]
)
events_router = APIRouter(
    prefix="/v1/geofence-events", route_class=UnitOfWorkRoute, tags=["geofences"]
)


@positions_router.post("", operation_id="me_positions_create", responses=problem_responses(403))
async def create_positions(
    body: PositionBatch, principal: Authenticated, session: SessionDep
) -> PositionsRecorded:
    """Report up to 500 positions of the signed-in user's device, in any order, late or
    again: they are evaluated in `recorded_at` order, a position stored before is ignored,
    and a retried batch changes nothing. Each crossing of a geofence becomes an event
    (`GET /v1/geofence-events`) and notifies the fence's users. Leaving a fence needs a
    position outside it by more than max(`accuracy_m`, 25 m); a position less accurate
    than a fence is wide is not used for that fence. An API key is refused (403): an API
    key acts for its creator, who is not the one moving."""
    return await service.record_positions(session, principal, body)


@events_router.get("", operation_id="geofence_events_list")
async def list_events(
    principal: CustomersRead,
    session: SessionDep,
    codec: CursorCodecDep,
    params: PageParamsDep,
    customer_id: Annotated[uuid.UUID | None, Query(description="Only this customer's.")] = None,
    user_id: Annotated[uuid.UUID | None, Query(description="Only this user's.")] = None,
    geofence_id: Annotated[uuid.UUID | None, Query(description="Only this fence's.")] = None,
    occurred_from: Annotated[
        DateTimeParam | None, Query(alias="from", description="At or after (RFC 3339).")
    ] = None,
    occurred_to: Annotated[
        DateTimeParam | None, Query(alias="to", description="Before (RFC 3339).")
    ] = None,
) -> Page[GeofenceEventRead]:
    """The company's geofence events (a user entering or leaving a fence), newest first."""
    page = await service.list_events(
        session,
        principal,
        customer_id=customer_id,
        user_id=user_id,
        geofence_id=geofence_id,
        occurred_from=occurred_from,
        occurred_to=occurred_to,
        params=params,
        codec=codec,
    )
    return as_page(page, GeofenceEventRead.model_validate)
