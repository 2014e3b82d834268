"""The `socialcx` command, through typer's runner, on a temporary database."""

from __future__ import annotations

import csv
import email
import email.policy
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import socialcx
from socialcx import Batch, Channel, SystemClock, connect, ingest
from socialcx.cli import app
from socialcx.config import example_config
from socialcx.mention import Mention
from socialcx.sandbox import SCENARIOS
from socialcx.store import current_revision, head_revision, upgrade


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """A config in the test's folder, with a store holding a few mentions."""
    path = tmp_path / "socialcx.toml"
    path.write_text(example_config(), encoding="utf-8")
    engine = connect(f"sqlite:///{tmp_path / 'socialcx.db'}")
    items = [
        Mention(external_id="1", text="where is my order?", created_at="2026-11-20T10:00:00Z", author_handle="jess"),
        Mention(external_id="2", text="I want a REFUND now", created_at="2026-11-22T10:00:00Z", author_handle="dan"),
        Mention(external_id="3", text="[bold]markup[/] is just text", created_at="2026-11-24T10:00:00Z"),
    ]
    ingest(engine, Batch(Channel.X, "acme", items, cursor="3"), clock=SystemClock())
    ingest(
        engine,
        Batch(Channel.REDDIT, "acme", [Mention(external_id="t1_a", text="refund took ages", created_at="2026-11-23T09:00:00Z"), Mention(None, "?", None)]),
        clock=SystemClock(),
    )
    engine.dispose()
    return path


def run(runner: CliRunner, *args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_init_writes_a_config_that_status_runs_on(runner, tmp_path):
    result = run(runner, "init", "team/socialcx.toml")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "team" / "socialcx.toml").read_text() == example_config()

    status = run(runner, "--config", "team/socialcx.toml", "status")
    assert status.exit_code == 0, status.output
    assert "Mentions: 0" in status.output
    assert "Dead letters: none" in status.output
    assert (tmp_path / "team" / "socialcx.db").exists()


def test_init_refuses_to_overwrite_without_force(runner, tmp_path):
    (tmp_path / "socialcx.toml").write_text("# mine\n")

    result = runner.invoke(app, ["init"])
    assert result.exit_code == 1
    assert "socialcx.toml already exists; use --force to overwrite it" in result.output
    assert (tmp_path / "socialcx.toml").read_text() == "# mine\n"

    assert run(runner, "init", "--force").exit_code == 0
    assert (tmp_path / "socialcx.toml").read_text() == example_config()


def test_status_shows_counts_per_channel_and_watch_and_dead_letters(runner, config):
    result = runner.invoke(app, ["status"], env={"COLUMNS": "200"}, catch_exceptions=False)  # whole reasons

    assert result.exit_code == 0, result.output
    assert "Mentions: 4" in result.output
    lines = result.output.splitlines()
    assert any("x " in line and "acme" in line and " 3 " in line for line in lines)
    assert any("reddit" in line and "acme" in line and " 1 " in line for line in lines)
    assert any(line.split("│")[1:2] == [" mastodon   "] and " 0 " in line for line in lines)
    assert "Dead letters" in result.output and "external_id: Input should be a" in result.output


def test_db_upgrade_reports_the_revision(runner, config):
    result = run(runner, "db", "upgrade")

    assert result.exit_code == 0
    head = head_revision()
    assert head >= "0004"
    assert f"is at schema revision {head} (head {head})" in result.output


def test_mentions_list_filters_by_channel_and_time(runner, config):
    result = run(runner, "mentions", "list", "--channel", "x", "--since", "2026-11-21", "--until", "2026-11-23T00:00")

    assert result.exit_code == 0
    assert "REFUND" in result.output
    assert "where is my order" not in result.output and "refund took ages" not in result.output


def test_user_text_is_shown_as_text_not_markup(runner, config):
    result = run(runner, "mentions", "list", "--channel", "x", "--limit", "1")

    assert "[bold]markup[/]" in result.output


def test_mentions_search_is_case_insensitive_across_channels(runner, config):
    result = run(runner, "mentions", "search", "refund")

    assert result.exit_code == 0
    assert "REFUND now" in result.output and "refund took ages" in result.output
    assert "where is my order" not in result.output


def test_search_with_no_match_says_so(runner, config):
    assert "No mentions match." in run(runner, "mentions", "search", "kettle").output


