from __future__ import annotations

from app.customer.reminder.models import CustomerReminder
from app.kit.repository import ChildRepository


class CustomerReminderRepository(ChildRepository[CustomerReminder]):
    """The reminders of one customer: a reminder id under another customer is as missing as
    one of another company."""

    model = CustomerReminder
    label = "Customer reminder"
    parent_key = "customer_id"
