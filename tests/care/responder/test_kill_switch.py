"""The kill switch: `socialcx pause` in one process stops auto-replies in every other process at
once, before the next mention is routed and before the next reply is sent."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import UTC, datetime

from typer.testing import CliRunner

from socialcx import Channel
from socialcx.care.handover import queue_reply
from socialcx.care.outbox import send_pending, set_paused
from socialcx.care.responder import route
from socialcx.cli import app
from socialcx.mention import PostedReply, ReplyTarget
from tests.care.responder.conftest import decision_of, outbox_of


def _socialcx(config, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", "from socialcx.cli import main; main()", "--config", str(config), *args],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_pause_from_another_process_takes_effect_at_once(engine, settings, playbook, clock, add_mention, tmp_path):
    config = tmp_path / "socialcx.toml"
    config.write_text(f"database_url = {engine.url.render_as_string(hide_password=False)!r}\n", encoding="utf-8")
    queued = add_mention()
    with engine.begin() as connection:
        queue_reply(connection, queued, "Hi!", origin="auto", agent=None, now=clock.now())

    assert "paused" in _socialcx(config, "pause", "--reason", "outage")
    held = asyncio.run(send_pending(engine, settings, clock, {Channel.X: Recorder()}))
    during = add_mention()
    route(engine, settings, playbook, clock)
    assert "resumed" in CliRunner().invoke(app, ["--config", str(config), "resume"]).output
    after = add_mention()
    route(engine, settings, playbook, clock)
    sent = asyncio.run(send_pending(engine, settings, clock, {Channel.X: Recorder()}))

    assert (held.held, held.sent) == (1, 0)
    assert decision_of(engine, during).guardrail == "kill_switch"
    assert decision_of(engine, after).outcome == "auto_reply"
    assert sent.sent == 2 and outbox_of(engine, queued).state == "sent"


class Recorder:
    """A channel that posts everything; `on_post` runs after each post."""

    channel = Channel.X

    def __init__(self, on_post=None) -> None:
        self.posted: list[str] = []
        self._on_post = on_post

    async def reply(self, mention: ReplyTarget, text: str) -> PostedReply:
        self.posted.append(mention.external_id)
        if self._on_post:
            self._on_post()
        return PostedReply(f"r{mention.external_id}", None, datetime(2026, 11, 25, tzinfo=UTC))

    async def find_reply(self, mention: ReplyTarget) -> PostedReply | None:
        return None


def test_a_pause_during_a_sending_pass_holds_the_rest_of_it(engine, settings, clock, add_mention):
    mentions = [add_mention() for _ in range(3)]
    with engine.begin() as connection:
        for mention_id in mentions:
            queue_reply(connection, mention_id, f"Hi {mention_id}", origin="auto", agent=None, now=clock.now())
    recorder = Recorder(on_post=lambda: set_paused(engine, True, now=clock.now()))

    report = asyncio.run(send_pending(engine, settings, clock, {Channel.X: recorder}))

    assert (report.sent, report.held, len(recorder.posted)) == (1, 2, 1)
    assert [outbox_of(engine, m).state for m in mentions] == ["sent", "pending", "pending"]
