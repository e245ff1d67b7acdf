"""order form

The external order form (issue 13): its settings (one row per company), the company's own
referral options, the review state of orders that came from the form (with whether the
submission created the customer, which a rejection deletes with the order), and a
notification kind for each submission. The order reminders' unique index now covers order
reminders only, so a submission's notification never collides with one.

Revision ID: 0013
Revises: 0014
Create Date: 2026-12-07 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The subject rule as 0009 (geofences) left it, and with order submissions.
_OLD_SUBJECT = (
    "num_nonnulls(order_id, customer_reminder_id, equipment_id, geofence_event_id) = 1"
    " AND (kind <> 'order_reminder' OR order_id IS NOT NULL)"
    " AND (kind <> 'customer_reminder' OR customer_reminder_id IS NOT NULL)"
    " AND (kind <> 'warranty_expiry' OR equipment_id IS NOT NULL)"
    " AND (kind <> 'geofence_event' OR geofence_event_id IS NOT NULL)"
)
_NEW_SUBJECT = (
    "num_nonnulls(order_id, customer_reminder_id, equipment_id, geofence_event_id) = 1"
    " AND (kind NOT IN ('order_reminder', 'order_submitted') OR order_id IS NOT NULL)"
    " AND (kind <> 'customer_reminder' OR customer_reminder_id IS NOT NULL)"
    " AND (kind <> 'warranty_expiry' OR equipment_id IS NOT NULL)"
    " AND (kind <> 'geofence_event' OR geofence_event_id IS NOT NULL)"
)


def upgrade() -> None:
    op.create_table(
        "order_form",
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("fields", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("thank_you_message", sa.Text(), nullable=False),
        sa.Column("style", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("logo_sha256", sa.String(length=64), nullable=True),
        sa.Column("logo_content_type", sa.String(length=50), nullable=True),
        sa.Column("allowed_origins", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("review_recipient_ids", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["company.id"],
            name=op.f("fk_order_form_company_id_company"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("company_id", name=op.f("pk_order_form")),
    )
    op.create_table(
        "referral_option",
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["company.id"],
            name=op.f("fk_referral_option_company_id_company"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_option")),
        sa.UniqueConstraint("company_id", "id", name=op.f("uq_referral_option_company_id_id")),
    )
    op.create_index(
        op.f("ix_referral_option_company_id_position_id"),
        "referral_option",
        ["company_id", "position", "id"],
        unique=False,
    )
    op.create_index(
        "uq_referral_option_label",
        "referral_option",
        ["company_id", sa.text("lower(label)")],
        unique=True,
    )

    op.add_column("orders", sa.Column("review_state", sa.String(length=16), nullable=True))
    op.add_column(
        "orders",
        sa.Column("review_customer_created", sa.Boolean(), server_default="false", nullable=False),
    )
    op.create_check_constraint(
        op.f("ck_orders_review_state"), "orders", "review_state IN ('pending', 'accepted')"
    )
    op.create_index(
        "ix_orders_review_pending",
        "orders",
        ["company_id", "created_at"],
        unique=False,
        postgresql_where=sa.text("review_state = 'pending'"),
    )

    op.drop_constraint(op.f("ck_notification_subject"), "notification", type_="check")
    op.create_check_constraint(op.f("ck_notification_subject"), "notification", _NEW_SUBJECT)
    op.drop_index("uq_notification_order_reminder", table_name="notification")
    op.create_index(
        "uq_notification_order_reminder",
        "notification",
        ["order_id", "due_on", "user_id"],
        unique=True,
        postgresql_where=sa.text("kind = 'order_reminder'"),
    )


def downgrade() -> None:
    op.execute("DELETE FROM notification WHERE kind = 'order_submitted'")
    op.drop_index("uq_notification_order_reminder", table_name="notification")
    op.create_index(
        "uq_notification_order_reminder",
        "notification",
        ["order_id", "due_on", "user_id"],
        unique=True,
        postgresql_where=sa.text("order_id IS NOT NULL"),
    )
    op.drop_constraint(op.f("ck_notification_subject"), "notification", type_="check")
    op.create_check_constraint(op.f("ck_notification_subject"), "notification", _OLD_SUBJECT)
    op.drop_index(
        "ix_orders_review_pending",
        table_name="orders",
        postgresql_where=sa.text("review_state = 'pending'"),
    )
    op.drop_constraint(op.f("ck_orders_review_state"), "orders", type_="check")
    op.drop_column("orders", "review_customer_created")
    op.drop_column("orders", "review_state")
    op.drop_index("uq_referral_option_label", table_name="referral_option")
    op.drop_index(op.f("ix_referral_option_company_id_position_id"), table_name="referral_option")
    op.drop_table("referral_option")
    op.drop_table("order_form")
