"""The people who sign in to the workspace: a name, a role and an argon2 hash of the password.

Roles are ranked: an agent works the inbox; an approver also approves incident statements (and
plans up to their own amount limit); an admin also pauses and resumes the auto-replies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Connection

from socialcx.errors import UsageError
from socialcx.store import WebUser, dialect_insert

__all__ = ["ROLES", "User", "add_user", "authenticate", "find_user", "may"]

ROLES = ("agent", "approver", "admin")  # each may do what the ones before it may
MIN_PASSWORD = 10
_hasher = PasswordHasher()
# Verified against when the name is unknown, so a wrong name takes as long as a wrong password.
_NOBODY = _hasher.hash("not anybody's password")


@dataclass(frozen=True, slots=True)
class User:
    """A signed-in person, as the pages see them (never their hash)."""

    name: str
    role: str
    amount_limit: float | None

    def may(self, role: str) -> bool:
        return may(self.role, role)


def may(role: str, needed: str) -> bool:
    """Whether `role` may do what `needed` may."""
    return ROLES.index(role) >= ROLES.index(needed)


def add_user(
    connection: Connection, name: str, *, role: str, password: str, now: datetime, amount_limit: float | None = None
) -> bool:
    """Add a user, or set an existing one's role, password and limit; True when added."""
    if role not in ROLES:
        raise UsageError(f"no role {role!r}; use agent, approver or admin")
    if not name.strip() or len(name) > 100 or name != name.strip():
        raise UsageError("a user name is 1 to 100 characters without leading or trailing spaces")
    if len(password) < MIN_PASSWORD:
        raise UsageError(f"the password is {len(password)} characters long; use at least {MIN_PASSWORD}")
    if amount_limit is not None and role == "agent":
        raise UsageError("--limit is an approver's amount limit; give the user the approver or admin role")
    if amount_limit is not None and amount_limit < 0:
        raise UsageError("--limit is an amount: zero or more")
    table = WebUser.__table__
    existed = connection.execute(sa.select(table.c.id).where(table.c.name == name)).first() is not None
    values = {"role": role, "password_hash": _hasher.hash(password), "amount_limit": amount_limit}
    connection.execute(
        dialect_insert(connection, table)
        .values(name=name, created_at=now, **values)
        .on_conflict_do_update(index_elements=["name"], set_=values)
    )
    return not existed


def find_user(connection: Connection, name: str) -> User | None:
    table = WebUser.__table__
    row = connection.execute(sa.select(table.c.name, table.c.role, table.c.amount_limit).where(table.c.name == name)).first()
    return User(*row) if row else None


def authenticate(connection: Connection, name: str, password: str) -> User | None:
    """The user whose name and password these are, or None (the same time either way)."""
    table = WebUser.__table__
    stored = connection.execute(sa.select(table.c.password_hash).where(table.c.name == name)).scalar()
    try:
        _hasher.verify(stored or _NOBODY, password)
    except (VerificationError, InvalidHashError):
        return None
    return find_user(connection, name) if stored else None
