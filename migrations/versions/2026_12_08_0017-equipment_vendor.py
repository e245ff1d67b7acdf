"""equipment vendor

Equipment can name its vendor (issue 17: "equipment from the field-service profile can name
its vendor"), who sold or services it; deleting the vendor clears the link.

Revision ID: 0017
Revises: 0013
Create Date: 2026-12-08 00:17:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0017'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('equipment', sa.Column('vendor_id', sa.Uuid(), nullable=True))
    op.create_foreign_key(
        'fk_equipment_company_id_vendor_id_vendor',
        'equipment',
        'vendor',
        ['company_id', 'vendor_id'],
        ['company_id', 'id'],
        ondelete='SET NULL (vendor_id)',
    )
    op.create_index(
        'ix_equipment_company_id_vendor_id',
        'equipment',
        ['company_id', 'vendor_id'],
        unique=False,
        postgresql_where=sa.text('vendor_id IS NOT NULL'),
    )


def downgrade() -> None:
    op.drop_index('ix_equipment_company_id_vendor_id', table_name='equipment')
    op.drop_constraint('fk_equipment_company_id_vendor_id_vendor', 'equipment', type_='foreignkey')
    op.drop_column('equipment', 'vendor_id')