def test_export_csv_to_stdout_has_the_analyst_columns(runner, config):
    result = run(runner, "mentions", "export", "--format", "csv")

    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["external_id"] for row in rows] == ["1", "2", "t1_a", "3"]  # oldest first
    for column in ("channel", "external_id", "watch", "author_handle", "text", "url", "created_at"):
        assert column in rows[0]
    assert rows[0]["created_at"] == "2026-11-20T10:00:00Z"
    assert rows[0]["url"] == ""


def test_export_jsonl_to_a_file_with_filters(runner, config, tmp_path):
    result = run(runner, "mentions", "export", "--format", "jsonl", "--output", "out.jsonl", "--watch", "acme", "--text", "refund")

    assert result.exit_code == 0
    assert "Wrote 2 mentions to out.jsonl." in result.output
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [(row["channel"], row["external_id"]) for row in rows] == [("x", "2"), ("reddit", "t1_a")]
    assert rows[0]["author_handle"] == "dan" and rows[1]["author_handle"] is None


def test_export_parquet_keeps_the_types_an_analyst_needs(runner, config, tmp_path):
    import pandas as pd

    result = run(runner, "mentions", "export", "--format", "parquet", "--output", "out.parquet")

    assert result.exit_code == 0 and "Wrote 4 mentions to out.parquet." in result.output
    frame = pd.read_parquet(tmp_path / "out.parquet")
    assert list(frame["external_id"]) == ["1", "2", "t1_a", "3"]
    assert str(frame["created_at"].dtype) == "datetime64[us, UTC]"
    assert frame["created_at"].iloc[0] == pd.Timestamp("2026-11-20T10:00:00Z")
    assert run(runner, "mentions", "export", "--format", "parquet").exit_code == 1  # a binary file needs --output


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["mentions", "list", "--since", "last tuesday"], "error: --since: 'last tuesday' is not a time; use a date like"),
        (["--config", "missing.toml", "status"], "error: missing.toml: config file not found; run `socialcx init"),
        (["mentions", "export", "--output", "no/such/dir/out.csv"], "error: cannot write no/such/dir/out.csv"),
    ],
)
def test_errors_are_one_sentence_and_a_non_zero_exit(runner, config, args, expected):
    result = runner.invoke(app, args)

    assert result.exit_code == 1
    assert result.output.strip().startswith(expected)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_bad_config_stops_every_command_before_it_runs(runner, tmp_path):
    (tmp_path / "socialcx.toml").write_text('[[watches]]\nname = "acme"\n')

    result = runner.invoke(app, ["status"])

    assert result.exit_code == 1
    assert "socialcx.toml:1: watches[0]: a watch needs at least one of" in result.output
    assert not (tmp_path / "socialcx.db").exists()


def test_debug_shows_the_trace(runner, tmp_path):
    result = runner.invoke(app, ["--debug", "--config", "missing.toml", "status"])

    assert result.exit_code != 0
    assert type(result.exception).__name__ == "ConfigError"


def test_demo_runs_the_daemon_end_to_end_keeps_its_emails_and_runs_again(runner, tmp_path):
    first = run(runner, "demo", "--out", "demo", "--scenario", "quiet", "--seconds", "30")
    assert first.exit_code == 0, first.output
    said = " ".join(first.output.split())  # rich wraps lines at the terminal's width

    engine = connect(f"sqlite:///{tmp_path / 'demo' / 'socialcx.db'}")
    with engine.connect() as connection:
        channels = {row[0] for row in connection.exec_driver_sql("SELECT DISTINCT channel FROM mention")}
        sent = connection.exec_driver_sql("SELECT count(*) FROM outbox WHERE origin = 'auto' AND state = 'sent'").scalar()
        waiting = connection.exec_driver_sql("SELECT count(*) FROM inbox_item").scalar()
        mailed = connection.exec_driver_sql("SELECT subject FROM mail WHERE state = 'sent' ORDER BY id").scalars().all()
    engine.dispose()
    assert channels == {str(channel) for channel in Channel}
    assert sent > 0 and f"{sent} auto-replies sent through the clients" in said
    assert waiting > 0 and "Inbox by priority: critical" in said
    assert "First response times" in said and "socialcx --config demo/socialcx.toml inbox list" in said
    resolved = re.search(r"Resolved through the stand-in shop: (\d+) resolved.*?(\d+) writes in the shop's ledger", said)
    assert resolved and int(resolved.group(1)) > 0 and int(resolved.group(2)) > 0
    assert "One case with several needs" in said and "in private: We've refunded £24.00" in said

    # The mail catcher kept every email the daemon sent, and the charts inside them.
    emails = sorted((tmp_path / "demo" / "mail").glob("*.eml"))
    assert [email.message_from_bytes(path.read_bytes(), policy=email.policy.default)["Subject"] for path in emails] == mailed
    assert any(subject.startswith("Daily digest, Mon 23 Nov") for subject in mailed)
    charts = list((tmp_path / "demo" / "charts").glob("*.png"))
    assert charts and all(path.read_bytes().startswith(b"\x89PNG") for path in charts)

    kpis = run(runner, "--config", "demo/socialcx.toml", "kpis")
    assert kpis.exit_code == 0 and f"({sent} sent automatically)" in " ".join(kpis.output.split())

    second = run(runner, "demo", "--out", "demo", "--scenario", "quiet", "--seconds", "5")
    assert second.exit_code == 0, second.output
    engine = connect(f"sqlite:///{tmp_path / 'demo' / 'socialcx.db'}")
    with engine.connect() as connection:
        stored = connection.exec_driver_sql("SELECT count(*) FROM mention").scalar()
        ours = connection.exec_driver_sql("SELECT count(*) FROM outbox WHERE state = 'sent'").scalar()  # they come back
        mailed = connection.exec_driver_sql("SELECT count(*) FROM mail").scalar()
    engine.dispose()
    assert 0 < stored <= SCENARIOS["quiet"].mentions + ours  # a fresh database each run, not one added to
    assert len(list((tmp_path / "demo" / "mail").glob("*.eml"))) == mailed


