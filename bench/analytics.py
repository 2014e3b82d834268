"""Loading a large store into pandas: `analytics.mentions` and `analytics.volume` on 1,000,000
mentions (with triage) in a fresh SQLite file, beside a bare `pd.read_sql` of the same mention
columns in the same run (no join, no typing) as the baseline.

    python bench/analytics.py [--mentions 1000000]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd

from socialcx import analytics
from socialcx.store import connect

START = datetime(2026, 11, 1, tzinfo=UTC)
CHANNELS = ("x", "reddit", "mastodon", "bluesky", "hackernews", "rss")
INTENTS = ("order_status", "shipping_delay", "return_refund", "billing_problem", "praise", "complaint", "spam")


def _fill(path: Path, count: int) -> None:
    """Write `count` mentions, each with a triage row, straight through sqlite3 (fast)."""
    connect(f"sqlite:///{path}").dispose()  # the schema, by the real migrations
    rng = random.Random(0)
    rows, triage = [], []
    for n in range(1, count + 1):
        at = (START + timedelta(seconds=n * 2)).replace(tzinfo=None).isoformat(" ", "microseconds")
        rows.append((n, rng.choice(CHANNELS), str(n), "acme", f"user{n % 5000}", rng.randrange(10_000), f"post {n} about acme", at, at, "{}"))
        triage.append((n, rng.choice(INTENTS), rng.random(), False, "neutral", 0.0, "normal", "en", "[]", True, "bench@1"))
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


def _timed(what: str, run) -> float:
    began = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - began
    print(f"  {what:<52} {seconds:6.1f} s  ({len(result):,} rows)")
    return seconds


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
        bare = _timed(
            "baseline: pd.read_sql of the mention columns",
            lambda: pd.read_sql("SELECT id, channel, watch, external_id, author_handle, author_followers, text, url,"
                                " created_at, fetched_at, language FROM mention", engine),
        )
        ours = _timed("analytics.mentions (triage joined, typed, UTC)", lambda: analytics.mentions(engine))
        _timed("analytics.volume(freq='1h', by=['channel'])", lambda: analytics.volume(engine, freq="1h", by=["channel"]))
        print(f"ratio mentions/baseline: {ours / bare:.2f} (lower is better)")


if __name__ == "__main__":
    main()
