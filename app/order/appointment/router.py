from __future__ import annotations

import uuid
from datetime import UTC
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.auth.dependencies import Authenticated, OrdersRead, OrdersWrite
from app.kit.dependencies import CursorCodecDep, IfMatch, PageParamsDep, SessionDep
from app.kit.problem import problem_responses
from app.kit.responses import as_page, set_etag
from app.kit.schemas import DateTimeParam, Page
from app.kit.unit_of_work import UnitOfWorkRoute
from app.order.appointment import service
from app.order.appointment.models import Appointment
from app.order.appointment.repository import ScheduleFilters
from app.order.appointment.schemas import (
    AppointmentCreate,
    AppointmentKind,
    AppointmentRead,
    AppointmentUpdate,
    AvailabilityRead,
    BusyIntervalRead,
    ScheduledAppointmentRead,
)

router = APIRouter(
    prefix="/v1/orders/{order_id:uuid}/appointments", route_class=UnitOfWorkRoute, tags=["orders"]
)

schedule_router = APIRouter(prefix="/v1/appointments", route_class=UnitOfWorkRoute, tags=["orders"])
availability_router = APIRouter(prefix="/v1/users", route_class=UnitOfWorkRoute, tags=["users"])

PeriodFrom = Annotated[
    DateTimeParam,
    Query(
        alias="from",
        description="Start of the period (RFC 3339, with an offset); an appointment that "
        "ends after it is in the period.",
        examples=["2026-12-01T00:00:00Z"],
    ),
]
PeriodTo = Annotated[
    DateTimeParam,
    Query(
        description="End of the period (exclusive), after `from` and at most 92 days from it; "
        "an appointment that starts before it is in the period.",
        examples=["2026-12-08T00:00:00Z"],
    ),
]


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


def to_scheduled(item: service.ScheduledAppointment) -> ScheduledAppointmentRead:
    appointment = item.appointment
    return ScheduledAppointmentRead(
        **to_read(appointment, item.user_ids).model_dump(),
        ends_at=service.ends_at(appointment),
        customer_id=item.customer_id,
    )


@schedule_router.get("", operation_id="appointments_list")
async def list_schedule(
    principal: OrdersRead,
    session: SessionDep,
    codec: CursorCodecDep,
    params: PageParamsDep,
    from_: PeriodFrom,
    to: PeriodTo,
    user_id: Annotated[uuid.UUID | None, Query(description="Only those this user goes to.")] = None,
    customer_id: Annotated[
        uuid.UUID | None, Query(description="Only those of this customer's orders.")
    ] = None,
    location_id: Annotated[
        uuid.UUID | None, Query(description="Only those at this service location.")
    ] = None,
    kind: Annotated[AppointmentKind | None, Query(description="Only this kind.")] = None,
) -> Page[ScheduledAppointmentRead]:
    """The company's schedule: every appointment, service call and installation that
    overlaps the period, whatever its order, by start time (then id)."""
    page = await service.list_schedule(
        session,
        principal,
        start=from_,
        end=to,
        filters=ScheduleFilters(
            user_id=user_id, customer_id=customer_id, location_id=location_id, kind=kind
        ),
        params=params,
        codec=codec,
    )
    return as_page(page, to_scheduled)


@availability_router.get("/{user_id:uuid}/availability", operation_id="users_availability")
async def user_availability(
    user_id: uuid.UUID,
    principal: Authenticated,
    session: SessionDep,
    from_: PeriodFrom,
    to: PeriodTo,
) -> AvailabilityRead:
    """When the user is busy in the period (at most 92 days), for any caller of the company
    (another company's user is a 404): the times of their appointments, merged where they
    overlap or touch, by start time, not cut at the period's bounds; times only."""
    busy = await service.busy_intervals(session, principal, user_id, from_, to)
    return AvailabilityRead(
        user_id=user_id,
        from_=from_.astimezone(UTC),
        to=to.astimezone(UTC),
        busy=[BusyIntervalRead(starts_at=b, ends_at=e) for b, e in busy],
    )


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


@router.patch(
    "/{appointment_id:uuid}",
    operation_id="orders_appointments_update",
    responses=problem_responses(409),
)
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
