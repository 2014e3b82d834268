"""Mention counts per bucket for every series the spike detector watches.

A series is a watch, a channel (or `all` channels) and a slice: `all` mentions, those that need a
`human` (not routine), `negative` ones, and one per `intent:<name>`. Ingest adds each new mention
to its series in the same transaction, so the counts never disagree with the mentions; mentions
stored before counting existed, or after the bucket size changed, are counted by `rebuild_counts`.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from socialcx.store import Mention, MentionTriage, SpikeCount, dialect_insert

__all__ = [
    "ALL",
    "DEFAULT_BUCKET",
    "CountKey",
    "SeriesKey",
    "add_counts",
    "bucket_start",
    "count_mentions",
    "mention_rows",
    "rebuild_counts",
    "slices_of",
]

DEFAULT_BUCKET = timedelta(minutes=5)
ALL = "all"  # the channel of the all-channels series, and the slice of all mentions
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_READ_CHUNK = 20_000


@dataclass(frozen=True, slots=True, order=True)
class SeriesKey:
    """One series of counts: `acme` on `x`, slice `negative`."""

    watch: str
    channel: str
    slice: str

    def label(self) -> str:
        where = "all channels" if self.channel == ALL else self.channel
        return f"{self.watch} · {where} · {self.slice}"


CountKey = tuple[SeriesKey, datetime]  # a series and a bucket start


def bucket_start(moment: datetime, bucket: timedelta) -> datetime:
    """The start of the bucket holding `moment`: buckets are aligned on the Unix epoch in UTC."""
    seconds = int(bucket.total_seconds())
    offset = int((moment - _EPOCH).total_seconds()) // seconds * seconds
    return _EPOCH + timedelta(seconds=offset)


def slices_of(intent: str | None, routine: bool | None, sentiment: str | None) -> list[str]:
    """The slices a mention counts in, from its triage (only `all` for an untriaged mention)."""
    slices = [ALL]
    if intent is None:
        return slices
    if not routine:
        slices.append("human")
    if sentiment == "negative":
        slices.append("negative")
    slices.append(f"intent:{intent}")
    return slices


def count_mentions(
    rows: Iterable[tuple[str, str, datetime, str | None, bool | None, str | None]], bucket: timedelta
) -> Counter[CountKey]:
    """Counts per series and bucket of (watch, channel, created_at, intent, routine, sentiment) rows.

    Rows are tallied by what decides their series first, and series keys are built once per
    series, because ingest counts every batch inside its write transaction."""
    tally: Counter[tuple[str, str, datetime, tuple[str, ...]]] = Counter()
    for watch, channel, created_at, intent, routine, sentiment in rows:
        tally[watch, channel, bucket_start(created_at, bucket), _slices(intent, routine, sentiment)] += 1
    counts: Counter[CountKey] = Counter()
    for (watch, channel, start, slices), number in tally.items():
        for slice_ in slices:
            counts[_series(watch, channel, slice_), start] += number
            counts[_series(watch, ALL, slice_), start] += number
    return counts


@functools.cache
def _slices(intent: str | None, routine: bool | None, sentiment: str | None) -> tuple[str, ...]:
    return tuple(slices_of(intent, routine, sentiment))


_series = functools.cache(SeriesKey)  # series keys are immutable, so one object serves every count


def add_counts(connection: Connection, counts: Counter[CountKey]) -> None:
    """Add counts to the stored ones (an upsert, so concurrent ingests add up rather than clash)."""
    if not counts:
        return
    table = SpikeCount.__table__
    statement = dialect_insert(connection, SpikeCount)
    upsert = statement.on_conflict_do_update(
        index_elements=["watch", "channel", "slice", "bucket_start"],
        set_={"count": table.c.count + statement.excluded.count},
    )
    connection.execute(
        upsert,
        [
            {"watch": key.watch, "channel": key.channel, "slice": key.slice, "bucket_start": start, "count": count}
            for (key, start), count in sorted(counts.items(), key=_storage_order)
        ],
    )


def _storage_order(item: tuple[CountKey, int]) -> tuple[str, str, str, datetime]:
    """The order counts are written in (the order of `SeriesKey`, then time), so concurrent
    upserts take their row locks in one order; a plain tuple compares much faster."""
    (key, start), _ = item
    return key.watch, key.channel, key.slice, start


def rebuild_counts(engine: Engine, bucket: timedelta, *, since: datetime | None = None) -> int:
    """Count stored mentions again (those created at or after the start of `since`'s bucket, or all),
    replacing the stored counts for that period; returns the number of mentions counted."""
    start = bucket_start(since, bucket) if since is not None else None
    table = SpikeCount.__table__
    counted = 0
    with engine.begin() as connection:
        delete = sa.delete(table)
        connection.execute(delete if start is None else delete.where(table.c.bucket_start >= start))
        for rows in mention_rows(connection, start):
            counted += len(rows)
            add_counts(connection, count_mentions(rows, bucket))
    return counted


def mention_rows(connection: Connection, since: datetime | None) -> Iterator[list[tuple]]:
    """Stored mentions as (watch, channel, created_at, intent, routine, sentiment), in chunks."""
    mention, triage = Mention.__table__, MentionTriage.__table__
    query = (
        sa.select(mention.c.id, mention.c.watch, mention.c.channel, mention.c.created_at, triage.c.intent, triage.c.routine, triage.c.sentiment)
        .select_from(mention.outerjoin(triage, triage.c.mention_id == mention.c.id))
        .order_by(mention.c.id)
        .limit(_READ_CHUNK)
    )
    if since is not None:
        query = query.where(mention.c.created_at >= since)
    after = 0
    while rows := connection.execute(query.where(mention.c.id > after)).all():
        after = rows[-1].id
        yield [tuple(row)[1:] for row in rows]
