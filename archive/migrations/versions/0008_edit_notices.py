"""edit notices: which revisions were typography only, the site's time of each version, notice rows

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 03:15:00

An edit on the site is news, unless it only re-typeset the text (quotes, dashes, spaces): such a
revision is flagged ``cosmetic`` and never notified. Each revision keeps the time the site stated for
its version (``site_updated_at``), so an edit notice can say when the site says it changed the item.
An outbox row may be an edit or withdrawal notice (``notice``). Existing revisions are taken as real
edits with no stated time; existing rows are alerts.

A withdrawal notice names an item version AND an incident key (``withdrawn:ID:LANG``): it is once per
incident, rule and destination, and must not collide with the alert that the same version already
sent to the same rule and destination. So the (item, lang, version, rule, destination) key now holds
for rows without an incident only (a partial unique index, on both backends); watcher notices, which
name no item, were never under it.
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
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint("uq_outbox_triple", type_="unique")
    op.create_index(
        "uq_outbox_triple",
        "outbox",
        ["item_id", "item_lang", "item_version", "rule", "destination"],
        unique=True,
        sqlite_where=sa.text("incident IS NULL"),
        postgresql_where=sa.text("incident IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_outbox_triple", table_name="outbox")
    op.execute("DELETE FROM outbox WHERE notice = 'withdrawn'")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            "uq_outbox_triple", ["item_id", "item_lang", "item_version", "rule", "destination"]
        )
        batch_op.drop_column("notice")
    with op.batch_alter_table("itemrevision", schema=None) as batch_op:
        batch_op.drop_column("site_updated_at")
        batch_op.drop_column("cosmetic")
