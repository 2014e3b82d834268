"""Mentions, cursors and dead letters.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from socialcx.store import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mention",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("external_id", sa.String(255), nullable=False),
        sa.Column("watch", sa.String(100), nullable=False),
        sa.Column("author_id", sa.String(255)),
        sa.Column("author_handle", sa.String(255)),
        sa.Column("author_name", sa.String(255)),
        sa.Column("author_followers", sa.Integer()),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("url", sa.Text()),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("fetched_at", UTCDateTime(), nullable=False),
        sa.Column("language", sa.String(16)),
        sa.Column("in_reply_to_id", sa.String(255)),
        sa.Column("conversation_id", sa.String(255)),
        sa.Column("raw", sa.JSON(), nullable=False),
        sa.UniqueConstraint("channel", "external_id", name="uq_mention_channel_external_id"),
    )
    op.create_index("ix_mention_channel_created_at", "mention", ["channel", "created_at"])
    op.create_index("ix_mention_watch_created_at", "mention", ["watch", "created_at"])
    op.create_table(
        "cursor",
        sa.Column("channel", sa.String(16), primary_key=True),
        sa.Column("watch", sa.String(100), primary_key=True),
        sa.Column("value", sa.Text()),
        sa.Column("advanced_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "dead_letter",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("watch", sa.String(100), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("channel", "fingerprint", name="uq_dead_letter_channel_fingerprint"),
    )
    op.create_index("ix_dead_letter_channel", "dead_letter", ["channel"])
    op.create_index("ix_dead_letter_created_at", "dead_letter", ["created_at"])


def downgrade() -> None:
    op.drop_table("dead_letter")
    op.drop_table("cursor")
    op.drop_table("mention")
