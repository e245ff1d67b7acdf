"""geofences

Geofences of a customer's service location (issue 12, seed 002), the users each notifies,
the positions field devices report (one per user and time), where each user's evaluated
positions left them (user_tracking, also their lock), and the enter and exit events
they give, which notify the fence's users (a third kind of notification). Candidate fences
of a position come from a GiST index over (company_id, bounding box) (btree_gist for the
uuid, in contrib; 0008 creates it too, IF NOT EXISTS keeps either order working).

Revision ID: 0009
Revises: 0016
Create Date: 2026-12-07 22:13:20.652844
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0009'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The subject rule as 0010 (equipment) left it, and with geofence events.
SUBJECT_BEFORE = (
    "num_nonnulls(order_id, customer_reminder_id, equipment_id) = 1"
    " AND (kind <> 'order_reminder' OR order_id IS NOT NULL)"
    " AND (kind <> 'customer_reminder' OR customer_reminder_id IS NOT NULL)"
    " AND (kind <> 'warranty_expiry' OR equipment_id IS NOT NULL)"
)
SUBJECT = (
    "num_nonnulls(order_id, customer_reminder_id, equipment_id, geofence_event_id) = 1"
    " AND (kind <> 'order_reminder' OR order_id IS NOT NULL)"
    " AND (kind <> 'customer_reminder' OR customer_reminder_id IS NOT NULL)"
    " AND (kind <> 'warranty_expiry' OR equipment_id IS NOT NULL)"
    " AND (kind <> 'geofence_event' OR geofence_event_id IS NOT NULL)"
)


def upgrade() -> None:
    op.execute('CREATE EXTENSION IF NOT EXISTS btree_gist')
    op.create_table('user_position',
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('latitude', sa.Double(), nullable=False),
    sa.Column('longitude', sa.Double(), nullable=False),
    sa.Column('accuracy_m', sa.Double(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('accuracy_m >= 0', name=op.f('ck_user_position_accuracy_m')),
    sa.CheckConstraint('latitude BETWEEN -90 AND 90', name=op.f('ck_user_position_latitude')),
    sa.CheckConstraint('longitude BETWEEN -180 AND 180', name=op.f('ck_user_position_longitude')),
    sa.ForeignKeyConstraint(['company_id', 'user_id'], ['user.company_id', 'user.id'], name=op.f('fk_user_position_company_id_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('company_id', 'user_id', 'recorded_at', name=op.f('pk_user_position'))
    )
    op.create_table('user_tracking',
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('last_recorded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('inside', postgresql.ARRAY(sa.Uuid()), server_default=sa.text("'{}'::uuid[]"), nullable=False),
    sa.ForeignKeyConstraint(['company_id', 'user_id'], ['user.company_id', 'user.id'], name=op.f('fk_user_tracking_company_id_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('company_id', 'user_id', name=op.f('pk_user_tracking'))
    )
    op.create_table('geofence',
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('location_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('color', sa.String(length=7), nullable=False),
    sa.Column('alert_on', sa.String(length=5), nullable=False),
    sa.Column('shape', sa.String(length=7), nullable=False),
    sa.Column('latitude', sa.Double(), nullable=True),
    sa.Column('longitude', sa.Double(), nullable=True),
    sa.Column('radius_m', sa.Double(), nullable=True),
    sa.Column('ring', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('west', sa.Double(), nullable=False),
    sa.Column('south', sa.Double(), nullable=False),
    sa.Column('east', sa.Double(), nullable=False),
    sa.Column('north', sa.Double(), nullable=False),
    sa.Column('width_m', sa.Double(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("(shape = 'circle' AND latitude IS NOT NULL AND longitude IS NOT NULL AND radius_m IS NOT NULL AND ring IS NULL) OR (shape = 'polygon' AND ring IS NOT NULL AND radius_m IS NULL)", name=op.f('ck_geofence_geometry')),
    sa.CheckConstraint("alert_on IN ('enter', 'exit', 'both')", name=op.f('ck_geofence_alert_on')),
    sa.CheckConstraint("shape IN ('circle', 'polygon')", name=op.f('ck_geofence_shape')),
    sa.CheckConstraint('west <= east AND south <= north', name=op.f('ck_geofence_bbox')),
    sa.ForeignKeyConstraint(['company_id', 'location_id'], ['location.company_id', 'location.id'], name=op.f('fk_geofence_company_id_location_id_location'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_geofence_company_id_company'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_geofence')),
    sa.UniqueConstraint('company_id', 'id', name=op.f('uq_geofence_company_id_id'))
    )
    op.create_index('ix_geofence_bbox', 'geofence', ['company_id', sa.literal_column('box(point(west, south), point(east, north))')], unique=False, postgresql_using='gist')
    op.create_index(op.f('ix_geofence_company_id_location_id_created_at_id'), 'geofence', ['company_id', 'location_id', 'created_at', 'id'], unique=False)
    op.create_table('geofence_event',
    sa.Column('geofence_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('location_id', sa.Uuid(), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=5), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.CheckConstraint("kind IN ('enter', 'exit')", name=op.f('ck_geofence_event_kind')),
    sa.ForeignKeyConstraint(['company_id', 'geofence_id'], ['geofence.company_id', 'geofence.id'], name=op.f('fk_geofence_event_company_id_geofence_id_geofence'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['company_id', 'user_id'], ['user.company_id', 'user.id'], name=op.f('fk_geofence_event_company_id_user_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_geofence_event_company_id_company'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_geofence_event')),
    sa.UniqueConstraint('company_id', 'id', name=op.f('uq_geofence_event_company_id_id')),
    sa.UniqueConstraint('company_id', 'user_id', 'geofence_id', 'occurred_at', name=op.f('uq_geofence_event_company_id_user_id_geofence_id_occurred_at'))
    )
    op.create_index(op.f('ix_geofence_event_company_id_customer_id_occurred_at_id'), 'geofence_event', ['company_id', 'customer_id', 'occurred_at', 'id'], unique=False)
    op.create_index(op.f('ix_geofence_event_company_id_geofence_id_occurred_at_id'), 'geofence_event', ['company_id', 'geofence_id', 'occurred_at', 'id'], unique=False)
    op.create_index(op.f('ix_geofence_event_company_id_occurred_at_id'), 'geofence_event', ['company_id', 'occurred_at', 'id'], unique=False)
    op.create_index(op.f('ix_geofence_event_company_id_user_id_occurred_at_id'), 'geofence_event', ['company_id', 'user_id', 'occurred_at', 'id'], unique=False)
    op.create_table('geofence_user',
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('geofence_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['company_id', 'geofence_id'], ['geofence.company_id', 'geofence.id'], name=op.f('fk_geofence_user_company_id_geofence_id_geofence'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['company_id', 'user_id'], ['user.company_id', 'user.id'], name=op.f('fk_geofence_user_company_id_user_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_geofence_user_company_id_company'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('company_id', 'geofence_id', 'user_id', name=op.f('pk_geofence_user'))
    )
    op.create_index(op.f('ix_geofence_user_company_id_user_id'), 'geofence_user', ['company_id', 'user_id'], unique=False)
    op.add_column('notification', sa.Column('geofence_event_id', sa.Uuid(), nullable=True))
    op.create_index('uq_notification_geofence_event', 'notification', ['geofence_event_id', 'user_id'], unique=True, postgresql_where=sa.text('geofence_event_id IS NOT NULL'))
    op.create_foreign_key(op.f('fk_notification_company_id_geofence_event_id_geofence_event'), 'notification', 'geofence_event', ['company_id', 'geofence_event_id'], ['company_id', 'id'], ondelete='CASCADE')
    op.drop_constraint(op.f('ck_notification_subject'), 'notification', type_='check')
    op.create_check_constraint(op.f('ck_notification_subject'), 'notification', SUBJECT)


def downgrade() -> None:
    op.execute("DELETE FROM notification WHERE kind = 'geofence_event'")
    op.drop_constraint(op.f('ck_notification_subject'), 'notification', type_='check')
    op.create_check_constraint(op.f('ck_notification_subject'), 'notification', SUBJECT_BEFORE)
    op.drop_constraint(op.f('fk_notification_company_id_geofence_event_id_geofence_event'), 'notification', type_='foreignkey')
    op.drop_index('uq_notification_geofence_event', table_name='notification', postgresql_where=sa.text('geofence_event_id IS NOT NULL'))
    op.drop_column('notification', 'geofence_event_id')
    op.drop_index(op.f('ix_geofence_user_company_id_user_id'), table_name='geofence_user')
    op.drop_table('geofence_user')
    op.drop_index(op.f('ix_geofence_event_company_id_user_id_occurred_at_id'), table_name='geofence_event')
    op.drop_index(op.f('ix_geofence_event_company_id_occurred_at_id'), table_name='geofence_event')
    op.drop_index(op.f('ix_geofence_event_company_id_geofence_id_occurred_at_id'), table_name='geofence_event')
    op.drop_index(op.f('ix_geofence_event_company_id_customer_id_occurred_at_id'), table_name='geofence_event')
    op.drop_table('geofence_event')
    op.drop_index(op.f('ix_geofence_company_id_location_id_created_at_id'), table_name='geofence')
    op.drop_index('ix_geofence_bbox', table_name='geofence', postgresql_using='gist')
    op.drop_table('geofence')
    op.drop_table('user_tracking')
    op.drop_table('user_position')
    # btree_gist stays: 0008 uses it.
