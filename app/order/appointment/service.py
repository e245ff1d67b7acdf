"""Appointments, service calls and installations of an order: when, how long, who goes.
The assigned users are part of the appointment: changing them gives it a new version."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.customer.location import service as locations
from app.errors import FieldError, TrackrError, ValidationFailed
from app.event import service as events
from app.kit.concurrency import check_version
from app.kit.pagination import CursorCodec, PageParams, PageResult, Sort
from app.order.appointment.models import NO_OVERLAP, Appointment
from app.order.appointment.repository import (
    AppointmentRepository,
    ScheduleFilters,
    ScheduleRepository,
)
from app.order.appointment.schemas import AppointmentCreate, AppointmentUpdate
from app.order.models import Order
from app.order.repository import OrderRepository
from app.user import service as users

SORT = Sort("starts_at", Appointment.starts_at, Appointment.id)
SCHEDULE_SORT = Sort("schedule:starts_at", Appointment.starts_at, Appointment.id)
MAX_PERIOD_DAYS = 92
# Periods stay far from datetime's limits: the list reaches a week before `from`.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
_PLAIN_FIELDS = ("kind", "starts_at", "duration_minutes", "notes")


_BOOKING_FIELDS = frozenset({"starts_at", "duration_minutes", "user_ids", "allow_overlap"})


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


class ScheduleConflict(TrackrError):
    """A user would be on two overlapping appointments: `conflicts` lists the others."""

    status = 409
    code = "schedule-conflict"
    title = "Schedule conflict"

    def __init__(self, conflicts: list[dict[str, str]]) -> None:
        super().__init__(
            "An assigned user already has an appointment at that time; send "
            "`allow_overlap: true` to book them anyway.",
            conflicts=conflicts,
        )


@dataclass(frozen=True)
class AppointmentView:
    """An appointment with the users assigned to it."""

    appointment: Appointment
    user_ids: list[uuid.UUID]


async def _scope(
    session: AsyncSession, principal: Principal, order_id: uuid.UUID
) -> tuple[Order, AppointmentRepository]:
    """The order (404 when it is not the company's) and a repository of its appointments."""
    order = await OrderRepository(session, principal.company_id).get_or_404(order_id)
    return order, AppointmentRepository(session, principal.company_id, order.id)


async def _users(
    session: AsyncSession, principal: Principal, user_ids: Sequence[uuid.UUID]
) -> list[uuid.UUID]:
    found = await users.require_active_users(
        session, principal.company_id, user_ids, field="user_ids"
    )
    return sorted(user.id for user in found)


async def _location(
    session: AsyncSession, principal: Principal, order: Order, location_id: uuid.UUID | None
) -> uuid.UUID | None:
    """A location the appointment may name: one of its order's customer's (422 naming
    `location_id` otherwise, 404 for another company's)."""
    if location_id is None:
        return None
    location = await locations.require_location(
        session, principal.company_id, location_id, customer_id=order.customer_id
    )
    return location.id


def ends_at(appointment: Appointment) -> datetime:
    return appointment.starts_at + timedelta(minutes=appointment.duration_minutes)


async def _book(
    session: AsyncSession,
    repository: AppointmentRepository,
    appointment: Appointment,
    user_ids: list[uuid.UUID],
    *,
    allow_overlap: bool,
) -> None:
    """Assign the users for the appointment's (flushed) time. The exclusion constraint
    decides, so that two concurrent bookings cannot both pass; its violation, in a savepoint,
    becomes a 409 `schedule-conflict` naming the overlapping appointments."""
    end = ends_at(appointment)
    try:
        async with session.begin_nested():
            await repository.set_users(
                appointment, user_ids, ends_at=end, allow_overlap=allow_overlap
            )
    except IntegrityError as exc:
        if NO_OVERLAP not in str(exc.orig):
            raise
        rows = await repository.overlapping(appointment.id, user_ids, appointment.starts_at, end)
        orders = await repository.orders_of(list(dict.fromkeys(r.appointment_id for r in rows)))
        conflicts: dict[uuid.UUID, dict[str, str]] = {}
        for row in rows:
            conflicts.setdefault(
                row.appointment_id,
                {
                    "id": str(row.appointment_id),
                    "order_id": str(orders.get(row.appointment_id, "")),
                    "starts_at": _utc(row.starts_at),
                    "ends_at": _utc(row.ends_at),
                },
            )
        raise ScheduleConflict(list(conflicts.values())) from None


async def list_appointments(
    session: AsyncSession,
    principal: Principal,
    order_id: uuid.UUID,
    *,
    params: PageParams,
    codec: CursorCodec,
) -> tuple[PageResult[Appointment], dict[uuid.UUID, list[uuid.UUID]]]:
    """The order's appointments by start time, with the users of each (two queries)."""
    _, repository = await _scope(session, principal, order_id)
    page = await repository.page(repository.select(), sort=SORT, params=params, codec=codec)
    return page, await repository.user_ids([a.id for a in page.items])


@dataclass(frozen=True)
class ScheduledAppointment:
    """An appointment of the schedule: the users assigned, its order's customer."""

    appointment: Appointment
    user_ids: list[uuid.UUID]
    customer_id: uuid.UUID | None


def check_period(start: datetime, end: datetime) -> None:
    """A period `from`..`to` (query parameters) of at most MAX_PERIOD_DAYS days, between
    EARLIEST and LATEST (so that the queries' arithmetic stays representable)."""
    errors = [
        FieldError(
            name, f"must be between {EARLIEST.isoformat()} and {LATEST.isoformat()}", "query"
        )
        for name, moment in (("from", start), ("to", end))
        if not EARLIEST <= moment <= LATEST
    ]
    if errors:
        raise ValidationFailed(errors)
    if end <= start:
        raise ValidationFailed([FieldError("to", "must be after `from`", "query")])
    if end - start > timedelta(days=MAX_PERIOD_DAYS):
        raise ValidationFailed(
            [FieldError("to", f"the period spans at most {MAX_PERIOD_DAYS} days", "query")]
        )


async def list_schedule(
    session: AsyncSession,
    principal: Principal,
    *,
    start: datetime,
    end: datetime,
    filters: ScheduleFilters,
    params: PageParams,
    codec: CursorCodec,
) -> PageResult[ScheduledAppointment]:
    """Every appointment of the company overlapping [start, end), by start time, with its
    users and its order's customer (two queries a page)."""
    check_period(start, end)
    repository = ScheduleRepository(session, principal.company_id)
    page = await repository.page_in_period(
        start=start, end=end, filters=filters, sort=SCHEDULE_SORT, params=params, codec=codec
    )
    user_ids = await repository.user_ids([appointment.id for appointment, _ in page.items])
    return PageResult(
        [
            ScheduledAppointment(appointment, user_ids[appointment.id], customer_id)
            for appointment, customer_id in page.items
        ],
        page.has_more,
        page.next_cursor,
    )


async def busy_intervals(
    session: AsyncSession, principal: Principal, user_id: uuid.UUID, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """When the company's user (404 otherwise) is busy in [start, end): the time ranges of
    their appointments, merged where they overlap or touch, by start time, uncut."""
    check_period(start, end)
    await users.get_user(session, principal, user_id)
    merged: list[tuple[datetime, datetime]] = []
    for begins, ends in await ScheduleRepository(session, principal.company_id).busy(
        user_id, start, end
    ):
        if merged and begins <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], ends))
        else:
            merged.append((begins, ends))
    return merged


