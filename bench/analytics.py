"""Loading a large store into pandas: `analytics.mentions` and `analytics.volume` on 1,000,000
mentions (with triage, 1 % corrected by agents) in a fresh SQLite file. The ceiling, timed in the
same run, is a bare sqlite3 cursor fetching the same mention and triage columns as Python tuples
(no corrections, no DataFrame, no typing): no loader can be faster than reading its rows.
Times are wall clock and this process's CPU (steadier on a busy machine).

    python bench/analytics.py [--mentions 1000000]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import tempfile
import time
from collections.abc import Callable, Sized
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from socialcx.ops import analytics
from socialcx.store import connect

START = datetime(2026, 11, 1, tzinfo=UTC)
CHANNELS = ("x", "reddit", "mastodon", "bluesky", "hackernews", "rss")
INTENTS = ("order_status", "shipping_delay", "return_refund", "billing_problem", "praise", "complaint", "spam")
CORRECTED = 100  # one mention in this many relabelled by an agent, some of them twice
CEILING = (
    "SELECT m.id, m.channel, m.watch, m.external_id, m.author_handle, m.author_followers, m.text, m.url, m.created_at,"
    " m.fetched_at, coalesce(m.language, t.language), t.intent, t.confidence, t.abstained, t.sentiment, t.sentiment_score,"
    " t.urgency, t.risks, t.routine, t.model_version FROM mention m LEFT JOIN triage t ON t.mention_id = m.id"
)


def _fill(path: Path, count: int) -> None:
    """Write `count` mentions, each with a triage row, and agents' corrections of some, straight
    through sqlite3 (fast)."""
    connect(f"sqlite:///{path}").dispose()  # the schema, by the real migrations
    rng = random.Random(0)
    rows, triage, feedback = [], [], []
    for n in range(1, count + 1):
        at = (START + timedelta(seconds=n * 2)).replace(tzinfo=None).isoformat(" ", "microseconds")
        intent = rng.choice(INTENTS)
        rows.append((n, rng.choice(CHANNELS), str(n), "acme", f"user{n % 5000}", rng.randrange(10_000), f"post {n} about acme", at, at, "{}"))
        triage.append((n, intent, rng.random(), False, "neutral", 0.0, "normal", "en", "[]", True, "bench@1"))
        if n % CORRECTED == 0:
            for _ in range(rng.choice((1, 2))):
                correction = rng.choice(INTENTS)
                feedback.append((n, "intent", intent, correction, "maya", at))
                intent = correction
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO mention (id, channel, external_id, watch, author_handle, author_followers, text, created_at, fetched_at, raw)"
            " VALUES (?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
        db.executemany(
            "INSERT INTO triage (mention_id, intent, confidence, abstained, sentiment, sentiment_score, urgency, language, risks,"
            " routine, model_version) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            triage,
        )
        db.executemany("INSERT INTO feedback (mention_id, field, old, new, agent, at) VALUES (?,?,?,?,?,?)", feedback)


def _timed(what: str, run: Callable[[], Sized]) -> float:
    """Run `run`, print its wall and CPU time, and return the wall time."""
    began, cpu = time.perf_counter(), time.process_time()
    result = run()
    seconds = time.perf_counter() - began
    print(f"  {what:<56} {seconds:6.1f} s  (CPU {time.process_time() - cpu:5.1f} s, {len(result):,} rows)")
    return seconds


def _ceiling(path: Path) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(path)) as db:
        return db.execute(CEILING).fetchall()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        began = time.perf_counter()
        _fill(path, args.mentions)
        print(f"{args.mentions:,} mentions with triage written in {time.perf_counter() - began:.0f} s")
        engine = analytics.connect(f"sqlite:///{path}")
        ceiling = _timed("ceiling: sqlite3 cursor, mention + triage columns", lambda: _ceiling(path))
        ours = _timed("analytics.mentions (corrections joined, typed, UTC)", lambda: analytics.mentions(engine))
        _timed("analytics.volume(freq='1h', by=['channel'])", lambda: analytics.volume(engine, freq="1h", by=["channel"]))
        _timed("analytics.volume(freq='1h', by=['intent'])", lambda: analytics.volume(engine, freq="1h", by=["intent"]))
        print(f"ratio mentions/ceiling: {ours / ceiling:.2f} (lower is better; 1 is the ceiling)")


if __name__ == "__main__":
    main()
