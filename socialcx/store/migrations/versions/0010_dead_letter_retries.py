"""Dead letters are looked up again: the post id, a state, the attempts made and the next one.

Rows from before are kept as they are and count as `unreadable`: they were never retried, and
their id was not recorded.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from socialcx.store import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dead_letter") as table:
        table.add_column(sa.Column("external_id", sa.String(length=255), nullable=True))
        table.add_column(sa.Column("state", sa.String(length=16), nullable=False, server_default="unreadable"))
        table.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        table.add_column(sa.Column("next_attempt_at", UTCDateTime(), nullable=True))
    op.create_index("ix_dead_letter_state_next_attempt_at", "dead_letter", ["state", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_dead_letter_state_next_attempt_at", "dead_letter")
    with op.batch_alter_table("dead_letter") as table:
        for column in ("next_attempt_at", "attempts", "state", "external_id"):
            table.drop_column(column)
