"""Triage of each mention: intent, confidence, abstention, sentiment, urgency, language, risks.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "triage",
        sa.Column("mention_id", sa.Integer(), sa.ForeignKey("mention.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("intent", sa.String(64), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("abstained", sa.Boolean(), nullable=False),
        sa.Column("sentiment", sa.String(16), nullable=False),
        sa.Column("sentiment_score", sa.Float(), nullable=False),
        sa.Column("urgency", sa.String(16), nullable=False),
        sa.Column("language", sa.String(16)),
        sa.Column("risks", sa.JSON(), nullable=False),
        sa.Column("routine", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_triage_intent", "triage", ["intent"])


def downgrade() -> None:
    op.drop_table("triage")
