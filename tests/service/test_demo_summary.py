"""The demo's summary explains its surge figure: what became of every mention posted while the
outage alert was open (a reply sent, or why none was), and the incident's timeline."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from rich.console import Console

from socialcx.service.demo import DemoReport, SurgeFigures, _fate, _print_incidents


def _row(**fields) -> SimpleNamespace:
    return SimpleNamespace(**({
        "outcome": "inbox", "guardrail": None, "reason": "", "member": None, "member_reason": None, "reply": None, "origin": None,
    } | fields))


def test_each_mention_is_counted_as_the_reply_it_got_or_the_reason_it_got_none():
    fates = [
        _fate(_row(outcome="incident", member="answered", reply="sent", origin="incident")),
        _fate(_row(outcome="auto_reply", reply="sent", origin="auto")),
        _fate(_row(outcome="auto_reply", reply="failed", origin="auto")),
        _fate(_row(outcome="incident", member="covered", member_reason="the author already got the statement")),
        _fate(_row(outcome="incident", member="person", member_reason="socialcx cannot reply on rss: answer on the site")),
        _fate(_row(guardrail="triage", member="person", member_reason="risk flags: legal_threat")),
        _fate(_row(outcome="incident", member="waiting", member_reason="a member of incident #1 (down): it gets the statement")),
        _fate(_row(guardrail="playbook", reason="the playbook does not answer praise")),
        _fate(_row(guardrail="triage", reason="triage was unsure of the intent (other, 0.42)")),
        _fate(_row(guardrail="triage", reason="risk flags: safety")),
        _fate(_row(guardrail="caps", reason="30 replies on x in the last hour reach the cap of 30")),
        _fate(_row(guardrail="thread", reason="our account already took 1 turn")),
    ]

    assert fates == [
        "sent: the incident's statement",
        "sent: a routine auto-reply",
        "no reply yet: ours is failed (the platform refused it)",
        "member: its author already had the statement (one per author)",
        "member on a channel we cannot reply on (RSS, Hacker News): a person",
        "member with a risk flag: a person",
        "member still waiting for the statement",
        "not a member: an intent the playbook leaves to people",
        "not a member: triage unsure of the intent",
        "not a member: a risk flag",
        "not a member: a routine cap reached",
        "not a member: stopped by the thread guardrail",
    ]


def test_the_summary_prints_the_breakdown_sent_first_and_the_timeline():
    alert = datetime(2026, 11, 24, 13, 5, tzinfo=UTC)
    figures = SurgeFigures(
        members=3, precision=1.0, recall=1.0, during_alert=4, replied=2,
        fates=Counter({"not a member: an intent the playbook leaves to people": 2, "sent: a routine auto-reply": 1, "sent: the incident's statement": 1}),
        double_statements=0, after_approval_p50=timedelta(minutes=7),
        timeline=(("alert (its bucket)", alert), ("statement approved", alert + timedelta(minutes=40))),
    )
    report = DemoReport(
        folder=Path("demo-out"), scenario="default", start=alert, end=alert, seconds=1.0, polls=0, poll_errors=0, mentions={},
        outcomes=Counter(), replies=Counter(), examples=(), resolutions=Counter(), ledger=0, transcript=(), inbox=(), incidents=(), alerts=(), emails=(), charts=(), kpis=None,
        incidents_kpis=(), surge=figures,
    )
    console = Console(record=True, width=400)

    _print_incidents(console, report)

    lines = [line.strip() for line in console.export_text().splitlines()]
    assert "2 of 4 mentions not skipped got a sent reply (50%)" in lines[0]
    assert lines[1:4] == [
        "1  25%  sent: a routine auto-reply",
        "1  25%  sent: the incident's statement",
        "2  50%  not a member: an intent the playbook leaves to people",
    ]
    assert lines[4] == "Timeline: alert (its bucket) 13:05 → statement approved 13:45 (+40 min)"