def test_an_unforeseen_error_is_one_line_without_a_trace(config, monkeypatch, capsys):
    import socialcx.cli as cli

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr("socialcx.ops.status.status_report", broken)
    monkeypatch.setattr("sys.argv", ["socialcx", "status"])

    with pytest.raises(SystemExit) as exit_:
        cli.main()

    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert err.strip() == "error: unexpected RuntimeError: the disk is on fire (run with --debug for the trace)"


def test_sandbox_names_an_unknown_scenario(runner):
    result = runner.invoke(app, ["sandbox", "--scenario", "nightmare", "--port", "8799"])

    assert result.exit_code == 1
    assert "error: --scenario:" in result.output and "nightmare" in result.output


def test_init_sandbox_writes_a_config_with_placeholder_credentials(runner, tmp_path):
    result = run(runner, "init", "--sandbox")

    assert result.exit_code == 0
    secrets = (tmp_path / "sandbox-secrets.env").read_text()
    assert "SANDBOX_X_BEARER_TOKEN=" in secrets
    status = run(runner, "status")  # the enabled channels' credentials resolve from the secrets file
    assert status.exit_code == 0 and "Read budget" in status.output
    assert "sandbox-bearer" not in status.output


def test_connectors_lists_every_channel_with_what_it_can_do_and_its_settings(runner):
    from connectors import available

    result = run(runner, "connectors")

    assert result.exit_code == 0
    for channel in available():
        assert f"{channel.value}:" in result.output
    assert "no: read-only, answer on the site" in result.output  # Hacker News and RSS
    assert result.output.count("Sample mention") == len(available())

    one = run(runner, "connectors", "reddit")
    assert "credentials.client_id" in one.output and "Sample mention" in one.output and "x:" not in one.output


# -- clear errors instead of "unexpected …" (issue 16) -------------------------------------------


def _fails_in_one_sentence(result, expected: str) -> None:
    """Exit status 1, `expected` in one line on stderr, and no trace."""
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: ") and expected in line, line


@pytest.mark.parametrize(
    "url",
    [
        "post gres://care:hunter2@db/socialcx",
        "postgresql+psycopg://care:hunter2@db:notaport/socialcx",
        "postgresql+psycopg://care:hunter2@[::1/socialcx",
        "postgresql+psycopg://care@db:5432/socialcx?password=hunter2",
    ],
)
def test_a_malformed_database_url_never_shows_its_password(runner, config, monkeypatch, url):
    monkeypatch.setenv("SOCIALCX_DATABASE_URL", url)

    for command in (["status"], ["db", "upgrade"], ["mentions", "list"]):
        result = runner.invoke(app, command)

        assert result.exit_code == 1
        assert "hunter2" not in result.stdout and "hunter2" not in result.stderr
        assert "care" in result.stderr  # which login it was is still said


