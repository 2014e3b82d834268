"""The store: migrations that never lose rows, SQLite tuned for a daemon, and clear refusals."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from socialcx import StoreError, connect
from socialcx.store import UTCDateTime, current_revision, head_revision, upgrade
from socialcx.store.engine import _alembic_config

MENTION = {
    "channel": "x",
    "external_id": "1",
    "watch": "acme",
    "text": "where is my order",
    "created_at": datetime(2026, 11, 24, 8, 0, tzinfo=UTC),
    "fetched_at": datetime(2026, 11, 24, 8, 1, tzinfo=UTC),
    "raw": {"id": "1", "text": "where is my order"},
}


def _revisions_oldest_first() -> list[str]:
    scripts = ScriptDirectory.from_config(_alembic_config())
    return [script.revision for script in reversed(list(scripts.walk_revisions()))]


def test_an_old_database_with_rows_upgrades_step_by_step_to_head_without_losing_any(database_url):
    first, *later = _revisions_oldest_first()
    engine = connect(database_url, migrate=False)
    upgrade(engine, first)
    metadata = sa.MetaData()
    metadata.reflect(engine)
    for table in metadata.tables.values():  # reflection sees SQLite's text; bind times as the store does
        for column in table.columns:
            if column.name.endswith("_at"):
                column.type = UTCDateTime()
    with engine.begin() as connection:
        connection.execute(
            metadata.tables["mention"].insert(),
            [{**MENTION, "external_id": str(n), "raw": MENTION["raw"]} for n in range(50)],
        )
        connection.execute(
            metadata.tables["cursor"].insert(),
            {"channel": "x", "watch": "acme", "value": "49", "advanced_at": MENTION["fetched_at"]},
        )
    before = _snapshot(engine)

    for revision in later:
        upgrade(engine, revision)
        assert _snapshot(engine) == before, f"rows changed by migration {revision}"
    upgrade(engine)

    assert current_revision(engine) == head_revision()
    assert _snapshot(engine) == before
    engine.dispose()


def _snapshot(engine: sa.Engine) -> dict[str, list[tuple]]:
    with engine.connect() as connection:
        return {
            table: sorted(
                tuple(row) for row in connection.execute(sa.text(f"SELECT channel, watch FROM {table}"))
            )
            for table in ("mention", "cursor")
        } | {
            "texts": sorted(
                tuple(row) for row in connection.execute(sa.text("SELECT external_id, text FROM mention"))
            )
        }


def test_connecting_twice_is_harmless(database_url):
    connect(database_url).dispose()
    engine = connect(database_url)

    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    engine = connect(f"sqlite:///{tmp_path / 'deep' / 'folder' / 'db.sqlite'}")

    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    engine.dispose()


def test_a_database_from_a_newer_socialcx_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    connect(url).dispose()
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_future'")
    engine.dispose()

    with pytest.raises(StoreError, match="revision 9999_future, newer than this socialcx knows"):
        connect(url)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mysql://u:hunter2@db/socialcx", r"mysql://u:\*\*\*@db/socialcx is not supported"),
        ("not a url", "is not a valid SQLAlchemy URL"),
        ("postgresql+nosuchdriver://u:hunter2@db/x", r"no driver for postgresql\+nosuchdriver://u:\*\*\*@db/x"),
    ],
)
def test_an_unusable_database_url_is_a_clear_error_without_the_password(url, expected):
    with pytest.raises(StoreError, match=expected) as error:
        connect(url)
    assert "hunter2" not in str(error.value)


def test_an_unreachable_server_is_a_clear_error(postgres):
    url = postgres.url("socialcx").replace(f":{postgres.port}/", ":1/")

    with pytest.raises(StoreError, match="cannot open or upgrade postgresql"):
        connect(url)
