"""Surge mode: incidents with their members, statement and follow-up; the outbox takes a second
row per mention (an incident's follow-up, answering our statement).

Outbox rows from before are kept as they are: each is the mention's `reply`, answering the mention.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from socialcx.store import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as table:
        table.add_column(sa.Column("kind", sa.String(length=16), nullable=False, server_default="reply"))
        table.add_column(sa.Column("in_reply_to", sa.String(length=255), nullable=True))
        table.drop_constraint("uq_outbox_mention_id", type_="unique")
        table.create_unique_constraint("uq_outbox_mention_id_kind", ["mention_id", "kind"])
    op.create_table(
        "incident",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("alert_id", sa.Integer(), sa.ForeignKey("alert.id", ondelete="CASCADE"), nullable=False),
        sa.Column("watch", sa.String(100), nullable=False, index=True),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("intent", sa.String(64)),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("samples", sa.JSON(), nullable=False),
        sa.Column("profile", sa.JSON(), nullable=False),
        sa.Column("since", UTCDateTime(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False, index=True),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("follow_up", sa.Text()),
        sa.Column("lead_mention_id", sa.Integer()),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("approved_by", sa.String(100)),
        sa.Column("approved_at", UTCDateTime()),
        sa.Column("follow_up_drafted_at", UTCDateTime()),
        sa.Column("follow_up_by", sa.String(100)),
        sa.Column("follow_up_approved_at", UTCDateTime()),
        sa.Column("closed_by", sa.String(100)),
        sa.Column("closed_at", UTCDateTime()),
        sa.UniqueConstraint("alert_id", name="uq_incident_alert_id"),
    )
    op.create_table(
        "incident_member",
        sa.Column("mention_id", sa.Integer(), sa.ForeignKey("mention.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("incident_id", sa.Integer(), sa.ForeignKey("incident.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("author", sa.String(300), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("joined_at", UTCDateTime(), nullable=False),
        sa.Column("answered_at", UTCDateTime()),
    )


def downgrade() -> None:
    op.drop_table("incident_member")
    op.drop_table("incident")
    op.execute("DELETE FROM outbox WHERE kind != 'reply'")
    with op.batch_alter_table("outbox") as table:
        table.drop_constraint("uq_outbox_mention_id_kind", type_="unique")
        table.create_unique_constraint("uq_outbox_mention_id", ["mention_id"])
        table.drop_column("in_reply_to")
        table.drop_column("kind")