def test_a_port_that_is_not_a_number_is_named(runner, config, monkeypatch):
    monkeypatch.setenv("SOCIALCX_DATABASE_URL", "postgresql+psycopg://care:hunter2@db:54x2/socialcx")

    _fails_in_one_sentence(runner.invoke(app, ["status"]), "port 54x2 is not a number from 1 to 65535")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["mentions", "list", "--limit", "99999999999999999999"], "--limit: 99999999999999999999 is too large; give at most"),
        (["inbox", "list", "--limit", "99999999999999999999"], "--limit: 99999999999999999999 is too large; give at most"),
        (["inbox", "show", "99999999999999999999"], "#99999999999999999999 is not in the inbox; `socialcx inbox list` shows"),
        (["inbox", "claim", "99999999999999999999"], "#99999999999999999999 is not in the inbox; `socialcx inbox list` shows"),
        (["inbox", "list", "--status", "bogus"], "--status: no status 'bogus'; use open, claimed, replied, resolved, escalated or ignored"),
        (["inbox", "list", "--priority", "urgent"], "--priority: no priority 'urgent'; use critical, high, normal or low"),
        (["mentions", "search", "a" * 100_000], "the search text is 100,000 characters long; search for at most 1,000"),
        (["mentions", "list", "--text", "%" * 30_000], "the search text is 30,000 characters long; search for at most 1,000"),
    ],
)
def test_out_of_range_values_are_one_sentence_naming_the_fix(runner, config, args, expected):
    _fails_in_one_sentence(runner.invoke(app, args), expected)


def test_deeply_nested_jsonl_to_classify_is_refused_by_line(runner, tmp_path):
    (tmp_path / "posts.jsonl").write_text('{"text": "fine"}\n{"text": ' + "[" * 100_000 + "]" * 100_000 + "}\n")

    result = runner.invoke(app, ["classify", "--input", "posts.jsonl", "--output", "out.jsonl"])

    _fails_in_one_sentence(result, "posts.jsonl: line 2 is nested too deeply to read; flatten it")
    assert not (tmp_path / "out.jsonl").exists()


def test_a_data_dir_that_cannot_be_created_is_named_with_the_fix(runner, tmp_path):
    (tmp_path / "afile").write_text("")
    (tmp_path / "socialcx.toml").write_text('data_dir = "afile/data"\n')

    result = runner.invoke(app, ["status"])

    _fails_in_one_sentence(result, "afile/data for the database (Not a directory); set data_dir or database_url to a place")


@pytest.fixture
def full_disk() -> Iterator[Callable[[str], None]]:
    """Fills the disk when a statement starting with a given prefix is about to run: from then on
    SQLite may not grow the file (`max_page_count`), so it answers SQLITE_FULL, exactly as on a
    full disk, on that connection and every later one."""
    import sqlalchemy as sa

    prefix, full = [], [False]

    def no_room(dbapi_connection) -> None:
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    def on_connect(dbapi_connection, _record) -> None:
        if full[0]:
            no_room(dbapi_connection)

    def before(connection, _cursor, statement, *_args) -> None:
        full[0] = full[0] or any(statement.startswith(start) for start in prefix)
        if full[0]:
            no_room(connection.connection.dbapi_connection)

    sa.event.listen(sa.engine.Engine, "connect", on_connect)
    sa.event.listen(sa.engine.Engine, "before_cursor_execute", before)
    yield prefix.append
    sa.event.remove(sa.engine.Engine, "before_cursor_execute", before)
    sa.event.remove(sa.engine.Engine, "connect", on_connect)
    full[0] = False


@pytest.mark.parametrize(
    ("fills_at", "stored"),
    [("INSERT INTO mention", "nothing"), ("INSERT INTO decision", "the batch")],
    ids=["while storing the mentions", "while answering them"],
)
def test_a_full_disk_during_poll_names_the_fix_and_loses_nothing(runner, tmp_path, monkeypatch, full_disk, fills_at, stored):
    from datetime import timedelta

    from socialcx.sandbox import Sandbox, ScenarioSpec, generate

    clock = SystemClock()
    sandbox = Sandbox(generate(ScenarioSpec(days=1, mentions=150), start=clock.now() - timedelta(days=1), seed=3), clock=clock)
    assert runner.invoke(app, ["init", "--sandbox"]).exit_code == 0
    with sandbox.in_thread() as base_url:
        monkeypatch.setenv("SOCIALCX_CHANNELS__X__BASE_URL", base_url)
        full_disk(fills_at)
        result = runner.invoke(app, ["poll", "--channel", "x"], env={"COLUMNS": "400"})

    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "the disk holding the database is full; free some space and run the command again" in result.output
    engine = connect(f"sqlite:///{tmp_path / 'socialcx.db'}")
    with engine.connect() as connection:
        mentions = connection.exec_driver_sql("SELECT count(*) FROM mention").scalar()
        cursor = connection.exec_driver_sql("SELECT value FROM cursor").scalar()
    engine.dispose()
    if stored == "nothing":
        assert "the cursor was not advanced" in result.output and (mentions, cursor) == (0, None)
    else:  # the batch went in whole, with its cursor, before the disk filled
        assert mentions > 0 and cursor is not None


