"""Which model triaged each mention, and when, so `socialcx retriage` can tell old from new.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from socialcx.store import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("triage") as table:
        table.add_column(sa.Column("model_version", sa.String(64), nullable=False, server_default="unknown"))
        table.add_column(sa.Column("triaged_at", UTCDateTime(), nullable=True))
    op.create_index("ix_triage_model_version", "triage", ["model_version"])


def downgrade() -> None:
    op.drop_index("ix_triage_model_version", "triage")
    with op.batch_alter_table("triage") as table:
        table.drop_column("triaged_at")
        table.drop_column("model_version")
