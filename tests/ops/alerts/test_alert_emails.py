"""Spike alert emails: one per alert event worth telling, a chart and both parts, one thread per alert."""

from __future__ import annotations

import random
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from socialcx import ManualClock
from socialcx.ops.alerts import alert_email, deliver, queue_alert_emails
from socialcx.spikes.incidents import evaluate
from socialcx.store import Email
from tests.ops.alerts.conftest import EXPLANATION, add_alert, mail_settings, sqlite_only
from tests.spikes.test_incidents import BUCKET, START, _chatter, _store, _surge

SUBJECT = re.compile(r'^Spike: "checkout" on X — \d+ mentions in 10 min, \d+(\.\d)?× normal$')


@pytest.fixture
def quiet_week(engine):
    """Eight ordinary days ingested and judged, so the detector knows what normal is."""
    rng = random.Random(7)
    clock = ManualClock(START + timedelta(days=8, hours=12))
    _store(engine, _chatter(rng, START, clock.now()), clock)
    _evaluate(engine, clock)
    return engine, clock, rng


def _evaluate(engine, clock):
    return evaluate(engine, clock=clock, bucket=BUCKET, settle=BUCKET)


def _send(engine, settings, clock):
    queue_alert_emails(engine, settings, clock)
    return deliver(engine, settings, clock)


@sqlite_only
def test_a_surge_yields_exactly_one_email_with_a_chart_an_html_and_a_text_part(quiet_week, mail_server):
    engine, clock, rng = quiet_week
    settings = mail_settings(mail_server.port)
    _store(engine, _surge(rng, clock.now(), 15, 150), clock)
    clock.advance(timedelta(minutes=20))
    _evaluate(engine, clock)  # raised, joined by the slices

    report = _send(engine, settings, clock)
    clock.advance(timedelta(minutes=5))
    again = _send(engine, settings, clock)

    assert (report.sent, again.sent) == (1, 0)
    [message] = mail_server.received
    assert SUBJECT.match(message["Subject"]), message["Subject"]
    parts = {part.get_content_type(): part for part in message.walk()}
    assert message.get_content_type() == "multipart/alternative"
    assert {"text/plain", "text/html", "multipart/related", "image/png"} <= parts.keys()
    assert parts["image/png"].get_content().startswith(b"\x89PNG")
    cid = parts["image/png"]["Content-ID"].strip("<>")
    assert f'src="cid:{cid}"' in parts["text/html"].get_content()
    text = parts["text/plain"].get_content()
    assert "checkout" in text and "Sample mentions:" in text and text.count("https://x.com/i/") == 5
    assert mail_server.envelopes == [("socialcx@example.com", ["care@example.com"])]


@sqlite_only
def test_an_escalation_and_the_resolution_arrive_in_the_alerts_thread(quiet_week, mail_server):
    engine, clock, rng = quiet_week
    settings = mail_settings(mail_server.port)
    _store(engine, _surge(rng, clock.now(), 10, 60), clock)
    clock.advance(timedelta(minutes=15))
    _evaluate(engine, clock)
    _send(engine, settings, clock)
    _store(engine, _surge(rng, clock.now() - timedelta(minutes=5), 15, 600), clock)
    clock.advance(timedelta(minutes=20))
    _evaluate(engine, clock)
    _send(engine, settings, clock)
    quiet_from = clock.now() - timedelta(minutes=5)
    _store(engine, _chatter(rng, quiet_from, quiet_from + timedelta(hours=3)), clock)
    clock.advance(timedelta(hours=3))
    _evaluate(engine, clock)
    _send(engine, settings, clock)

    first, *later = mail_server.received
    assert [m["Subject"] for m in later] == [f"Re: {first['Subject']}"] * len(later)
    assert len(later) >= 2 and later[-1].get_body(("plain",)).get_content().startswith("Resolved:")
    assert any(m.get_body(("plain",)).get_content().startswith("Escalated:") for m in later)
    for message in later:
        assert message["In-Reply-To"] == message["References"] == first["Message-ID"]
    ids = [m["Message-ID"] for m in mail_server.received]
    assert len(set(ids)) == len(ids) and first["Message-ID"].startswith("<alert-")


@sqlite_only
def test_mention_text_is_escaped_in_html_and_only_web_links_are_kept(engine, clock):
    hostile = {"text": "<script>alert('x')</script> & <b>bold</b>", "url": "javascript:alert(1)", "author_handle": "<img src=x>"}
    explanation = {**EXPLANATION, "samples": [{**sample, **hostile} for sample in EXPLANATION["samples"]]}
    with engine.begin() as connection:
        alert_id = add_alert(connection, clock.now(), explanation=explanation)

    message = alert_email(engine, mail_settings(2525), clock, alert_id)

    html = message.get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "<img src=x>" not in html and "javascript:" not in html
    assert "<script>alert('x')</script>" in message.get_body(("plain",)).get_content()  # plain text stays plain


@sqlite_only
def test_a_cold_start_alert_says_so_and_the_inbox_is_linked_when_configured(engine, clock):
    with engine.begin() as connection:
        alert_id = add_alert(connection, clock.now(), cold_start=True)

    linked = alert_email(engine, mail_settings(2525, web_url="https://care.example.com/"), clock, alert_id)
    plain = alert_email(engine, mail_settings(2525), clock, alert_id)

    assert linked["Subject"] == 'Spike: "checkout" on X — 412 mentions in 10 min, 8× normal'
    for message in (linked, plain):
        assert "judged with little history" in message.get_body(("html",)).get_content().lower()
    assert 'href="https://care.example.com/inbox"' in linked.get_body(("html",)).get_content()
    assert "https://care.example.com/inbox" in linked.get_body(("plain",)).get_content()
    assert "/inbox" not in plain.get_body(("html",)).get_content()


def test_only_recent_raised_escalated_and_resolved_events_are_mailed_once(engine, clock):
    settings = mail_settings(2525)
    with engine.begin() as connection:
        add_alert(connection, clock.now() - timedelta(hours=1), events=("raised", "joined", "escalated", "left", "resolved"))
        add_alert(connection, clock.now() - timedelta(days=2), events=("raised",))  # old news: the digest's

    assert queue_alert_emails(engine, settings, clock) == 3
    assert queue_alert_emails(engine, settings, clock) == 0
    with engine.connect() as connection:
        keys = connection.execute(sa.select(Email.key, Email.state).order_by(Email.id)).all()
    assert keys == [("alert:1:1", "pending"), ("alert:1:3", "pending"), ("alert:1:5", "pending")]


@sqlite_only
def test_nothing_is_queued_without_recipients(engine, clock):
    with engine.begin() as connection:
        add_alert(connection, clock.now())

    assert queue_alert_emails(engine, mail_settings(2525, recipients=[]), clock) == 0