async def get_appointment(
    session: AsyncSession, principal: Principal, order_id: uuid.UUID, appointment_id: uuid.UUID
) -> AppointmentView:
    _, repository = await _scope(session, principal, order_id)
    appointment = await repository.get_or_404(appointment_id)
    return AppointmentView(
        appointment, (await repository.user_ids([appointment.id]))[appointment.id]
    )


async def create_appointment(
    session: AsyncSession, principal: Principal, order_id: uuid.UUID, body: AppointmentCreate
) -> AppointmentView:
    """Schedule an appointment; refuses a user already booked at that time (409
    `schedule-conflict`, unless `allow_overlap`), users that are not active users of the company
    (422 naming `user_ids`) and a location that is not the order's customer's (422 naming
    `location_id`; 404 for another company's)."""
    order, repository = await _scope(session, principal, order_id)
    user_ids = await _users(session, principal, body.user_ids)
    appointment = repository.add(
        Appointment(
            kind=body.kind,
            starts_at=body.starts_at,
            duration_minutes=body.duration_minutes,
            notes=body.notes,
            location_id=await _location(session, principal, order, body.location_id),
        )
    )
    await session.flush()
    await _book(session, repository, appointment, user_ids, allow_overlap=body.allow_overlap)
    events.record(session, principal, "created", appointment, parent=order, user_ids=user_ids)
    return AppointmentView(appointment, user_ids)


