from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Computed,
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

CUSTOMER_STATUSES = ("active", "disabled")


# The customer's own fields as the API names them, in the order the API shows them: one list
# for what a create or PATCH writes as given, the list row, the read model, the CSV export
# and the benchmark's seed. A new field is added here (and to the model, schemas and a
# migration), not in each of those.
RECORD_FIELDS = (
    "name",
    "account_number",
    "email",
    "phone",
    "alt_phone",
    "status",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "country",
)
# A list row: the record between its number and its derived figures.
ROW_FIELDS = (
    "id",
    "number",
    *RECORD_FIELDS,
    "custom_fields",
    "is_default",
    "created_at",
    "updated_at",
)


class Customer(IdMixin, TenantMixin, TimestampMixin, VersionedMixin, Base):
    """A customer of the company. `balance` and `is_lead` are derived (app.customer.queries),
    never stored."""

    __tablename__ = "customer"
    __table_args__ = tenant_table_args(
        UniqueConstraint("company_id", "number"),
        # NULLs are distinct: many customers may have no account number.
        UniqueConstraint("company_id", "account_number"),
        CheckConstraint(f"status IN {CUSTOMER_STATUSES!r}", name="status"),
        # At most one default customer per company (seed 004).
        Index(
            "uq_customer_company_id_default",
            "company_id",
            unique=True,
            postgresql_where=text("is_default"),
        ),
        Index(None, "company_id", "name", "id"),
        Index(None, "company_id", "created_at", "id"),
        Index(None, "company_id", "name_key"),
        Index(None, "company_id", "email"),
        Index(None, "company_id", "phone"),
        Index(None, "company_id", "alt_phone"),
        Index(
            "ix_customer_search_text_trgm",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ),
        Index(
            "ix_customer_name_key_trgm",
            "name_key",
            postgresql_using="gin",
            postgresql_ops={"name_key": "gin_trgm_ops"},
        ),
        Index(
            "ix_customer_custom_fields",
            "custom_fields",
            postgresql_using="gin",
            postgresql_ops={"custom_fields": "jsonb_path_ops"},
        ),
    )

    number: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(200))
    # The name folded for duplicate detection: lower case, no punctuation, single spaces.
    name_key: Mapped[str] = mapped_column(String(200))
    account_number: Mapped[str | None] = mapped_column(String(50))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    alt_phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    status: Mapped[str] = mapped_column(String(16), default="active")
    address_line1: Mapped[str | None] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    country: Mapped[str | None] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    custom_fields: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    # What `q` searches, in one trigram index: name, email, phone, account number.
    search_text: Mapped[str] = mapped_column(
        Text,
        Computed(
            "lower(name || ' ' || coalesce(email, '') || ' ' || coalesce(phone, '') || ' ' "
            "|| coalesce(alt_phone, '') || ' ' || coalesce(account_number, ''))",
            persisted=True,
        ),
    )


class CustomerTag(Base):
    """A tag on a customer; both keys carry company_id, so tags never cross companies."""

    __tablename__ = "customer_tag"
    __table_args__ = (
        ForeignKeyConstraint(
            ["company_id", "customer_id"],
            ["customer.company_id", "customer.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["company_id", "tag_id"], ["tag.company_id", "tag.id"], ondelete="CASCADE"
        ),
        Index(None, "company_id", "tag_id", "customer_id"),
    )

    company_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tag_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
