"""The outbox sends each reply exactly once: through crashes at every step (a real `kill -9` of a
sender process talking to the sandbox through tweepy and praw), throttling, outages, refusals,
and two senders at once."""

from __future__ import annotations

import asyncio
import inspect
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from connectors.base import Capabilities, ChannelUnavailable, Connector, PollResult, Refused, Throttled
from socialcx import Channel, ManualClock
from socialcx.care.handover import queue_reply
from socialcx.care.outbox import CHUNK, LEASE, PAUSE_AT_ENV, READY_FILE_ENV, send_pending, set_paused
from socialcx.collect.poller import poll_once
from socialcx.config import ChannelConfig, Settings, WatchConfig
from socialcx.errors import UsageError
from socialcx.mention import Batch, PostedReply, ReplyTarget
from socialcx.store import Mention, OutboxReply
from tests.care.responder.conftest import SANDBOX_CHANNELS, inbox_of, our_replies, outbox_of


def test_a_mention_gets_one_reply_row(engine, clock, add_mention):
    mention_id = add_mention()
    with engine.begin() as connection:
        queue_reply(connection, mention_id, "Hi!", origin="auto", agent=None, now=clock.now())
    with pytest.raises(UsageError, match=rf"mention {mention_id} already has a reply .*auto, pending"), engine.begin() as connection:
        queue_reply(connection, mention_id, "Hello again", origin="agent", agent="maya", now=clock.now())
    assert outbox_of(engine, mention_id).text == "Hi!"


def test_a_reply_the_platform_refused_can_be_replaced(engine, settings, clock, add_mention):
    mention_id = add_mention()
    connector = FakeConnector(refuse=True)
    with engine.begin() as connection:
        queue_reply(connection, mention_id, "Hi!", origin="auto", agent=None, now=clock.now())
    asyncio.run(send_pending(engine, settings, clock, {Channel.X: connector}))

    with engine.begin() as connection:
        queue_reply(connection, mention_id, "Sorry, Sam: DM us?", origin="agent", agent="maya", now=clock.now())

    reply = outbox_of(engine, mention_id)
    assert (reply.state, reply.text, reply.origin) == ("pending", "Sorry, Sam: DM us?", "agent")


# -- against the sandbox, with the real clients ------------------------------------------------


def _poll_mentions(engine, settings, clock) -> list[Mention]:
    """Poll the sandbox into the store; a few mentions per channel that can be replied to."""
    asyncio.run(poll_once(settings, engine, clock))
    table = Mention.__table__
    chosen = []
    with engine.connect() as connection:
        for channel in SANDBOX_CHANNELS:
            rows = connection.execute(
                sa.select(table).where(table.c.channel == channel.value, table.c.author_handle != "acme").order_by(table.c.id).limit(2)
            ).mappings()
            chosen += [Mention(**row) for row in rows]
    assert len(chosen) == 4
    return chosen


def _queue(engine, mentions, now) -> None:
    with engine.begin() as connection:
        for mention in mentions:
            text = f"Hi @{mention.author_handle}, we're looking into it (ref {mention.id})."
            queue_reply(connection, mention.id, text, origin="auto", agent=None, now=now)


def test_pending_replies_are_posted_once_and_marked_with_the_platforms_id(engine, sandbox, sandbox_settings, clock):
    mentions = _poll_mentions(engine, sandbox_settings, clock)
    _queue(engine, mentions, clock.now())

    first = asyncio.run(send_pending(engine, sandbox_settings, clock))
    second = asyncio.run(send_pending(engine, sandbox_settings, clock))

    assert (first.sent, second.sent) == (4, 0)
    for mention in mentions:
        posted = our_replies(sandbox, Channel(mention.channel), mention.external_id)
        reply = outbox_of(engine, mention.id)
        assert len(posted) == 1 and (reply.state, reply.platform_id) == ("sent", posted[0])


def _count_requests(sandbox, monkeypatch) -> Counter[str]:
    """The requests that reached each sandbox route (past credentials and rate limits)."""
    counts: Counter[str] = Counter()
    take = sandbox.faults.take

    def counting(route: str):
        counts[route] += 1
        return take(route)

    monkeypatch.setattr(sandbox.faults, "take", counting)
    return counts


