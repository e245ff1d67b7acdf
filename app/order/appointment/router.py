from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from app.auth.dependencies import OrdersRead, OrdersWrite
from app.kit.dependencies import CursorCodecDep, IfMatch, PageParamsDep, SessionDep
from app.kit.responses import set_etag
from app.kit.schemas import Page
from app.kit.unit_of_work import UnitOfWorkRoute
from app.order.appointment import service
from app.order.appointment.models import Appointment
from app.order.appointment.schemas import AppointmentCreate, AppointmentRead, AppointmentUpdate

router = APIRouter(
    prefix="/v1/orders/{order_id:uuid}/appointments", route_class=UnitOfWorkRoute, tags=["orders"]
)


def to_read(appointment: Appointment, user_ids: list[uuid.UUID]) -> AppointmentRead:
    return AppointmentRead(
        id=appointment.id,
        order_id=appointment.order_id,
        location_id=appointment.location_id,
        kind=appointment.kind,
        starts_at=appointment.starts_at,
        duration_minutes=appointment.duration_minutes,
        notes=appointment.notes,
        user_ids=user_ids,
        created_at=appointment.created_at,
        updated_at=appointment.updated_at,
    )


def _respond(response: Response, view: service.AppointmentView) -> AppointmentRead:
    set_etag(response, view.appointment.version)
    return to_read(view.appointment, view.user_ids)


@router.get("", operation_id="orders_appointments_list")
async def list_appointments(
    order_id: uuid.UUID,
    principal: OrdersRead,
    session: SessionDep,
    codec: CursorCodecDep,
    params: PageParamsDep,
) -> Page[AppointmentRead]:
    """The order's appointments, service calls and installations, by start time."""
    page, user_ids = await service.list_appointments(
        session, principal, order_id, params=params, codec=codec
    )
    return Page(
        data=[to_read(a, user_ids[a.id]) for a in page.items],
        has_more=page.has_more,
        next_cursor=page.next_cursor,
    )


@router.post("", operation_id="orders_appointments_create", status_code=status.HTTP_201_CREATED)
async def create_appointment(
    order_id: uuid.UUID,
    body: AppointmentCreate,
    principal: OrdersWrite,
    session: SessionDep,
    response: Response,
) -> AppointmentRead:
    """Schedule an appointment, a service call or an installation, with the users who go."""
    view = await service.create_appointment(session, principal, order_id, body)
    response.headers["Location"] = f"/v1/orders/{order_id}/appointments/{view.appointment.id}"
    return _respond(response, view)


@router.get("/{appointment_id:uuid}", operation_id="orders_appointments_get")
async def get_appointment(
    order_id: uuid.UUID,
    appointment_id: uuid.UUID,
    principal: OrdersRead,
    session: SessionDep,
    response: Response,
) -> AppointmentRead:
    view = await service.get_appointment(session, principal, order_id, appointment_id)
    return _respond(response, view)


@router.patch("/{appointment_id:uuid}", operation_id="orders_appointments_update")
async def update_appointment(
    order_id: uuid.UUID,
    appointment_id: uuid.UUID,
    body: AppointmentUpdate,
    principal: OrdersWrite,
    session: SessionDep,
    if_match: IfMatch,
    response: Response,
) -> AppointmentRead:
    """Reschedule, change the kind, notes or users (`user_ids` replaces them)."""
    view = await service.update_appointment(
        session, principal, order_id, appointment_id, body, expected_version=if_match
    )
    return _respond(response, view)


@router.delete(
    "/{appointment_id:uuid}",
    operation_id="orders_appointments_delete",
    status_code=status.HTTP_204_NO_CONTENT,
)
async def delete_appointment(
    order_id: uuid.UUID,
    appointment_id: uuid.UUID,
    principal: OrdersWrite,
    session: SessionDep,
    if_match: IfMatch,
) -> Response:
    await service.delete_appointment(
        session, principal, order_id, appointment_id, expected_version=if_match
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
