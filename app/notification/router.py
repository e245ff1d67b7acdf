from __future__ import annotations

import uuid
from typing import Annotated, Any, cast

from fastapi import APIRouter, Query

from app.auth.dependencies import Authenticated
from app.kit.dependencies import CursorCodecDep, PageParamsDep, SessionDep
from app.kit.responses import as_page
from app.kit.schemas import Page
from app.kit.unit_of_work import UnitOfWorkRoute
from app.notification import service
from app.notification.schemas import (
    NotificationKind,
    NotificationRead,
    NotificationsMarkedRead,
)

router = APIRouter(
    prefix="/v1/me/notifications", route_class=UnitOfWorkRoute, tags=["notifications"]
)


def to_read(row: Any) -> NotificationRead:
    """A notification row (the entity, then what it is about) as the API shows it."""
    notification = row[0]
    return NotificationRead(
        id=notification.id,
        kind=cast(NotificationKind, notification.kind),  # the column's CHECK constraint
        due_on=notification.due_on,
        message=notification.message,
        read_at=notification.read_at,
        created_at=notification.created_at,
        order_id=notification.order_id,
        order_number=row.order_number,
        order_title=row.order_title,
        customer_reminder_id=notification.customer_reminder_id,
        equipment_id=notification.equipment_id,
        geofence_event_id=notification.geofence_event_id,
        customer_id=row.customer_id,
        customer_name=row.customer_name,
    )


@router.get("", operation_id="me_notifications_list")
async def list_notifications(
    principal: Authenticated,
    session: SessionDep,
    codec: CursorCodecDep,
    params: PageParamsDep,
    unread: Annotated[
        bool | None, Query(description="`true`: only unread; `false`: only read.")
    ] = None,
) -> Page[NotificationRead]:
    """The caller's control panel: reminders that fell due for them, newest first (an API
    key sees its creator's)."""
    page = await service.list_notifications(
        session, principal, unread=unread, params=params, codec=codec
    )
    return as_page(page, to_read)


@router.post("/read-all", operation_id="me_notifications_read_all")
async def read_all(principal: Authenticated, session: SessionDep) -> NotificationsMarkedRead:
    """Mark all of the caller's unread notifications read."""
    return NotificationsMarkedRead(updated=await service.mark_all_read(session, principal))


@router.post("/{notification_id:uuid}/read", operation_id="me_notifications_read")
async def read(
    notification_id: uuid.UUID, principal: Authenticated, session: SessionDep
) -> NotificationRead:
    """Mark one of the caller's notifications read; marking it again keeps the first time.
    Another user's notification is a 404."""
    return to_read(await service.mark_read(session, principal, notification_id))
