"""withdrawn items: when an item's page first answered 404/410, and when it is asked for again

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 00:30:00

The site withdraws items while its feed still lists them. Such an item is kept from the feed and
marked withdrawn (``gone_at``); its page is asked for again on a growing back-off (``gone_retry_at``,
``gone_checks``) and then never. Three nullable or defaulted columns: every existing row stays as it
was (not withdrawn).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import archive.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN on both backends: a batch copy of ``item`` would drop SQLite's search triggers.
    op.add_column("item", sa.Column("gone_at", archive.types.UTCDateTime(timezone=True), nullable=True))
    op.add_column("item", sa.Column("gone_retry_at", archive.types.UTCDateTime(timezone=True), nullable=True))
    op.add_column("item", sa.Column("gone_checks", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.drop_column("gone_checks")
        batch_op.drop_column("gone_retry_at")
        batch_op.drop_column("gone_at")
