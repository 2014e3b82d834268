"""Re-running triage over stored mentions: replaced, versioned, resumable, limited by time."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from typer.testing import CliRunner

from socialcx import Batch, Channel, connect, ingest
from socialcx.cli import app
from socialcx.collect.retriage import retriage
from socialcx.config import example_config
from socialcx.mention import Mention
from socialcx.store import MentionTriage, SpikeCount
from socialcx.triage import Triage


class _Model:
    """Stands in for a triage model: says `intent` for every text, routine unless it says `other`."""

    def __init__(self, version: str, intent: str) -> None:
        self.version, self.intent, self.seen = version, intent, 0

    def triage(self, texts):
        self.seen += len(texts)
        routine = self.intent != "other"
        return [Triage(self.intent, 0.9, False, "neutral", 0.0, "normal", "en", (), routine) for _ in texts]


def _items(count: int, day: int = 20) -> list[Mention]:
    return [
        Mention(f"{day}-{n}", f"post {n}", f"2026-11-{day}T10:00:00Z") for n in range(count)
    ]


def _triage_rows(engine) -> dict[int, dict]:
    with engine.connect() as connection:
        return {row["mention_id"]: dict(row) for row in connection.execute(sa.select(MentionTriage.__table__)).mappings()}


def test_a_new_model_replaces_every_triage_and_says_what_changed(engine, clock):
    ingest(engine, Batch(Channel.X, "acme", _items(5)), clock=clock, triage=_Model("old@1", "order_status"))
    ingest(engine, Batch(Channel.X, "acme", _items(2, day=21)), clock=clock)  # stored without triage
    clock.advance(timedelta(hours=1))

    report = retriage(engine, _Model("new@2", "other"), clock=clock, chunk=3)

    assert (report.mentions, report.newly_triaged, report.changed_intent, report.changed_routine) == (7, 2, 5, 5)
    rows = _triage_rows(engine)
    assert len(rows) == 7
    assert {row["model_version"] for row in rows.values()} == {"new@2"}
    assert {row["intent"] for row in rows.values()} == {"other"}
    assert all(row["triaged_at"] == clock.now() for row in rows.values())


def test_mentions_this_version_already_triaged_are_skipped_so_a_rerun_resumes(engine, clock):
    ingest(engine, Batch(Channel.X, "acme", _items(4)), clock=clock, triage=_Model("old@1", "order_status"))
    model = _Model("new@2", "order_status")

    first = retriage(engine, model, clock=clock)
    second = retriage(engine, model, clock=clock)

    assert (first.mentions, first.changed_intent, second.mentions, model.seen) == (4, 0, 0, 4)


def test_since_limits_the_rerun_to_recent_mentions(engine, clock):
    old = _Model("old@1", "order_status")
    ingest(engine, Batch(Channel.X, "acme", _items(3, day=10) + _items(2, day=24)), clock=clock, triage=old)

    report = retriage(engine, _Model("new@2", "praise"), clock=clock, since=clock.now() - timedelta(days=3))

    assert report.mentions == 2
    versions = sorted(row["model_version"] for row in _triage_rows(engine).values())
    assert versions == ["new@2"] * 2 + ["old@1"] * 3


def test_the_command_retriages_with_a_team_trained_intent_model(tmp_path, clock):
    config = tmp_path / "socialcx.toml"
    config.write_text(example_config(), encoding="utf-8")
    engine = connect(f"sqlite:///{tmp_path / 'socialcx.db'}")
    ingest(engine, Batch(Channel.X, "acme", _items(3)), clock=clock, triage=_Model("old@1", "order_status"))
    training = tmp_path / "mine.csv"
    training.write_text(
        "text,label\n" + "".join(f"post number {n},{'alpha' if n % 2 else 'beta'}\n" for n in range(40)), encoding="utf-8"
    )
    runner = CliRunner()
    trained = runner.invoke(app, ["train", "--input", str(training), "--label-column", "label", "--out", "mine"])
    assert trained.exit_code == 0, trained.output

    result = runner.invoke(app, ["--config", str(config), "retriage", "--model", "mine"])

    assert result.exit_code == 0, result.output
    assert "Re-triaged 3 mentions with mine@" in result.output
    rows = _triage_rows(engine).values()
    assert {row["intent"] for row in rows} <= {"alpha", "beta"}
    assert all(row["model_version"].startswith("mine@") for row in rows)
    with engine.connect() as connection:
        slices = set(connection.execute(sa.select(SpikeCount.slice).distinct()).scalars())
    assert "intent:order_status" not in slices and slices & {"intent:alpha", "intent:beta"}  # spike slices follow
    again = runner.invoke(app, ["--config", str(config), "retriage", "--model", "mine"])
    assert "Nothing to do" in again.output


def test_a_folder_without_a_model_is_one_clear_line(tmp_path):
    config = tmp_path / "socialcx.toml"
    config.write_text(example_config(), encoding="utf-8")

    result = CliRunner().invoke(app, ["--config", str(config), "retriage", "--model", "nowhere"])

    assert result.exit_code == 1
    assert "nowhere: no model.skops here" in result.output
