"""End to end, sandbox → stored, triaged and routed mentions on SQLite, against a bare-stack ceiling.

The sandbox serves a scenario (`bench`: 50,000 mentions over a week) with the clock at its end.
Ours: `poll_once` over every channel through the real clients (tweepy, praw, Mastodon.py,
atproto, aiohttp), ingest with the shipped triage model and the spike counts, then
`responder.route` with the shipped playbook in auto mode, pass after pass until a pass finds
nothing new, into a fresh SQLite file. It counts mentions stored, triaged and routed (one
decision each) per wall second.

The ceiling, in the same run: the very requests our clients made, replayed with plain aiohttp
(each channel's pages in order, channels concurrently, bodies read but not parsed); the same
model's `triage` on the same texts in the same batches; and a bare sqlite3 `executemany` of the
stored mention and triage columns into one plain table, a commit per batch. Its rate is the
same mention count over the sum of the three. Model loading is outside both timings.

Read the ratio ours/ceiling: the machine's noise moves both figures together. Targets:
>= 3,000 mentions/s, and >= 0.5 x the ceiling (on 2 cores). Triage bounds both (about 2,300
posts/s today), so the ratio is the figure our code answers for. The split of our time into
polling (with ingest and triage) and routing says where to look.

By default only the first 0.4 days of the scenario are served (about 1,300 mentions), so a
run takes under three minutes: routing costs tens of milliseconds a mention today, and the
whole week (`--days 7`, 50,000 mentions) would take most of an hour.

    python bench/pipeline.py [--scenario bench] [--days 0.4]
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import sqlalchemy as sa
from aiohttp import web
from yarl import URL

from connectors import available, connector_class
from connectors.base import Connector
from socialcx import ManualClock, connect
from socialcx.care.playbook import Playbook, playbook_for
from socialcx.care.responder import route
from socialcx.collect.poller import poll_once
from socialcx.config import Settings
from socialcx.sandbox import SCENARIOS, Budget, Sandbox, load_scenario
from socialcx.service.demo import prepare_demo
from socialcx.store import Decision, Mention
from socialcx.triage import Triage, TriageModel, default_model

START = datetime(2026, 11, 16, tzinfo=UTC)  # a Monday
SEED = 1
TARGET_RATE = 3_000
TARGET_RATIO = 0.5
# Headers aiohttp sets itself for the replayed request.
_TRANSPORT_HEADERS = {"host", "content-length", "transfer-encoding", "connection"}


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request a client made to a platform route, as sent, so the ceiling can send it again."""

    channel: str
    method: str
    path_qs: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


class RecordingSandbox(Sandbox):
    """The sandbox, keeping every platform request it answers (control routes aside)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.requests: list[RecordedRequest] = []

    def app(self) -> web.Application:
        app = super().app()
        app.on_response_prepare.append(self._keep)
        return app

    async def _keep(self, request: web.Request, response: web.StreamResponse) -> None:
        name = request.match_info.route.name or ""
        if name not in self._routes:
            return
        headers = tuple((k, v) for k, v in request.headers.items() if k.lower() not in _TRANSPORT_HEADERS)
        body = await request.read() if request.body_exists else b""
        self.requests.append(RecordedRequest(name.split(".")[0], request.method, request.path_qs, headers, body))


@dataclass
class RecordingTriager:
    """The model, keeping each batch of texts it triaged, so the ceiling predicts on the same."""

    model: TriageModel
    batches: list[list[str]] = field(default_factory=list)

    @property
    def version(self) -> str:
        return self.model.version

    def triage(self, texts: Sequence[str]) -> list[Triage]:
        self.batches.append(list(texts))
        return self.model.triage(texts)


@dataclass(frozen=True, slots=True)
class PipelineRun:
    """How our pipeline went: mentions routed, and seconds in polling (with ingest) and routing."""

    mentions: int
    passes: int
    poll_seconds: float
    route_seconds: float

    @property
    def seconds(self) -> float:
        return self.poll_seconds + self.route_seconds


@dataclass(frozen=True, slots=True)
class CeilingRun:
    """Seconds each bare stage took on the same work."""

    fetch_seconds: float
    predict_seconds: float
    insert_seconds: float

    @property
    def seconds(self) -> float:
        return self.fetch_seconds + self.predict_seconds + self.insert_seconds


def bench_settings(folder: Path, base_url: str) -> Settings:
    """The demo's settings (sandbox config, shipped playbook in auto) pointed at `base_url`, with
    read budgets out of the way: this measures our speed, not the platforms' windows."""
    settings = prepare_demo(folder)
    unlimited = {
        "base_url": base_url, "requests_per_window": None, "requests_per_month": None, "max_requests_per_poll": 100,
    }
    channels = {
        channel.value: settings.channels.get(channel).model_copy(update=unlimited)
        for channel in settings.channels.enabled()
    }
    return settings.model_copy(update={"channels": settings.channels.model_copy(update=channels)})


