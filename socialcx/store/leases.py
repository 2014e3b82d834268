"""Leases: how replicas sharing one database share the work, with no coordination service.

A lease is a row (name, holder, expires_at). Taking it is one atomic upsert: it succeeds when the
row is absent, already ours, or expired, so a replica that dies loses its leases when they run
out and another takes over. The times come from each replica's injected clock: replicas on
several machines need clocks kept in step (NTP) to well within a lease's length.
"""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from socialcx.store.engine import dialect_insert
from socialcx.store.tables import Lease

__all__ = ["LEADER", "LeaseRow", "holders", "release_lease", "replica_id", "take_lease"]

LEADER = "leader"  # the lease of the jobs one replica runs for all: spikes, routing, mail, retention


@dataclass(frozen=True, slots=True)
class LeaseRow:
    """One lease as stored: what, who holds it, until when."""

    name: str
    holder: str
    expires_at: datetime


def replica_id() -> str:
    """A name for this process among the replicas: host, process id and a random part (a
    restarted process with a recycled pid is a new replica)."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{secrets.token_hex(4)}"


def take_lease(engine: Engine, name: str, holder: str, *, now: datetime, until: datetime) -> bool:
    """Take or renew lease `name` for `holder` until `until`; false when another holds it unexpired."""
    table = Lease.__table__
    with engine.begin() as connection:
        insert = dialect_insert(connection, table).values(name=name, holder=holder, expires_at=until)
        taken = connection.execute(
            insert.on_conflict_do_update(
                index_elements=["name"],
                set_={"holder": holder, "expires_at": until},
                where=sa.or_(table.c.holder == holder, table.c.expires_at <= now),
            ).returning(table.c.name)
        ).first()
    return taken is not None


def release_lease(engine: Engine, name: str, holder: str, *, keep_until: datetime | None = None) -> None:
    """Give lease `name` up, if `holder` still has it: at once, or at `keep_until` (a watch just
    polled stays with its poller until its next poll is due)."""
    table = Lease.__table__
    mine = sa.and_(table.c.name == name, table.c.holder == holder)
    with engine.begin() as connection:
        if keep_until is None:
            connection.execute(sa.delete(table).where(mine))
        else:
            connection.execute(sa.update(table).where(mine).values(expires_at=keep_until))


def holders(connection: sa.Connection) -> list[LeaseRow]:
    """Every lease stored, by name (expired ones too: the caller compares with its clock)."""
    table = Lease.__table__
    rows = connection.execute(sa.select(table.c.name, table.c.holder, table.c.expires_at).order_by(table.c.name))
    return [LeaseRow(*row) for row in rows]
