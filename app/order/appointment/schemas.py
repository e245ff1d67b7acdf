from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field

from app.kit.schemas import DateTimeParam, InputSchema, Omitted, ReadSchema, Text, UpdateSchema
from app.order.appointment.models import MAX_DURATION_MINUTES

AppointmentKind = Literal["appointment", "service_call", "installation"]
MAX_USERS = 50
NOTES_MAX_LENGTH = 10_000


def _text_only(value: Any) -> Any:
    # JSON numbers would otherwise be read as Unix times.
    if not isinstance(value, str | datetime):
        raise ValueError("must be an RFC 3339 date-time, e.g. 2026-12-01T09:00:00-05:00")
    return value


# With its offset (RFC 3339): a time without a zone is ambiguous for a crew in another one.
# Kept in UTC, so that a write answers with the value any later read shows.
StartsAt = Annotated[
    DateTimeParam, BeforeValidator(_text_only), AfterValidator(lambda v: v.astimezone(UTC))
]

_STARTS_AT = "When it starts, with a time zone offset (`Z` or `±hh:mm`)."
_DURATION = f"Minutes, 1 to {MAX_DURATION_MINUTES} (a week)."
_USER_IDS = "The users assigned to it: active users of the company."
_ALLOW_OVERLAP = (
    "Book the users even where this overlaps another of their appointments (otherwise a 409 "
    "`schedule-conflict` lists those). Applies to this request's booking: a later change of "
    "time or users is checked again unless it sends it too."
)


_LOCATION = (
    "Where: one of the order's customer's service locations (a 422 names this field for "
    "another customer's; another company's is a 404). Cleared when the order's customer "
    "changes."
)


class AppointmentRead(ReadSchema):
    id: uuid.UUID
    order_id: uuid.UUID
    location_id: uuid.UUID | None = Field(description=_LOCATION)
    kind: AppointmentKind
    starts_at: datetime
    duration_minutes: int
    notes: str | None
    user_ids: list[uuid.UUID]
    created_at: datetime
    updated_at: datetime


class AppointmentCreate(InputSchema):
    kind: AppointmentKind = "appointment"
    starts_at: StartsAt = Field(description=_STARTS_AT)
    duration_minutes: int = Field(default=60, ge=1, le=MAX_DURATION_MINUTES, description=_DURATION)
    notes: Text | None = Field(default=None, max_length=NOTES_MAX_LENGTH)
    location_id: uuid.UUID | None = Field(default=None, description=_LOCATION)
    user_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=MAX_USERS, description=_USER_IDS
    )
    allow_overlap: bool = Field(default=False, description=_ALLOW_OVERLAP)

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "kind": "installation",
                    "starts_at": "2026-12-01T08:30:00-05:00",
                    "duration_minutes": 240,
                    "notes": "Bring the long ladder.",
                }
            ]
        }
    }


class AppointmentUpdate(UpdateSchema):
    nullable = frozenset({"notes", "location_id"})

    kind: AppointmentKind | Omitted = None
    starts_at: StartsAt | Omitted = Field(default=None, description=_STARTS_AT)
    duration_minutes: int | Omitted = Field(
        default=None, ge=1, le=MAX_DURATION_MINUTES, description=_DURATION
    )
    notes: Text | None = Field(default=None, max_length=NOTES_MAX_LENGTH)
    location_id: uuid.UUID | None = Field(default=None, description=_LOCATION)
    user_ids: list[uuid.UUID] | Omitted = Field(
        default=None, max_length=MAX_USERS, description=f"{_USER_IDS} Replaces the current ones."
    )
    allow_overlap: bool | Omitted = Field(default=None, description=_ALLOW_OVERLAP)

    model_config = {"json_schema_extra": {"examples": [{"starts_at": "2026-12-02T08:30:00Z"}]}}


class ScheduledAppointmentRead(AppointmentRead):
    """An appointment in the company's schedule: with when it ends and its order's customer."""

    ends_at: datetime = Field(description="`starts_at` plus `duration_minutes`.")
    customer_id: uuid.UUID | None = Field(
        description="The order's customer (null once that customer was deleted)."
    )


class BusyIntervalRead(ReadSchema):
    starts_at: datetime
    ends_at: datetime


class AvailabilityRead(ReadSchema):
    """When a user is busy in a period: their appointments' times, merged (overlapping or
    back-to-back appointments make one interval), by start time, not cut at the period's
    bounds. Times only, no appointment details: any caller of the company may ask, while the
    appointments themselves are for `orders:read`."""

    model_config = ConfigDict(populate_by_name=True, from_attributes=True)

    user_id: uuid.UUID
    from_: datetime = Field(alias="from")
    to: datetime
    busy: list[BusyIntervalRead]