# -- read-only commands on a read-only database --------------------------------------------------

READ_ONLY_COMMANDS = (
    ["status"], ["mentions", "list"], ["mentions", "search", "refund"], ["inbox", "list"], ["trends"], ["kpis"],
)


def _as_a_reader(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the command in a process that file permissions bind. Root ignores them, so as root the
    process gives up the capabilities that override them (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH,
    CAP_FOWNER) before it starts, as an ordinary user would be."""
    import ctypes

    def drop_overrides() -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        for capability in (1, 2, 3):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER
            if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
                raise OSError(ctypes.get_errno(), "cannot drop a capability")

    root = os.geteuid() == 0
    env = {**os.environ, "PYTHONPATH": str(Path(socialcx.__file__).parents[1]), "COLUMNS": "200"}
    try:
        return subprocess.run(
            [sys.executable, "-c", "from socialcx.cli import main; main()", *args],
            cwd=cwd, env=env, capture_output=True, text=True, timeout=120, preexec_fn=drop_overrides if root else None,
        )
    except subprocess.SubprocessError as exc:
        pytest.skip(f"cannot run a process bound by file permissions here ({exc})")


@pytest.fixture
def read_only(config: Path) -> Iterator[Path]:
    """The fixture's database and its folder made read-only (0444 and 0555), as on a replica or a
    copy handed to an analyst."""
    folder = config.parent
    database = folder / "socialcx.db"
    database.chmod(0o444)
    folder.chmod(0o555)
    yield folder
    folder.chmod(0o755)
    database.chmod(0o644)


@pytest.mark.parametrize("args", READ_ONLY_COMMANDS, ids=" ".join)
def test_commands_that_only_read_work_on_a_read_only_database(read_only, args):
    result = _as_a_reader(args, read_only)

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    if args[0] in ("status", "mentions"):
        assert "refund took ages" in result.stdout or "Mentions: 4" in result.stdout
    probe = _as_a_reader(["poll"], read_only)  # a command that writes still says why it cannot
    assert probe.returncode == 1 and probe.stderr.startswith("error: ") and "read-only" in probe.stderr


def test_a_read_command_does_not_upgrade_the_schema_and_says_a_migration_is_pending(runner, tmp_path):
    (tmp_path / "socialcx.toml").write_text(example_config(), encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'socialcx.db'}"
    engine = connect(url, migrate=False)
    previous = current_before_head()
    upgrade(engine, previous)
    engine.dispose()

    status = runner.invoke(app, ["mentions", "list"])  # reads only what the old schema has
    inbox = runner.invoke(app, ["plans", "list"])  # needs a table the pending migration adds

    assert status.exit_code == 0 and "No mentions" in status.stdout
    pending = f"the database is at schema revision {previous} and this socialcx expects {head_revision()}; run `socialcx db upgrade`"
    assert pending in " ".join(status.stderr.split())
    assert inbox.exit_code == 1 and (inbox.exception is None or isinstance(inbox.exception, SystemExit))
    note, error = inbox.stderr.strip().splitlines()
    assert note.startswith("note: the database is at schema revision")
    assert error.startswith("error: this command needs the pending schema upgrade: run `socialcx db upgrade` first (no such table")
    engine = connect(url, migrate=False)
    assert current_revision(engine) == previous  # nothing was upgraded behind the user's back
    engine.dispose()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(app, ["plans", "list"]).exit_code == 0


def current_before_head() -> str:
    from alembic.script import ScriptDirectory

    from socialcx.store.engine import _alembic_config

    head = ScriptDirectory.from_config(_alembic_config()).get_revision(head_revision())
    return head.down_revision


def test_status_never_shows_a_password_given_in_the_query_string(runner, tmp_path, monkeypatch):
    (tmp_path / "socialcx.toml").write_text(example_config(), encoding="utf-8")
    monkeypatch.setenv("SOCIALCX_DATABASE_URL", f"sqlite:///{tmp_path / 'socialcx.db'}?password=hunter2")

    result = run(runner, "status")

    assert result.exit_code == 0, result.output
    assert "hunter2" not in result.output and "password=***" in result.output
