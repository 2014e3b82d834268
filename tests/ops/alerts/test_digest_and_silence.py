"""The daily digest and the silent-watch email: each queued once, whatever how often it is asked for."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from socialcx.ops.alerts import deliver, queue_digest, queue_silent_watches
from socialcx.store import PollState
from tests.care.inbox.conftest import add_mention
from tests.ops.alerts.conftest import add_alert, mail_settings, sqlite_only

DAY = date(2026, 11, 24)  # the day before the clock's


@sqlite_only
def test_the_daily_digest_is_queued_once_and_sums_up_the_day(engine, clock, mail_server):
    settings = mail_settings(mail_server.port, channels={"x": {"enabled": True, "requests_per_month": 10_000}})
    noon = datetime(2026, 11, 24, 12, tzinfo=clock.now().tzinfo)
    with engine.begin() as connection:
        add_mention(connection, posted=noon, intent="outage_report", sentiment="negative")
        add_mention(connection, posted=noon + timedelta(hours=1), intent="outage_report", sentiment="negative")
        add_mention(connection, posted=noon, channel="reddit", intent="order_status")
        add_mention(connection, posted=noon - timedelta(days=1), text="the day before: not in this digest")
        add_alert(connection, noon)

    queued = [queue_digest(engine, settings, clock, DAY) for _ in range(2)]
    report = deliver(engine, settings, clock)

    assert queued == [True, False] and report.sent == 1
    [message] = mail_server.received
    assert message["Subject"] == "Daily digest, Tue 24 Nov: 3 mentions, 1 alert"
    assert {part.get_content_type() for part in message.walk()} >= {"text/plain", "text/html", "image/png"}
    text = message.get_body(("plain",)).get_content()
    assert "Channels: X 2 (67%), Reddit 1 (33%)" in text
    assert "Top intents: outage report 2, order status 1" in text
    assert '#1 acme: "checkout"' in text and "X: no limit / 10,000" in text


def _silent_settings(port):
    return mail_settings(port, channels={"x": {"enabled": True}}, watches=[{"name": "acme", "channels": ["x"], "keywords": ["acme"]}])


def _poll(engine, **values):
    with engine.begin() as connection:
        connection.execute(sa.delete(PollState))
        connection.execute(sa.insert(PollState), {"channel": "x", "watch": "acme", "consecutive_failures": 0, **values})


@sqlite_only
def test_a_silent_watch_is_mailed_once_per_silence(engine, clock):
    settings = _silent_settings(2525)
    _poll(engine, last_polled_at=clock.now(), last_success_at=clock.now() - timedelta(minutes=30))
    fine = queue_silent_watches(engine, settings, clock)
    clock.advance(timedelta(hours=1))
    _poll(engine, last_polled_at=clock.now(), last_success_at=clock.now() - timedelta(minutes=90), last_error="401 Unauthorized")
    first = [queue_silent_watches(engine, settings, clock) for _ in range(3)]
    clock.advance(timedelta(hours=2))
    _poll(engine, last_polled_at=clock.now(), last_success_at=clock.now() - timedelta(hours=2))  # it came back, then went quiet again
    second = queue_silent_watches(engine, settings, clock)

    assert (fine, first, second) == (0, [1, 0, 0], 1)
    with engine.connect() as connection:
        subjects = connection.execute(sa.text("SELECT subject FROM mail ORDER BY id")).scalars().all()
    assert subjects == ["Silent: acme on X — no successful poll for 1 h 30 min", "Silent: acme on X — no successful poll for 2 h"]


@sqlite_only
def test_a_watch_never_polled_is_not_silent_but_one_that_never_succeeded_is(engine, clock):
    settings = _silent_settings(2525)
    never_polled = queue_silent_watches(engine, settings, clock)
    _poll(engine, last_polled_at=clock.now(), last_error="401 Unauthorized")

    assert (never_polled, queue_silent_watches(engine, settings, clock)) == (0, 1)
