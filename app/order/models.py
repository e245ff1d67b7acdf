"""The order and everything that hangs off it. Money is integer minor units of the
company's currency; `total`, `amount_paid` and `balance_due` are maintained by
app.order.money and nowhere else."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Computed,
    Date,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.models import (
    Base,
    IdMixin,
    TenantMixin,
    TimestampMixin,
    VersionedMixin,
    tenant_table_args,
)

ORDER_SOURCES = ("staff", "api", "public_form")
PAYMENT_METHODS = ("cash", "check", "card", "bank_transfer", "other")
ASSIGNEE_ROLES = ("salesperson", "installer", "other")
APPOINTMENT_KINDS = ("appointment", "service_call", "installation")
NOTE_VISIBILITIES = ("office", "site")


def _order_fk(ondelete: str = "CASCADE") -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["company_id", "order_id"], ["orders.company_id", "orders.id"], ondelete=ondelete
    )


def _user_fk(column: str, ondelete: str | None = None) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["company_id", column], ["user.company_id", "user.id"], ondelete=ondelete
    )


class Order(IdMixin, TenantMixin, TimestampMixin, VersionedMixin, Base):
    """A job for a customer. Deleting the customer keeps the order: `customer_id` becomes
    null and `customer_name` keeps who it was for (seed 004)."""

    __tablename__ = "orders"  # ORDER is an SQL keyword
    __table_args__ = tenant_table_args(
        UniqueConstraint("company_id", "number"),
        # SET NULL on the customer column only: company_id stays.
        ForeignKeyConstraint(
            ["company_id", "customer_id"],
            ["customer.company_id", "customer.id"],
            ondelete="SET NULL (customer_id)",
        ),
        ForeignKeyConstraint(
            ["company_id", "status_id"], ["order_status.company_id", "order_status.id"]
        ),
        _user_fk("created_by"),
        CheckConstraint(f"source IN {ORDER_SOURCES!r}", name="source"),
        CheckConstraint("amount_paid >= 0 AND amount_paid <= total", name="amount_paid"),
        CheckConstraint("due_on IS NULL OR invoiced_on IS NOT NULL", name="due_on"),
        Index(None, "company_id", "created_at", "id"),
        Index(None, "company_id", "customer_id"),
        Index(None, "company_id", "status_id"),
        # pg_trgm is installed by migration 0002 (every supported server has contrib).
        Index(
            "ix_orders_search_text_trgm",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ),
        Index(
            "ix_orders_company_id_reminder_on",
            "company_id",
            "reminder_on",
            postgresql_where=text("reminder_on IS NOT NULL"),
        ),
        # The reminder scan's candidates (workers/reminders.py): reminders not yet notified
        # for their current date. Notified ones leave the index, so the scan's cost follows
        # the number pending, not the table size.
        Index(
            "ix_orders_reminder_pending",
            "reminder_on",
            postgresql_where=text(
                "reminder_on IS NOT NULL AND reminder_notified_on IS DISTINCT FROM reminder_on"
            ),
        ),
        # Receivables: invoiced orders that still owe something, by due date.
        Index(
            "ix_orders_company_id_due_on_open",
            "company_id",
            "due_on",
            postgresql_where=text("invoiced_on IS NOT NULL AND balance_due > 0"),
        ),
    )

    number: Mapped[int] = mapped_column(BigInteger)
    customer_id: Mapped[uuid.UUID | None]
    customer_name: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    status_id: Mapped[uuid.UUID]
    source: Mapped[str] = mapped_column(String(16), default="staff")
    referral: Mapped[str | None] = mapped_column(String(200))
    reminder_on: Mapped[date | None] = mapped_column(Date)
    # The reminder date the scan last notified; the reminder is pending while it differs
    # from `reminder_on`, so a moved date notifies again. Set by the scan only.
    reminder_notified_on: Mapped[date | None] = mapped_column(Date)
    scheduled_on: Mapped[date | None] = mapped_column(Date)
    custom_fields: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    subtotal: Mapped[int] = mapped_column(BigInteger, default=0)
    total: Mapped[int] = mapped_column(BigInteger, default=0)
    amount_paid: Mapped[int] = mapped_column(BigInteger, default=0)
    balance_due: Mapped[int] = mapped_column(
        BigInteger, Computed("total - amount_paid", persisted=True)
    )
    invoiced_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[uuid.UUID | None]
    # What `q` searches besides the number: title and customer name, lower-cased.
    search_text: Mapped[str] = mapped_column(
        Text, Computed("lower(title || ' ' || coalesce(customer_name, ''))", persisted=True)
    )


class OrderLine(IdMixin, TenantMixin, TimestampMixin, VersionedMixin, Base):
    """A line item. From the catalog, SKU, name and unit amount are copied when added."""

    __tablename__ = "order_line"
    __table_args__ = tenant_table_args(
        _order_fk(),
        ForeignKeyConstraint(
            ["company_id", "invoice_item_id"],
            ["invoice_item.company_id", "invoice_item.id"],
            ondelete="SET NULL (invoice_item_id)",
        ),
        CheckConstraint("quantity > 0", name="quantity"),
        CheckConstraint("unit_amount >= 0", name="unit_amount"),
        Index(None, "company_id", "order_id", "position"),
        Index(None, "company_id", "invoice_item_id"),
    )

    order_id: Mapped[uuid.UUID]
    position: Mapped[int] = mapped_column(Integer)
    invoice_item_id: Mapped[uuid.UUID | None]
    sku: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    quantity: Mapped[Decimal] = mapped_column(Numeric(12, 3))
    unit_amount: Mapped[int] = mapped_column(BigInteger)
    line_total: Mapped[int] = mapped_column(BigInteger)  # app.order.money.line_total


class Payment(IdMixin, TenantMixin, Base):
    """Money received against an order. Immutable: a wrong payment is deleted and recorded
    again, and both are audited."""

    __tablename__ = "payment"
    __table_args__ = tenant_table_args(
        _order_fk(),
        _user_fk("recorded_by"),
        CheckConstraint("amount > 0", name="amount"),
        CheckConstraint(f"method IN {PAYMENT_METHODS!r}", name="method"),
        Index(None, "company_id", "order_id", "paid_on"),
        Index(None, "company_id", "paid_on"),
    )

    order_id: Mapped[uuid.UUID]
    amount: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(16))
    reference: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class OrderAssignee(Base):
    """A user associated with an order in a role (seed 000's user order associations)."""

    __tablename__ = "order_assignee"
    __table_args__ = (
        _order_fk(),
        _user_fk("user_id", "CASCADE"),
        CheckConstraint(f"role IN {ASSIGNEE_ROLES!r}", name="role"),
        Index(None, "company_id", "user_id", "order_id"),
    )

    company_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    order_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class Appointment(IdMixin, TenantMixin, TimestampMixin, VersionedMixin, Base):
    __tablename__ = "appointment"
    __table_args__ = tenant_table_args(
        _order_fk(),
        CheckConstraint(f"kind IN {APPOINTMENT_KINDS!r}", name="kind"),
        CheckConstraint("duration_minutes > 0", name="duration_minutes"),
        Index(None, "company_id", "order_id", "starts_at"),
        Index(None, "company_id", "starts_at"),
    )

    order_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(16))
    starts_at: Mapped[datetime]
    duration_minutes: Mapped[int] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)


