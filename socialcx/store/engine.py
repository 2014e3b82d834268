"""The store's engine: connecting to SQLite or PostgreSQL, and migrating the schema with Alembic
(`socialcx/store/migrations/`) on every start."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from socialcx.errors import StoreError

__all__ = [
    "SUPPORTED_BACKENDS",
    "connect",
    "current_revision",
    "database_reason",
    "dialect_insert",
    "head_revision",
    "redact",
    "upgrade",
]

SUPPORTED_BACKENDS = ("sqlite", "postgresql")


def connect(url: str, *, migrate: bool = True) -> Engine:
    """An engine for `url`, upgraded to the current schema unless `migrate` is false.

    SQLite gets WAL, a busy timeout and foreign keys on every connection; its folder is created.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"database URL {url!r} is not a valid SQLAlchemy URL") from None
    if parsed.get_backend_name() not in SUPPORTED_BACKENDS:
        raise StoreError(
            f"database {redact(url)} is not supported; use sqlite:///FILE or postgresql+psycopg://…"
        )
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = sa.create_engine(parsed, pool_pre_ping=True)
    except NoSuchModuleError:
        raise StoreError(f"no driver for {redact(url)}; install socialcx[postgresql]") from None
    except ImportError as exc:
        raise StoreError(f"the driver for {redact(url)} is not installed ({exc})") from None
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    if migrate:
        upgrade(engine)
    return engine


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to `revision`; safe to call on every start and from several replicas."""
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # Replicas starting together take turns; the loser finds the schema current.
                connection.execute(sa.text("SELECT pg_advisory_xact_lock(7201963)"))
            current = MigrationContext.configure(connection).get_current_revision()
            known = {rev.revision for rev in _scripts().walk_revisions()}
            if current is not None and current not in known:
                raise StoreError(
                    f"database {redact(str(engine.url))} is at schema revision {current}, newer "
                    "than this socialcx knows; upgrade socialcx before using it"
                )
            config = _alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot open or upgrade {redact(str(engine.url))}: {database_reason(exc)}") from None


def dialect_insert(connection: sa.Connection, table: Any) -> Any:
    """An INSERT for the connection's backend, so that `on_conflict_do_nothing/update` work."""
    module = postgresql if connection.dialect.name == "postgresql" else sqlite
    return module.insert(table)


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at, or None for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """The newest schema revision this version of socialcx ships."""
    head = _scripts().get_current_head()
    assert head is not None
    return head


def redact(url: str) -> str:
    """A database URL fit for logs and screens: the password replaced by ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<invalid database URL>"


def database_reason(exc: SQLAlchemyError) -> str:
    """The driver's own message without SQLAlchemy's SQL echo and documentation link."""
    original = getattr(exc, "orig", None) or exc
    return str(original).strip().splitlines()[0]


def _alembic_config() -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    return config


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(_alembic_config())


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")  # writers wait out a burst of ingests rather than fail
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
