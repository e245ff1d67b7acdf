from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.auth.dependencies import CustomersRead, CustomersWrite
from app.customer.reminder import service
from app.customer.reminder.schemas import (
    CustomerReminderCreate,
    CustomerReminderRead,
    CustomerReminderSort,
    CustomerReminderUpdate,
)
from app.kit.dependencies import CursorCodecDep, IfMatch, PageParamsDep, SessionDep
from app.kit.responses import as_page, set_etag
from app.kit.schemas import DateParam, Page
from app.kit.unit_of_work import UnitOfWorkRoute

router = APIRouter(
    prefix="/v1/customers/{customer_id:uuid}/reminders",
    route_class=UnitOfWorkRoute,
    tags=["customers"],
)


@router.get("", operation_id="customers_reminders_list")
async def list_reminders(
    customer_id: uuid.UUID,
    principal: CustomersRead,
    session: SessionDep,
    codec: CursorCodecDep,
    params: PageParamsDep,
    assigned_user_id: Annotated[
        uuid.UUID | None, Query(description="Only the reminders of this user.")
    ] = None,
    due_from: Annotated[DateParam | None, Query(description="Due on or after.")] = None,
    due_to: Annotated[DateParam | None, Query(description="Due on or before.")] = None,
    sort: CustomerReminderSort = "due_on",
) -> Page[CustomerReminderRead]:
    """The customer's reminders, soonest first unless `sort` says otherwise."""
    page = await service.list_reminders(
        session,
        principal,
        customer_id,
        assigned_user_id=assigned_user_id,
        due_from=due_from,
        due_to=due_to,
        sort=sort,
        params=params,
        codec=codec,
    )
    return as_page(page, CustomerReminderRead.model_validate)


@router.post("", operation_id="customers_reminders_create", status_code=status.HTTP_201_CREATED)
async def create_reminder(
    customer_id: uuid.UUID,
    body: CustomerReminderCreate,
    principal: CustomersWrite,
    session: SessionDep,
    response: Response,
) -> CustomerReminderRead:
    """Remind an office user of this customer on a day: on that day, in the company's
    timezone, the reminder appears in the user's notifications."""
    reminder = await service.create_reminder(session, principal, customer_id, body)
    set_etag(response, reminder.version)
    response.headers["Location"] = f"/v1/customers/{customer_id}/reminders/{reminder.id}"
    return CustomerReminderRead.model_validate(reminder)


@router.get("/{customer_reminder_id:uuid}", operation_id="customers_reminders_get")
async def get_reminder(
    customer_id: uuid.UUID,
    customer_reminder_id: uuid.UUID,
    principal: CustomersRead,
    session: SessionDep,
    response: Response,
) -> CustomerReminderRead:
    reminder = await service.get_reminder(session, principal, customer_id, customer_reminder_id)
    set_etag(response, reminder.version)
    return CustomerReminderRead.model_validate(reminder)


@router.patch("/{customer_reminder_id:uuid}", operation_id="customers_reminders_update")
async def update_reminder(
    customer_id: uuid.UUID,
    customer_reminder_id: uuid.UUID,
    body: CustomerReminderUpdate,
    principal: CustomersWrite,
    session: SessionDep,
    if_match: IfMatch,
    response: Response,
) -> CustomerReminderRead:
    """Change the due date, the user or the message. A new date or user of a reminder
    already notified makes it notify again."""
    reminder = await service.update_reminder(
        session, principal, customer_id, customer_reminder_id, body, expected_version=if_match
    )
    set_etag(response, reminder.version)
    return CustomerReminderRead.model_validate(reminder)


@router.delete(
    "/{customer_reminder_id:uuid}",
    operation_id="customers_reminders_delete",
    status_code=status.HTTP_204_NO_CONTENT,
)
async def delete_reminder(
    customer_id: uuid.UUID,
    customer_reminder_id: uuid.UUID,
    principal: CustomersWrite,
    session: SessionDep,
    if_match: IfMatch,
) -> Response:
    """Delete the reminder and its notifications."""
    await service.delete_reminder(
        session, principal, customer_id, customer_reminder_id, expected_version=if_match
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
