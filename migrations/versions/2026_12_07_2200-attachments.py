"""attachments

Customer attachments (issue 12, seed 002): files on a customer, optionally about one of its
service locations, `visible_to_field` or office-only; their blobs live in the same store as
order files' (app/storage/files.py).

The new permission `customers:office` hides office notes and non-field attachments from
callers without it. Until now anyone reading customers saw office notes, so every group and
API key holding `customers:read` is granted `customers:office`: existing tenants keep what
their people and integrations see, and an admin narrows it for field staff by choice.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('attachment',
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('location_id', sa.Uuid(), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('visible_to_field', sa.Boolean(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=127), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('uploaded_by', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('size >= 0', name=op.f('ck_attachment_size')),
    sa.ForeignKeyConstraint(['company_id', 'customer_id'], ['customer.company_id', 'customer.id'], name=op.f('fk_attachment_company_id_customer_id_customer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['company_id', 'location_id'], ['location.company_id', 'location.id'], name=op.f('fk_attachment_company_id_location_id_location'), ondelete='SET NULL (location_id)'),
    sa.ForeignKeyConstraint(['company_id', 'uploaded_by'], ['user.company_id', 'user.id'], name=op.f('fk_attachment_company_id_uploaded_by_user')),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_attachment_company_id_company'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachment')),
    sa.UniqueConstraint('company_id', 'id', name=op.f('uq_attachment_company_id_id'))
    )
    op.create_index(op.f('ix_attachment_company_id_customer_id_created_at_id'), 'attachment', ['company_id', 'customer_id', 'created_at', 'id'], unique=False)
    op.create_index(op.f('ix_attachment_company_id_sha256'), 'attachment', ['company_id', 'sha256'], unique=False)
    op.create_index('ix_attachment_company_id_location_id', 'attachment', ['company_id', 'location_id'], unique=False, postgresql_where=sa.text('location_id IS NOT NULL'))
    for table in ('"group"', 'api_key'):
        op.execute(
            f"""
            UPDATE {table}
            SET permissions = array_append(permissions, 'customers:office'),
                version = version + 1
            WHERE 'customers:read' = ANY(permissions)
              AND NOT 'customers:office' = ANY(permissions)
            """
        )


def downgrade() -> None:
    for table in ('"group"', 'api_key'):
        op.execute(
            f"""
            UPDATE {table}
            SET permissions = array_remove(permissions, 'customers:office'),
                version = version + 1
            WHERE 'customers:office' = ANY(permissions)
            """
        )
    op.drop_index('ix_attachment_company_id_location_id', table_name='attachment', postgresql_where=sa.text('location_id IS NOT NULL'))
    op.drop_index(op.f('ix_attachment_company_id_sha256'), table_name='attachment')
    op.drop_index(op.f('ix_attachment_company_id_customer_id_created_at_id'), table_name='attachment')
    op.drop_table('attachment')
