"""A routing pass judges its mentions together, a page at a time, yet decides each as if those
before it were already written: a reply queued counts towards the caps and the thread's turns
of the mentions after it, an item enqueued is a cross-post candidate for the next, and two
routers running at once still give each mention exactly one decision. The daemon's routing job
does the same and has the outbox send at once when it queued a reply."""

from __future__ import annotations

import asyncio
import threading

import pytest
import sqlalchemy as sa

from socialcx.care import responder
from socialcx.care.handover import queue_reply
from socialcx.care.responder import route
from socialcx.channels import Channel
from socialcx.service.daemon import Daemon
from socialcx.store import Decision, InboxItem, OutboxReply
from tests.care.responder.conftest import PLAYBOOK, decision_of, inbox_of, open_alert, outbox_of
from tests.care.responder.test_kill_switch import Recorder


@pytest.fixture(params=[1000, 2], ids=["one page", "pages of two"])
def page_size(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """The pass's page size: the default, and one so small that every rule crosses pages."""
    monkeypatch.setattr(responder, "_PAGE", request.param)
    return request.param


def test_the_author_and_channel_caps_hold_within_one_pass(engine, settings, write_playbook, clock, add_mention, page_size):
    playbook = write_playbook(PLAYBOOK.replace("per_channel: {hour: 30, day: 300}", "per_channel: {hour: 3}"))
    sam = [add_mention(author_id="u-7", author_handle="sam") for _ in range(3)]
    others = [add_mention(author_handle=f"kim{n}") for n in range(4)]

    route(engine, settings, playbook, clock)

    assert [decision_of(engine, m).outcome for m in sam] == ["auto_reply", "inbox", "inbox"]
    assert "1 replies to @sam in the last hour reach the cap of 1" in decision_of(engine, sam[1]).reason
    assert [decision_of(engine, m).outcome for m in others] == ["auto_reply", "auto_reply", "inbox", "inbox"]
    assert "3 replies on x in the last hour reach the cap of 3" in decision_of(engine, others[2]).reason
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM outbox")).scalar_one() == 3


def test_the_global_cap_holds_within_one_pass_across_channels(engine, settings, write_playbook, clock, add_mention, page_size):
    playbook = write_playbook(PLAYBOOK.replace("caps: {hour: 100, day: 1000}", "caps: {day: 2}"))
    mentions = [add_mention(channel=channel) for channel in ("x", "reddit", "mastodon", "bluesky")]

    route(engine, settings, playbook, clock)

    assert [decision_of(engine, m).guardrail for m in mentions] == [None, None, "caps", "caps"]
    assert "2 replies in all in the last day reach the cap of 2" in decision_of(engine, mentions[2]).reason


def test_a_reply_queued_in_a_pass_is_a_turn_in_its_thread_for_the_mentions_after_it(engine, settings, playbook, clock, add_mention, page_size):
    first = add_mention(conversation_id="t-5", author_handle="sam")
    follow_up = add_mention(conversation_id="t-5", author_handle="kim")
    reply_to_first = add_mention(conversation_id=None, in_reply_to_id=_external_id(engine, first), author_handle="lee")

    route(engine, settings, playbook, clock)

    assert decision_of(engine, first).outcome == "auto_reply"
    for later in (follow_up, reply_to_first):
        decision = decision_of(engine, later)
        assert (decision.guardrail, decision.reason) == ("thread", "our account already took 1 turn in this thread (max_turns 1)")


MIRRORED = "Your app logged me out again and now the checkout page just spins forever. Fix it please"


def test_cross_posts_routed_in_one_pass_are_grouped_under_the_first(engine, settings, playbook, clock, add_mention, page_size):
    first = add_mention(channel="mastodon", author_handle="@jess_m@mastodon.social", text=MIRRORED, abstained=True)
    mirror = add_mention(channel="bluesky", author_handle="jess_m.bsky.social", text=f"{MIRRORED} @acme", abstained=True)
    third = add_mention(channel="x", author_handle="@Jess_M", text=MIRRORED, abstained=True)
    elsewhere = add_mention(channel="reddit", author_handle="dan", text=MIRRORED, abstained=True)

    route(engine, settings, playbook, clock)

    assert [inbox_of(engine, m).group_id for m in (first, mirror, third, elsewhere)] == [None, first, first, None]


def test_two_routers_at_once_give_each_mention_exactly_one_decision(engine, settings, playbook, clock, add_mention, page_size):
    mentions = [add_mention(author_handle=f"sam{n}", abstained=n % 2 == 1) for n in range(12)]
    results: list[list] = [[], []]
    start = threading.Barrier(2)

    def router(index: int) -> None:
        start.wait()
        results[index] = route(engine, settings, playbook, clock)

    threads = [threading.Thread(target=router, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    routed = [decision.mention_id for result in results for decision in result]
    assert sorted(routed) == sorted(mentions)  # each once, by one router or the other
    for mention_id in mentions:
        outcome = decision_of(engine, mention_id).outcome
        assert (outbox_of(engine, mention_id) is not None) == (outcome == "auto_reply")
        assert (inbox_of(engine, mention_id) is not None) == (outcome == "inbox")


def _external_id(engine: sa.Engine, mention_id: int) -> str:
    with engine.connect() as connection:
        return connection.execute(sa.text("SELECT external_id FROM mention WHERE id = :id"), {"id": mention_id}).scalar_one()


# -- the daemon's routing job -----------------------------------------------------------------


class _Triaged:
    """A daemon's triager for mentions stored already triaged: routing must never call it."""

    version = "test"

    def triage(self, texts):
        raise AssertionError("routing reads the stored triage; it never triages")


def _counts(engine) -> tuple[int, ...]:
    """How many decisions, outbox replies and inbox items are stored."""
    with engine.connect() as connection:
        count = lambda table: connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()  # noqa: E731
        return tuple(count(table) for table in (Decision, OutboxReply, InboxItem))


def test_the_daemon_routes_each_mention_once_and_sends_at_once_only_after_queueing_a_reply(
    engine, settings, playbook, clock, add_mention, monkeypatch
):
    daemon = Daemon(settings, engine, clock, triage=_Triaged(), playbook=playbook)
    woken: list[str] = []
    monkeypatch.setattr(daemon, "_wake", woken.append)  # the job the daemon runs at once
    routine = add_mention(author_handle="jess")
    risky = add_mention(author_handle="sam", text="@acme my lawyer will hear about this order", risks=["legal_threat"], routine=False)

    async def twice_at_once() -> None:
        await asyncio.gather(daemon.route(), daemon.route())

    asyncio.run(twice_at_once())

    assert (decision_of(engine, routine).outcome, inbox_of(engine, routine)) == ("auto_reply", None)
    reply = outbox_of(engine, routine)
    assert reply.state == "pending" and reply.text in ("Hi @jess, follow your order at https://acme.example/orders", "@jess your order's tracking is at https://acme.example/orders")
    assert decision_of(engine, risky).outcome == "inbox" and "legal_threat" in decision_of(engine, risky).reason
    assert inbox_of(engine, risky) is not None and outbox_of(engine, risky) is None
    assert _counts(engine) == (2, 1, 1) and woken == ["outbox"]

    # A checkout outage opens: a report of it is a member, waiting for the statement's approval.
    open_alert(engine, add_mention, clock, copies=2)
    member = add_mention(author_handle="kim", text="is the @acme app down?? can't check out!")

    asyncio.run(daemon.route())
    asyncio.run(daemon.route())

    assert decision_of(engine, member).guardrail == "incident" and decision_of(engine, member).outcome == "incident"
    assert inbox_of(engine, member) is not None and outbox_of(engine, member) is None
    assert _counts(engine) == (11, 1, 10) and woken == ["outbox"]  # nothing new to send, nothing twice


def test_a_daemon_without_triage_routes_nothing(engine, settings, playbook, clock, add_mention):
    mention = add_mention()

    asyncio.run(Daemon(settings, engine, clock, playbook=playbook).route())

    assert decision_of(engine, mention) is None and _counts(engine) == (0, 0, 0)


def test_a_reply_queued_while_the_outbox_is_sending_goes_out_right_after_that_pass(engine, settings, playbook, clock, add_mention):
    daemon = Daemon(settings, engine, clock, triage=_Triaged(), playbook=playbook)
    first, later = add_mention(), add_mention()

    def approved_meanwhile() -> None:  # an approval queues a reply while the pass is posting the first
        if outbox_of(engine, later) is None:
            with engine.begin() as connection:
                queue_reply(connection, later, "Hi again", origin="incident", agent="maya", now=clock.now())
            daemon.send_soon()

    daemon._senders = {Channel.X: Recorder(on_post=approved_meanwhile)}  # what `run` opens
    with engine.begin() as connection:
        queue_reply(connection, first, "Hi", origin="auto", agent=None, now=clock.now())

    asyncio.run(daemon.send_replies())

    assert (outbox_of(engine, first).state, outbox_of(engine, later).state) == ("sent", "sent")
