"""Ingest: the one way mentions enter the store.

A connector hands over a `Batch` (`socialcx.mention`): the mentions it fetched and the cursor
to keep once they are safe. `ingest` normalizes each item, stores the new ones, files what it
cannot understand as dead letters, and moves the cursor with the last of them. Running the same
batch twice changes nothing; a failure half-way leaves the cursor where it was, so the next poll
fetches the batch again and stores what is missing.

A dead letter that names its post is not final: `retry_dead_letters` looks it up again by id on
later polls, up to `DEAD_LETTER_ATTEMPTS` times with growing waits, and ingests it like any other
mention once it reads; after that, a person is shown it with the reason.

    >>> report = ingest(engine, Batch(Channel.X, "acme", items, cursor="1890"), clock=clock)
    >>> report.new, len(report.duplicates), report.dead_letters
    (48, 2, 0)
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import hashlib
import json
import operator
import re
import unicodedata
from collections import Counter
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from socialcx.channels import Channel
from socialcx.clock import Clock
from socialcx.errors import IngestError
from socialcx.mention import Batch, Mention, Rejected
from socialcx.spikes.counts import DEFAULT_BUCKET as DEFAULT_SPIKE_BUCKET
from socialcx.spikes.counts import CountKey, add_counts, count_mentions
from socialcx.store import Cursor, DeadLetter, MentionTriage, database_reason, dialect_insert
from socialcx.store import Mention as StoredMention

__all__ = [
    "DEAD_LETTER_ATTEMPTS",
    "DEFAULT_MAX_TEXT_CHARS",
    "IngestReport",
    "RetryReport",
    "Triager",
    "ingest",
    "load_cursor",
    "normalize_text",
    "retry_dead_letters",
]

DEFAULT_MAX_TEXT_CHARS = 10_000
# Mentions written per transaction: a poll can bring 10,000, and one transaction that size holds
# SQLite's single write lock for seconds under load, past other writers' busy timeout.
_CHUNK = 1_000
_INGEST_LOCK = 7201964  # PostgreSQL advisory lock space of ingest (store.upgrade uses 7201963)
_SHORT = 255  # the width of the store's short text columns (ids, handles, names)
DEAD_LETTER_ATTEMPTS = 5  # look-ups of a dead letter's post before a person is asked to look
# The first look-up comes with the next poll; after a failed one the wait is 1 minute, then 4,
# 16 and 64: a post the platform served broken for a moment reads again within minutes, and one
# broken for good reaches a person within about an hour and a half.
_FIRST_WAIT = timedelta(minutes=1)
_WAIT_GROWTH = 4

# Characters that carry no meaning for reading or searching: C0/C1 controls (except tab and
# newline), zero-width and invisible format characters, and bidirectional overrides, which are
# also used to disguise text. Lone surrogates (from broken JSON escapes) cannot be stored as
# UTF-8 and become U+FFFD.
_INVISIBLE = (
    [c for c in range(0x20) if c not in (0x09, 0x0A)]
    + list(range(0x7F, 0xA0))
    + [0x00AD, 0x180E, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF]
    + list(range(0x202A, 0x202F))
    + list(range(0x2066, 0x206A))
)
_CLEAN = {code: None for code in _INVISIBLE} | {0x0D: "\n"} | dict.fromkeys(range(0xD800, 0xE000), "\ufffd")
_NEEDS_CLEANING = re.compile("[" + "".join(re.escape(chr(code)) for code in sorted(_CLEAN)) + "]")


def normalize_text(text: str, max_chars: int | None = None) -> str:
    """Text fit to store and search: invisible characters removed, Unicode NFC, trimmed, capped.

    Cutting keeps the first `max_chars - 1` characters and adds an ellipsis; the caller keeps the
    original in the raw payload. Normalizing twice gives the same text as normalizing once.
    """
    if _NEEDS_CLEANING.search(text):
        text = text.replace("\r\n", "\n").translate(_CLEAN)
    if not text.isascii():  # ASCII is always NFC; skip the normalizer for most posts
        text = unicodedata.normalize("NFC", text)
    cleaned = text.strip()
    if max_chars is not None and len(cleaned) > max_chars:
        cleaned = cleaned[: max_chars - 1].rstrip() + "…"
    return cleaned


@dataclass(frozen=True, slots=True)

class IngestReport:
    """What a batch did to the store."""

    channel: Channel
    watch: str
    new: int
    duplicates: tuple[str, ...]
    dead_letters: int
    cursor_advanced: bool


class _MentionIn(BaseModel):
    """The fields a connector supplies; anything that fails here is dead-lettered with the reason."""

    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True)

    external_id: str = Field(min_length=1, max_length=_SHORT)
    text: str
    created_at: datetime
    author_id: str | None = None
    author_handle: str | None = None
    author_name: str | None = None
    author_followers: int | None = Field(default=None, ge=0)
    url: str | None = None
    language: str | None = None
    in_reply_to_id: str | None = None
    conversation_id: str | None = None
    raw: Any = None


class Triager(Protocol):
    """Anything that triages texts, in order (a `socialcx.triage.TriageModel`); `version` is
    stored with each result."""

    version: str

    def triage(self, texts: Sequence[str]) -> Sequence[Any]: ...


def ingest(
    engine: Engine,
    batch: Batch,
    *,
    clock: Clock,
    max_text_chars: int = DEFAULT_MAX_TEXT_CHARS,
    triage: Triager | None = None,
    spike_bucket: timedelta = DEFAULT_SPIKE_BUCKET,
) -> IngestReport:
    """Store a batch and its cursor, and report what was new.

    Mentions are written in transactions of up to 1,000; dead letters and the cursor go with the
    last, so the cursor never passes a mention that is not stored. With `triage`, the mentions not
    stored yet are triaged (outside the transaction) and each new one is stored with its triage,
    so no mention is ever stored untriaged and none is triaged twice. Each new mention is added to
    the spike counts of its series (`socialcx.spikes.counts`), in buckets of `spike_bucket`.
    Raises `IngestError` when the database refuses the batch; then the transaction in progress
    is rolled back and the cursor stays where it was, so the next poll fetches the same items
    again and stores only those still missing.
    """
    now = clock.now()
    rows: list[dict[str, Any]] = []
    dead: list[dict[str, Any]] = []
    seen: set[str] = set()
    in_batch_duplicates: list[str] = []
    for item in batch.items:
        row, reason = _to_row(item, max_text_chars)
        if row is None:
            dead.append(_dead_letter(batch, item, reason, now))
        elif row["external_id"] in seen:
            in_batch_duplicates.append(row["external_id"])
        else:
            seen.add(row["external_id"])
            rows.append(row)
    chunks = [rows[start : start + _CHUNK] for start in range(0, len(rows), _CHUNK)] or [[]]
    inserted: set[str] = set()
    try:
        for number, chunk in enumerate(chunks, 1):
            triaged = {}
            if triage is not None and chunk:
                # Stored mentions are left out before the model sees them. This read takes no lock;
                # one a concurrent ingest stores meanwhile is triaged for nothing, never stored twice.
                with engine.connect() as connection:
                    stored = _stored_ids(connection, batch.channel, [row["external_id"] for row in chunk])
                chunk = [row for row in chunk if row["external_id"] not in stored]
                results = triage.triage([row["text"] for row in chunk]) if chunk else ()
                triaged = dict(zip((row["external_id"] for row in chunk), results))
            with engine.begin() as connection:
                _lock_channel(connection, batch.channel)
                new = _insert_new(connection, batch, now, chunk)
                if triaged and new:
                    results = {external_id: triaged[external_id] for external_id in new}
                    _store_new_triage(connection, batch, results, triage.version, now)
                add_counts(connection, _counts(batch, chunk, new, triaged, spike_bucket))
                if number == len(chunks):
                    if dead:
                        connection.execute(
                            dialect_insert(connection, DeadLetter).on_conflict_do_nothing(
                                index_elements=["channel", "fingerprint"]
                            ),
                            dead,
                        )
                    advanced = batch.cursor is not None and _save_cursor(connection, batch, now)
            inserted |= new
    except SQLAlchemyError as exc:
        kept = f" beyond its first {(number - 1) * _CHUNK} mentions" if number > 1 else ""
        raise IngestError(
            f"batch of {len(batch.items)} items from {batch.channel}/{batch.watch} was not stored{kept} "
            f"({database_reason(exc)}); the cursor was not advanced"
        ) from exc
    duplicates = [row["external_id"] for row in rows if row["external_id"] not in inserted]
    return IngestReport(
        channel=batch.channel,
        watch=batch.watch,
        new=len(inserted),
        duplicates=tuple(duplicates + in_batch_duplicates),
        dead_letters=len(dead),
        cursor_advanced=advanced,
    )


def load_cursor(engine: Engine, channel: Channel, watch: str) -> str | None:
    """The stored cursor of a watch on a channel, or None before its first batch."""
    with engine.connect() as connection:
        return connection.execute(
            sa.select(Cursor.value).where(Cursor.channel == channel.value, Cursor.watch == watch)
        ).scalar_one_or_none()


Fetch = Callable[[Sequence[str]], Awaitable[Batch]]


@dataclass(frozen=True, slots=True)
class RetryReport:
    """What one round of dead-letter look-ups did."""

    asked: int = 0  # posts looked up again, in one request
    new: int = 0  # mentions stored by the look-ups
    recovered: int = 0  # dead letters whose post is stored now
    unreadable: int = 0  # dead letters handed to a person in this round


async def retry_dead_letters(
    engine: Engine,
    channel: Channel,
    watch: str,
    fetch: Fetch | None,
    *,
    limit: int,
    clock: Clock,
    max_text_chars: int = DEFAULT_MAX_TEXT_CHARS,
    triage: Triager | None = None,
    spike_bucket: timedelta = DEFAULT_SPIKE_BUCKET,
) -> RetryReport:
    """Look up again, in one call of `fetch`, the posts of up to `limit` of this watch's dead
    letters that are due, and ingest those that read now like any mention (triaged, counted, later
    routed; no cursor moves).

    A dead letter whose post was stored meanwhile (another stream brought it whole) is recovered
    without a look-up. One still unreadable, or no longer served, waits 1, 4, 16, then 64 minutes;
    after `DEAD_LETTER_ATTEMPTS` look-ups it is unreadable, for a person to see. Without `fetch`
    (a channel that cannot look posts up) each due one is unreadable at once. A failing `fetch`
    raises and leaves the dead letters as they were, due again on the next poll.
    """
    now = clock.now()
    letters, recovered = await asyncio.to_thread(_due_letters, engine, channel, watch, now, limit)
    if not letters:
        return RetryReport(recovered=recovered)
    if fetch is None:
        cannot = f"{channel} cannot look a post up again"
        unreadable = await asyncio.to_thread(_settle, engine, letters, dict.fromkeys(letters, cannot), now, final=True)
        return RetryReport(recovered=recovered, unreadable=unreadable)
    batch = await fetch(list(letters))
    outcome: dict[str, str | None] = dict.fromkeys(letters, f"{channel} no longer serves this post (deleted, or hidden from us)")
    readable = []
    for item in batch.items:
        row, reason = _to_row(item, max_text_chars)
        if row is not None:
            readable.append(item)
            outcome[row["external_id"]] = None
        elif (external_id := _post_id(item)) in letters and outcome[external_id] is not None:
            outcome[external_id] = reason
    report = await asyncio.to_thread(
        ingest, engine, Batch(channel, watch, readable), clock=clock,
        max_text_chars=max_text_chars, triage=triage, spike_bucket=spike_bucket,
    )
    unreadable = await asyncio.to_thread(_settle, engine, letters, outcome, now)
    read = sum(len(ids) for external_id, ids in letters.items() if outcome[external_id] is None)
    return RetryReport(asked=len(letters), new=report.new, recovered=recovered + read, unreadable=unreadable)


def _due_letters(engine: Engine, channel: Channel, watch: str, now: datetime, limit: int) -> tuple[dict[str, list[int]], int]:
    """The dead letters of a watch due for a look-up, by post id (at most `limit` posts), and how
    many were recovered instead because their post is stored now."""
    table = DeadLetter.__table__
    with engine.begin() as connection:
        rows = connection.execute(
            sa.select(table.c.id, table.c.external_id)
            .where(
                table.c.channel == channel.value, table.c.watch == watch, table.c.state == "retrying",
                table.c.next_attempt_at <= now,
            )
            .order_by(table.c.next_attempt_at, table.c.id)
        ).all()
        letters: dict[str, list[int]] = {}
        for row in rows:
            letters.setdefault(row.external_id, []).append(row.id)
        stored = _stored_ids(connection, channel, list(letters)) if letters else set()
        done = [letter for external_id in stored for letter in letters.pop(external_id)]
        if done:
            connection.execute(sa.update(table).where(table.c.id.in_(done)).values(state="recovered", next_attempt_at=None))
    return dict(list(letters.items())[:limit]), len(done)


def _settle(
    engine: Engine, letters: dict[str, list[int]], outcome: Mapping[str, str | None], now: datetime, *, final: bool = False
) -> int:
    """Record a round of look-ups: a post that read (None) recovers its dead letters; one that did
    not counts an attempt with its reason and waits longer, or becomes unreadable when the attempts
    are spent. A `final` round makes each unreadable at once, its reason added to the first one.
    Returns how many became unreadable."""
    table = DeadLetter.__table__
    unreadable = 0
    with engine.begin() as connection:
        ids = [letter for letter_ids in letters.values() for letter in letter_ids]
        before = {row.id: row for row in connection.execute(sa.select(table.c.id, table.c.attempts, table.c.reason).where(table.c.id.in_(ids)))}
        for external_id, letter_ids in letters.items():
            reason = outcome[external_id]
            for letter in letter_ids:
                if reason is None:
                    values: dict[str, Any] = {"state": "recovered", "next_attempt_at": None}
                else:
                    made = before[letter].attempts + (0 if final else 1)
                    spent = final or made >= DEAD_LETTER_ATTEMPTS
                    unreadable += spent
                    values = {
                        "attempts": made, "state": "unreadable" if spent else "retrying",
                        "reason": _storable(f"{before[letter].reason}; {reason}" if final else reason),
                        "next_attempt_at": None if spent else now + _FIRST_WAIT * _WAIT_GROWTH ** (made - 1),
                    }
                connection.execute(sa.update(table).where(table.c.id == letter).values(**values))
    return unreadable


def _to_row(item: Mention | Rejected, max_text_chars: int) -> tuple[dict[str, Any] | None, str]:
    """The per-item column values of a mention, or None and the reason it cannot be stored."""
    if isinstance(item, Rejected):
        return None, item.reason
    if not isinstance(item, Mention):
        return None, f"expected a Mention or a Rejected, got {type(item).__name__}"
    fields = _fields(item)
    try:
        mention = _MentionIn.model_validate(fields)
    except ValidationError as exc:
        return None, _validation_reason(exc)
    created_at = mention.created_at
    if created_at.tzinfo is None:
        created_at = created_at.replace(tzinfo=UTC)  # platforms without an offset mean UTC
    external_id = normalize_text(mention.external_id)
    if not external_id:
        return None, "external_id: is blank once invisible characters are removed"
    try:
        raw = json.dumps(fields if mention.raw is None else mention.raw, allow_nan=False, default=_no_json)
    except (TypeError, ValueError) as exc:
        return None, f"raw: cannot be stored as JSON ({exc})"
    return {
        "external_id": external_id,
        "author_id": _short(mention.author_id),
        "author_handle": _short(mention.author_handle),
        "author_name": _short(mention.author_name),
        "author_followers": mention.author_followers,
        "text": normalize_text(mention.text, max_text_chars),
        "url": _short(mention.url, limit=None),
        "created_at": created_at,
        "language": _short(mention.language, limit=16),
        "in_reply_to_id": _short(mention.in_reply_to_id),
        "conversation_id": _short(mention.conversation_id),
        "raw": raw,
    }, ""


def _fields(mention: Mention) -> dict[str, Any]:
    """A mention's fields by name, as the connector set them (not copied, unlike `asdict`)."""
    return {field.name: getattr(mention, field.name) for field in dataclasses.fields(mention)}


