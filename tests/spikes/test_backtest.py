"""Backtests over a store's own history, and the `spikes`, `trends` and `backtest` commands."""

from __future__ import annotations

import json
import random
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from socialcx import ManualClock, SystemClock, connect
from socialcx.cli import app
from socialcx.config import example_config
from socialcx.spikes.backtest import Window, backtest, read_windows, score
from socialcx.spikes.counts import bucket_start
from socialcx.spikes.incidents import evaluate
from socialcx.errors import UsageError
from tests.spikes.test_incidents import BUCKET, START, _chatter, _store, _surge


@pytest.fixture
def replayed(engine):
    """Ten days with incidents on day 8 at 03:00 (a quiet hour) and day 9 at 12:00, bigger."""
    rng = random.Random(11)
    clock = ManualClock(START + timedelta(days=10))
    night, noon = START + timedelta(days=8, hours=3), START + timedelta(days=9, hours=12)
    posts = (
        _chatter(rng, START, clock.now()) + _surge(rng, noon, 20, 200) + _surge(rng, night, 20, 80)
    )
    _store(engine, posts, clock)
    return engine, clock, noon, night


def test_the_replay_finds_both_incidents_within_two_buckets_and_scores_them(replayed):
    engine, clock, noon, night = replayed

    found = backtest(engine, bucket=BUCKET, since=START + timedelta(days=8), until=clock.now())
    result = score(
        found, [Window(noon, noon + timedelta(hours=1)), Window(night, night + timedelta(hours=1))]
    )

    assert [
        incident.opened_at - start <= 2 * BUCKET for incident, start in zip(found, (night, noon))
    ] == [True, True]
    assert (result.alerts, result.true_alerts, result.detected, result.windows) == (2, 2, 2, 2)
    assert result.precision == result.recall == 1.0 and result.median_delay <= 2 * BUCKET


def test_a_window_missed_and_an_alert_outside_any_window_count_against_it(replayed):
    engine, clock, noon, night = replayed
    found = backtest(engine, bucket=BUCKET, since=START + timedelta(days=8), until=clock.now())

    result = score(
        found,
        [
            Window(noon, noon + timedelta(hours=1), watch="other"),
            Window(START, START + timedelta(hours=1)),
        ],
    )

    assert (result.true_alerts, result.detected, result.precision, result.recall) == (
        0,
        0,
        0.0,
        0.0,
    )


def test_the_replay_keeps_only_alerts_in_the_period_and_the_live_tables_untouched(replayed):
    engine, clock, noon, night = replayed

    found = backtest(engine, bucket=BUCKET, since=noon - timedelta(hours=1), until=clock.now())

    assert [incident.opened_at >= noon for incident in found] == [True]
    assert all(incident.id is None for incident in found)


def test_incident_windows_are_read_with_clear_errors(tmp_path, clock):
    good = tmp_path / "incidents.csv"
    good.write_text(
        "start,end,watch,label\n2026-11-17T12:00Z,2026-11-17T13:00Z,acme,checkout outage\n",
        encoding="utf-8",
    )
    [window] = read_windows(good, clock.now())
    assert (window.watch, window.label, window.end - window.start) == (
        "acme",
        "checkout outage",
        timedelta(hours=1),
    )

    for content, expected in (
        ("begin,end\n", "needs the columns start and end"),
        ("start,end\n", "no incident windows"),
        ("start,end\nyesterday-ish,2026-11-17\n", "incidents.csv:2:"),
        ("start,end\n2026-11-18,2026-11-17\n", "ends before it starts"),
    ):
        good.write_text(content, encoding="utf-8")
        with pytest.raises(UsageError, match=expected):
            read_windows(good, clock.now())


def test_the_commands_show_trends_alerts_and_a_scored_backtest(tmp_path):
    """The commands read the wall clock, so this store's history ends now."""
    config = tmp_path / "socialcx.toml"
    config.write_text(example_config(), encoding="utf-8")
    engine = connect(f"sqlite:///{tmp_path / 'socialcx.db'}")
    rng = random.Random(5)
    clock = ManualClock(SystemClock().now())
    surge = bucket_start(clock.now(), BUCKET) - timedelta(minutes=20)
    _store(
        engine,
        _chatter(rng, surge - timedelta(days=8), clock.now()) + _surge(rng, surge, 15, 150),
        clock,
    )
    (tmp_path / "known.csv").write_text(
        f"start,end\n{surge.isoformat()},{(surge + timedelta(hours=1)).isoformat()}\n",
        encoding="utf-8",
    )
    runner = CliRunner()

    replay = runner.invoke(
        app,
        [
            "--config",
            str(config),
            "backtest",
            "--since",
            "2d",
            "--incidents",
            str(tmp_path / "known.csv"),
        ],
    )
    assert replay.exit_code == 0, replay.output
    assert "precision 1.00 (1 of 1 alerts in an incident), recall 1.00" in " ".join(
        replay.output.split()
    )

    evaluate(engine, clock=clock, bucket=BUCKET, settle=timedelta(minutes=5))
    shown = runner.invoke(app, ["--config", str(config), "trends"])
    assert shown.exit_code == 0, shown.output
    assert "Open alerts" in shown.output and '"checkout"' in shown.output
    assert "intent:outage_repo" in shown.output and "█" in shown.output


def test_spikes_reads_a_series_file_and_writes_one_line_per_alert(tmp_path):
    rng = random.Random(2)
    rows = ["timestamp,value"]
    for n in range(12 * 24 * 10):
        at = START + n * BUCKET
        value = (40 if 8 <= at.hour < 22 else 8) + rng.randint(-3, 3)
        if n == 12 * 24 * 9 + 150:
            value *= 4
        rows.append(f"{at:%Y-%m-%d %H:%M:%S},{value}")
    series = tmp_path / "series.csv"
    series.write_text("\n".join(rows) + "\n", encoding="utf-8")

    result = CliRunner().invoke(app, ["spikes", "--input", str(series)])

    assert result.exit_code == 0, result.output
    *learning, alert = [json.loads(line) for line in result.stdout.splitlines()]
    assert all(early["timestamp"] < f"{START + timedelta(days=1):%Y-%m-%d}" for early in learning)  # the first 8 o'clock rise
    assert alert["timestamp"] == f"{START + (12 * 24 * 9 + 150) * BUCKET:%Y-%m-%d %H:%M:%S}"
    assert alert["observed"] > 3 * alert["expected"] and alert["score"] > 0
