"""Every table, imported once so that Alembic and the tests see the whole schema."""

from app.api_key.models import ApiKey
from app.auth.models import RefreshToken
from app.billing.models import BillingAccount, StripeEvent
from app.company.models import Company
from app.custom_field.models import CustomField
from app.customer.attachment.models import Attachment
from app.customer.contact.models import Contact
from app.customer.equipment.models import Equipment
from app.customer.location.models import Location
from app.customer.models import Customer, CustomerTag
from app.customer.note.models import Note
from app.customer.reminder.models import CustomerReminder
from app.event.models import Event
from app.geofence.models import (
    Geofence,
    GeofenceEvent,
    GeofenceUser,
    UserPosition,
    UserTracking,
)
from app.group.models import Group
from app.invoice_item.models import InvoiceItem
from app.kit.idempotency import IdempotencyKey
from app.kit.models import Base
from app.kit.numbering import Counter
from app.notification.models import Notification
from app.order.appointment.models import Appointment, AppointmentUser
from app.order.assignee.models import OrderAssignee
from app.order.checklist.models import ChecklistItem
from app.order.file.models import OrderFile
from app.order.line.models import OrderLine
from app.order.models import Order
from app.order.note.models import OrderNote
from app.order.payment.models import Payment
from app.order_form.models import OrderForm, ReferralOption
from app.order_status.models import OrderStatus
from app.tag.models import Tag
from app.user.models import User, UserGroup
from app.vendor.contact_type.models import ContactType
from app.vendor.models import Vendor, VendorContactType, VendorTag
from app.vendor.note.models import VendorNote

__all__ = [
    "ApiKey",
    "Appointment",
    "AppointmentUser",
    "Attachment",
    "Base",
    "BillingAccount",
    "ChecklistItem",
    "Company",
    "Contact",
    "ContactType",
    "Counter",
    "CustomField",
    "Customer",
    "CustomerReminder",
    "CustomerTag",
    "Equipment",
    "Event",
    "Geofence",
    "GeofenceEvent",
    "GeofenceUser",
    "Group",
    "IdempotencyKey",
    "InvoiceItem",
    "Location",
    "Note",
    "Notification",
    "Order",
    "OrderAssignee",
    "OrderFile",
    "OrderForm",
    "OrderLine",
    "OrderNote",
    "OrderStatus",
    "Payment",
    "ReferralOption",
    "RefreshToken",
    "StripeEvent",
    "Tag",
    "User",
    "UserGroup",
    "UserPosition",
    "UserTracking",
    "Vendor",
    "VendorContactType",
    "VendorNote",
    "VendorTag",
]
