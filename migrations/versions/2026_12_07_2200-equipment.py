"""equipment

A customer's equipment and its warranty (seed 002, issue 12): the table, its custom fields
(entity `equipment`), the company's warranty reminder settings, and warranty expiry
notifications. The reminder scan finds due warranties through the partial index
ix_equipment_warranty_pending, which holds only warranties whose expiry was not notified yet.
New company columns have constant defaults (no table rewrite).

Revision ID: 0010
Revises: 0015
Create Date: 2026-12-07 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0010'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_SUBJECT = (
    "(kind = 'order_reminder' AND order_id IS NOT NULL AND customer_reminder_id IS NULL)"
    " OR (kind = 'customer_reminder' AND customer_reminder_id IS NOT NULL"
    " AND order_id IS NULL)"
)
NEW_SUBJECT = (
    "num_nonnulls(order_id, customer_reminder_id, equipment_id) = 1"
    " AND (kind <> 'order_reminder' OR order_id IS NOT NULL)"
    " AND (kind <> 'customer_reminder' OR customer_reminder_id IS NOT NULL)"
    " AND (kind <> 'warranty_expiry' OR equipment_id IS NOT NULL)"
)


def upgrade() -> None:
    op.create_table('equipment',
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('location_id', sa.Uuid(), nullable=True),
    sa.Column('type', sa.String(length=100), nullable=False),
    sa.Column('manufacturer', sa.String(length=100), nullable=True),
    sa.Column('model', sa.String(length=100), nullable=True),
    sa.Column('serial_number', sa.String(length=100), nullable=True),
    sa.Column('description', sa.String(length=2000), nullable=True),
    sa.Column('installed_on', sa.Date(), nullable=True),
    sa.Column('warranty_months', sa.SmallInteger(), nullable=True),
    sa.Column('warranty_expires_on', sa.Date(), nullable=True),
    sa.Column('warranty_remind_on', sa.Date(), nullable=True),
    sa.Column('warranty_notified_for', sa.Date(), nullable=True),
    sa.Column('custom_fields', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('warranty_months BETWEEN 1 AND 1200', name=op.f('ck_equipment_warranty_months')),
    sa.CheckConstraint('warranty_months IS NULL OR (installed_on IS NOT NULL AND warranty_expires_on IS NOT NULL)', name=op.f('ck_equipment_warranty_from_installation')),
    sa.CheckConstraint('(warranty_expires_on IS NULL) = (warranty_remind_on IS NULL)', name=op.f('ck_equipment_warranty_remind')),
    sa.ForeignKeyConstraint(['company_id', 'customer_id'], ['customer.company_id', 'customer.id'], name=op.f('fk_equipment_company_id_customer_id_customer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['company_id', 'location_id'], ['location.company_id', 'location.id'], name=op.f('fk_equipment_company_id_location_id_location'), ondelete='SET NULL (location_id)'),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_equipment_company_id_company'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_equipment')),
    sa.UniqueConstraint('company_id', 'id', name=op.f('uq_equipment_company_id_id'))
    )
    op.create_index(op.f('ix_equipment_company_id_customer_id_created_at_id'), 'equipment', ['company_id', 'customer_id', 'created_at', 'id'], unique=False)
    op.create_index('ix_equipment_company_id_location_id', 'equipment', ['company_id', 'location_id'], unique=False, postgresql_where=sa.text('location_id IS NOT NULL'))
    op.create_index('ix_equipment_warranty_pending', 'equipment', ['warranty_remind_on'], unique=False, postgresql_where=sa.text('warranty_remind_on IS NOT NULL AND warranty_notified_for IS DISTINCT FROM warranty_expires_on'))

    op.add_column('company', sa.Column('warranty_reminder_days', sa.Integer(), server_default='30', nullable=False))
    op.add_column('company', sa.Column('warranty_expiry_recipient_ids', postgresql.ARRAY(sa.Uuid()), server_default=sa.text("'{}'"), nullable=False))

    op.drop_constraint(op.f('ck_custom_field_entity'), 'custom_field', type_='check')
    op.create_check_constraint(op.f('ck_custom_field_entity'), 'custom_field', "entity IN ('customer', 'order', 'equipment')")

    op.add_column('notification', sa.Column('equipment_id', sa.Uuid(), nullable=True))
    op.create_foreign_key(op.f('fk_notification_company_id_equipment_id_equipment'), 'notification', 'equipment', ['company_id', 'equipment_id'], ['company_id', 'id'], ondelete='CASCADE')
    op.create_index('uq_notification_warranty_expiry', 'notification', ['equipment_id', 'due_on', 'user_id'], unique=True, postgresql_where=sa.text('equipment_id IS NOT NULL'))
    op.drop_constraint(op.f('ck_notification_subject'), 'notification', type_='check')
    op.create_check_constraint(op.f('ck_notification_subject'), 'notification', NEW_SUBJECT)


def downgrade() -> None:
    op.execute("DELETE FROM notification WHERE kind = 'warranty_expiry'")
    op.drop_constraint(op.f('ck_notification_subject'), 'notification', type_='check')
    op.create_check_constraint(op.f('ck_notification_subject'), 'notification', OLD_SUBJECT)
    op.drop_index('uq_notification_warranty_expiry', table_name='notification', postgresql_where=sa.text('equipment_id IS NOT NULL'))
    op.drop_constraint(op.f('fk_notification_company_id_equipment_id_equipment'), 'notification', type_='foreignkey')
    op.drop_column('notification', 'equipment_id')

    op.execute("DELETE FROM custom_field WHERE entity = 'equipment'")
    op.drop_constraint(op.f('ck_custom_field_entity'), 'custom_field', type_='check')
    op.create_check_constraint(op.f('ck_custom_field_entity'), 'custom_field', "entity IN ('customer', 'order')")

    op.drop_column('company', 'warranty_expiry_recipient_ids')
    op.drop_column('company', 'warranty_reminder_days')

    op.drop_index('ix_equipment_warranty_pending', table_name='equipment', postgresql_where=sa.text('warranty_remind_on IS NOT NULL AND warranty_notified_for IS DISTINCT FROM warranty_expires_on'))
    op.drop_index('ix_equipment_company_id_location_id', table_name='equipment', postgresql_where=sa.text('location_id IS NOT NULL'))
    op.drop_index(op.f('ix_equipment_company_id_customer_id_created_at_id'), table_name='equipment')
    op.drop_table('equipment')
