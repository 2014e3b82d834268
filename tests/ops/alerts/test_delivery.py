"""Delivery over SMTP, exactly once: emails wait in the store while the server is away, a pass that
stopped half-way resends with the same Message-ID, and no password reaches a log or the store."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import sqlalchemy as sa

from socialcx.ops.alerts import LEASE, deliver, queue_alert_emails
from socialcx.store import Email
from tests.ops.alerts.conftest import (
    PASSWORD,
    USER,
    MailServer,
    add_alert,
    free_port,
    mail_settings,
)


def _rows(engine):
    with engine.connect() as connection:
        return connection.execute(sa.select(Email).order_by(Email.id)).mappings().all()


def test_while_the_server_is_down_emails_wait_then_each_goes_out_exactly_once(engine, clock):
    server = MailServer(free_port())  # nothing listens there yet
    settings = mail_settings(server.port)
    with engine.begin() as connection:
        add_alert(connection, clock.now() - timedelta(minutes=20), events=("raised", "escalated"))
    queue_alert_emails(engine, settings, clock)

    down = deliver(engine, settings, clock)
    clock.advance(timedelta(seconds=30))
    again = deliver(engine, settings, clock)  # before the retry is due: nothing tried
    server.start()
    try:
        early = deliver(engine, settings, clock)
        clock.advance(timedelta(minutes=1))
        up = deliver(engine, settings, clock)
        clock.advance(timedelta(hours=2))
        later = deliver(engine, settings, clock)
    finally:
        server.stop()

    assert (down.sent, down.retrying) == (0, 2)
    assert down.error == f"127.0.0.1:{server.port}: Connection refused"
    assert again == early and (again.sent, again.retrying, again.waiting) == (0, 0, 2)  # not due: untried, still waiting
    assert (later.sent, later.retrying, later.waiting) == (0, 0, 0)
    assert (up.sent, up.retrying, up.error) == (2, 0, None)
    assert [m["Message-ID"] for m in server.received] == [row["message_id"] for row in _rows(engine)]
    assert [(row["state"], row["attempts"]) for row in _rows(engine)] == [("sent", 2), ("sent", 2)]


def test_retries_back_off_exponentially_up_to_an_hour(engine, clock):
    settings = mail_settings(free_port())
    with engine.begin() as connection:
        add_alert(connection, clock.now())
    queue_alert_emails(engine, settings, clock)

    waits = []
    for _ in range(9):
        deliver(engine, settings, clock)
        [row] = _rows(engine)
        waits.append(row["next_attempt_at"] - clock.now())
        clock.advance(waits[-1])

    assert [wait / timedelta(minutes=1) for wait in waits] == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert row["state"] == "pending" and row["attempts"] == 9 and "Connection refused" in row["last_error"]


def test_an_email_left_in_sending_by_a_stopped_pass_is_sent_again_after_its_lease(engine, clock, mail_server):
    settings = mail_settings(mail_server.port)
    with engine.begin() as connection:
        add_alert(connection, clock.now())
    queue_alert_emails(engine, settings, clock)
    with engine.begin() as connection:  # what a pass that died after the server's "250 OK" leaves
        connection.execute(sa.update(Email).values(state="sending", lease_until=clock.now() + LEASE))

    held = deliver(engine, settings, clock)
    clock.advance(LEASE + timedelta(seconds=1))
    resent = deliver(engine, settings, clock)

    assert held.sent == 0 and (resent.sent, resent.resent) == (1, 1)
    [row] = _rows(engine)
    assert row["state"] == "sent"
    assert [m["Message-ID"] for m in mail_server.received] == [row["message_id"]]  # a client can tell it is a duplicate


def test_a_recipient_refused_for_good_fails_that_email_and_the_rest_still_go(engine, clock, mail_server):
    mail_server.refuse = {"gone@example.com"}
    with engine.begin() as connection:
        add_alert(connection, clock.now())
        add_alert(connection, clock.now())
    queue_alert_emails(engine, mail_settings(mail_server.port, recipients=["gone@example.com"]), clock)
    with engine.begin() as connection:  # the second one also goes to a mailbox that exists
        connection.execute(sa.update(Email).where(Email.id == 2).values(recipients=["gone@example.com", "care@example.com"]))

    report = deliver(engine, mail_settings(mail_server.port), clock)

    assert (report.sent, report.failed, report.retrying) == (1, 1, 0)
    assert "550 5.1.1 no such mailbox" in report.error
    first, second = _rows(engine)
    assert first["state"] == "failed" and "every recipient refused" in first["last_error"]
    assert second["state"] == "sent" and "gone@example.com refused" in second["last_error"]
    assert mail_server.envelopes == [("socialcx@example.com", ["care@example.com"])]


@pytest.fixture
def login_server():
    server = MailServer(free_port(), login=True).start()
    yield server
    server.stop()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_a_login_is_used_and_no_password_reaches_the_logs_or_the_store(engine, clock, login_server, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG, logger="socialcx")
    monkeypatch.setenv("SMTP_USER", USER)
    monkeypatch.setenv("SMTP_PASSWORD", "wrong-" + PASSWORD)
    settings = mail_settings(login_server.port, username_env="SMTP_USER", password_env="SMTP_PASSWORD")
    with engine.begin() as connection:
        add_alert(connection, clock.now())
    queue_alert_emails(engine, settings, clock)

    refused = deliver(engine, settings, clock)
    monkeypatch.setenv("SMTP_PASSWORD", PASSWORD)
    clock.advance(timedelta(minutes=1))
    accepted = deliver(engine, settings, clock)

    assert refused.sent == 0 and refused.error.startswith(f"127.0.0.1:{login_server.port}: login refused (535")
    assert "\n" not in refused.error
    assert accepted.sent == 1 and len(login_server.received) == 1
    stored = " ".join(str(value) for row in _rows(engine) for value in row.values())
    for text in (caplog.text, refused.error, stored):
        assert PASSWORD not in text
    assert "Traceback" not in caplog.text


def test_a_login_variable_that_is_not_set_is_reported_by_name(engine, clock, mail_server):
    settings = mail_settings(mail_server.port, username_env="SMTP_USER", password_env="SMTP_PASSWORD")
    with engine.begin() as connection:
        add_alert(connection, clock.now())
    queue_alert_emails(engine, settings, clock)

    report = deliver(engine, settings, clock)

    assert report.error == "mail.username_env names the environment variable SMTP_USER, which is not set"
    assert report.retrying == 1 and mail_server.received == []
