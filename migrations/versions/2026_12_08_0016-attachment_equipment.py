"""attachment equipment

An attachment may be about one piece of the customer's equipment (issue 12: install
manuals, nameplate photos), as it may be about a location: deleting the equipment clears
the link. Attachments and equipment were built side by side, so the link comes after both.

Revision ID: 0016
Revises: 0012
Create Date: 2026-12-08 00:16:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('attachment', sa.Column('equipment_id', sa.Uuid(), nullable=True))
    op.create_foreign_key(
        'fk_attachment_company_id_equipment_id_equipment',
        'attachment',
        'equipment',
        ['company_id', 'equipment_id'],
        ['company_id', 'id'],
        ondelete='SET NULL (equipment_id)',
    )
    op.create_index(
        'ix_attachment_company_id_equipment_id',
        'attachment',
        ['company_id', 'equipment_id'],
        unique=False,
        postgresql_where=sa.text('equipment_id IS NOT NULL'),
    )


def downgrade() -> None:
    op.drop_index('ix_attachment_company_id_equipment_id', table_name='attachment')
    op.drop_constraint(
        'fk_attachment_company_id_equipment_id_equipment', 'attachment', type_='foreignkey'
    )
    op.drop_column('attachment', 'equipment_id')
