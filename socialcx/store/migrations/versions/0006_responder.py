"""The responder: the decision taken on each mention, the reply outbox, the kill switch, and
what the playbook's actions spent.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from socialcx.store import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "decision",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("mention_id", sa.Integer(), sa.ForeignKey("mention.id", ondelete="CASCADE"), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False, index=True),
        sa.Column("outcome", sa.String(16), nullable=False, index=True),
        sa.Column("guardrail", sa.String(32)),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.UniqueConstraint("mention_id", name="uq_decision_mention_id"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("mention_id", sa.Integer(), sa.ForeignKey("mention.id", ondelete="CASCADE"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("agent", sa.String(100)),
        sa.Column("state", sa.String(16), nullable=False, index=True),
        sa.Column("created_at", UTCDateTime(), nullable=False, index=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime()),
        sa.Column("lease_until", UTCDateTime()),
        sa.Column("sender", sa.String(64)),
        sa.Column("platform_id", sa.String(255)),
        sa.Column("platform_url", sa.Text()),
        sa.Column("sent_at", UTCDateTime()),
        sa.Column("error", sa.Text()),
        sa.UniqueConstraint("mention_id", name="uq_outbox_mention_id"),
    )
    op.create_table(
        "control",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "action_spend",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("mention_id", sa.Integer(), sa.ForeignKey("mention.id", ondelete="CASCADE"), nullable=False),
        sa.Column("intent", sa.String(64), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False, index=True),
        sa.Column("amount", sa.Float(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("result", sa.JSON()),
        sa.UniqueConstraint("mention_id", name="uq_action_spend_mention_id"),
    )


def downgrade() -> None:
    for table in ("action_spend", "control", "outbox", "decision"):
        op.drop_table(table)
