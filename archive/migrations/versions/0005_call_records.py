"""call records

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 14:20:00

One row per item of kind ``call``. The rows are filled by the crawl as calls are stored and, for an
archive that already holds calls, by ``kremlin-watch calls --rebuild`` (run by the daemon on start
when rows are missing), so upgrading loses nothing.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import archive.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "call",
        sa.Column("item_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("item_version", sa.Integer(), nullable=False),
        sa.Column("counterparts", sa.JSON(), nullable=False),
        sa.Column("countries", sa.JSON(), nullable=False),
        sa.Column("initiated_by", sa.JSON(), nullable=False),
        sa.Column("readable", sa.Boolean(), nullable=False),
        sa.Column("reader", sa.Integer(), nullable=False),
        sa.Column("updated_at", archive.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"]),
        sa.PrimaryKeyConstraint("item_id"),
    )
    with op.batch_alter_table("call", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_call_readable"), ["readable"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("call", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_readable"))
    op.drop_table("call")
