"""vendors

Vendor contacts (issue 17, seed 000's "contacts"): outside companies or people, with their
contact types (a company's categories, managed in the settings), tags (the company's one
tag vocabulary) and custom fields (entity `vendor`, added to the custom field check). `q`
searches a generated `search_text` column through a pg_trgm GIN index, as customers do
(pg_trgm comes from migration 0002). A contact type that vendors carry cannot be deleted:
its link has no cascade. Vendor notes (vendor_note) are notes as customers' and orders'
are (app/kit/notes.py).

Revision ID: 0014
Revises: 0009
Create Date: 2026-12-07 23:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0014'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('contact_type',
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_contact_type_company_id_company'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_type')),
    sa.UniqueConstraint('company_id', 'id', name=op.f('uq_contact_type_company_id_id'))
    )
    op.create_index(op.f('ix_contact_type_company_id_position_id'), 'contact_type', ['company_id', 'position', 'id'], unique=False)
    op.create_index('uq_contact_type_company_id_lower_name', 'contact_type', ['company_id', sa.text('lower(name)')], unique=True)
    op.create_table('vendor',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('contact_person', sa.String(length=200), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('alt_phone', sa.String(length=20), nullable=True),
    sa.Column('website', sa.String(length=2000), nullable=True),
    sa.Column('address_line1', sa.String(length=200), nullable=True),
    sa.Column('address_line2', sa.String(length=200), nullable=True),
    sa.Column('city', sa.String(length=100), nullable=True),
    sa.Column('region', sa.String(length=100), nullable=True),
    sa.Column('postal_code', sa.String(length=20), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('custom_fields', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('search_text', sa.Text(), sa.Computed("lower(name || ' ' || coalesce(contact_person, '') || ' ' || coalesce(email, '') || ' ' || coalesce(phone, '') || ' ' || coalesce(alt_phone, '') || ' ' || coalesce(website, '') || ' ' || coalesce(city, ''))", persisted=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_vendor_company_id_company'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vendor')),
    sa.UniqueConstraint('company_id', 'id', name=op.f('uq_vendor_company_id_id'))
    )
    op.create_index(op.f('ix_vendor_company_id_created_at_id'), 'vendor', ['company_id', 'created_at', 'id'], unique=False)
    op.create_index(op.f('ix_vendor_company_id_name_id'), 'vendor', ['company_id', 'name', 'id'], unique=False)
    op.create_index('ix_vendor_search_text_trgm', 'vendor', ['search_text'], unique=False, postgresql_using='gin', postgresql_ops={'search_text': 'gin_trgm_ops'})
    op.create_table('vendor_contact_type',
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('vendor_id', sa.Uuid(), nullable=False),
    sa.Column('contact_type_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['company_id', 'contact_type_id'], ['contact_type.company_id', 'contact_type.id'], name=op.f('fk_vendor_contact_type_company_id_contact_type_id_contact_type')),
    sa.ForeignKeyConstraint(['company_id', 'vendor_id'], ['vendor.company_id', 'vendor.id'], name=op.f('fk_vendor_contact_type_company_id_vendor_id_vendor'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('company_id', 'vendor_id', 'contact_type_id', name=op.f('pk_vendor_contact_type'))
    )
    op.create_index(op.f('ix_vendor_contact_type_company_id_contact_type_id_vendor_id'), 'vendor_contact_type', ['company_id', 'contact_type_id', 'vendor_id'], unique=False)
    op.create_table('vendor_tag',
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('vendor_id', sa.Uuid(), nullable=False),
    sa.Column('tag_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['company_id', 'tag_id'], ['tag.company_id', 'tag.id'], name=op.f('fk_vendor_tag_company_id_tag_id_tag'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['company_id', 'vendor_id'], ['vendor.company_id', 'vendor.id'], name=op.f('fk_vendor_tag_company_id_vendor_id_vendor'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('company_id', 'vendor_id', 'tag_id', name=op.f('pk_vendor_tag'))
    )
    op.create_index(op.f('ix_vendor_tag_company_id_tag_id_vendor_id'), 'vendor_tag', ['company_id', 'tag_id', 'vendor_id'], unique=False)
    op.create_table('vendor_note',
    sa.Column('vendor_id', sa.Uuid(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('visibility', sa.String(length=10), nullable=False),
    sa.Column('author_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("visibility IN ('office', 'site')", name=op.f('ck_vendor_note_visibility')),
    sa.ForeignKeyConstraint(['company_id', 'author_id'], ['user.company_id', 'user.id'], name=op.f('fk_vendor_note_company_id_author_id_user')),
    sa.ForeignKeyConstraint(['company_id', 'vendor_id'], ['vendor.company_id', 'vendor.id'], name=op.f('fk_vendor_note_company_id_vendor_id_vendor'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_vendor_note_company_id_company'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vendor_note')),
    sa.UniqueConstraint('company_id', 'id', name=op.f('uq_vendor_note_company_id_id'))
    )
    op.create_index(op.f('ix_vendor_note_company_id_vendor_id_created_at_id'), 'vendor_note', ['company_id', 'vendor_id', 'created_at', 'id'], unique=False)
    # Custom fields on vendors: the entity check gains `vendor`.
    op.drop_constraint(op.f('ck_custom_field_entity'), 'custom_field', type_='check')
    op.create_check_constraint(op.f('ck_custom_field_entity'), 'custom_field', "entity IN ('customer', 'order', 'equipment', 'vendor')")


def downgrade() -> None:
    op.execute("DELETE FROM custom_field WHERE entity = 'vendor'")
    op.drop_constraint(op.f('ck_custom_field_entity'), 'custom_field', type_='check')
    op.create_check_constraint(op.f('ck_custom_field_entity'), 'custom_field', "entity IN ('customer', 'order', 'equipment')")
    op.drop_index(op.f('ix_vendor_note_company_id_vendor_id_created_at_id'), table_name='vendor_note')
    op.drop_table('vendor_note')
    op.drop_index(op.f('ix_vendor_tag_company_id_tag_id_vendor_id'), table_name='vendor_tag')
    op.drop_table('vendor_tag')
    op.drop_index(op.f('ix_vendor_contact_type_company_id_contact_type_id_vendor_id'), table_name='vendor_contact_type')
    op.drop_table('vendor_contact_type')
    op.execute("DROP INDEX IF EXISTS ix_vendor_search_text_trgm")
    op.drop_index(op.f('ix_vendor_company_id_name_id'), table_name='vendor')
    op.drop_index(op.f('ix_vendor_company_id_created_at_id'), table_name='vendor')
    op.drop_table('vendor')
    op.drop_index('uq_contact_type_company_id_lower_name', table_name='contact_type')
    op.drop_index(op.f('ix_contact_type_company_id_position_id'), table_name='contact_type')
    op.drop_table('contact_type')
