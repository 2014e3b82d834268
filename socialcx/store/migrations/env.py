"""Alembic environment: migrations run on the connection socialcx hands over (see store.upgrade)."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import socialcx.store  # noqa: F401  (registers the tables on SQLModel.metadata for autogenerate)

connection = context.config.attributes.get("connection")
if connection is None:
    raise SystemExit("run migrations with `socialcx db upgrade`, which supplies the database")

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table instead
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