def _short(value: str | None, *, limit: int | None = _SHORT) -> str | None:
    """A normalized short field, cut to its column width; blank becomes None."""
    if value is None:
        return None
    return normalize_text(value, limit) or None


def _no_json(value: Any) -> Any:
    """Datetimes a connector left in an item become ISO text; anything else is not JSON."""
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _validation_reason(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        field = ".".join(str(part) for part in error["loc"]) or "item"
        parts.append(f"{field}: {error['msg']}")
    return "; ".join(parts)


def _dead_letter(batch: Batch, item: Any, reason: str, now: datetime) -> dict[str, Any]:
    """A dead-letter row for an item; one naming its post is due for a look-up at once."""
    payload = item.payload if isinstance(item, Rejected) else _fields(item) if isinstance(item, Mention) else item
    text = payload if isinstance(payload, str) else json.dumps(payload, default=repr, ensure_ascii=False)
    text = _storable(text)
    external_id = _post_id(item)
    return {
        "channel": batch.channel.value,
        "watch": batch.watch,
        "fingerprint": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "payload": text,
        "reason": _storable(reason),
        "created_at": now,
        "external_id": external_id,
        "state": "retrying" if external_id else "unreadable",
        "attempts": 0,
        "next_attempt_at": now if external_id else None,
    }


def _post_id(item: Any) -> str | None:
    """The id of the post an unreadable item stands for, as ingest would store it, if it names one."""
    found = item.external_id if isinstance(item, Rejected | Mention) else None
    if isinstance(found, bool) or not isinstance(found, str | int):
        return None
    external_id = _storable(normalize_text(str(found)))
    return external_id if 0 < len(external_id) <= _SHORT else None


def _storable(text: str) -> str:
    """Any Python string as text every backend accepts (no NUL, no lone surrogates)."""
    return text.replace("\x00", "\\x00").encode("utf-8", "backslashreplace").decode("utf-8")


def _insert_new(
    connection: Connection, batch: Batch, now: datetime, rows: list[dict[str, Any]]
) -> set[str]:
    """Insert the rows not stored yet; return the external ids that were new.

    Called under `_lock_channel`, so what it finds stored and what it inserts agree while another
    ingest stores the same mentions. The rows go to the driver's `executemany` directly, with
    SQLAlchemy's own bind processors, because the generic statement path costs more than the
    insert itself at these volumes. ON CONFLICT stays the guarantee that a mention is stored once.
    """
    if not rows:
        return set()
    existing = _stored_ids(connection, batch.channel, [row["external_id"] for row in rows])
    fresh = [row for row in rows if row["external_id"] not in existing]
    if fresh:
        statement = _insert_statement(connection.dialect)
        shared = (batch.channel.value, batch.watch, statement.bind_time(now))
        values = []
        for row in fresh:
            value = list(statement.pick(row))
            for index, bind in statement.binders:
                value[index] = bind(value[index])
            values.append(shared + tuple(value))
        connection.exec_driver_sql(statement.sql, values)
    return {row["external_id"] for row in fresh}


def _lock_channel(connection: Connection, channel: Channel) -> None:
    """Make concurrent ingests into one channel take turns until this transaction ends; the first
    statement of the transaction."""
    if connection.dialect.name == "sqlite":
        # SQLite has one write lock; take it now rather than at the first INSERT, so the read of
        # what is stored happens under it (pysqlite adds no BEGIN of its own inside this one).
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.execute(
            sa.text("SELECT pg_advisory_xact_lock(:space, hashtext(:channel))"),
            {"space": _INGEST_LOCK, "channel": channel.value},
        )


def _stored_ids(connection: Connection, channel: Channel, external_ids: list[str]) -> set[str]:
    """Which of these external ids are stored on the channel."""
    table = StoredMention.__table__
    return set(
        connection.execute(
            sa.select(table.c.external_id).where(
                table.c.channel == channel.value, table.c.external_id.in_(external_ids)
            )
        ).scalars()
    )


@dataclass(frozen=True, slots=True)
class _InsertStatement:
    """A positional INSERT … ON CONFLICT DO NOTHING for mentions: the batch's shared values
    (channel, watch, fetched_at) first, then each row's values in `pick` order, with the bind
    processors SQLAlchemy would apply, by position."""

    sql: str
    pick: Callable[[dict[str, Any]], tuple[Any, ...]]
    binders: list[tuple[int, Callable[[Any], Any]]]
    bind_time: Callable[[datetime], Any]


_SHARED_COLUMNS = ("channel", "watch", "fetched_at")


@functools.cache
def _insert_statement(dialect: sa.Dialect) -> _InsertStatement:
    table = StoredMention.__table__
    per_row = [c for c in table.columns if c.name not in (*_SHARED_COLUMNS, "id")]
    names = [*_SHARED_COLUMNS, *(column.name for column in per_row)]
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join(mark for _ in names)}) "
        "ON CONFLICT (channel, external_id) DO NOTHING"
    )

    def processor(column: sa.Column[Any]) -> Callable[[Any], Any] | None:
        return column.type.dialect_impl(dialect).bind_processor(dialect)

    binders = [
        (index, process)
        for index, column in enumerate(per_row)
        if column.name != "raw"  # serialized per item by _to_row, so a bad payload is dead-lettered
        and (process := processor(column)) is not None
    ]
    return _InsertStatement(
        sql=sql,
        pick=operator.itemgetter(*(column.name for column in per_row)),
        binders=binders,
        bind_time=processor(table.c.fetched_at) or _identity,
    )