async def run_pipeline(
    settings: Settings, playbook: Playbook, clock: ManualClock, triage: RecordingTriager
) -> PipelineRun:
    """Poll every channel (with triage) and route, pass after pass, until a pass finds nothing new."""
    engine = connect(settings.database)
    connectors: dict[Any, Connector] = {
        channel: connector_class(channel)(settings.channels.get(channel), settings, clock=clock)
        for channel in settings.channels.enabled()
        if channel in available()
    }
    poll_seconds = route_seconds = 0.0
    passes = 0
    try:
        while True:
            passes += 1
            started = time.perf_counter()
            polls = await poll_once(settings, engine, clock, connectors=connectors, triage=triage)
            polled = time.perf_counter()
            await asyncio.to_thread(route, engine, settings, playbook, clock)
            poll_seconds += polled - started
            route_seconds += time.perf_counter() - polled
            if errors := [f"{poll.channel}/{poll.watch}: {poll.error}" for poll in polls if poll.error]:
                raise SystemExit(f"poll errors: {errors}")
            if not any(poll.new for poll in polls):
                break
    finally:
        for connector in connectors.values():
            await connector.aclose()
    with engine.connect() as connection:
        mentions = connection.execute(sa.select(sa.func.count()).select_from(Mention)).scalar_one()
        decided = connection.execute(sa.select(sa.func.count()).select_from(Decision)).scalar_one()
    engine.dispose()
    if decided != mentions:
        raise SystemExit(f"{mentions:,} mentions stored but {decided:,} routed")
    return PipelineRun(mentions, passes, poll_seconds, route_seconds)


async def replay_requests(base_url: str, requests: Sequence[RecordedRequest]) -> float:
    """Seconds to send the recorded requests again with plain aiohttp: one session, each channel's
    requests in their order (pagination is sequential), channels concurrently."""
    by_channel: defaultdict[str, list[RecordedRequest]] = defaultdict(list)
    for request in requests:
        by_channel[request.channel].append(request)

    async def fetch(session: aiohttp.ClientSession, queue: list[RecordedRequest]) -> None:
        for request in queue:
            url = URL(base_url + request.path_qs, encoded=True)
            body = request.body or None
            async with session.request(request.method, url, headers=request.headers, data=body) as response:
                await response.read()
                if response.status >= 400:
                    raise SystemExit(f"replay of {request.method} {request.path_qs} answered {response.status}")

    started = time.perf_counter()
    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(fetch(session, queue) for queue in by_channel.values()))
    return time.perf_counter() - started


def predict(model: TriageModel, batches: Sequence[Sequence[str]]) -> float:
    """Seconds for the model to triage the same texts in the same batches."""
    started = time.perf_counter()
    for texts in batches:
        model.triage(texts)
    return time.perf_counter() - started


