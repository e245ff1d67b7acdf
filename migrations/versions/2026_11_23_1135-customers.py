"""customers

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 11:35:28.493001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Trigram indexes serve `q` substring search and near-duplicate names. Every supported
    # server has contrib: PostgreSQL 15+ in production and CI, 18 embedded.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table('counter',
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_counter_company_id_company'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('company_id', 'name', name=op.f('pk_counter'))
    )
    op.create_table('custom_field',
    sa.Column('entity', sa.String(length=20), nullable=False),
    sa.Column('key', sa.String(length=50), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('options', postgresql.ARRAY(sa.Text()), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("entity IN ('customer', 'order')", name=op.f('ck_custom_field_entity')),
    sa.CheckConstraint("type IN ('text', 'number', 'date', 'boolean', 'select')", name=op.f('ck_custom_field_type')),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_custom_field_company_id_company'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_custom_field')),
    sa.UniqueConstraint('company_id', 'entity', 'key', name=op.f('uq_custom_field_company_id_entity_key')),
    sa.UniqueConstraint('company_id', 'id', name=op.f('uq_custom_field_company_id_id'))
    )
    op.create_table('customer',
    sa.Column('number', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_key', sa.String(length=200), nullable=False),
    sa.Column('account_number', sa.String(length=50), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('alt_phone', sa.String(length=20), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('address_line1', sa.String(length=200), nullable=True),
    sa.Column('address_line2', sa.String(length=200), nullable=True),
    sa.Column('city', sa.String(length=100), nullable=True),
    sa.Column('region', sa.String(length=100), nullable=True),
    sa.Column('postal_code', sa.String(length=20), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('custom_fields', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('search_text', sa.Text(), sa.Computed("lower(name || ' ' || coalesce(email, '') || ' ' || coalesce(phone, '') || ' ' || coalesce(alt_phone, '') || ' ' || coalesce(account_number, ''))", persisted=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('active', 'disabled')", name=op.f('ck_customer_status')),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_customer_company_id_company'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer')),
    sa.UniqueConstraint('company_id', 'account_number', name=op.f('uq_customer_company_id_account_number')),
    sa.UniqueConstraint('company_id', 'id', name=op.f('uq_customer_company_id_id')),
    sa.UniqueConstraint('company_id', 'number', name=op.f('uq_customer_company_id_number'))
    )
    op.create_index(op.f('ix_customer_company_id_created_at_id'), 'customer', ['company_id', 'created_at', 'id'], unique=False)
    op.create_index(op.f('ix_customer_company_id_email'), 'customer', ['company_id', 'email'], unique=False)
    op.create_index(op.f('ix_customer_company_id_alt_phone'), 'customer', ['company_id', 'alt_phone'], unique=False)
    op.create_index(op.f('ix_customer_company_id_name_id'), 'customer', ['company_id', 'name', 'id'], unique=False)
    op.create_index(op.f('ix_customer_company_id_name_key'), 'customer', ['company_id', 'name_key'], unique=False)
    op.create_index(op.f('ix_customer_company_id_phone'), 'customer', ['company_id', 'phone'], unique=False)
    op.create_index('ix_customer_custom_fields', 'customer', ['custom_fields'], unique=False, postgresql_using='gin', postgresql_ops={'custom_fields': 'jsonb_path_ops'})
    op.create_index('ix_customer_name_key_trgm', 'customer', ['name_key'], unique=False, postgresql_using='gin', postgresql_ops={'name_key': 'gin_trgm_ops'})
    op.create_index('ix_customer_search_text_trgm', 'customer', ['search_text'], unique=False, postgresql_using='gin', postgresql_ops={'search_text': 'gin_trgm_ops'})
    op.create_index('uq_customer_company_id_default', 'customer', ['company_id'], unique=True, postgresql_where=sa.text('is_default'))
    op.create_table('tag',
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('color', sa.String(length=7), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_tag_company_id_company'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tag')),
    sa.UniqueConstraint('company_id', 'id', name=op.f('uq_tag_company_id_id'))
    )
    op.create_index('uq_tag_company_id_lower_name', 'tag', ['company_id', sa.literal_column("lower(name)")], unique=True)
    op.create_table('contact',
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=True),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.Column('last_name', sa.String(length=100), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('is_primary', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['company_id', 'customer_id'], ['customer.company_id', 'customer.id'], name=op.f('fk_contact_company_id_customer_id_customer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_contact_company_id_company'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact')),
    sa.UniqueConstraint('company_id', 'id', name=op.f('uq_contact_company_id_id'))
    )
    op.create_index(op.f('ix_contact_company_id_customer_id_created_at_id'), 'contact', ['company_id', 'customer_id', 'created_at', 'id'], unique=False)
    op.create_index('uq_contact_primary', 'contact', ['company_id', 'customer_id'], unique=True, postgresql_where=sa.text('is_primary'))
    op.create_table('customer_tag',
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('tag_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['company_id', 'customer_id'], ['customer.company_id', 'customer.id'], name=op.f('fk_customer_tag_company_id_customer_id_customer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['company_id', 'tag_id'], ['tag.company_id', 'tag.id'], name=op.f('fk_customer_tag_company_id_tag_id_tag'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('company_id', 'customer_id', 'tag_id', name=op.f('pk_customer_tag'))
    )
    op.create_index(op.f('ix_customer_tag_company_id_tag_id_customer_id'), 'customer_tag', ['company_id', 'tag_id', 'customer_id'], unique=False)
    op.create_table('note',
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('visibility', sa.String(length=10), nullable=False),
    sa.Column('author_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("visibility IN ('office', 'site')", name=op.f('ck_note_visibility')),
    sa.ForeignKeyConstraint(['company_id', 'author_id'], ['user.company_id', 'user.id'], name=op.f('fk_note_company_id_author_id_user')),
    sa.ForeignKeyConstraint(['company_id', 'customer_id'], ['customer.company_id', 'customer.id'], name=op.f('fk_note_company_id_customer_id_customer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_note_company_id_company'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_note')),
    sa.UniqueConstraint('company_id', 'id', name=op.f('uq_note_company_id_id'))
    )
    op.create_index(op.f('ix_note_company_id_customer_id_created_at_id'), 'note', ['company_id', 'customer_id', 'created_at', 'id'], unique=False)
    op.add_column('event', sa.Column('parent_type', sa.String(length=50), nullable=True))
    op.add_column('event', sa.Column('parent_id', sa.Uuid(), nullable=True))


def downgrade() -> None:
    op.drop_column('event', 'parent_id')
    op.drop_column('event', 'parent_type')
    op.drop_index(op.f('ix_note_company_id_customer_id_created_at_id'), table_name='note')
    op.drop_table('note')
    op.drop_index(op.f('ix_customer_tag_company_id_tag_id_customer_id'), table_name='customer_tag')
    op.drop_table('customer_tag')
    op.drop_index('uq_contact_primary', table_name='contact', postgresql_where=sa.text('is_primary'))
    op.drop_index(op.f('ix_contact_company_id_customer_id_created_at_id'), table_name='contact')
    op.drop_table('contact')
    op.drop_index('uq_tag_company_id_lower_name', table_name='tag')
    op.drop_table('tag')
    op.drop_index('uq_customer_company_id_default', table_name='customer', postgresql_where=sa.text('is_default'))
    op.execute("DROP INDEX IF EXISTS ix_customer_search_text_trgm")
    op.execute("DROP INDEX IF EXISTS ix_customer_name_key_trgm")
    op.drop_index('ix_customer_custom_fields', table_name='customer', postgresql_using='gin', postgresql_ops={'custom_fields': 'jsonb_path_ops'})
    op.drop_index(op.f('ix_customer_company_id_phone'), table_name='customer')
    op.drop_index(op.f('ix_customer_company_id_alt_phone'), table_name='customer')
    op.drop_index(op.f('ix_customer_company_id_name_key'), table_name='customer')
    op.drop_index(op.f('ix_customer_company_id_name_id'), table_name='customer')
    op.drop_index(op.f('ix_customer_company_id_email'), table_name='customer')
    op.drop_index(op.f('ix_customer_company_id_created_at_id'), table_name='customer')
    op.drop_table('customer')
    op.drop_table('custom_field')
    op.drop_table('counter')
