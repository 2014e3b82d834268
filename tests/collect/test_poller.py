"""The polling pass, with a scripted connector standing in for a channel (the real connectors
have their own tests against the sandbox): it stores what arrives, honours throttling and the
budget, and keeps one failing watch from stopping the others."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
import sqlalchemy as sa

from connectors.base import Capabilities, ChannelUnavailable, Connector, PollResult
from socialcx import Batch, Channel, load_cursor
from socialcx.collect.budget import ReadBudget
from socialcx.collect import poller
from socialcx.collect.poller import POLL_LEASE, PollTurn, poll_once
from socialcx.config import Settings
from socialcx.mention import Mention
from socialcx.store import Mention as StoredMention
from socialcx.store import PollState
from socialcx.store.leases import take_lease


class ScriptedConnector(Connector):
    """Answers each poll from a script: per watch, a list of outcomes taken in turn."""

    channel = Channel.X
    capabilities = Capabilities(can_reply=False, can_search=True, cursor_kind="since_id")
    description = "test double"

    def __init__(self, settings: Settings, clock, script: dict[str, list]) -> None:
        super().__init__(settings.channels.x, settings, clock=clock)
        self.script = script
        self.calls: list[tuple[str, str | None, int]] = []

    async def poll(self, watch, cursor, *, max_requests):
        self.calls.append((watch.name, cursor, max_requests))
        outcome = self.script[watch.name].pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


def settings(**x) -> Settings:
    return Settings(
        channels={"x": {"enabled": True, **x}},
        watches=[
            {"name": "acme", "channels": ["x"], "keywords": ["acme"]},
            {"name": "rival", "channels": ["x"], "keywords": ["rival"]},
        ],
    )


def result(watch: str, ids: list[str], cursor: str | None, **extra) -> PollResult:
    items = [Mention(i, f"post {i}", "2026-11-25T08:00:00Z") for i in ids]
    return PollResult(Batch(Channel.X, watch, items, cursor=cursor), requests=extra.pop("requests", 1), **extra)


def run(config, engine, clock, connector, **kwargs):
    return asyncio.run(poll_once(config, engine, clock, connectors={Channel.X: connector}, **kwargs))


def state(engine, watch: str) -> dict:
    table = PollState.__table__
    with engine.connect() as connection:
        return dict(connection.execute(sa.select(table).where(table.c.watch == watch)).mappings().one())


def count(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(StoredMention)).scalar_one()


def test_a_pass_stores_each_watch_and_passes_the_stored_cursor_back(engine, clock):
    config = settings()
    connector = ScriptedConnector(config, clock, {
        "acme": [result("acme", ["1", "2"], "2"), result("acme", ["3"], "3")],
        "rival": [result("rival", ["9"], "9"), result("rival", [], "9")],
    })

    first = run(config, engine, clock, connector)
    second = run(config, engine, clock, connector)

    assert {(p.watch, p.new) for p in first} == {("acme", 2), ("rival", 1)}
    assert {(p.watch, p.new) for p in second} == {("acme", 1), ("rival", 0)}
    assert ("acme", "2", 20) in connector.calls  # the stored cursor, and the default allowance
    assert load_cursor(engine, Channel.X, "acme") == "3"
    assert count(engine) == 4


def test_a_failing_watch_is_reported_and_the_others_still_land(engine, clock):
    config = settings()
    connector = ScriptedConnector(config, clock, {
        "acme": [ChannelUnavailable("x: search failed 4 times, last with 503")],
        "rival": [result("rival", ["9"], "9")],
    })

    polls = {p.watch: p for p in run(config, engine, clock, connector)}

    assert polls["acme"].error == "x: search failed 4 times, last with 503"
    assert polls["rival"].new == 1
    assert state(engine, "acme")["consecutive_failures"] == 1
    assert state(engine, "acme")["last_success_at"] is None
    assert state(engine, "rival")["last_success_at"] == clock.now()


def test_a_throttled_watch_waits_for_its_reset_then_resumes(engine, clock):
    config = settings()
    reset = clock.now() + timedelta(minutes=15)
    connector = ScriptedConnector(config, clock, {
        "acme": [result("acme", ["1"], "1", throttled_until=reset), result("acme", ["2"], "2")],
        "rival": [result("rival", [], None), result("rival", [], None), result("rival", [], None)],
    })

    first = {p.watch: p for p in run(config, engine, clock, connector)}
    clock.advance(timedelta(minutes=5))
    during = {p.watch: p for p in run(config, engine, clock, connector)}
    clock.advance(timedelta(minutes=11))
    after = {p.watch: p for p in run(config, engine, clock, connector)}

    assert first["acme"].new == 1 and first["acme"].throttled_until == reset  # what arrived is kept
    assert during["acme"].skipped == "throttled" and during["rival"].skipped is None
    assert after["acme"].new == 1
    assert [call[0] for call in connector.calls].count("acme") == 2


def test_the_budget_is_never_exceeded_and_shared_between_watches(engine, clock):
    config = settings(requests_per_window=3)
    connector = ScriptedConnector(config, clock, {})

    # Each poll spends everything it was allowed.
    async def spend_all(watch, cursor, *, max_requests):
        connector.calls.append((watch.name, cursor, max_requests))
        return result(watch.name, [], None, requests=max_requests)

    connector.poll = spend_all
    first = run(config, engine, clock, connector)
    second = run(config, engine, clock, connector)

    assert [p.requests for p in first] == [1, 1]  # 3 requests for 2 watches: one each, not 3 to one
    assert [p.requests for p in second] == [1, 0]
    assert second[1].skipped == f"budget spent until {clock.now():%Y-%m-%d} 09:15 UTC"
    assert sum(call[2] for call in connector.calls) == 3


def test_unused_requests_go_back_to_the_budget(engine, clock):
    config = settings(requests_per_window=10)
    connector = ScriptedConnector(config, clock, {
        "acme": [result("acme", [], None, requests=1)],
        "rival": [result("rival", [], None, requests=1)],
    })

    run(config, engine, clock, connector)

    from socialcx.collect.budget import ReadBudget

    assert ReadBudget(engine, Channel.X, config.channels.x, clock).status().window_left == 8


def test_only_the_named_watch_is_polled(engine, clock):
    config = settings()
    connector = ScriptedConnector(config, clock, {"acme": [result("acme", ["1"], "1")], "rival": []})

    polls = run(config, engine, clock, connector, watches=("acme",))

    assert [p.watch for p in polls] == ["acme"]


def test_a_disabled_channel_is_not_polled(engine, clock):
    config = settings(enabled=False)
    connector = ScriptedConnector(config, clock, {"acme": [], "rival": []})

    assert run(config, engine, clock, connector) == []


@pytest.fixture
def refuse_one_commit(engine, monkeypatch):
    """Makes the first commit after a given statement fail as a busy SQLite does."""
    after: list[str] = []
    pending = [False]

    def watch(conn, cursor, statement, parameters, context, executemany):
        pending[0] = pending[0] or any(statement.startswith(prefix) for prefix in after)

    commit = engine.dialect.do_commit

    def refuse(dbapi_connection):
        if pending[0]:
            after.clear()
            pending[0] = False
            raise engine.dialect.loaded_dbapi.OperationalError("database is locked")
        commit(dbapi_connection)

    sa.event.listen(engine, "before_cursor_execute", watch)
    monkeypatch.setattr(engine.dialect, "do_commit", refuse)
    yield after.append
    sa.event.remove(engine, "before_cursor_execute", watch)


@pytest.mark.parametrize(
    ("statement", "reported", "kept"),
    [
        ("INSERT INTO mention", "acme was not stored (database is locked); the cursor was not advanced", 0),
        ("INSERT INTO poll_state", "acme: the poll state was not saved (database is locked)", 2),
    ],
)
def test_a_refused_write_fails_the_poll_and_the_next_poll_recovers(
    engine, clock, refuse_one_commit, statement, reported, kept
):
    config = settings()
    connector = ScriptedConnector(config, clock, {
        "acme": [result("acme", ["1", "2"], "2"), result("acme", ["1", "2", "3"], "3")],
    })
    refuse_one_commit(statement)

    [failed] = run(config, engine, clock, connector, watches=("acme",))
    clock.advance(timedelta(minutes=5))
    [recovered] = run(config, engine, clock, connector, watches=("acme",))

    assert reported in failed.error and "\n" not in failed.error
    assert failed.new == kept  # what was stored before the refusal stays stored
    assert (recovered.error, recovered.new, recovered.duplicates) == (None, 3 - kept, kept)
    assert count(engine) == 3
    assert load_cursor(engine, Channel.X, "acme") == "3"
    assert state(engine, "acme")["consecutive_failures"] == 0
    assert state(engine, "acme")["last_success_at"] == clock.now()


class SlowConnector(ScriptedConnector):
    """A poll that takes a while, so that two replicas' polls overlap."""

    async def poll(self, watch, cursor, *, max_requests):
        await asyncio.sleep(0.3)
        return await super().poll(watch, cursor, max_requests=max_requests)


