"""`/healthz` and `/metrics` of a daemon driven on the test clock: its jobs are called directly."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

from socialcx import Channel, connect
from socialcx.ops.health import health_app
from socialcx.service.daemon import Daemon, prune_raw_payloads
from tests.ops.alerts.conftest import mail_server  # noqa: F401  (a fixture)


@pytest.fixture
def engine(tmp_path):
    engine = connect(f"sqlite:///{tmp_path / 'socialcx.db'}")
    yield engine
    engine.dispose()


def client_for(daemon: Daemon) -> TestClient:
    app = health_app(daemon.engine, daemon.settings, daemon.clock, daemon.metrics, daemon.started_at)
    return TestClient(TestServer(app))


def test_a_silent_watch_turns_healthz_to_503_and_is_mailed_once(settings_for, base_url, engine, clock, sandbox, mail_server):  # noqa: F811
    settings = settings_for(
        channels={"hackernews": {"enabled": True, "base_url": base_url, "poll_interval_seconds": 60}},
        thresholds={"stale_after_minutes": 5},
        mail={"host": "127.0.0.1", "port": mail_server.port, "recipients": ["care@example.com"]},
    )
    daemon = Daemon(settings, engine, clock)

    async def scenario():
        async with client_for(daemon) as client:
            await daemon.poll(Channel.HACKERNEWS, "acme")
            healthy = await client.get("/healthz")
            sandbox.faults.add(route="hackernews.search", kind="503", times=100)
            clock.advance(timedelta(minutes=10))
            await daemon.poll(Channel.HACKERNEWS, "acme")
            silent = await client.get("/healthz")
            for _ in range(2):
                await daemon.check_health()
                await daemon.mail()
            return healthy.status, await healthy.json(), silent.status, await silent.json()

    healthy_status, healthy, silent_status, silent = asyncio.run(scenario())

    assert healthy_status == 200 and healthy["status"] == "ok"
    [watch] = healthy["watches"]
    assert watch["channel"] == "hackernews" and watch["last_success_at"] and watch["lag_seconds"] == 0
    assert watch["expected_within_seconds"] == 300  # stale_after_minutes beats 2 × 60 s
    assert silent_status == 503 and silent["silent"] == ["hackernews/acme"]
    assert silent["watches"][0]["lag_seconds"] == 600 and "503" in silent["watches"][0]["last_error"]
    silences = [message for message in mail_server.received if "digest" not in message["Subject"].lower()]
    assert len(silences) == 1 and "acme" in silences[0]["Subject"]


def test_metrics_parse_as_prometheus_text_and_count_what_the_polls_did(settings_for, engine, clock):
    daemon = Daemon(settings_for(), engine, clock)

    async def scenario():
        async with client_for(daemon) as client:
            await daemon.poll(Channel.X, "acme")
            await daemon.poll(Channel.HACKERNEWS, "acme")
            answer = await client.get("/metrics")
            return answer.status, answer.headers["Content-Type"], await answer.text()

    status, content_type, text = asyncio.run(scenario())

    assert status == 200 and content_type.startswith("text/plain")
    families = list(text_string_to_metric_families(text))
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value for family in families for sample in family.samples
    }
    assert samples[("socialcx_polls_total", (("channel", "x"),))] == 1
    assert samples[("socialcx_mentions_ingested_total", (("channel", "x"),))] > 0
    assert samples[("socialcx_mentions_ingested_total", (("channel", "hackernews"),))] > 0
    assert ("socialcx_inbox_depth", (("priority", "critical"),)) in samples
    assert ("socialcx_sla_breaches", (("priority", "high"),)) in samples
    assert samples[("socialcx_auto_replies_sent_total", ())] == 0
    assert samples[("socialcx_alerts_raised_total", ())] == 0
    assert {"socialcx_poll_errors", "socialcx_throttles", "socialcx_triage_seconds", "socialcx_read_budget_left"} <= {
        family.name for family in families
    }


def test_retention_empties_old_raw_payloads_and_keeps_the_mentions(settings_for, engine, clock):
    import sqlalchemy as sa

    asyncio.run(Daemon(settings_for(), engine, clock).poll(Channel.HACKERNEWS, "acme"))
    clock.advance(timedelta(days=10))
    asyncio.run(Daemon(settings_for(), engine, clock).poll(Channel.X, "acme"))

    pruned = prune_raw_payloads(engine, clock.now() - timedelta(days=5))

    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT channel, raw FROM mention")).all()
    by_channel = {channel: [raw for c, raw in rows if c == channel] for channel in ("x", "hackernews")}
    assert pruned == len(by_channel["hackernews"]) > 0
    assert all(raw == "{}" for raw in by_channel["hackernews"])
    assert all(raw != "{}" for raw in by_channel["x"])
    assert prune_raw_payloads(engine, clock.now() - timedelta(days=5)) == 0
