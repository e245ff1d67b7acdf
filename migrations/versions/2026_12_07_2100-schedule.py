"""schedule

The schedule (issue 12): a user cannot be booked on two overlapping appointments unless the
booking says `allow_overlap`. Each appointment_user row carries its appointment's time range
(denormalised, kept in step by the service), and an exclusion constraint (btree_gist, in
contrib) over (company_id, user_id, tstzrange(starts_at, ends_at)) refuses an overlap, even
between two concurrent transactions. Existing rows are backfilled; an existing overlap (booked
before the rule) is kept by marking the later row as allowed, so the constraint can be built.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 21:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute('CREATE EXTENSION IF NOT EXISTS btree_gist')
    op.add_column('appointment_user', sa.Column('starts_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('appointment_user', sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        'appointment_user',
        sa.Column('overlap_allowed', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    )
    op.execute(
        """
        UPDATE appointment_user AS au
        SET starts_at = a.starts_at,
            ends_at = a.starts_at + make_interval(mins => a.duration_minutes)
        FROM appointment AS a
        WHERE a.company_id = au.company_id AND a.id = au.appointment_id
        """
    )
    # Overlaps booked before the rule stay: a row overlapping one of an earlier appointment
    # (by id) of the same user is marked allowed, which leaves the others pairwise disjoint.
    op.execute(
        """
        UPDATE appointment_user AS au
        SET overlap_allowed = true
        WHERE EXISTS (
            SELECT 1 FROM appointment_user AS o
            WHERE o.company_id = au.company_id
              AND o.user_id = au.user_id
              AND o.appointment_id < au.appointment_id
              AND tstzrange(o.starts_at, o.ends_at) && tstzrange(au.starts_at, au.ends_at)
        )
        """
    )
    op.alter_column('appointment_user', 'starts_at', nullable=False)
    op.alter_column('appointment_user', 'ends_at', nullable=False)
    op.create_check_constraint(op.f('ck_appointment_user_range'), 'appointment_user', 'ends_at > starts_at')
    op.execute(
        """
        ALTER TABLE appointment_user ADD CONSTRAINT ex_appointment_user_no_overlap
        EXCLUDE USING gist (
            company_id WITH =, user_id WITH =, tstzrange(starts_at, ends_at) WITH &&
        ) WHERE (NOT overlap_allowed)
        """
    )


def downgrade() -> None:
    op.drop_constraint('ex_appointment_user_no_overlap', 'appointment_user')
    op.drop_constraint('ck_appointment_user_range', 'appointment_user')
    op.drop_column('appointment_user', 'overlap_allowed')
    op.drop_column('appointment_user', 'ends_at')
    op.drop_column('appointment_user', 'starts_at')
    # btree_gist stays: other objects may use it, and dropping it is not this revision's call.
