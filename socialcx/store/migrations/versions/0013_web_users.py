"""The web workspace: the people who sign in (name, role, argon2 hash, an approver's amount
limit), and indexes for what the inbox page filters and sorts on.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from socialcx.store import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_user",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("amount_limit", sa.Float()),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_inbox_item_claimed_by_status", "inbox_item", ["claimed_by", "status"])
    op.create_index("ix_inbox_item_priority_status_due_at", "inbox_item", ["priority", "status", "due_at"])


def downgrade() -> None:
    op.drop_index("ix_inbox_item_priority_status_due_at", "inbox_item")
    op.drop_index("ix_inbox_item_claimed_by_status", "inbox_item")
    op.drop_table("web_user")
