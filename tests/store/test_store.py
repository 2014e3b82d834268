"""The store: migrations that never lose rows, SQLite tuned for a daemon, and clear refusals."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from hypothesis import assume, given
from hypothesis import strategies as st

from socialcx import StoreError, connect
from socialcx.store import DeadLetter, UTCDateTime, current_revision, head_revision, redact, upgrade
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


def test_dead_letters_from_before_retries_are_kept_and_shown_as_unreadable(database_url):
    engine = connect(database_url, migrate=False)
    upgrade(engine, "0009")
    letter = {
        "channel": "bluesky", "watch": "acme", "fingerprint": "f" * 64, "payload": '{"uri": "at://x"}',
        "reason": "Bluesky post without its record's text and creation time", "created_at": MENTION["fetched_at"],
    }
    table = sa.Table("dead_letter", sa.MetaData(), autoload_with=engine)
    table.c.created_at.type = UTCDateTime()
    with engine.begin() as connection:
        connection.execute(table.insert(), letter)

    upgrade(engine)

    with engine.connect() as connection:
        row = connection.execute(sa.select(DeadLetter.__table__)).mappings().one()
    assert {key: row[key] for key in letter} == letter
    assert (row["state"], row["attempts"], row["external_id"], row["next_attempt_at"]) == ("unreadable", 0, None, None)
    engine.dispose()


# Malformed URLs are where a password leaks: they cannot be parsed, so they were echoed whole.
MALFORMED = [
    "post gres://u:hunter2@db/x",  # a space in the scheme
    "postgresql+psycopg://u:hunter2@db:notaport/x",  # a port that is not a number
    "postgresql+psycopg://u:hunter2@[::1/x",  # an IPv6 host without its closing bracket
    "postgresql+psycopg://u:hunter2@db:99999999/x",  # a port out of range
    "postgresql+psycopg://u@db/x?password=hunter2",  # the password as a query parameter
]


@pytest.mark.parametrize("url", MALFORMED)
def test_a_malformed_database_url_is_a_clear_error_without_the_password(url):
    with pytest.raises(StoreError) as error:
        connect(url)

    assert "hunter2" not in str(error.value)
    assert "postgresql" in str(error.value) or "post gres" in str(error.value)  # which URL, still recognisable


def test_a_port_that_is_not_a_number_names_the_fix():
    with pytest.raises(StoreError, match=r"port notaport is not a number from 1 to 65535; write the URL as"):
        connect("postgresql+psycopg://u:hunter2@db:notaport/x")


_PASSWORDS = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=6, max_size=40)


@given(password=_PASSWORDS, host=st.sampled_from(["db", "db:5432", "db:port", "[::1", "[::1]:5432", "db name"]))
def test_redact_never_shows_the_password_of_any_url(password, host):
    for template in ("postgresql+psycopg://care:{}@{}/socialcx", "postgresql://care@{}/x?sslmode=require&password={}"):
        url = template.format(*((password, host) if template.startswith("postgresql+") else (host, password)))
        # A password that is also part of the rest of the URL ("postgr") would be shown by it.
        assume(password not in template.format("", "") + host)

        shown = redact(url)

        assert password not in shown
        assert shown.startswith("postgresql") and "care" in shown  # still says which login on which server


def test_an_uncreatable_data_folder_is_a_clear_error(tmp_path):
    (tmp_path / "afile").write_text("")

    with pytest.raises(StoreError, match=r"cannot create the folder .*afile/sub for the database \(Not a directory\); "
                                         r"set data_dir or database_url to a place socialcx can write"):
        connect(f"sqlite:///{tmp_path / 'afile' / 'sub' / 'socialcx.db'}")


def test_replies_queued_before_surge_mode_are_kept_as_each_mentions_one_reply(database_url):
    engine = connect(database_url, migrate=False)
    upgrade(engine, "0010")
    with engine.begin() as connection:
        mention = connection.execute(
            sa.text("INSERT INTO mention (channel, external_id, watch, text, created_at, fetched_at, raw) "
                    "VALUES ('x', '1', 'acme', 'where is my order', '2026-11-24 08:00:00.000000', '2026-11-24 08:01:00.000000', '{}') RETURNING id")
        ).scalar_one()
        connection.execute(
            sa.text("INSERT INTO outbox (mention_id, text, origin, state, created_at, updated_at, attempts) "
                    "VALUES (:m, 'On its way', 'agent', 'sent', '2026-11-24 08:02:00.000000', '2026-11-24 08:02:00.000000', 1)"),
            {"m": mention},
        )

    upgrade(engine)

    with engine.begin() as connection:
        kept = connection.execute(sa.text("SELECT mention_id, kind, in_reply_to, text, state FROM outbox")).all()
        follow_up = "INSERT INTO outbox (mention_id, kind, text, origin, state, created_at, updated_at, attempts) VALUES (:m, :k, 'Fixed', 'incident', 'pending', '2026-11-24 09:00:00.000000', '2026-11-24 09:00:00.000000', 0)"
        connection.execute(sa.text(follow_up), {"m": mention, "k": "follow_up"})  # a second row, of another kind
    assert kept == [(mention, "reply", None, "On its way", "sent")]
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        connection.execute(sa.text(follow_up), {"m": mention, "k": "reply"})  # still one reply per mention
    engine.dispose()
