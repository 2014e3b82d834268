"""The responder's resolution path: a transactional mention gets a public reply that moves the
case to private messages and names nothing of it, and a conversation; the guardrails come first
(pause, risk flags), and channels without private messages go to people."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from socialcx.care import conversations
from socialcx.care.outbox import set_paused
from socialcx.care.playbook import playbook_for
from socialcx.care.responder import route
from socialcx.config import Settings
from socialcx.store import ConversationRow, InboxItem, OutboxReply
from tests.care.resolution.conftest import store_mention
from tests.care.resolution.needs_stub import StubReader
from tests.sandbox.shops import NOW

LEAKY = "@acme charged twice for order A1042, £24.00 each time! I'm jane@example.com, 1 High St, Leeds"


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setattr(conversations, "default_reader", StubReader)
    return Settings(watches=[{"name": "acme", "handles": ["@acme"]}], commerce={"base_url": "http://127.0.0.1:9/shop/v1"})


class _Clock:
    def now(self):
        return NOW


def _route(engine, settings):
    return {row.mention_id: row for row in route(engine, settings, playbook_for(settings), _Clock())}


def _rows(engine, model, mention_id):
    table = model.__table__
    with engine.connect() as connection:
        return connection.execute(sa.select(table).where(table.c.mention_id == mention_id)).all()


def test_the_public_reply_to_a_transactional_post_names_no_order_email_address_or_amount(engine, settings) -> None:
    mention = store_mention(engine, NOW, LEAKY, risks=("personal_data",))
    decision = _route(engine, settings)[mention]
    assert (decision.outcome, decision.guardrail) == ("resolve", "resolution")
    [reply] = _rows(engine, OutboxReply, mention)
    assert "private message" in reply.text and reply.origin == "auto"
    for leak in ("A1042", "24", "jane@example.com", "High St", "Leeds", "£"):
        assert leak not in reply.text
    assert not re.search(r"\d", reply.text)
    [conversation] = _rows(engine, ConversationRow, mention)
    assert conversation.state == "new"


@pytest.mark.parametrize(("channel", "risks"), [("hackernews", ()), ("rss", ()), ("x", ("legal_threat",))])
def test_channels_without_private_messages_and_legal_threats_go_to_a_person_untouched(engine, settings, channel, risks) -> None:
    mention = store_mention(engine, NOW, "@acme charged twice on A1042, my lawyer will hear of it", channel=channel, risks=risks)
    decision = _route(engine, settings)[mention]
    assert decision.outcome == "inbox"
    assert _rows(engine, ConversationRow, mention) == []
    assert _rows(engine, OutboxReply, mention) == []
    assert _rows(engine, InboxItem, mention)


def test_the_kill_switch_keeps_transactional_posts_from_any_conversation(engine, settings) -> None:
    set_paused(engine, True, now=NOW, reason="test")
    mention = store_mention(engine, NOW, "@acme I was charged twice on A1042")
    assert _route(engine, settings)[mention].guardrail == "kill_switch"
    assert _rows(engine, ConversationRow, mention) == []


def test_without_a_commerce_system_nothing_is_resolved(engine, settings) -> None:
    mention = store_mention(engine, NOW, "@acme I was charged twice on A1042")
    bare = Settings(watches=[{"name": "acme", "handles": ["@acme"]}])
    assert _route(engine, bare)[mention].outcome != "resolve"
