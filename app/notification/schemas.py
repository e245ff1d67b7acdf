from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from app.kit.schemas import ReadSchema

NotificationKind = Literal[
    "order_reminder", "customer_reminder", "warranty_expiry", "geofence_event", "order_submitted"
]


class NotificationRead(ReadSchema):
    """A line of the control panel: a reminder that fell due, with what it is about, enough
    to show it and link to it."""

    id: uuid.UUID
    kind: NotificationKind = Field(
        description="`order_reminder`: an order's reminder date; `customer_reminder`: a "
        "reminder on a customer; `warranty_expiry`: a customer's equipment whose warranty "
        "expires soon; `geofence_event`: a user entered or left a geofence; "
        "`order_submitted`: an order from the public form to review."
    )
    due_on: date = Field(description="The reminder's date (a warranty's: its expiry date).")
    message: str
    read_at: datetime | None = Field(description="When it was marked read; null while unread.")
    created_at: datetime
    order_id: uuid.UUID | None = Field(description="The order, for an order reminder.")
    order_number: int | None
    order_title: str | None
    customer_reminder_id: uuid.UUID | None = Field(
        description="The customer reminder, for a customer reminder."
    )
    equipment_id: uuid.UUID | None = Field(description="The equipment, for a warranty expiry.")
    geofence_event_id: uuid.UUID | None = Field(
        description="The geofence event (`GET /v1/geofence-events`), for a geofence alert."
    )
    customer_id: uuid.UUID | None = Field(
        description="The customer: the reminder's, the equipment's, the order's (null when "
        "it has none) or the geofence's."
    )
    customer_name: str | None


class NotificationsMarkedRead(BaseModel):
    updated: int = Field(description="How many notifications were unread and now are read.")


# The reminder scan's input and output (app.notification.service, workers/reminders.py).


@dataclass(frozen=True)
class LocalDates:
    """The date today in every timezone a company may have (`todays[i]` in `zones[i]`), and
    in UTC for a name the system does not know; `latest` is the latest of them, which bounds
    the scan's index range."""

    zones: Sequence[str]
    todays: Sequence[date]
    utc_today: date
    latest: date


@dataclass(frozen=True)
class BatchResult:
    reminders: int  # reminders taken and marked notified
    notifications: int  # notifications created (none for a reminder whose users are gone)