def stored_rows(database: Path) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The mention and triage columns of every stored mention, as sqlite3 returns them."""
    with sqlite3.connect(database) as connection:
        cursor = connection.execute(
            "SELECT m.channel, m.external_id, m.watch, m.author_id, m.author_handle, m.author_name, "
            "m.author_followers, m.text, m.url, m.created_at, m.fetched_at, m.language AS post_language, "
            "m.in_reply_to_id, m.conversation_id, m.raw, t.intent, t.confidence, t.abstained, t.sentiment, "
            "t.sentiment_score, t.urgency, t.language, t.risks, t.routine, t.model_version, t.triaged_at "
            "FROM mention m JOIN triage t ON t.mention_id = m.id ORDER BY m.id"
        )
        columns = [column[0] for column in cursor.description]
        return columns, cursor.fetchall()


def bare_insert(database: Path, columns: list[str], rows: list[tuple[Any, ...]], batch_sizes: Sequence[int]) -> float:
    """Seconds to `executemany` the rows into one plain table (the same pragmas and unique index
    as the store), in batches of the sizes ingest saw, a commit each."""
    connection = sqlite3.connect(database)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=5000"):
        connection.execute(f"PRAGMA {pragma}")
    connection.execute(f"CREATE TABLE mention_bare (id INTEGER PRIMARY KEY, {', '.join(columns)})")
    connection.execute("CREATE UNIQUE INDEX uq_bare ON mention_bare (channel, external_id)")
    sql = f"INSERT INTO mention_bare ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    started, at = time.perf_counter(), 0
    for size in [*batch_sizes, len(rows)]:  # the last one takes any rows left over
        if at >= len(rows):
            break
        connection.executemany(sql, rows[at : at + size])
        connection.commit()
        at += size
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def verdict(ok: bool) -> str:
    return "✓" if ok else "✗"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="bench", choices=sorted(SCENARIOS))
    parser.add_argument("--days", type=float, default=0.4, help="serve the scenario's first DAYS (default: 0.4)")
    args = parser.parse_args()
    days = args.days
    world = load_scenario(args.scenario, start=START, seed=SEED)
    clock = ManualClock(START + timedelta(days=days))
    sandbox = RecordingSandbox(world, clock=clock, wall=lambda: clock.now().timestamp())
    for bucket in sandbox.limits.budgets():
        sandbox.limits.set(bucket, Budget(10_000_000, 60))  # measure our speed, not the window
    model = default_model()
    model.triage(["warming up the model before any timing"])
    for channel in available():
        connector_class(channel)  # import the client libraries (atproto's takes seconds) before timing
    with sandbox.in_thread() as base_url, tempfile.TemporaryDirectory() as folder:
        settings = bench_settings(Path(folder) / "pipeline", base_url)
        triager = RecordingTriager(model)
        ours = asyncio.run(run_pipeline(settings, playbook_for(settings), clock, triager))
        requests = list(sandbox.requests)
        fetch_seconds = asyncio.run(replay_requests(base_url, requests))
        predict_seconds = predict(model, triager.batches)
        columns, rows = stored_rows(Path(folder) / "pipeline" / "socialcx.db")
        insert_seconds = bare_insert(Path(folder) / "bare.db", columns, rows, [len(batch) for batch in triager.batches])
    ceiling = CeilingRun(fetch_seconds, predict_seconds, insert_seconds)
    our_rate, ceiling_rate = ours.mentions / ours.seconds, ours.mentions / ceiling.seconds
    ratio = our_rate / ceiling_rate
    texts = sum(len(batch) for batch in triager.batches)
    print(f"scenario {args.scenario}, first {days:g} days: {ours.mentions:,} mentions stored, triaged and routed "
          f"in {ours.passes} passes; {len(requests):,} requests, {texts:,} texts triaged")
    print(f"  ours:    {our_rate:>8,.0f} mentions/s  {ours.seconds:6.1f} s  "
          f"(poll+ingest+triage {ours.poll_seconds:.1f} s, route {ours.route_seconds:.1f} s)")
    print(f"  ceiling: {ceiling_rate:>8,.0f} mentions/s  {ceiling.seconds:6.1f} s  "
          f"(aiohttp replay {ceiling.fetch_seconds:.1f} s, triage {ceiling.predict_seconds:.1f} s, "
          f"executemany {ceiling.insert_seconds:.1f} s)")
    print(f"  ratio ours/ceiling: {ratio:.2f}")
    print(f"  target >= {TARGET_RATE:,} mentions/s: {verdict(our_rate >= TARGET_RATE)}   "
          f"target ratio >= {TARGET_RATIO}: {verdict(ratio >= TARGET_RATIO)}")
    return 0 if our_rate >= TARGET_RATE and ratio >= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