def _identity(value: Any) -> Any:
    return value


def _counts(
    batch: Batch, rows: list[dict[str, Any]], inserted: Collection[str], triaged: dict[str, Any], bucket: timedelta
) -> Counter[CountKey]:
    new = [row for row in rows if row["external_id"] in inserted]
    results = [triaged.get(row["external_id"]) for row in new]
    return count_mentions(
        (
            (batch.watch, batch.channel.value, row["created_at"], *((r.intent, r.routine, r.sentiment) if r else (None,) * 3))
            for row, r in zip(new, results)
        ),
        bucket,
    )


def _store_new_triage(connection: Connection, batch: Batch, triaged: dict[str, Any], version: str, now: datetime) -> None:
    table = StoredMention.__table__
    ids = connection.execute(
        sa.select(table.c.external_id, table.c.id).where(
            table.c.channel == batch.channel.value, table.c.external_id.in_(list(triaged))
        )
    ).all()
    store_triage(connection, {mention_id: triaged[external_id] for external_id, mention_id in ids}, version=version, now=now)


def store_triage(connection: Connection, triaged: Mapping[int, Any], *, version: str, now: datetime) -> None:
    """Store triage results by mention id (mentions without one yet), with the model's version."""
    if not triaged:
        return
    fields = [column.name for column in MentionTriage.__table__.columns if column.name not in _TRIAGE_BOOKKEEPING]
    connection.execute(
        sa.insert(MentionTriage),
        [
            {"mention_id": mention_id, "model_version": version, "triaged_at": now}
            | {name: _plain(getattr(result, name)) for name in fields}
            for mention_id, result in triaged.items()
        ],
    )


_TRIAGE_BOOKKEEPING = {"mention_id", "model_version", "triaged_at"}


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _save_cursor(connection: Connection, batch: Batch, now: datetime) -> bool:
    """Store the batch's cursor; return whether it moved (the same value keeps its old time)."""
    statement = dialect_insert(connection, Cursor).values(
        channel=batch.channel.value, watch=batch.watch, value=batch.cursor, advanced_at=now
    )
    upsert = statement.on_conflict_do_update(
        index_elements=["channel", "watch"],
        set_={"value": statement.excluded.value, "advanced_at": statement.excluded.advanced_at},
        where=Cursor.__table__.c.value.is_distinct_from(statement.excluded.value),
    )
    # RETURNING yields a row only when the row was written; rowcount is not reliable on psycopg.
    return connection.execute(upsert.returning(Cursor.__table__.c.value)).first() is not None
