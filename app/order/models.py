"""The order and everything that hangs off it. Money is integer minor units of the
company's currency; `total`, `amount_paid` and `balance_due` are maintained by
app.order.money and nowhere else."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Computed,
    Date,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
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
# An order from the public form waits for review (`pending`) until a user accepts it.
REVIEW_STATES = ("pending", "accepted")


def order_fk(ondelete: str = "CASCADE") -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["company_id", "order_id"], ["orders.company_id", "orders.id"], ondelete=ondelete
    )


def location_fk() -> ForeignKeyConstraint:
    """A service location of the company (app.customer.location); its deletion clears the
    link only."""
    return ForeignKeyConstraint(
        ["company_id", "location_id"],
        ["location.company_id", "location.id"],
        ondelete="SET NULL (location_id)",
    )


def user_fk(column: str, ondelete: str | None = None) -> ForeignKeyConstraint:
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
        # The service location and the contact are the customer's (app.order.service checks
        # it); deleting either clears the link only (deleting the customer deletes both).
        location_fk(),
        ForeignKeyConstraint(
            ["company_id", "contact_id"],
            ["contact.company_id", "contact.id"],
            ondelete="SET NULL (contact_id)",
        ),
        user_fk("created_by"),
        CheckConstraint(f"source IN {ORDER_SOURCES!r}", name="source"),
        CheckConstraint(f"review_state IN {REVIEW_STATES!r}", name="review_state"),
        # The review queue: orders waiting for review, oldest first.
        Index(
            "ix_orders_review_pending",
            "company_id",
            "created_at",
            postgresql_where=text("review_state = 'pending'"),
        ),
        CheckConstraint("amount_paid >= 0 AND amount_paid <= total", name="amount_paid"),
        CheckConstraint("due_on IS NULL OR invoiced_on IS NOT NULL", name="due_on"),
        Index(None, "company_id", "created_at", "id"),
        Index(None, "company_id", "customer_id"),
        Index(None, "company_id", "status_id"),
        # What a location's or contact's deletion looks up (its count, the SET NULL).
        Index(
            "ix_orders_company_id_location_id",
            "company_id",
            "location_id",
            postgresql_where=text("location_id IS NOT NULL"),
        ),
        Index(
            "ix_orders_company_id_contact_id",
            "company_id",
            "contact_id",
            postgresql_where=text("contact_id IS NOT NULL"),
        ),
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
    # Where the work is done: one of the customer's service locations.
    location_id: Mapped[uuid.UUID | None]
    # Who to deal with at the customer (seed 004): one of the customer's contacts.
    contact_id: Mapped[uuid.UUID | None]
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    status_id: Mapped[uuid.UUID]
    source: Mapped[str] = mapped_column(String(16), default="staff")
    referral: Mapped[str | None] = mapped_column(String(200))
    # Null for orders that need no review (staff, API); see REVIEW_STATES.
    review_state: Mapped[str | None] = mapped_column(String(16))
    # The public-form submission that made this order also made its customer: rejecting
    # the order deletes that customer too when nothing else hangs off it.
    review_customer_created: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default="false"
    )
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
