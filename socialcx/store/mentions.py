"""Finding and exporting stored mentions: the queries behind `socialcx mentions list|search|export`."""

from __future__ import annotations

import csv
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, TextIO

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from socialcx.channels import Channel
from socialcx.errors import UsageError
from socialcx.store import Mention, MentionTriage

__all__ = [
    "EXPORT_COLUMNS",
    "MAX_SEARCH_CHARS",
    "TRIAGE_COLUMNS",
    "MentionFilter",
    "find_mentions",
    "iter_mentions",
    "write_export",
    "write_parquet",
]

ExportFormat = Literal["csv", "jsonl"]

# The longest text searched for: far beyond any phrase worth looking for, and well inside SQLite's
# limit on a LIKE pattern (50,000 bytes, which escaping can double).
MAX_SEARCH_CHARS = 1_000

# The columns of an export, in order. `raw` stays out: it is the platform's payload, large and
# channel-specific; the store keeps it.
EXPORT_COLUMNS = (
    "channel",
    "external_id",
    "watch",
    "author_id",
    "author_handle",
    "author_name",
    "author_followers",
    "text",
    "url",
    "created_at",
    "fetched_at",
    "language",
    "in_reply_to_id",
    "conversation_id",
)
# Triage, joined when the mention has one (empty otherwise).
TRIAGE_COLUMNS = ("intent", "confidence", "abstained", "sentiment", "sentiment_score", "urgency", "risks", "routine")


@dataclass(frozen=True, slots=True)
class MentionFilter:
    """Which mentions to show: every field left at None matches everything."""

    channels: tuple[Channel, ...] = ()
    watches: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    text: str | None = None

    def __post_init__(self) -> None:
        if self.text is not None and len(self.text) > MAX_SEARCH_CHARS:
            raise UsageError(
                f"the search text is {len(self.text):,} characters long; search for at most {MAX_SEARCH_CHARS:,}"
            )

    def clauses(self) -> list[sa.ColumnElement[bool]]:
        table = Mention.__table__
        clauses = []
        if self.channels:
            clauses.append(table.c.channel.in_([channel.value for channel in self.channels]))
        if self.watches:
            clauses.append(table.c.watch.in_(self.watches))
        if self.since is not None:
            clauses.append(table.c.created_at >= self.since)
        if self.until is not None:
            clauses.append(table.c.created_at < self.until)
        if self.text:
            clauses.append(table.c.text.icontains(self.text, autoescape=True))
        return clauses


def find_mentions(engine: Engine, where: MentionFilter, *, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    """The newest mentions matching `where`, newest first, skipping the first `offset`."""
    return list(_select(engine, where, newest_first=True, limit=limit, offset=offset))


def iter_mentions(engine: Engine, where: MentionFilter) -> Iterator[dict[str, Any]]:
    """Every mention matching `where`, oldest first, streamed so exports of any size fit in memory."""
    return _select(engine, where, newest_first=False, limit=None)


def write_export(rows: Iterator[dict[str, Any]], fmt: ExportFormat, out: TextIO) -> int:
    """Write rows as CSV (with a header) or JSON Lines, times in ISO 8601 UTC; return the count."""
    count = 0
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS + TRIAGE_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({key: _flat(_plain(value)) for key, value in row.items()})
            count += 1
    else:
        for row in rows:
            out.write(json.dumps({key: _plain(value) for key, value in row.items()}, ensure_ascii=False))
            out.write("\n")
            count += 1
    return count


_PARQUET_CHUNK = 50_000
_TIMES = ("created_at", "fetched_at")
_NUMBERS = {"author_followers": "int64", "confidence": "float64", "sentiment_score": "float64"}
_FLAGS = ("abstained", "routine")


def write_parquet(rows: Iterator[dict[str, Any]], path: Path) -> int:
    """Write rows to a Parquet file with typed columns (UTC timestamps, numbers, booleans, the
    risk flags as a list), in row groups of 50,000 so a large export never sits in memory whole;
    return the count."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    fields = []
    for name in EXPORT_COLUMNS + TRIAGE_COLUMNS:
        if name in _TIMES:
            kind = pa.timestamp("us", tz="UTC")
        elif name in _NUMBERS:
            kind = pa.int64() if _NUMBERS[name] == "int64" else pa.float64()
        elif name in _FLAGS:
            kind = pa.bool_()
        elif name == "risks":
            kind = pa.list_(pa.string())
        else:
            kind = pa.string()
        fields.append(pa.field(name, kind))
    schema = pa.schema(fields)
    count = 0
    with pq.ParquetWriter(path, schema) as writer:
        while chunk := list(itertools.islice(rows, _PARQUET_CHUNK)):
            writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
            count += len(chunk)
    return count


def _select(
    engine: Engine, where: MentionFilter, *, newest_first: bool, limit: int | None, offset: int = 0
) -> Iterator[dict[str, Any]]:
    table, triage = Mention.__table__, MentionTriage.__table__
    order = (table.c.created_at.desc(), table.c.id.desc()) if newest_first else (table.c.created_at, table.c.id)
    # The platform's language when it says; else the one triage detected.
    language = sa.func.coalesce(table.c.language, triage.c.language).label("language")
    columns = [language if name == "language" else table.c[name] for name in EXPORT_COLUMNS]
    columns += [triage.c[name] for name in TRIAGE_COLUMNS]
    query = (
        sa.select(*columns)
        .select_from(table.outerjoin(triage, triage.c.mention_id == table.c.id))
        .where(*where.clauses())
        .order_by(*order)
    )
    if limit is not None:
        query = query.limit(limit).offset(offset)
    with engine.connect() as connection:
        result = connection.execution_options(yield_per=1000).execute(query)
        for row in result.mappings():
            yield dict(row)


def _flat(value: Any) -> Any:
    """CSV cells hold one value: a list of risk flags becomes `legal_threat;safety`."""
    return ";".join(value) if isinstance(value, list) else value


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return value
