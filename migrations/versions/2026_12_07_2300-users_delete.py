"""users_delete and the schedule's index

Deleting a user (issue 12): the row stays, so that the history naming the user (orders,
payments, notes, assignments, events) keeps their name; `deleted_at` marks it gone for good.

The schedule list (`GET /v1/appointments`) pages by (starts_at, id): its index becomes
(company_id, starts_at, id), so the order is read from the index whole (no incremental sort,
which must read every appointment sharing a start time, as 9:00 slots do) and a next page's
`(starts_at, id) > (...)` is an index condition rather than a filter.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 23:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('user', sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        op.f('ix_appointment_company_id_starts_at_id'),
        'appointment',
        ['company_id', 'starts_at', 'id'],
        unique=False,
    )
    op.drop_index(op.f('ix_appointment_company_id_starts_at'), table_name='appointment')


def downgrade() -> None:
    op.create_index(
        op.f('ix_appointment_company_id_starts_at'),
        'appointment',
        ['company_id', 'starts_at'],
        unique=False,
    )
    op.drop_index(op.f('ix_appointment_company_id_starts_at_id'), table_name='appointment')
    op.drop_column('user', 'deleted_at')
