"""users_delete

Deleting a user (issue 12): the row stays, so that the history naming the user (orders,
payments, notes, assignments, events) keeps their name; `deleted_at` marks it gone for good.

Revision ID: 0012
Revises: 0008
Create Date: 2026-12-07 23:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('user', sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column('user', 'deleted_at')
