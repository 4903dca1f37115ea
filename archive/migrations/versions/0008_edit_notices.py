"""edit notices: which revisions were typography only, the site's time of each version, notice rows

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 03:15:00

An edit on the site is news, unless it only re-typeset the text (quotes, dashes, spaces): such a
revision is flagged ``cosmetic`` and never notified. Each revision keeps the time the site stated for
its version (``site_updated_at``), so an edit notice can say when the site says it changed the item.
An outbox row may be an edit or withdrawal notice (``notice``). Existing revisions are taken as real
edits with no stated time; existing rows are alerts.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import archive.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "itemrevision", sa.Column("cosmetic", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.add_column(
        "itemrevision",
        sa.Column("site_updated_at", archive.types.UTCDateTime(timezone=True), nullable=True),
    )
    op.add_column("outbox", sa.Column("notice", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("notice")
    with op.batch_alter_table("itemrevision", schema=None) as batch_op:
        batch_op.drop_column("site_updated_at")
        batch_op.drop_column("cosmetic")
