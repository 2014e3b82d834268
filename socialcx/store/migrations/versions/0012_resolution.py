"""Resolution: the private conversation opened for a transactional mention, its plan (the steps
taken in the team's commerce system, each with its idempotency key), and the private messages
in and out (an outbox, sent exactly once like the reply outbox).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from socialcx.store import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("mention_id", sa.Integer(), sa.ForeignKey("mention.id", ondelete="CASCADE"), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("author_id", sa.String(255)),
        sa.Column("author_handle", sa.String(255)),
        sa.Column("private_conversation_id", sa.String(255)),
        sa.Column("state", sa.String(24), nullable=False, index=True),
        sa.Column("outcome", sa.String(24)),
        sa.Column("reason", sa.Text()),
        sa.Column("asked", sa.JSON(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("decisions", sa.JSON(), nullable=False),
        sa.Column("customer_id", sa.String(255)),
        sa.Column("due_at", UTCDateTime(), index=True),
        sa.Column("asked_at", UTCDateTime()),
        sa.Column("reminded", sa.Boolean(), nullable=False),
        sa.Column("lease_until", UTCDateTime()),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("mention_id", name="uq_conversation_mention_id"),
    )
    op.create_table(
        "plan_step",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("conversation_id", sa.Integer(), sa.ForeignKey("conversation.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("need", sa.String(64), nullable=False),
        sa.Column("op", sa.String(32)),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("mode", sa.String(16)),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("result", sa.JSON()),
        sa.Column("error", sa.Text()),
        sa.Column("decided_by", sa.String(100)),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("key", name="uq_plan_step_key"),
    )
    op.create_table(
        "private_message",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("conversation_id", sa.Integer(), sa.ForeignKey("conversation.id", ondelete="CASCADE"), index=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False, index=True),
        sa.Column("external_id", sa.String(255)),
        sa.Column("author_id", sa.String(255)),
        sa.Column("author_handle", sa.String(255)),
        sa.Column("platform_conversation_id", sa.String(255)),
        sa.Column("created_at", UTCDateTime(), nullable=False, index=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime()),
        sa.Column("lease_until", UTCDateTime()),
        sa.Column("sender", sa.String(64)),
        sa.Column("sent_at", UTCDateTime()),
        sa.Column("error", sa.Text()),
        sa.UniqueConstraint("key", name="uq_private_message_key"),
    )


def downgrade() -> None:
    op.drop_table("private_message")
    op.drop_table("plan_step")
    op.drop_table("conversation")
