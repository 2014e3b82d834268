"""Two daemons on one store, on both backends: one leads, the other takes over within seconds
of its death, and a watch is polled by one of them at a time."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import sqlalchemy as sa
from aiohttp.test_utils import TestClient, TestServer

from socialcx import Channel
from socialcx.ops.health import health_app
from socialcx.service.daemon import LEADER_SECONDS, Daemon
from socialcx.store import IncidentRow
from socialcx.triage import Triage
from tests.ops.alerts.conftest import add_alert


def test_one_replica_leads_and_another_takes_over_when_it_dies(settings_for, engine, clock):
    first, second = Daemon(settings_for(), engine, clock), Daemon(settings_for(), engine, clock)
    ran: list[str] = []

    async def routed(name: str) -> None:
        ran.append(name)

    async def scenario() -> list[tuple[bool, bool]]:
        seen = [(await first.lead(), await second.lead())]
        await first._job("route", routed, "first")
        await second._job("route", routed, "second")  # not the leader: its leader jobs do nothing
        clock.advance(timedelta(seconds=LEADER_SECONDS - 1))  # the first stops renewing: it died
        seen.append((False, await second.lead()))
        clock.advance(timedelta(seconds=1))
        seen.append((await second.lead(), await first.lead()))  # the second leads; the first, back, does not
        await first._job("route", routed, "first")
        await second._job("route", routed, "second")
        return seen

    assert asyncio.run(scenario()) == [(True, False), (False, False), (True, False)]
    assert ran == ["first", "second"]


def test_a_replica_stopping_hands_the_lead_over_at_once(settings_for, engine, clock):
    first, second = Daemon(settings_for(), engine, clock), Daemon(settings_for(), engine, clock)

    async def scenario() -> list[bool]:
        seen = [await first.lead(), await second.lead()]
        await first._resign()
        return [*seen, await second.lead(), await first.lead()]

    assert asyncio.run(scenario()) == [True, False, True, False]


def test_two_replicas_polling_a_watch_at_once_fetch_it_once_an_interval(settings_for, engine, clock, base_url):
    replicas = [Daemon(settings_for(), engine, clock), Daemon(settings_for(), engine, clock)]

    async def scenario():
        [first], [second] = await asyncio.gather(*(replica.poll(Channel.HACKERNEWS, "acme") for replica in replicas))
        other = replicas[1] if second.skipped else replicas[0]  # the replica that did not poll
        clock.advance(timedelta(seconds=30))  # within the interval (60 s): still the poller's
        [again] = await other.poll(Channel.HACKERNEWS, "acme")
        clock.advance(timedelta(seconds=30))
        [due] = await other.poll(Channel.HACKERNEWS, "acme")
        return [first.skipped, second.skipped], again, due

    both, again, due = asyncio.run(scenario())

    assert sorted(map(str, both)) == ["None", "polled by another replica"]
    assert again.skipped == "polled by another replica"
    assert due.skipped is None and due.error is None


def test_healthz_names_the_replica_and_who_holds_which_lease(settings_for, engine, clock, base_url):
    first, second = Daemon(settings_for(), engine, clock), Daemon(settings_for(), engine, clock)
    app = health_app(engine, second.settings, clock, second.metrics, second.started_at, second.replica)

    async def scenario():
        await first.lead()
        await first.poll(Channel.HACKERNEWS, "acme")
        async with TestClient(TestServer(app)) as client:
            return await (await client.get("/healthz")).json()

    body = asyncio.run(scenario())

    assert body["replica"] == second.replica
    assert {(lease["name"], lease["holder"], lease["held"]) for lease in body["leases"]} == {
        ("leader", first.replica, True), ("poll:hackernews:acme", first.replica, True)
    }


class _Unsure:
    """A triager unsure of everything: routing sends it all to people."""

    version = "test"

    def triage(self, texts):
        return [Triage("order_status", 0.2, True, "neutral", 0.0, "normal", "en", (), False) for _ in texts]


def test_routing_and_judging_spikes_at_once_open_one_incident_for_a_new_alert(settings_for, engine, clock):
    daemon = Daemon(settings_for(), engine, clock, triage=_Unsure())
    with engine.begin() as connection:
        add_alert(connection, clock.now() - timedelta(minutes=10))

    async def both():
        await asyncio.gather(daemon.route(), daemon.judge_spikes())

    asyncio.run(both())

    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(IncidentRow)).scalar_one() == 1
