from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from app.auth.dependencies import EventsRead
from app.event import feed, service
from app.event.schemas import EventRead, FeedEventRead, FeedPage
from app.kit.dependencies import CursorCodecDep, PageParamsDep, SessionDep
from app.kit.pagination import DEFAULT_LIMIT, MAX_LIMIT
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


EVENT_TYPE_PATTERN = r"^[a-z_]+\.[a-z_]+$"


@router.get("/feed", operation_id="events_feed")
async def events_feed(
    principal: EventsRead,
    session: SessionDep,
    codec: CursorCodecDep,
    after: Annotated[
        str | None,
        Query(
            max_length=500,
            pattern=NO_NUL_PATTERN,
            description="The `next_cursor` of the previous call; unset: from the first event.",
        ),
    ] = None,
    types: Annotated[
        list[Annotated[str, Query(max_length=100, pattern=EVENT_TYPE_PATTERN)]] | None,
        Query(description="Only these event types, e.g. `customer.created` (repeatable)."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> FeedPage:
    """Every event of the company exactly once, in commit order, never skipping one (an
    event appears once every older transaction has ended). Poll with `next_cursor`;
    deletions come as tombstones."""
    page = await feed.read(session, principal, after=after, types=types, limit=limit, codec=codec)
    return FeedPage(
        data=[
            FeedEventRead(**EventRead.model_validate(event).model_dump(), tombstone=tombstone)
            for event, tombstone in page.events
        ],
        has_more=page.has_more,
        next_cursor=page.next_cursor,
    )
