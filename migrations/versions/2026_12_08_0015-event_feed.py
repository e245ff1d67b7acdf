"""event feed

The change feed (issue 18) reads events in the order their transactions became visible:
each event records its transaction's id (`xid8`, set by the database), and the feed only
serves transactions older than every one still running (app/event/feed.py says why that
loses nothing). Events written before this migration get txid 1: they come first, in id
order. A constant default first, so adding the column rewrites nothing; then the real one.

Revision ID: 0015
Revises: 0008
Create Date: 2026-12-08 00:15:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0015'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER TABLE event ADD COLUMN txid xid8 NOT NULL DEFAULT '1'")
    op.execute("ALTER TABLE event ALTER COLUMN txid SET DEFAULT pg_current_xact_id()")
    op.execute("CREATE INDEX ix_event_company_id_txid_id ON event (company_id, txid, id)")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_event_company_id_txid_id")
    op.execute("ALTER TABLE event DROP COLUMN txid")