def test_two_replicas_poll_each_watch_once_an_interval_and_spend_the_budget_once(engine, clock):
    config = settings(requests_per_window=100)
    connector = SlowConnector(config, clock, {"acme": [result("acme", ["1"], "1", requests=3)] * 3, "rival": [result("rival", [], None)] * 3})
    keep = timedelta(seconds=54)

    async def replicas():
        return await asyncio.gather(*(
            poll_once(config, engine, clock, connectors={Channel.X: connector}, turn=PollTurn(name, keep)) for name in ("a", "b")
        ))

    first = asyncio.run(replicas())
    clock.advance(timedelta(seconds=30))
    too_soon = run(config, engine, clock, connector, turn=PollTurn("c", keep))
    clock.advance(timedelta(seconds=24))
    due = run(config, engine, clock, connector, turn=PollTurn("c", keep))

    polled = [(poll.watch, poll.requests) for replica in first for poll in replica if poll.skipped is None]
    assert sorted(polled) == [("acme", 3), ("rival", 1)]
    assert sorted(poll.skipped for replica in first for poll in replica if poll.skipped) == ["polled by another replica"] * 2
    assert {poll.skipped for poll in too_soon} == {"polled by another replica"}
    assert {poll.skipped for poll in due} == {None}
    assert len(connector.calls) == 4  # each watch fetched once per interval
    assert ReadBudget(engine, Channel.X, config.channels.x, clock).status().window_left == 100 - (4 + 4)