def test_a_429_after_x_took_the_post_never_posts_it_again(engine, sandbox, sandbox_settings, clock, monkeypatch):
    mention = next(m for m in _poll_mentions(engine, sandbox_settings, clock) if m.channel == "x")
    _queue(engine, [mention], clock.now())
    requests = _count_requests(sandbox, monkeypatch)
    sandbox.faults.add(route="x.me", kind="429", seconds=60)

    first = asyncio.run(send_pending(engine, sandbox_settings, clock))
    clock.advance(timedelta(minutes=5))
    later = asyncio.run(send_pending(engine, sandbox_settings, clock))

    posted = our_replies(sandbox, Channel.X, mention.external_id)
    reply = outbox_of(engine, mention.id)
    assert requests["x.post"] == 1 and len(posted) == 1
    assert (first.sent + later.sent, first.failed + later.failed) == (1, 0)
    assert (reply.state, reply.platform_id) == ("sent", posted[0]) and inbox_of(engine, mention.id) is None


def test_a_throttled_reddit_reply_waits_for_the_reset_and_is_sent_once(engine, sandbox, sandbox_settings, clock, monkeypatch):
    mention = next(m for m in _poll_mentions(engine, sandbox_settings, clock) if m.channel == "reddit")
    _queue(engine, [mention], clock.now())
    requests = _count_requests(sandbox, monkeypatch)
    sandbox.faults.add(route="reddit.reply", kind="429", seconds=120)

    resets_at = clock.now() + timedelta(seconds=120)
    first = asyncio.run(send_pending(engine, sandbox_settings, clock))
    waiting = outbox_of(engine, mention.id)
    clock.advance(timedelta(seconds=60))
    early = asyncio.run(send_pending(engine, sandbox_settings, clock))
    clock.advance(timedelta(seconds=61))
    late = asyncio.run(send_pending(engine, sandbox_settings, clock))

    assert (first.retrying, first.failed, waiting.state) == (1, 0, "pending")
    assert waiting.next_attempt_at.replace(tzinfo=None) == resets_at.replace(tzinfo=None)
    assert (early.sent, early.failed, late.sent, requests["reddit.reply"]) == (0, 0, 1, 2)
    posted = our_replies(sandbox, Channel.REDDIT, mention.external_id)
    assert len(posted) == 1 and outbox_of(engine, mention.id).platform_id == posted[0]
    assert inbox_of(engine, mention.id) is None


STEPS = ["marked_sending", "posted", "marked_sent"]


@pytest.mark.parametrize("step", STEPS)
def test_a_sender_killed_at_any_step_leaves_exactly_one_reply_per_mention(engine, sandbox, sandbox_config, sandbox_settings, clock, tmp_path, step):
    mentions = _poll_mentions(engine, sandbox_settings, clock)
    _queue(engine, mentions, clock.now())

    _kill_sender_at(step, sandbox_config, tmp_path)
    states = _states_by_channel(engine)
    at_once = asyncio.run(send_pending(engine, sandbox_settings, _wall_clock()))
    later = asyncio.run(send_pending(engine, sandbox_settings, _wall_clock(LEASE + timedelta(minutes=1))))

    # The channels are sent at the same time, several replies a channel: the killed sender had
    # some in hand, the one stopped at `step` among them. A sender restarted at once leaves those
    # to their lease (their owner might still be at work); once the lease is over, it asks the
    # platform before sending any again.
    interrupted = [channel for channel, state in states if state == "sending"]
    assert step == "marked_sent" or interrupted
    assert at_once.sent == sum(1 for _, state in states if state == "pending")
    assert later.sent + later.recovered == len(interrupted)
    assert {"marked_sending": later.sent, "posted": later.recovered}.get(step, 1) >= 1
    for mention in mentions:
        posted = our_replies(sandbox, Channel(mention.channel), mention.external_id)
        reply = outbox_of(engine, mention.id)
        assert len(posted) == 1, f"{mention.channel} {mention.external_id}: {len(posted)} replies"
        assert (reply.state, reply.platform_id) == ("sent", posted[0])


