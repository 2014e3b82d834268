"""`socialcx incident list|show|approve|close|stop` from a terminal, and the alert email that
carries the drafted statement with the command to approve it."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_string
from email.policy import default

import sqlalchemy as sa
from typer.testing import CliRunner

from socialcx.care import surge
from socialcx.care.kpis import incident_kpis
from socialcx.care.responder import route
from socialcx.cli import app
from socialcx.config import Settings
from socialcx.ops import analytics
from socialcx.ops.alerts import queue_alert_emails, queue_digest
from socialcx.store import AlertEvent, Email, IncidentRow, OutboxReply
from tests.care.responder.conftest import open_alert


def _run(config, *args: str):
    return CliRunner().invoke(app, ["--config", str(config), *args], env={"COLUMNS": "200"})


def _config(engine, tmp_path):
    path = tmp_path / "socialcx.toml"
    path.write_text(f"database_url = {engine.url.render_as_string(hide_password=False)!r}\n", encoding="utf-8")
    return path


def test_a_person_lists_shows_approves_and_closes_an_incident(engine, settings, playbook, clock, add_mention, tmp_path):
    config = _config(engine, tmp_path)
    open_alert(engine, add_mention, clock, copies=2)
    route(engine, settings, playbook, clock)
    with engine.connect() as connection:
        incident = connection.execute(sa.select(IncidentRow.id)).scalar_one()

    listed = _run(config, "incident", "list")
    shown = _run(config, "incident", "show", str(incident))
    approved = _run(config, "incident", "approve", str(incident), "--text", "@{author} checkout is down; we're on it.", "--agent", "maya")
    again = _run(config, "incident", "approve", str(incident))
    closed = _run(config, "incident", "close", str(incident))
    missing = _run(config, "incident", "stop", "999")

    assert listed.exit_code == 0 and "drafted" in listed.output and "checkout" in listed.output
    assert f"socialcx incident approve {incident}" in shown.output and "Members: 8 (8 waiting" in shown.output
    assert approved.exit_code == 0 and "8 queued in the outbox now" in approved.output
    with engine.connect() as connection:
        texts = connection.execute(sa.select(OutboxReply.text).where(OutboxReply.origin == "incident")).scalars().all()
    assert len(texts) == 8 and all(text.endswith("checkout is down; we're on it.") and text.startswith("@seed") for text in texts)
    assert again.exit_code == 1 and again.output == f"error: incident #{incident} is approved: there is nothing to approve\n"
    assert closed.exit_code == 0 and "the follow-up is drafted" in closed.output and f"socialcx incident approve {incident}" in closed.output
    assert missing.exit_code == 1 and "there is no incident #999" in missing.output


def test_the_alert_email_carries_the_drafted_statement_and_the_command_to_approve_it(engine, playbook, clock, add_mention):
    settings = Settings(watches=[{"name": "acme", "handles": ["@acme"]}], mail={"recipients": ["care@acme.example"]})
    alert = open_alert(engine, add_mention, clock, copies=2)
    with engine.begin() as connection:
        connection.execute(sa.insert(AlertEvent.__table__).values(
            alert_id=alert, kind="raised", at=clock.now() - timedelta(minutes=5), channel="all", slice="all", observed=90, expected=10, score=8.0,
        ))
        surge.sync(connection, playbook, clock.now())  # as the pipeline does, before the mail
        incident = connection.execute(sa.select(IncidentRow.__table__).where(IncidentRow.alert_id == alert)).mappings().one()

    assert queue_alert_emails(engine, settings, clock) == 1

    with engine.connect() as connection:
        raw = connection.execute(sa.select(Email.message)).scalar_one()
    text = next(part for part in message_from_string(raw, policy=default).walk() if part.get_content_type() == "text/plain").get_content().replace("\r\n", "\n")
    assert incident["statement"] in text and "{author}" in incident["statement"]
    assert f"socialcx incident approve {incident['id']}\n" in text and f'socialcx incident approve {incident["id"]} --text "..."' in text


def _answered_in_three_minutes(engine, settings, playbook, clock, add_mention) -> int:
    """An outage of eight reports, its statement approved now and sent to each three minutes later."""
    open_alert(engine, add_mention, clock, copies=2)
    route(engine, settings, playbook, clock)
    with engine.begin() as connection:
        incident = connection.execute(sa.select(IncidentRow.id)).scalar_one()
        surge.approve(connection, incident, agent="maya", now=clock.now(), playbook=playbook)
        surge.deliver(connection, playbook, clock.now())
        connection.execute(sa.update(OutboxReply.__table__).values(state="sent", sent_at=clock.now() + timedelta(minutes=3)))
    return incident


def test_kpis_show_each_incident(engine, settings, playbook, clock, add_mention, tmp_path):
    config = _config(engine, tmp_path)
    _answered_in_three_minutes(engine, settings, playbook, clock, add_mention)
    risky = add_mention(text="is the @acme app down?? can't check out, my lawyer will hear about this", intent="outage_or_bug", risks=["legal_threat"])
    route(engine, settings, playbook, clock)

    with engine.connect() as connection:
        [row] = incident_kpis(connection)
    shown = _run(config, "kpis")

    assert (row.members, row.answered, row.handled_by_people, row.follow_ups_sent) == (9, 8, 1, 0) and risky
    assert row.to_approval == timedelta(minutes=5)  # the alert opened five minutes before
    assert timedelta(minutes=11) < row.p50 < row.p90 < timedelta(minutes=12)  # posted 9 minutes before, sent 3 after
    assert "Incidents (surge mode)" in shown.output and "8 (89%)" in shown.output
    frame = analytics.incidents(engine)
    assert frame[["members", "answered", "handled_by_people"]].values.tolist() == [[9, 8, 1]]
    assert round(frame["share_answered"].iloc[0], 3) == 0.889 and frame["to_approval"].iloc[0] == timedelta(minutes=5)


def test_the_digest_lists_the_days_incidents_with_their_kpis(engine, settings, playbook, clock, add_mention):
    settings = Settings(watches=[{"name": "acme", "handles": ["@acme"]}], mail={"recipients": ["care@acme.example"]})
    incident = _answered_in_three_minutes(engine, settings, playbook, clock, add_mention)

    assert queue_digest(engine, settings, clock, clock.now().date())

    with engine.connect() as connection:
        raw = connection.execute(sa.select(Email.message).where(Email.kind == "digest")).scalar_one()
    text = next(part for part in message_from_string(raw, policy=default).walk() if part.get_content_type() == "text/plain").get_content()
    assert f"#{incident} checkout (approved): 8 members, 8 answered by the statement (100%)" in " ".join(text.split())
    assert "approved 5 min after the alert" in " ".join(text.split())