def test_a_dead_pollers_watch_is_polled_again_when_its_lease_runs_out(engine, clock):
    config = settings()
    connector = ScriptedConnector(config, clock, {"acme": [result("acme", ["1"], "1")], "rival": [result("rival", [], None)] * 2})
    take_lease(engine, "poll:x:acme", "killed", now=clock.now(), until=clock.now() + POLL_LEASE)

    during = {poll.watch: poll for poll in run(config, engine, clock, connector, watches=("acme",))}
    clock.advance(POLL_LEASE)
    after = {poll.watch: poll for poll in run(config, engine, clock, connector, watches=("acme",))}

    assert during["acme"].skipped == "polled by another replica"
    assert after["acme"].new == 1


def test_a_long_poll_keeps_its_lease_and_a_dead_one_loses_it(engine, clock, monkeypatch):
    monkeypatch.setattr(poller, "POLL_LEASE", timedelta(seconds=0.4))  # renewed every 0.1 s of wall time
    config = settings()
    connector = SlowConnector(config, clock, {"acme": [result("acme", ["1"], "1"), result("acme", ["2"], "2")], "rival": []})

    async def meanwhile():
        polling = asyncio.create_task(poll_once(config, engine, clock, connectors={Channel.X: connector}, watches=("acme",)))
        await asyncio.sleep(0.1)
        clock.advance(timedelta(seconds=1))  # past the lease the poll took: only a renewal keeps it
        await asyncio.sleep(0.15)
        other = await poll_once(config, engine, clock, connectors={Channel.X: connector}, watches=("acme",))
        return await polling, other

    [first], [other] = asyncio.run(meanwhile())

    assert first.new == 1 and other.skipped == "polled by another replica"