def _states_by_channel(engine) -> list[tuple[str, str]]:
    """(channel, state) of every reply in the outbox."""
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(
            sa.select(Mention.channel, OutboxReply.state).join(OutboxReply, OutboxReply.mention_id == Mention.id)
        )]


def _kill_sender_at(step: str, config: Path, folder: Path) -> None:
    """Run `socialcx send` in a new process until it reaches `step`, then `kill -9` it there."""
    ready = folder / f"ready-{step}"
    env = {**os.environ, PAUSE_AT_ENV: step, READY_FILE_ENV: str(ready)}
    process = subprocess.Popen(
        [sys.executable, "-c", "from socialcx.cli import main; main()", "--config", str(config), "send"],
        env=env, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            if process.poll() is not None:
                out, err = process.communicate()
                pytest.fail(f"the sender ended before {step}: {out.decode()} {err.decode()}")
            if time.monotonic() > deadline:
                pytest.fail(f"the sender never reached {step}")
            time.sleep(0.05)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        process.stdout.close()
        process.stderr.close()
    assert process.returncode == -signal.SIGKILL


def _wall_clock(later: timedelta = timedelta(0)) -> ManualClock:
    """The time the killed sender read (the wall clock), or some time after it."""
    return ManualClock(datetime.now(UTC) + later)


# -- failures, with a platform that misbehaves on demand ---------------------------------------


class FakeConnector(Connector):
    """A channel that records what it posted and fails as told. It implements the connector
    protocol, so a change to the protocol breaks it (see the test below)."""

    channel = Channel.X
    capabilities = Capabilities(can_reply=True, can_search=False, cursor_kind="since_id")
    description = "A stand-in for X that records its replies."

    def __init__(self, *, refuse: bool = False, throttle_until: datetime | None = None, outage: int = 0, delay: float = 0.0) -> None:
        super().__init__(ChannelConfig(enabled=True), Settings(), clock=ManualClock(datetime(2026, 11, 25, tzinfo=UTC)))
        self.posted: dict[str, list[str]] = {}
        self.lookups: list[str] = []
        self._refuse, self._throttle_until, self._outage, self._delay = refuse, throttle_until, outage, delay

    async def poll(self, watch: WatchConfig, cursor: str | None, *, max_requests: int) -> PollResult:
        return PollResult(Batch(self.channel, watch.name, [], cursor=cursor), requests=0)

    async def reply(self, mention: ReplyTarget, text: str) -> PostedReply:
        await asyncio.sleep(self._delay)
        if self._refuse:
            raise Refused("x refused posting a reply (403)")
        if self._throttle_until is not None:
            until, self._throttle_until = self._throttle_until, None
            raise Throttled("x is throttling", until=until)
        reply_id = f"r{mention.external_id}-{len(self.posted.get(mention.external_id, []))}"
        self.posted.setdefault(mention.external_id, []).append(reply_id)
        if self._outage:  # the post went through, but the answer was lost
            self._outage -= 1
            raise ChannelUnavailable("x: posting a reply failed with ReadTimeout; it may have gone through")
        return PostedReply(reply_id, None, datetime(2026, 11, 25, tzinfo=UTC))

    async def find_reply(self, mention: ReplyTarget) -> PostedReply | None:
        self.lookups.append(mention.external_id)
        found = self.posted.get(mention.external_id)
        return PostedReply(found[0], None, datetime(2026, 11, 25, tzinfo=UTC)) if found else None


@pytest.mark.parametrize("method", ["poll", "reply", "find_reply"])
def test_the_fake_connector_keeps_the_protocol(method):
    assert inspect.signature(getattr(FakeConnector, method)) == inspect.signature(getattr(Connector, method))


def _queued(engine, add_mention, clock, count: int = 1, origin: str = "auto") -> list[int]:
    ids = [add_mention() for _ in range(count)]
    with engine.begin() as connection:
        for mention_id in ids:
            queue_reply(connection, mention_id, f"Hi {mention_id}", origin=origin, agent=None if origin == "auto" else "maya", now=clock.now())
    return ids


def test_a_throttled_reply_waits_until_the_platform_allows_it(engine, settings, clock, add_mention):
    [mention_id] = _queued(engine, add_mention, clock)
    connector = FakeConnector(throttle_until=clock.now() + timedelta(minutes=15))

    first = asyncio.run(send_pending(engine, settings, clock, {Channel.X: connector}))
    clock.advance(timedelta(minutes=10))
    early = asyncio.run(send_pending(engine, settings, clock, {Channel.X: connector}))
    clock.advance(timedelta(minutes=6))
    late = asyncio.run(send_pending(engine, settings, clock, {Channel.X: connector}))

    assert (first.retrying, early.sent, late.sent) == (1, 0, 1)
    assert outbox_of(engine, mention_id).state == "sent" and connector.lookups == []


def test_a_reply_lost_in_an_outage_is_looked_up_before_any_resend(engine, settings, clock, add_mention):
    [mention_id] = _queued(engine, add_mention, clock)
    connector = FakeConnector(outage=1)

    first = asyncio.run(send_pending(engine, settings, clock, {Channel.X: connector}))
    assert (first.retrying, outbox_of(engine, mention_id).state) == (1, "sending")
    clock.advance(timedelta(minutes=2))
    second = asyncio.run(send_pending(engine, settings, clock, {Channel.X: connector}))

    [(external_id, posted)] = connector.posted.items()
    assert (second.recovered, connector.lookups, len(posted)) == (1, [external_id], 1)
    assert outbox_of(engine, mention_id).platform_id == posted[0]


def test_a_reply_the_platform_refuses_goes_back_to_the_inbox_with_its_text(engine, settings, clock, add_mention):
    [mention_id] = _queued(engine, add_mention, clock)

    report = asyncio.run(send_pending(engine, settings, clock, {Channel.X: FakeConnector(refuse=True)}))

    reply, item = outbox_of(engine, mention_id), inbox_of(engine, mention_id)
    assert (report.failed, reply.state) == (1, "failed") and "403" in reply.error
    assert item.draft == f"Hi {mention_id}" and "could not be sent" in item.reason


def test_two_senders_at_once_post_each_reply_once(engine, settings, clock, add_mention):
    _queued(engine, add_mention, clock, count=6)
    connector = FakeConnector(delay=0.01)

    async def both():
        return await asyncio.gather(*(send_pending(engine, settings, clock, {Channel.X: connector}) for _ in range(2)))

    reports = asyncio.run(both())

    assert sum(report.sent for report in reports) == 6
    assert all(len(posted) == 1 for posted in connector.posted.values()) and len(connector.posted) == 6


def test_a_reply_another_sender_is_claiming_is_skipped_not_waited_for(engine, settings, clock, add_mention):
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: a sender never meets another's row lock")
    locked, *others = _queued(engine, add_mention, clock, count=3)
    connector = FakeConnector()
    with engine.connect() as claiming:  # another replica, in the middle of claiming a row
        claiming.execute(sa.select(OutboxReply.id).where(OutboxReply.mention_id == locked).with_for_update())
        let_go = threading.Timer(3.0, claiming.rollback)  # a sender that waited would wait this long
        let_go.start()
        started = time.monotonic()
        report = asyncio.run(send_pending(engine, settings, clock, {Channel.X: connector}))
        took = time.monotonic() - started
        let_go.cancel()

    assert report.sent == 2 and took < 2.0
    assert outbox_of(engine, locked).state == "pending"
    assert [outbox_of(engine, mention_id).state for mention_id in others] == ["sent", "sent"]


class _Slow(FakeConnector):
    """A channel whose posts take until `until()` holds (at most two seconds, then it fails)."""

    def __init__(self, until: Callable[[], bool]) -> None:
        super().__init__()
        self._until = until

    async def reply(self, mention: ReplyTarget, text: str) -> PostedReply:
        for _ in range(200):
            if self._until():
                return await super().reply(mention, text)
            await asyncio.sleep(0.01)
        raise ChannelUnavailable("bluesky: posting a reply timed out; it may have gone through")


def test_a_slow_channel_does_not_hold_up_the_replies_on_the_others(engine, settings, clock, add_mention):
    slow = add_mention(channel="bluesky", created_at=clock.now() - timedelta(minutes=10))
    with engine.begin() as connection:  # the oldest reply, on the slow channel: first in line
        queue_reply(connection, slow, "Hi there", origin="incident", agent="maya", now=clock.now() - timedelta(minutes=1))
    fast = _queued(engine, add_mention, clock, count=3)
    x = FakeConnector()

    report = asyncio.run(send_pending(engine, settings, clock, {Channel.X: x, Channel.BLUESKY: _Slow(lambda: len(x.posted) == 3)}))

    assert report.sent == 4
    assert all(outbox_of(engine, mention_id).state == "sent" for mention_id in [slow, *fast])


class _Lane(FakeConnector):
    """One of several clients of a channel: its replies wait until `together` replies have begun
    (at most two seconds, then it fails), and it never posts two at once."""

    def __init__(self, begun: list[str], together: int) -> None:
        super().__init__()
        self._begun, self._together, self._busy = begun, together, False

    async def reply(self, mention: ReplyTarget, text: str) -> PostedReply:
        assert not self._busy, "a client posting two replies at once"
        self._busy = True
        self._begun.append(mention.external_id)
        try:
            for _ in range(200):
                if len(self._begun) >= self._together:
                    return await super().reply(mention, text)
                await asyncio.sleep(0.01)
            raise ChannelUnavailable("x: posting a reply timed out; it may have gone through")
        finally:
            self._busy = False


def test_a_surge_on_one_channel_goes_out_a_reply_a_client_at_once(engine, settings, clock, add_mention):
    queued = _queued(engine, add_mention, clock, count=4 * CHUNK, origin="incident")
    begun: list[str] = []
    clients = [_Lane(begun, together=4) for _ in range(4)]

    report = asyncio.run(send_pending(engine, settings, clock, {Channel.X: clients}))

    assert report.sent == 4 * CHUNK and all(outbox_of(engine, mention_id).state == "sent" for mention_id in queued)
    assert [len(client.posted) for client in clients] == [CHUNK] * 4


def test_a_pass_takes_the_stores_write_lock_twice_for_a_chunk_of_replies_not_twice_a_reply(engine, settings, clock, add_mention):
    queued = _queued(engine, add_mention, clock, count=2 * CHUNK)
    commits = []

    def committed(connection) -> None:
        commits.append(connection)

    sa.event.listen(engine, "commit", committed)
    try:
        report = asyncio.run(send_pending(engine, settings, clock, {Channel.X: FakeConnector()}))
    finally:
        sa.event.remove(engine, "commit", committed)

    assert report.sent == 2 * CHUNK and all(outbox_of(engine, mention_id).state == "sent" for mention_id in queued)
    assert len(commits) <= 4  # two chunks, each claimed and then marked sent in one transaction


def test_while_paused_auto_replies_wait_and_replies_by_people_go_out(engine, settings, clock, add_mention):
    [auto] = _queued(engine, add_mention, clock)
    [by_agent] = _queued(engine, add_mention, clock, origin="agent")
    set_paused(engine, True, now=clock.now())
    connector = FakeConnector()

    paused = asyncio.run(send_pending(engine, settings, clock, {Channel.X: connector}))
    set_paused(engine, False, now=clock.now())
    resumed = asyncio.run(send_pending(engine, settings, clock, {Channel.X: connector}))

    assert (paused.held, paused.sent, resumed.sent) == (1, 1, 1)
    assert outbox_of(engine, by_agent).sent_at is not None and outbox_of(engine, auto).state == "sent"


def test_rows_in_the_outbox_table_are_one_per_mention(engine, clock, add_mention):
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        mention_id = add_mention()
        for _ in range(2):
            connection.execute(
                sa.insert(OutboxReply.__table__).values(
                    mention_id=mention_id, text="x", origin="auto", state="pending", created_at=clock.now(),
                    updated_at=clock.now(), attempts=0,
                )
            )
