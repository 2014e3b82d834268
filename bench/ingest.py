"""Ingest throughput against a bare `executemany`, on fresh SQLite files.

Ingests 100,000 synthetic mentions in batches of 500 through `socialcx.collect.ingest` (validation,
normalization, dedupe, dead-letter check, cursor, one transaction per batch), then inserts the
same rows with sqlite3's `executemany` into an equivalent table (same columns, same unique
index, same pragmas, one commit per batch). The two alternate, each into a fresh file, and the
best of `--runs` runs of each counts, because disk and CPU noise on a shared machine is larger
than the difference measured. Target: ingest >= 0.5 x the bare rate.

    python bench/ingest.py [--mentions 100000] [--batch 500] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.schema import CreateIndex, CreateTable

from socialcx import Batch, Channel, ManualClock, Mention, connect, ingest
from socialcx.store import Mention as StoredMention

TARGET = 0.5
_WORDS = "order refund where is my package late charged twice love the new app broken login help".split()


def synthetic_mentions(count: int, seed: int = 7) -> list[Mention]:
    """Tweet-like items in the shape connectors hand to ingest, with a platform-style raw payload."""
    rng = random.Random(seed)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    items = []
    for n in range(count):
        text = " ".join(rng.choices(_WORDS, k=rng.randint(5, 30))) + f" @acme #{rng.choice(_WORDS)} 🙃"
        created = start + timedelta(seconds=n * 3)
        author = f"user{rng.randint(1, 20_000)}"
        raw = {"id": str(10**15 + n), "text": text, "author_id": author, "created_at": created.isoformat()}
        items.append(
            Mention(
                external_id=raw["id"],
                text=text,
                created_at=created,
                author_id=author,
                author_handle=f"@{author}",
                author_followers=rng.randint(0, 50_000),
                url=f"https://x.com/{author}/status/{raw['id']}",
                language="en",
                conversation_id=raw["id"],
                raw=raw,
            )
        )
    return items


def run_ingest(path: Path, items: list[Mention], batch_size: int) -> float:
    engine = connect(f"sqlite:///{path}")
    clock = ManualClock(datetime(2026, 11, 25, tzinfo=UTC))
    started = time.perf_counter()
    for start in range(0, len(items), batch_size):
        chunk = items[start : start + batch_size]
        ingest(engine, Batch(Channel.X, "acme", chunk, cursor=chunk[-1].external_id), clock=clock)
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def run_bare(path: Path, items: list[Mention], batch_size: int) -> float:
    connection = sqlite3.connect(path)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=5000"):
        connection.execute(f"PRAGMA {pragma}")
    dialect = sqlite_dialect.dialect()
    connection.execute(str(CreateTable(StoredMention.__table__).compile(dialect=dialect)))
    for index in StoredMention.__table__.indexes:
        connection.execute(str(CreateIndex(index).compile(dialect=dialect)))
    columns = [c.name for c in StoredMention.__table__.columns if c.name != "id"]
    sql = f"INSERT INTO mention ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    fetched = datetime(2026, 11, 25).isoformat(sep=" ")
    started = time.perf_counter()
    for start in range(0, len(items), batch_size):
        rows = [
            (
                "x", item.external_id, "acme", item.author_id, item.author_handle, None,
                item.author_followers, item.text, item.url,
                item.created_at.replace(tzinfo=None).isoformat(sep=" "), fetched,
                item.language, None, item.conversation_id, json.dumps(item.raw),
            )
            for item in items[start : start + batch_size]
        ]
        connection.executemany(sql, rows)
        connection.commit()
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    items = synthetic_mentions(args.mentions)
    bare = ours = float("inf")
    with tempfile.TemporaryDirectory() as folder:
        for run in range(args.runs):
            bare = min(bare, run_bare(Path(folder) / f"bare{run}.db", items, args.batch))
            ours = min(ours, run_ingest(Path(folder) / f"ingest{run}.db", items, args.batch))
    bare_rate, our_rate = args.mentions / bare, args.mentions / ours
    ratio = our_rate / bare_rate
    print(f"mentions: {args.mentions:,} in batches of {args.batch}, best of {args.runs} runs each")
    print(f"bare executemany (baseline): {bare_rate:>10,.0f} mentions/s")
    print(f"socialcx.collect.ingest:             {our_rate:>10,.0f} mentions/s")
    print(f"ratio ingest/bare: {ratio:.2f}  (target >= {TARGET})  {'PASS' if ratio >= TARGET else 'FAIL'}")
    return 0 if ratio >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
