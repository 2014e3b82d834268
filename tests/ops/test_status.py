"""`socialcx status` as data: counts per watch, and the triage of what is stored."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from socialcx import Batch, Channel, ingest
from socialcx.cli import app
from socialcx.config import Settings
from socialcx.mention import Mention
from socialcx.ops.health import watch_health
from socialcx.ops.status import IntentSummary, status_report
from socialcx.store import PollState
from socialcx.store.leases import take_lease
from socialcx.triage import Triage


class _Triager:
    version = "stub@1"

    def triage(self, texts):
        return [
            Triage(
                "billing_problem" if "charged" in text else "order_status", 0.9, "maybe" in text,
                "negative", -0.5, "high", "en", ("legal_threat",) if "lawyer" in text else (), "where" in text,
            )
            for text in texts
        ]


def test_status_counts_mentions_and_summarises_their_triage(engine, clock):
    texts = ["where is my order", "charged twice, my lawyer will call", "maybe charged twice?"]
    items = [Mention(external_id=str(n), text=t, created_at="2026-11-25T08:00:00Z") for n, t in enumerate(texts)]
    ingest(engine, Batch(Channel.X, "acme", items, cursor="2"), clock=clock, triage=_Triager())
    settings = Settings(watches=[{"name": "acme", "channels": ["x"], "keywords": ["acme"]}])

    report = status_report(engine, settings, clock)

    assert report.total_mentions == 3
    assert [(w.channel, w.watch, w.mentions) for w in report.watches] == [("x", "acme", 3)]
    assert report.intents == [
        IntentSummary("billing_problem", 2, 0, 1, 1),
        IntentSummary("order_status", 1, 1, 0, 0),
    ]


@pytest.mark.parametrize("polled", [
    {},  # never polled
    {"last_error": "x: search failed with 503"},  # never polled cleanly
    {"last_success_at": timedelta(seconds=-90)},  # past stale_after, within two intervals
    {"last_success_at": timedelta(seconds=-150)},  # past both
    {"last_success_at": timedelta(seconds=-150), "last_error": "x: 503"},
])
def test_status_and_healthz_agree_on_which_watch_is_stale(engine, clock, polled):
    settings = Settings(
        channels={"x": {"enabled": True, "poll_interval_seconds": 60}}, thresholds={"stale_after_minutes": 1},
        watches=[{"name": "acme", "channels": ["x"], "keywords": ["acme"]}],
    )
    if polled:
        values = {key: clock.now() + value if isinstance(value, timedelta) else value for key, value in polled.items()}
        with engine.begin() as connection:
            connection.execute(sa.insert(PollState.__table__).values(channel="x", watch="acme", last_polled_at=clock.now(), **values))

    [status] = status_report(engine, settings, clock).watches
    [health] = watch_health(engine, settings, clock)

    assert status.stale == health.silent


def test_status_shows_which_replica_holds_which_lease(engine, clock):
    take_lease(engine, "leader", "host-a:41:9f", now=clock.now(), until=clock.now() + timedelta(seconds=10))
    take_lease(engine, "poll:x:acme", "host-b:77:1c", now=clock.now() - timedelta(minutes=9), until=clock.now() - timedelta(minutes=4))

    leases = status_report(engine, Settings(), clock).leases

    assert [(lease.name, lease.holder, lease.held) for lease in leases] == [
        ("leader", "host-a:41:9f", True), ("poll:x:acme", "host-b:77:1c", False)
    ]


def test_socialcx_status_prints_the_replicas_and_their_leases(engine, clock, tmp_path):
    take_lease(engine, "leader", "host-a:41:9f", now=clock.now(), until=clock.now() + timedelta(days=3650))
    (tmp_path / "socialcx.toml").write_text(f"database_url = {engine.url.render_as_string(hide_password=False)!r}\n", encoding="utf-8")

    result = CliRunner().invoke(app, ["status"], env={"COLUMNS": "160"})

    assert result.exit_code == 0, result.output
    assert "Replicas: who does what" in result.output
    [line] = [line for line in result.output.splitlines() if "leader" in line]
    assert "host-a:41:9f" in line and "UTC" in line
