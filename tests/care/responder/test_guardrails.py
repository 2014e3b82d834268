"""Each guardrail, alone, stops an auto-reply: the mention is skipped or handed to people, and the
decision names the guardrail and says why. Everything else about the mention would pass."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from socialcx.care import inbox
from socialcx.care.handover import queue_reply
from socialcx.care.outbox import set_paused
from socialcx.care.responder import route
from socialcx.config import Settings
from tests.care.responder.conftest import PLAYBOOK, decision_of, inbox_of, open_alert, outbox_of


def test_a_routine_mention_that_passes_every_guardrail_is_queued_for_an_auto_reply(engine, settings, playbook, clock, add_mention):
    mention_id = add_mention(author_handle="jess_m")

    decisions = route(engine, settings, playbook, clock)

    assert [(d.mention_id, d.outcome, d.guardrail) for d in decisions] == [(mention_id, "auto_reply", None)]
    reply = outbox_of(engine, mention_id)
    assert reply.state == "pending" and reply.origin == "auto"
    assert "@jess_m" in reply.text and "https://acme.example/orders" in reply.text
    assert inbox_of(engine, mention_id) is None


def test_a_mention_is_routed_once(engine, settings, playbook, clock, add_mention):
    add_mention()
    assert len(route(engine, settings, playbook, clock)) == 1
    assert route(engine, settings, playbook, clock) == []


# Each case: what to change (given the fixtures) so that exactly one guardrail refuses, the
# guardrail expected, the outcome, and a piece of the reason.
def own_account(engine, add_mention, clock, write_playbook):
    return add_mention(author_handle="ACME"), None


def own_reply_seen_again(engine, add_mention, clock, write_playbook):
    answered = add_mention()
    with engine.begin() as connection:
        queue_reply(connection, answered, "Hi there", origin="auto", agent=None, now=clock.now())
        connection.execute(sa.text("UPDATE outbox SET state = 'sent', platform_id = '777001'"))
    return add_mention(external_id="777001", author_handle="support_team"), None


def listed_bot(engine, add_mention, clock, write_playbook):
    return add_mention(author_handle="DealFinder"), write_playbook(PLAYBOOK + "known_bots: ['@dealfinder']\n")


def bot_by_name(engine, add_mention, clock, write_playbook):
    return add_mention(author_handle="shipping_bot"), None


def answered_by_us(engine, add_mention, clock, write_playbook):
    mention_id = add_mention()
    with engine.begin() as connection:
        queue_reply(connection, mention_id, "We're on it", origin="agent", agent="maya", now=clock.now())
    return mention_id, None


def answered_by_a_person_in_the_thread(engine, add_mention, clock, write_playbook):
    earlier = add_mention(conversation_id="t-9", author_handle="sam")
    with engine.begin() as connection:
        queue_reply(connection, earlier, "Sam, DM us?", origin="agent", agent="maya", now=clock.now())
    return add_mention(conversation_id="t-9", author_handle="kim"), None


def paused(engine, add_mention, clock, write_playbook):
    set_paused(engine, True, now=clock.now())
    return add_mention(), None


def abstained(engine, add_mention, clock, write_playbook):
    return add_mention(abstained=True), None


def risky(engine, add_mention, clock, write_playbook):
    return add_mention(risks=["legal_threat"]), None


def intent_not_in_playbook(engine, add_mention, clock, write_playbook):
    return add_mention(intent="billing_problem"), None


def intent_off(engine, add_mention, clock, write_playbook):
    return add_mention(), write_playbook(PLAYBOOK.replace("    mode: auto", "    mode: off"))


def intent_disabled(engine, add_mention, clock, write_playbook):
    return add_mention(), write_playbook(PLAYBOOK.replace("    mode: auto", "    mode: auto\n    enabled: false"))


def low_confidence(engine, add_mention, clock, write_playbook):
    return add_mention(confidence=0.62), None


def read_only_channel(engine, add_mention, clock, write_playbook):
    return add_mention(channel="hackernews", url="https://news.ycombinator.com/item?id=1"), None


def channel_not_allowed(engine, add_mention, clock, write_playbook):
    return add_mention(channel="mastodon"), write_playbook(PLAYBOOK.replace("channels: [x, reddit, mastodon, bluesky]", "channels: [x]"))


def thread_we_spoke_in(engine, add_mention, clock, write_playbook):
    add_mention(conversation_id="t-7", author_handle="acme", text="Sorry about that! DM us?")
    return add_mention(conversation_id="t-7", in_reply_to_id="t-7"), None


def claimed_thread(engine, add_mention, clock, write_playbook):
    earlier = add_mention(conversation_id="t-3", author_handle="sam")
    with engine.begin() as connection:
        inbox.enqueue(connection, earlier, reason="needs a person", now=clock.now())
        inbox.claim(connection, earlier, agent="maya")
    return add_mention(conversation_id="t-3", author_handle="kim"), None


def too_old(engine, add_mention, clock, write_playbook):
    return add_mention(created_at=clock.now() - timedelta(hours=5)), None


def author_cap(engine, add_mention, clock, write_playbook):
    earlier = add_mention(author_id="u-42", author_handle="sam")
    with engine.begin() as connection:
        queue_reply(connection, earlier, "Hi Sam", origin="auto", agent=None, now=clock.now() - timedelta(minutes=20))
    return add_mention(author_id="u-42", author_handle="sam"), None


def channel_cap(engine, add_mention, clock, write_playbook):
    earlier = add_mention(author_handle="sam")
    with engine.begin() as connection:
        queue_reply(connection, earlier, "Hi Sam", origin="auto", agent=None, now=clock.now() - timedelta(minutes=20))
    return add_mention(author_handle="kim"), write_playbook(PLAYBOOK.replace("per_channel: {hour: 30, day: 300}", "per_channel: {hour: 1}"))


def global_cap(engine, add_mention, clock, write_playbook):
    earlier = add_mention(channel="reddit", author_handle="sam")
    with engine.begin() as connection:
        queue_reply(connection, earlier, "Hi Sam", origin="agent", agent="maya", now=clock.now() - timedelta(hours=3))
    return add_mention(author_handle="kim"), write_playbook(PLAYBOOK.replace("caps: {hour: 100, day: 1000}", "caps: {day: 1}"))


def quiet_hours(engine, add_mention, clock, write_playbook):  # the clock reads 09:00 UTC, 10:00 in Paris
    text = PLAYBOOK.replace("  min_confidence: 0.8", '  min_confidence: 0.8\n  quiet_hours: {start: "08:00", end: "11:00", timezone: Europe/Paris}')
    return add_mention(), write_playbook(text)


def incident(engine, add_mention, clock, write_playbook):
    open_alert(engine, add_mention, clock)
    return add_mention(text="@acme checkout broken for anyone else?? #acmedown", intent="order_status"), None


CASES = [
    (own_account, "own_account", "skipped", "our own account @acme"),
    (own_reply_seen_again, "own_account", "skipped", "our own replies"),
    (listed_bot, "known_bot", "skipped", "known bot"),
    (bot_by_name, "known_bot", "skipped", "looks like a bot"),
    (answered_by_us, "answered", "skipped", "already answered by us"),
    (answered_by_a_person_in_the_thread, "answered", "skipped", "a person already answered"),
    (paused, "kill_switch", "inbox", "paused"),
    (abstained, "triage", "inbox", "unsure"),
    (risky, "triage", "inbox", "legal_threat"),
    (intent_not_in_playbook, "playbook", "inbox", "does not answer billing_problem"),
    (intent_off, "playbook", "inbox", "turned off"),
    (intent_disabled, "playbook", "inbox", "turned off"),
    (low_confidence, "confidence", "inbox", "0.62 is below 0.80"),
    (read_only_channel, "channel", "inbox", "answer on the site"),
    (channel_not_allowed, "channel", "inbox", "on mastodon"),
    (thread_we_spoke_in, "thread", "inbox", "1 turn in this thread"),
    (claimed_thread, "claimed", "inbox", "claimed"),
    (too_old, "age", "inbox", "older than the 4 h 00 min"),
    (author_cap, "caps", "inbox", "to @sam in the last hour reach the cap of 1"),
    (channel_cap, "caps", "inbox", "on x in the last hour"),
    (global_cap, "caps", "inbox", "in all in the last day"),
    (quiet_hours, "quiet_hours", "inbox", "quiet hours (08:00-11:00 Europe/Paris)"),
    (incident, "incident", "incident", "member of incident #"),
]


@pytest.mark.parametrize(("arrange", "guardrail", "outcome", "reason"), CASES, ids=[case[0].__name__ for case in CASES])
def test_each_guardrail_alone_stops_an_auto_reply(engine, settings, playbook, clock, add_mention, write_playbook, arrange, guardrail, outcome, reason):
    mention_id, changed = arrange(engine, add_mention, clock, write_playbook)

    route(engine, settings, changed or playbook, clock, mention_ids=[mention_id])

    decision = decision_of(engine, mention_id)
    assert (decision.outcome, decision.guardrail) == (outcome, guardrail)
    assert reason in decision.reason
    reply = outbox_of(engine, mention_id)
    assert reply is None or reply.origin != "auto"  # nothing was queued by the responder
    item = inbox_of(engine, mention_id)
    if outcome == "inbox":
        assert item is not None and item.reason == decision.reason and item.draft is None
    elif outcome == "incident":  # waits in the incident's one item for the statement's approval
        assert item is not None and item.reason.startswith("incident #") and "waits for approval" in item.reason
    else:
        assert item is None


def test_in_shadow_mode_a_mention_that_passes_everything_is_drafted_for_a_person(engine, settings, playbook, clock, add_mention):
    mention_id = add_mention(intent="store_info", author_handle="kim")

    [decision] = route(engine, settings, playbook, clock)

    assert (decision.outcome, decision.guardrail) == ("draft", "mode")
    assert outbox_of(engine, mention_id) is None
    item = inbox_of(engine, mention_id)
    assert item.draft == "Hi @kim, we're open 9 to 6." and "shadow mode" in item.reason


def test_a_draft_approved_by_a_person_goes_through_the_outbox(engine, settings, playbook, clock, add_mention):
    mention_id = add_mention(intent="store_info", author_handle="kim")
    route(engine, settings, playbook, clock)

    with engine.begin() as connection:
        inbox.approve(connection, mention_id, agent="maya", now=clock.now())

    reply = outbox_of(engine, mention_id)
    assert (reply.origin, reply.agent, reply.text, reply.state) == ("approved", "maya", "Hi @kim, we're open 9 to 6.", "pending")


def test_a_draft_guardrail_failure_wins_over_shadow_mode(engine, settings, playbook, clock, add_mention):
    mention_id = add_mention(intent="store_info", confidence=0.5)

    route(engine, settings, playbook, clock)

    decision = decision_of(engine, mention_id)
    assert (decision.outcome, decision.guardrail) == ("inbox", "confidence")
    assert inbox_of(engine, mention_id).draft is None


def test_a_reply_too_long_for_the_channel_is_refused_not_cut(engine, settings, write_playbook, clock, add_mention):
    long = "x" * 250
    playbook = write_playbook(PLAYBOOK.replace('order_link: "https://acme.example/orders"', f'order_link: "https://acme.example/{long}"'))
    on_x = add_mention(channel="x")
    on_reddit = add_mention(channel="reddit")

    route(engine, settings, playbook, clock)

    decision = decision_of(engine, on_x)
    assert decision.guardrail == "template" and "over x's limit of 280" in decision.reason
    assert outbox_of(engine, on_x) is None
    assert long in outbox_of(engine, on_reddit).text


def test_after_a_pause_and_a_resume_mentions_are_answered_again(engine, settings, playbook, clock, add_mention):
    set_paused(engine, True, now=clock.now())
    held = add_mention()
    route(engine, settings, playbook, clock)
    set_paused(engine, False, now=clock.now())
    fresh = add_mention()

    route(engine, settings, playbook, clock)

    assert decision_of(engine, held).guardrail == "kill_switch"
    assert decision_of(engine, fresh).outcome == "auto_reply"


def test_templates_vary_across_mentions_but_not_for_one_mention(playbook):
    from socialcx.channels import Channel

    texts = {playbook.render("order_status", Channel.X, str(n), "sam").text for n in range(20)}
    again = {playbook.render("order_status", Channel.X, "7", "sam").text for _ in range(5)}

    assert len(texts) == 2 and len(again) == 1


class EverythingIsOrderStatus:
    """A triager that finds every post a confident, routine order_status question."""

    version = "test"

    def triage(self, texts):
        from socialcx.triage import Triage

        return [Triage("order_status", 0.95, False, "neutral", 0.0, "normal", "en", (), True) for _ in texts]


def test_routine_mentions_from_the_sandbox_are_answered_there_and_our_replies_coming_back_are_left_alone(
    engine, sandbox, sandbox_settings, write_playbook, clock
):
    import asyncio

    from socialcx.care.outbox import send_pending
    from socialcx.channels import Channel
    from socialcx.collect.poller import poll_once
    from tests.care.responder.conftest import our_replies

    playbook = write_playbook(
        PLAYBOOK.replace("per_channel: {hour: 30, day: 300}", "per_channel: {hour: 3}")
        .replace('"Hi @{author}, follow your order at {order_link}"', '"Hi @{author}, Acme here: follow your order at {order_link}"')
        .replace("\"@{author} your order's tracking is at {order_link}\"", "\"@{author} Acme here: your order's tracking is at {order_link}\"")
    )
    asyncio.run(poll_once(sandbox_settings, engine, clock, triage=EverythingIsOrderStatus()))
    first = route(engine, sandbox_settings, playbook, clock)
    asyncio.run(send_pending(engine, sandbox_settings, clock))
    asyncio.run(poll_once(sandbox_settings, engine, clock, triage=EverythingIsOrderStatus()))
    again = route(engine, sandbox_settings, playbook, clock)

    answered = [d for d in first if d.outcome == "auto_reply"]
    assert len(answered) == 6  # three an hour on each of X and Reddit
    assert {d.guardrail for d in first if d.outcome == "inbox"} >= {"caps", "age"}
    with engine.connect() as connection:
        mentions = {row.id: row for row in connection.execute(sa.text("SELECT id, channel, external_id FROM mention"))}
    for decision in answered:
        mention = mentions[decision.mention_id]
        assert len(our_replies(sandbox, Channel(mention.channel), mention.external_id)) == 1
    ours = [d for d in again if d.guardrail == "own_account"]
    assert ours and all(d.outcome == "skipped" for d in ours)  # our replies, found by the search
    assert not [d for d in again if d.outcome == "auto_reply"]


def test_socialcx_poll_routes_the_new_mentions_and_sends_the_outbox(engine, sandbox, sandbox_config, write_playbook, monkeypatch):
    from typer.testing import CliRunner

    import socialcx.triage
    from socialcx.cli import app

    write_playbook(PLAYBOOK.replace("max_age_minutes: 240", "max_age_minutes: 100000000").replace("per_channel: {hour: 30, day: 300}", "per_channel: {hour: 2}"))
    sandbox_config.write_text('playbook = "playbook.yaml"\n' + sandbox_config.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(socialcx.triage, "default_model", EverythingIsOrderStatus)

    result = CliRunner().invoke(app, ["--config", str(sandbox_config), "poll"], env={"COLUMNS": "200"})

    assert result.exit_code == 0, result.output
    assert "Responder: 4 auto-replies" in result.output and "Outbox: 4 sent." in result.output
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM outbox WHERE state = 'sent'")).scalar_one() == 4


# Who is our own account: by platform id once one of our replies came back, else by handle, and on
# Mastodon by handle and instance (a local account's acct has no instance: it is ours).
OWN_ACCOUNT_CASES = [
    ("x", ["@acme"], "ACME", True),
    ("x", ["@acme"], "acme_fan", False),
    ("reddit", ["@acme"], "u/Acme", True),
    ("mastodon", ["@acme"], "acme", True),
    ("mastodon", ["@acme"], "Acme@Mastodon.Social", True),
    ("mastodon", ["@acme@mastodon.social"], "acme", True),
    ("mastodon", ["@acme@mastodon.social"], "acme@mastodon.social", True),
    ("mastodon", ["@acme"], "acme@fosstodon.org", False),
    ("mastodon", ["@acme@mastodon.social"], "acme@fosstodon.org", False),
    ("mastodon", ["@acme@fosstodon.org"], "acme", False),
]


@pytest.mark.parametrize(("channel", "handles", "author", "ours"), OWN_ACCOUNT_CASES)
def test_our_own_account_is_told_by_handle_and_instance(engine, playbook, clock, add_mention, channel, handles, author, ours):
    settings = Settings(
        channels={"mastodon": {"base_url": "https://mastodon.social"}},
        watches=[{"name": "acme", "handles": handles, "keywords": ["acme"]}],
    )
    mention_id = add_mention(channel=channel, author_handle=author)

    route(engine, settings, playbook, clock, mention_ids=[mention_id])

    decision = decision_of(engine, mention_id)
    assert (decision.guardrail == "own_account") is ours, decision.reason


@pytest.mark.parametrize("channel", ["x", "reddit", "mastodon", "bluesky"])
def test_our_own_account_is_told_by_platform_id_once_a_reply_came_back(engine, settings, playbook, clock, add_mention, channel):
    answered = add_mention(channel=channel)
    with engine.begin() as connection:
        queue_reply(connection, answered, "Hi there", origin="auto", agent=None, now=clock.now())
        connection.execute(sa.text("UPDATE outbox SET state = 'sent', platform_id = 'p-1'"))
    # our reply, listed under a handle the watch does not name (a Bluesky domain, a renamed account)
    add_mention(channel=channel, external_id="p-1", author_id="our-id", author_handle="acme.example.com")
    ours = add_mention(channel=channel, author_id="our-id", author_handle="acme.example.com", text="Update: @acme orders ship Monday")
    other = add_mention(channel=channel, author_id="their-id", author_handle="acme.example.org")

    route(engine, settings, playbook, clock, mention_ids=[ours, other])

    assert decision_of(engine, ours).guardrail == "own_account"
    assert decision_of(engine, other).guardrail != "own_account"