async def update_appointment(
    session: AsyncSession,
    principal: Principal,
    order_id: uuid.UUID,
    appointment_id: uuid.UUID,
    body: AppointmentUpdate,
    *,
    expected_version: int | None,
) -> AppointmentView:
    """Change only the fields sent; `user_ids` replaces the assigned users; a location
    named must be the order's customer's. A change of time or users books the users again:
    an overlap with another of their appointments is a 409 unless `allow_overlap` is sent.
    If-Match is checked on the locked row."""
    order, repository = await _scope(session, principal, order_id)
    appointment = await repository.get_or_404(appointment_id, for_update=True)
    check_version(appointment.version, expected_version)
    user_ids = (await repository.user_ids([appointment.id]))[appointment.id]
    before = events.snapshot(appointment, user_ids=user_ids)
    changes = body.changes()
    for field in _PLAIN_FIELDS:
        if field in changes:
            setattr(appointment, field, changes[field])
    if "location_id" in changes:
        appointment.location_id = await _location(session, principal, order, changes["location_id"])
    if "user_ids" in changes:
        user_ids = await _users(session, principal, changes["user_ids"])
        appointment.updated_at = datetime.now(UTC)  # the users are part of it: new ETag
    await session.flush()
    if _BOOKING_FIELDS & changes.keys():
        # A new time or new users is a new booking, checked again (`allow_overlap` again).
        await _book(
            session,
            repository,
            appointment,
            user_ids,
            allow_overlap=bool(changes.get("allow_overlap", False)),
        )
    events.record(
        session,
        principal,
        "updated",
        appointment,
        before=before,
        parent=order,
        user_ids=user_ids,
    )
    return AppointmentView(appointment, user_ids)


async def delete_appointment(
    session: AsyncSession,
    principal: Principal,
    order_id: uuid.UUID,
    appointment_id: uuid.UUID,
    *,
    expected_version: int | None,
) -> None:
    """Cancel the appointment; its user assignments go with it (FK cascade)."""
    order, repository = await _scope(session, principal, order_id)
    appointment = await repository.get_or_404(appointment_id, for_update=True)
    check_version(appointment.version, expected_version)
    user_ids = (await repository.user_ids([appointment.id]))[appointment.id]
    before = events.snapshot(appointment, user_ids=user_ids)
    await repository.delete(appointment)
    await session.flush()
    events.record(
        session, principal, "deleted", appointment, before=before, deleted=True, parent=order
    )


async def clear_locations(session: AsyncSession, principal: Principal, order: Order) -> None:
    """Clear the location of every appointment of the (locked) order, each one audited: the
    order's customer changed, and the locations were the previous customer's. Flushes the
    session when there are any."""
    repository = AppointmentRepository(session, principal.company_id, order.id)
    located = await repository.with_location()
    if not located:
        return
    befores = [events.snapshot(appointment) for appointment in located]
    for appointment in located:
        appointment.location_id = None
    await session.flush()
    for appointment, before in zip(located, befores, strict=True):
        events.record(session, principal, "updated", appointment, before=before, parent=order)
