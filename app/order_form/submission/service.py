"""A visitor's submission of a company's public order form: checked against the form, then
a customer (created, or linked when the email or phone matches one exactly), an order
waiting for review, the message as its note and a notification for each review recipient,
all in the request's one transaction. A visitor learns nothing of existing data: the answer
is the same whether the customer was linked or created, and a linked customer is never
changed."""

from __future__ import annotations

import contextlib
import math
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Visitor
from app.customer import service as customers
from app.customer.schemas import CustomerCreate
from app.errors import FieldError, ValidationFailed
from app.kit.clock import today_in
from app.notification import service as notifications
from app.order.review import service as reviews
from app.order_form.repository import OrderFormRepository
from app.order_form.schemas import CUSTOM_FIELD_PREFIX
from app.order_form.service import PublicForm
from app.order_form.submission.schemas import SubmissionCreate
from app.user import service as users

# Form field -> the body fields it covers (the first is the one a "required" error names).
BODY_FIELDS = {
    "email": ("email",),
    "phone": ("phone",),
    "address": ("address_line1", "city", "postal_code"),
    "message": ("message",),
    "preferred_date": ("preferred_date",),
    "referral": ("referral",),
}


@dataclass(frozen=True)
class Submitted:
    reference: uuid.UUID
    thank_you_message: str


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def check(form: PublicForm, body: SubmissionCreate) -> None:
    """Refuse (one 422 naming every field at fault) what the form does not ask for, a
    required field left empty, and a referral the form does not offer."""
    shown = {f.name: f for f in form.fields}
    errors: list[FieldError] = []
    for name, covered in BODY_FIELDS.items():
        field = shown.get(name)
        values = [getattr(body, c) for c in covered]
        if field is None:
            errors.extend(
                FieldError(c, "is not on this form")
                for c, v in zip(covered, values, strict=True)
                if not _blank(v)
            )
        elif field.required and _blank(values[0]):
            errors.append(FieldError(covered[0], "is required"))
    for key in body.custom_fields:
        if f"{CUSTOM_FIELD_PREFIX}{key}" not in shown:
            errors.append(FieldError(f"custom_fields.{key}", "is not on this form"))
    for field in form.fields:
        if field.entity is not None and field.required:
            key = field.name.removeprefix(CUSTOM_FIELD_PREFIX)
            if _blank(body.custom_fields.get(key)):
                errors.append(FieldError(f"custom_fields.{key}", "is required"))
    if body.referral and "referral" in shown and body.referral not in form.referral_options:
        errors.append(FieldError("referral", "is not one of the form's options"))
    if errors:
        raise ValidationFailed(errors)


def _from_form(value: Any, kind: str) -> Any:
    """A value as an HTML form sends it (text) in the custom field's own type, when it reads
    as one; otherwise as sent, for the custom field's check to name."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if kind == "boolean" and text in {"true", "false"}:
        return text == "true"
    if kind == "number":
        with contextlib.suppress(ValueError):
            return int(text)
        with contextlib.suppress(ValueError):
            number = float(text)
            if math.isfinite(number):  # "nan" and "inf" read as floats, but are no numbers
                return number
    return value


def _values_for(form: PublicForm, body: SubmissionCreate, entity: str) -> dict[str, Any]:
    kinds = {
        f.name.removeprefix(CUSTOM_FIELD_PREFIX): f.type for f in form.fields if f.entity == entity
    }
    return {
        k: _from_form(v, kinds[k])
        for k, v in body.custom_fields.items()
        if k in kinds and not _blank(v)
    }


async def submit(session: AsyncSession, form: PublicForm, body: SubmissionCreate) -> Submitted:
    """Store a submission that passed `check`: customer, order (pending review), note and
    notifications, flushed in the caller's transaction."""
    check(form, body)
    visitor = Visitor(form.company_id)
    customer = await customers.find_by_contact(
        session, form.company_id, email=body.email, phone=body.phone
    )
    created = customer is None
    if customer is None:
        new = CustomerCreate(
            name=body.name,
            email=body.email,
            phone=body.phone,
            address_line1=body.address_line1,
            city=body.city,
            postal_code=body.postal_code,
            custom_fields=_values_for(form, body, "customer"),
            confirm_duplicate=True,  # a namesake is another person: only contacts link
        )
        try:
            customer = (await customers.create_customer(session, visitor, new)).customer
        except ValidationFailed as exc:  # the custom fields' checks name `custom_fields.x`
            raise ValidationFailed(exc.errors) from exc
    order = await reviews.create_submitted_order(
        session,
        visitor,
        customer=customer,
        customer_created=created,
        title=f"Order form: {body.name}"[:200],
        referral=body.referral,
        scheduled_on=body.preferred_date,
        values=_values_for(form, body, "order"),
        message=body.message,
    )
    company = await OrderFormRepository(session, form.company_id).company()
    recipients = await users.review_recipients(session, form.company_id, form.review_recipient_ids)
    notifications.notify_submission(
        session,
        form.company_id,
        order.id,
        recipients,
        message=f"New order #{order.number} from the order form: {body.name}"[:500],
        today=today_in(company.timezone),
    )
    await session.flush()
    return Submitted(order.id, form.thank_you_message)
