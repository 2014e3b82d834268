"""The web workspace's inbox page with 100,000 mentions stored: every mention an inbox item (a
third still waiting, the rest replied, resolved or ignored; 1 % of them relabelled by agents), in
a fresh SQLite file. Times are the server's: each request runs in this process through aiohttp's
test server, timed by a middleware around the handler (session, sign-in, query and rendering
included; the network is not). The median and the 90th percentile of the repeats are printed,
and the median CPU time of this process per request: on a busy machine the wall time waits for
the cores, the CPU time does not.

    python bench/web.py [--mentions 100000] [--repeats 30]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from socialcx import ManualClock, connect
from socialcx.config import Settings
from socialcx.web import make_app
from socialcx.web.users import add_user

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
CHANNELS = ("x", "reddit", "mastodon", "bluesky", "hackernews", "rss")
INTENTS = ("order_status", "shipping_delay", "return_refund", "billing_problem", "praise", "service_complaint", "spam")
PRIORITIES = ("critical", "high", "normal", "low")
STATUSES = ("open", "claimed", "escalated", "replied", "resolved", "resolved", "ignored", "resolved", "replied")
PAGES = {
    "inbox (waiting, all)": "/inbox",
    "inbox ?channel=x": "/inbox?channel=x",
    "inbox ?intent=billing_problem": "/inbox?intent=billing_problem",
    "inbox ?priority=critical": "/inbox?priority=critical",
    "inbox ?assignee=agent3": "/inbox?assignee=agent3",
    "inbox ?status=resolved, page 20": "/inbox?status=resolved&page=20",
    "item page": "/inbox/{item}",
}


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _fill(path: Path, count: int) -> None:
    """`count` mentions with triage and an inbox item each, straight through sqlite3 (fast)."""
    connect(f"sqlite:///{path}").dispose()  # the schema, by the real migrations
    rng = random.Random(0)
    mentions, triage, items, feedback = [], [], [], []
    for n in range(1, count + 1):
        posted = NOW - timedelta(seconds=(count - n) * 20)
        at = _stamp(posted)
        intent = rng.choice(INTENTS)
        status = rng.choice(STATUSES)
        mentions.append((n, rng.choice(CHANNELS), str(n), "acme", f"user{n % 5000}", rng.randrange(10_000), f"post {n} about acme", at, at, f"c{n // 3}", "{}"))
        triage.append((n, intent, rng.random(), False, rng.choice(("negative", "neutral", "positive")), 0.0, "normal", "en", "[]", False, "bench@1"))
        claimed = f"agent{rng.randrange(10)}" if status != "open" else None
        items.append((n, rng.choice(PRIORITIES), status, claimed, "needs a human", at, _stamp(posted + timedelta(hours=rng.choice((1, 4, 8, 24))))))
        if n % 100 == 0:
            feedback.append((n, "intent", intent, rng.choice(INTENTS), "maya", at))
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO mention (id, channel, external_id, watch, author_handle, author_followers, text, created_at, fetched_at,"
            " conversation_id, raw) VALUES (?,?,?,?,?,?,?,?,?,?,?)", mentions,
        )
        db.executemany(
            "INSERT INTO triage (mention_id, intent, confidence, abstained, sentiment, sentiment_score, urgency, language, risks,"
            " routine, model_version) VALUES (?,?,?,?,?,?,?,?,?,?,?)", triage,
        )
        db.executemany(
            "INSERT INTO inbox_item (mention_id, priority, status, claimed_by, reason, created_at, due_at) VALUES (?,?,?,?,?,?,?)", items,
        )
        db.executemany("INSERT INTO feedback (mention_id, field, old, new, agent, at) VALUES (?,?,?,?,?,?)", feedback)
        db.execute("ANALYZE")


async def _measure(path: Path, repeats: int) -> dict[str, list[tuple[float, float]]]:
    settings = Settings(data_dir=path.parent, database_url=f"sqlite:///{path}")
    engine = connect(settings.database)
    clock = ManualClock(NOW)
    with engine.begin() as connection:
        add_user(connection, "maya", role="agent", password="bench password", now=NOW)
    timings: dict[str, list[tuple[float, float]]] = {}
    current: list[str] = []

    @web.middleware
    async def timed(request: web.Request, handler: object) -> web.StreamResponse:
        began, cpu = time.perf_counter(), time.process_time()
        try:
            return await handler(request)  # type: ignore[operator]
        finally:
            if current:
                timings.setdefault(current[0], []).append((time.perf_counter() - began, time.process_time() - cpu))

    app = make_app(settings, engine, clock)
    app.middlewares.insert(0, timed)
    async with TestClient(TestServer(app)) as client:
        token = re.search(r'name="csrf" value="([^"]+)"', await (await client.get("/login")).text()).group(1)  # type: ignore[union-attr]
        await client.post("/login", data={"csrf": token, "name": "maya", "password": "bench password"})
        first = re.search(r'href="/inbox/(\d+)"', await (await client.get("/inbox")).text()).group(1)  # type: ignore[union-attr]
        for name, url in PAGES.items():
            current[:] = [name]
            for _ in range(repeats):
                response = await client.get(url.format(item=first))
                assert response.status == 200, (url, response.status)
                await response.read()
    engine.dispose()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        began = time.perf_counter()
        _fill(path, args.mentions)
        print(f"{args.mentions:,} mentions, each an inbox item, written in {time.perf_counter() - began:.0f} s")
        for name, runs in asyncio.run(_measure(path, args.repeats)).items():
            wall = sorted(run[0] for run in runs)
            cpu = statistics.median(run[1] for run in runs)
            print(
                f"  {name:<36} median {statistics.median(wall) * 1000:6.1f} ms   p90 {wall[int(len(wall) * 0.9) - 1] * 1000:6.1f} ms"
                f"   (CPU median {cpu * 1000:6.1f} ms)"
            )


if __name__ == "__main__":
    main()
