"""Cross-posts share one inbox conversation: each item may point at the item that leads it.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbox_item") as table:
        table.add_column(sa.Column("group_id", sa.Integer(), nullable=True))
    op.create_index("ix_inbox_item_group_id", "inbox_item", ["group_id"])


def downgrade() -> None:
    op.drop_index("ix_inbox_item_group_id", "inbox_item")
    with op.batch_alter_table("inbox_item") as table:
        table.drop_column("group_id")
