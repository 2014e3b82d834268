"""`socialcx poll` end to end: the command, the poller, the real connectors and the sandbox."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import sqlalchemy as sa
from typer.testing import CliRunner

from connectors import available
from socialcx import Channel, SystemClock, connect
from socialcx.cli import app
from socialcx.collect.poller import poll_once
from socialcx.store import AlertEvent, Email, Mention
from tests.ops.alerts.conftest import add_alert


def sandbox_requests(sandbox, prefix: str) -> int:
    """Requests the sandbox has counted in the current windows of a channel's buckets."""
    return sum(used for bucket, (_, used) in sandbox.limits._windows.items() if bucket.startswith(prefix))


def test_poll_stores_every_channel_and_prints_a_summary(base_url, tmp_path, monkeypatch):
    runner = CliRunner()
    assert runner.invoke(app, ["init", "--sandbox"]).exit_code == 0
    for channel in available():
        monkeypatch.setenv(f"SOCIALCX_CHANNELS__{channel.upper()}__BASE_URL", base_url)

    result = runner.invoke(app, ["poll"])

    assert result.exit_code == 0, result.output
    assert "Polled" in result.output and "Read budget" in result.output
    engine = connect(f"sqlite:///{tmp_path / 'socialcx.db'}")
    with engine.connect() as connection:
        counts = dict(connection.execute(sa.select(Mention.channel, sa.func.count()).group_by(Mention.channel)).all())
    assert set(counts) == {channel.value for channel in available()}
    assert all(count > 0 for count in counts.values())

    again = runner.invoke(app, ["poll", "--channel", "x"])
    assert again.exit_code == 0
    assert [line for line in again.output.splitlines() if line.startswith("│ x ")][0].split("│")[3].strip() == "0"

    status = runner.invoke(app, ["status"])
    assert "acme" in status.output and "stale" not in status.output


def test_poll_names_an_unknown_watch(tmp_path):
    runner = CliRunner()
    runner.invoke(app, ["init", "--sandbox"])

    result = runner.invoke(app, ["poll", "--watch", "acmee"])

    assert result.exit_code == 1
    assert "error: no watch named 'acmee'; configured watches: acme" in result.output


def test_the_read_budget_is_never_exceeded_on_the_wire(settings_for, sandbox, engine, clock):
    settings = settings_for(Channel.X, requests_per_window=5)

    for _ in range(4):
        asyncio.run(poll_once(settings, engine, clock))

    assert sandbox_requests(sandbox, "x.") == 5


def test_a_throttled_watch_is_skipped_until_its_reset(settings_for, sandbox, engine, clock):
    settings = settings_for(Channel.X)
    sandbox.faults.add(route="x.search", kind="429", seconds=300)

    first = asyncio.run(poll_once(settings, engine, clock))
    during = asyncio.run(poll_once(settings, engine, clock))
    clock.advance(timedelta(minutes=6))
    after = asyncio.run(poll_once(settings, engine, clock))

    assert first[0].throttled_until is not None
    assert during[0].skipped == "throttled" and during[0].requests == 0
    assert after[0].throttled_until is None and after[0].new > 0


def test_poll_queues_the_alert_mail_the_daemon_would(base_url, tmp_path, monkeypatch):
    runner = CliRunner()
    assert runner.invoke(app, ["init", "--sandbox"]).exit_code == 0
    monkeypatch.setenv("SOCIALCX_CHANNELS__X__BASE_URL", base_url)
    monkeypatch.setenv("SOCIALCX_MAIL__RECIPIENTS", '["care@example.com"]')
    engine = connect(f"sqlite:///{tmp_path / 'socialcx.db'}")
    with engine.begin() as connection:  # an alert raised an hour ago, not mailed yet
        alert_id = add_alert(connection, SystemClock().now() - timedelta(hours=1))

    result = runner.invoke(app, ["poll", "--channel", "x"])

    assert result.exit_code == 0, result.output
    with engine.connect() as connection:
        mails = connection.execute(sa.select(Email.key, Email.kind, Email.state)).all()
        event_id = connection.execute(sa.select(AlertEvent.id).where(AlertEvent.alert_id == alert_id)).scalar_one()
    assert mails == [(f"alert:{alert_id}:{event_id}", "alert", "pending")]
    assert "1 alert email queued" in result.output
