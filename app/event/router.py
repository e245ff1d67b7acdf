from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from app.auth.dependencies import EventsRead
from app.event import service
from app.event.schemas import EventRead
from app.kit.dependencies import CursorCodecDep, PageParamsDep, SessionDep
from app.kit.responses import as_page
from app.kit.schemas import NO_NUL_PATTERN, Page
from app.kit.unit_of_work import UnitOfWorkRoute

router = APIRouter(prefix="/v1/events", route_class=UnitOfWorkRoute, tags=["events"])


@router.get("", operation_id="events_list")
async def list_events(
    principal: EventsRead,
    session: SessionDep,
    codec: CursorCodecDep,
    params: PageParamsDep,
    entity_type: Annotated[
        str | None,
        Query(
            max_length=50,
            pattern=NO_NUL_PATTERN,
            description="e.g. `user`, `group`, `customer`.",
        ),
    ] = None,
    entity_id: uuid.UUID | None = None,
) -> Page[EventRead]:
    """The audit log, newest first."""
    page = await service.list_events(
        session,
        principal,
        entity_type=entity_type,
        entity_id=entity_id,
        params=params,
        codec=codec,
    )
    return as_page(page, EventRead.model_validate)
