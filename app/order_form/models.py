"""The external order form's settings (seed 000: the form, its Style tab, its referrals)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, text
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


class OrderForm(TimestampMixin, VersionedMixin, Base):
    """One company's form settings. A company without a row has the defaults
    (app.order_form.service.DEFAULTS); the first PUT creates it."""

    __tablename__ = "order_form"

    company_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("company.id", ondelete="CASCADE"), primary_key=True
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # {"phone": {"shown": true, "required": false}, ..., "cf.<key>": {...}}
    fields: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    thank_you_message: Mapped[str] = mapped_column(Text)
    # Validated colours, a font from the safe list, corner radius (app.order_form.schemas).
    style: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    # The logo: a blob (content-addressed, app.storage) and its media type.
    logo_sha256: Mapped[str | None] = mapped_column(String(64))
    logo_content_type: Mapped[str | None] = mapped_column(String(50))
    # Origins allowed to embed the page (CSP frame-ancestors) and to call the public API
    # from a browser (CORS).
    allowed_origins: Mapped[list[str]] = mapped_column(JSONB, default=list)
    # Users notified of each submission; empty: the company's admins.
    review_recipient_ids: Mapped[list[str]] = mapped_column(JSONB, default=list)


class ReferralOption(IdMixin, TenantMixin, TimestampMixin, VersionedMixin, Base):
    """A "how did you hear about us" choice (Settings -> Referrals). A company without any
    gets Trackr's defaults; once it has its own, they replace the defaults (seed 000)."""

    __tablename__ = "referral_option"
    __table_args__ = tenant_table_args(
        Index("uq_referral_option_label", "company_id", text("lower(label)"), unique=True),
        Index(None, "company_id", "position", "id"),
    )

    label: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
