"""assignee version

An order's assignees gain a row version, so that a role change or a removal can name the
version it was made against (If-Match), like every other child of an order.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 19:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing rows start at version 1; new rows get theirs from the application, as every
    # other versioned table does, so the server default goes once they are filled.
    op.add_column('order_assignee', sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
    op.alter_column('order_assignee', 'version', server_default=None)


def downgrade() -> None:
    op.drop_column('order_assignee', 'version')