class AppointmentUser(Base):
    """A user assigned to an appointment."""

    __tablename__ = "appointment_user"
    __table_args__ = (
        ForeignKeyConstraint(
            ["company_id", "appointment_id"],
            ["appointment.company_id", "appointment.id"],
            ondelete="CASCADE",
        ),
        _user_fk("user_id", "CASCADE"),
        Index(None, "company_id", "user_id"),
    )

    company_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    appointment_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)


class ChecklistItem(IdMixin, TenantMixin, TimestampMixin, VersionedMixin, Base):
    __tablename__ = "checklist_item"
    __table_args__ = tenant_table_args(
        _order_fk(),
        _user_fk("done_by"),
        CheckConstraint("(is_done) = (done_at IS NOT NULL)", name="done_at"),
        Index(None, "company_id", "order_id", "position"),
    )

    order_id: Mapped[uuid.UUID]
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(500))
    is_done: Mapped[bool] = mapped_column(Boolean, default=False)
    done_by: Mapped[uuid.UUID | None]
    done_at: Mapped[datetime | None]


class OrderNote(IdMixin, TenantMixin, TimestampMixin, VersionedMixin, Base):
    """A note on an order, `office` or `site` as for customers."""

    __tablename__ = "order_note"
    __table_args__ = tenant_table_args(
        _order_fk(),
        _user_fk("author_id"),
        CheckConstraint(f"visibility IN {NOTE_VISIBILITIES!r}", name="visibility"),
        Index(None, "company_id", "order_id", "created_at", "id"),
    )

    order_id: Mapped[uuid.UUID]
    body: Mapped[str] = mapped_column(Text)
    visibility: Mapped[str] = mapped_column(String(10), default="office")
    author_id: Mapped[uuid.UUID | None]


class OrderFile(IdMixin, TenantMixin, Base):
    """A file attached to an order: a reference to a content-addressed blob (sha256) of the
    company's store. Several references may share a blob; it is removed with the last."""

    __tablename__ = "order_file"
    __table_args__ = tenant_table_args(
        _order_fk(),
        _user_fk("uploaded_by"),
        CheckConstraint("size >= 0", name="size"),
        Index(None, "company_id", "order_id", "created_at"),
        Index(None, "company_id", "sha256"),
    )

    order_id: Mapped[uuid.UUID]
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(127))
    size: Mapped[int] = mapped_column(BigInteger)
    uploaded_by: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
