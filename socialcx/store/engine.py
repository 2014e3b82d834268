"""The store's engine: connecting to SQLite or PostgreSQL, and migrating the schema with Alembic
(`socialcx/store/migrations/`) on every start."""

from __future__ import annotations

import re
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
    "connect_reader",
    "current_revision",
    "database_reason",
    "dialect_insert",
    "head_revision",
    "redact",
    "upgrade",
]

SUPPORTED_BACKENDS = ("sqlite", "postgresql")

# Where a URL holds a password: after `user:` up to the last `@` (a password may hold an `@` or
# a `/`), and as a query parameter (psycopg reads `?password=`), masked to the end of the URL: a
# password written there unencoded may hold an `&`, and the parameters after it are not worth a leak.
_PASSWORD_PATTERNS = (
    (re.compile(r"(://[^:/?#@]*:).*@", re.DOTALL), r"\g<1>***@"),
    (re.compile(r"(?i)([?&](?:password|passwd|pwd)=).*", re.DOTALL), r"\g<1>***"),
)
_PORT = re.compile(r"@(?:\[[^\]/]*\]?|[^/:?\[]*):([^/?]*)")

# Driver messages a person can act on, and what to do (SQLite's wording; PostgreSQL's "No space
# left on device" and "could not extend file" when its disk fills).
_FIXES = (
    (("database or disk is full", "No space left on device", "could not extend file"),
     "the disk holding the database is full; free some space and run the command again"),
    (("attempt to write a readonly database", "read-only transaction"),
     "the database is read-only; make it and its folder writable, or run a command that only reads"),
)


def connect(url: str, *, migrate: bool = True) -> Engine:
    """An engine for `url`, upgraded to the current schema unless `migrate` is false.

    SQLite gets WAL, a busy timeout and foreign keys on every connection; its folder is created.
    """
    parsed = _parse(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        folder = Path(parsed.database).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create the folder {folder} for the database ({exc.strerror}); "
                "set data_dir or database_url to a place socialcx can write"
            ) from None
    engine = _engine(parsed, url)
    if migrate:
        upgrade(engine)
    return engine


def connect_reader(url: str) -> tuple[Engine, str | None]:
    """An engine for a command that only reads, and a sentence when a schema upgrade is pending.

    It never upgrades an existing schema (only an empty database gets one, so that a first
    `status` works) and it reads a SQLite file that is read-only, in a read-only folder too.
    """
    engine = connect(url, migrate=False)
    try:
        current = current_revision(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        engine = _read_only_sqlite(make_url(url), exc)
        current = current_revision(engine)
    if current is None:
        upgrade(engine)
        return engine, None
    _check_known(current, engine)
    head = head_revision()
    if current == head:
        return engine, None
    return engine, f"the database is at schema revision {current} and this socialcx expects {head}; run `socialcx db upgrade`"


def _read_only_sqlite(url: sa.URL, refused: SQLAlchemyError) -> Engine:
    """The SQLite file opened read-only when an ordinary connection was refused for want of write
    access. A WAL database in a read-only folder cannot even be read unless SQLite is told the
    file is immutable; that is true there when no write-ahead log is left beside it, since no
    one can start one in a folder no one can write."""
    path = url.database or ""
    if url.get_backend_name() != "sqlite" or not _read_only_refusal(refused) or not Path(path).is_file():
        raise StoreError(f"cannot open {redact(str(url))}: {database_reason(refused)}") from None
    wal = Path(f"{path}-wal")
    immutable = "&immutable=1" if not wal.exists() or wal.stat().st_size == 0 else ""
    engine = _engine(make_url(f"sqlite:///file:{path}?mode=ro{immutable}&uri=true"), str(url), read_only=True)
    try:
        current_revision(engine)
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot read {redact(str(url))}: {database_reason(exc)}") from None
    return engine


def _read_only_refusal(exc: SQLAlchemyError) -> bool:
    return getattr(getattr(exc, "orig", None), "sqlite_errorname", "").startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN"))


def _parse(url: str) -> sa.URL:
    """`url` parsed, or a StoreError that says what is wrong with it without its password."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(
            f"database URL {redact(url)} is not a valid SQLAlchemy URL; write it as sqlite:///FILE "
            "or postgresql+psycopg://USER:PASSWORD@HOST:PORT/NAME"
        ) from None
    except ValueError:  # SQLAlchemy's int() of the port
        parsed = None
    if parsed is None or (parsed.port is not None and not 0 < parsed.port < 65536):
        port = _PORT.search(url)
        raise StoreError(
            f"database URL {redact(url)}: port {port.group(1) if port else ''} is not a number from 1 to 65535; "
            "write the URL as postgresql+psycopg://USER:PASSWORD@HOST:PORT/NAME, or leave the port out"
        )
    if parsed.get_backend_name() not in SUPPORTED_BACKENDS:
        raise StoreError(
            f"database {redact(url)} is not supported; use sqlite:///FILE or postgresql+psycopg://…"
        )
    return parsed


def _engine(parsed: sa.URL, url: str, *, read_only: bool = False) -> Engine:
    try:
        engine = sa.create_engine(parsed, pool_pre_ping=True)
    except NoSuchModuleError:
        raise StoreError(f"no driver for {redact(url)}; install socialcx[postgresql]") from None
    except ImportError as exc:
        raise StoreError(f"the driver for {redact(url)} is not installed ({exc})") from None
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _read_only_pragmas if read_only else _sqlite_pragmas)
    return engine


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to `revision`; safe to call on every start and from several replicas."""
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # Replicas starting together take turns; the loser finds the schema current.
                connection.execute(sa.text("SELECT pg_advisory_xact_lock(7201963)"))
            current = MigrationContext.configure(connection).get_current_revision()
            if current is not None:
                _check_known(current, engine)
            config = _alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot open or upgrade {redact(str(engine.url))}: {database_reason(exc)}") from None


def _check_known(revision: str, engine: Engine) -> None:
    """Refuse a database a newer socialcx has upgraded: this one would misread it."""
    if revision not in {script.revision for script in _scripts().walk_revisions()}:
        raise StoreError(
            f"database {redact(str(engine.url))} is at schema revision {revision}, newer "
            "than this socialcx knows; upgrade socialcx before using it"
        )


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
    """A database URL fit for logs and screens, whatever its shape: the password replaced by ***.

    The patterns mask the text as given (a password in the query string, or one holding an `@`
    that SQLAlchemy would split wrongly and show as part of the host), then SQLAlchemy renders
    what it can parse with its own masking, and the patterns run once more on the result."""
    masked = _masked(url)
    try:
        shown = make_url(masked).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        shown = masked
    return _masked(shown)


def _masked(url: str) -> str:
    for pattern, mask in _PASSWORD_PATTERNS:
        url = pattern.sub(mask, url)
    return url


def database_reason(exc: SQLAlchemyError) -> str:
    """The driver's own message without SQLAlchemy's SQL echo and documentation link, and the
    fix when it is one a person must make."""
    original = getattr(exc, "orig", None) or exc
    reason = str(original).strip().splitlines()[0]
    for marks, fix in _FIXES:
        if any(mark in reason for mark in marks):
            return f"{reason}: {fix}"
    return reason


def _alembic_config() -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    return config


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(_alembic_config())


def _read_only_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """A read-only file keeps its journal mode: asking for WAL would be a write."""
    dbapi_connection.execute("PRAGMA busy_timeout=30000")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")  # writers wait out a burst of ingests rather than fail
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
