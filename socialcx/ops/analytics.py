"""The store as tidy pandas DataFrames, for notebooks and ad-hoc analysis.

Every loader takes an engine from `connect()` and returns one row per thing (mention, reply,
inbox item, alert) with typed columns: times are `datetime64[ns, UTC]`, labels are categories,
flags are nullable booleans. Filters and aggregation run in SQL, so a store of a million
mentions loads in seconds. The KPIs are those of `socialcx.care.kpis` (the CLI's and the digest's),
grouped any way the analyst asks.

    >>> db = connect()                      # SOCIALCX_DATABASE_URL, else the configured store
    >>> mentions(db, since="2026-11-24", channels=["x"]).groupby("intent").size()
    >>> volume(db, freq="1h", by=["channel"]).pivot(index="bucket", columns="channel", values="mentions")
    >>> kpis(db, by=["channel"])[["answered", "frt_p50", "automation_rate", "sla_breach_rate"]]
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from socialcx.care import kpis as definitions
from socialcx.clock import SystemClock
from socialcx.config import load_settings
from socialcx.store import (
    Alert,
    AlertEvent,
    Feedback,
    InboxItem,
    Mention,
    MentionTriage,
    OutboxReply,
)
from socialcx.store import connect as connect_store

__all__ = ["alert_events", "alerts", "connect", "inbox", "incidents", "kpis", "mentions", "replies", "volume"]

Moment = datetime | str | pd.Timestamp
CHUNK_ROWS = 250_000  # rows per read: bounds the driver's memory on large stores
LABELS = ("intent", "sentiment")  # the triage labels agents correct


def connect(url: str | None = None) -> Engine:
    """An engine on `url`, else the configured store (`SOCIALCX_DATABASE_URL`, socialcx.toml)."""
    return connect_store(url or load_settings().database)


def mentions(
    engine: Engine,
    *,
    since: Moment | None = None,
    until: Moment | None = None,
    channels: Sequence[str] = (),
    watches: Sequence[str] = (),
) -> pd.DataFrame:
    """Mentions posted in [since, until), with their triage (empty where none) and, in
    `intent_corrected` / `sentiment_corrected`, the agents' newest correction where it differs."""
    language = sa.func.coalesce(Mention.language, MentionTriage.language)
    query = _labelled(
        sa.select(
            Mention.id.label("mention_id"), Mention.channel, Mention.watch, Mention.external_id, Mention.author_handle,
            Mention.author_followers, Mention.text, Mention.url, Mention.created_at, Mention.fetched_at,
            language.label("language"), MentionTriage.intent, MentionTriage.confidence, MentionTriage.abstained,
            MentionTriage.sentiment, MentionTriage.sentiment_score, MentionTriage.urgency,
            sa.cast(MentionTriage.risks, sa.Text).label("risks"), MentionTriage.routine, MentionTriage.model_version,
            *(sa.func.nullif(CORRECTIONS.c[field], getattr(MentionTriage, field)).label(f"{field}_corrected") for field in LABELS),
        )
    ).where(*_window(since, until), *_within(channels, watches))
    # Sorted here rather than in SQL: no index serves the order, and SQLite's sort of the wide
    # rows costs more than pandas' of two numeric columns.
    frame = _read(engine, query, times=("created_at", "fetched_at")).sort_values(["created_at", "mention_id"], ignore_index=True)
    frame["risks"] = _risks(frame["risks"])
    return _typed(
        frame,
        categories=("channel", "watch", "language", "intent", "sentiment", "urgency", "model_version", "intent_corrected", "sentiment_corrected"),
        flags=("abstained", "routine"),
        integers=("author_followers",),
        floats=("confidence", "sentiment_score"),
    )


def replies(engine: Engine) -> pd.DataFrame:
    """Every outbox reply with its mention: who answered (`responder` auto, statement or human,
    `agent`), its `kind` (reply, or an incident's follow-up), its state, and `first_response`
    (sent minus posted) for those sent."""
    responder = sa.case((OutboxReply.origin == "auto", "auto"), (OutboxReply.origin == "incident", "statement"), else_="human")
    query = _labelled(
        sa.select(
            OutboxReply.mention_id, OutboxReply.kind, Mention.channel, Mention.watch, _label("intent").label("intent"), OutboxReply.origin,
            responder.label("responder"), OutboxReply.agent, OutboxReply.state, OutboxReply.attempts,
            Mention.created_at.label("posted_at"), OutboxReply.created_at.label("queued_at"), OutboxReply.sent_at,
            OutboxReply.error,
        )
        .select_from(OutboxReply)
        .join(Mention, Mention.id == OutboxReply.mention_id)
    ).order_by(OutboxReply.id)
    frame = _read(engine, query, times=("posted_at", "queued_at", "sent_at"))
    frame["first_response"] = frame["sent_at"] - frame["posted_at"]
    return _typed(frame, categories=("kind", "channel", "watch", "intent", "origin", "responder", "agent", "state"), integers=("attempts",))


def inbox(engine: Engine) -> pd.DataFrame:
    """Every inbox item with its mention: priority, status, who claimed it, and its SLA times."""
    query = _labelled(
        sa.select(
            InboxItem.mention_id, Mention.channel, Mention.watch, _label("intent").label("intent"), MentionTriage.urgency,
            InboxItem.priority, InboxItem.status, InboxItem.claimed_by, InboxItem.reason, Mention.created_at.label("posted_at"),
            InboxItem.created_at, InboxItem.due_at, InboxItem.first_response_at, InboxItem.resolved_at,
        )
        .select_from(InboxItem)
        .join(Mention, Mention.id == InboxItem.mention_id)
    ).order_by(InboxItem.created_at, InboxItem.mention_id)
    frame = _read(engine, query, times=("posted_at", "created_at", "due_at", "first_response_at", "resolved_at"))
    return _typed(frame, categories=("channel", "watch", "intent", "urgency", "priority", "status", "claimed_by"))


def alerts(engine: Engine) -> pd.DataFrame:
    """Every alert, oldest first; `explanation` holds the parsed JSON (terms, samples, mix)."""
    table = Alert.__table__
    query = sa.select(table).order_by(table.c.opened_at, table.c.id)
    frame = _read(engine, query, times=("opened_at", "updated_at", "resolved_at")).rename(columns={"id": "alert_id"})
    frame["explanation"] = frame["explanation"].map(_json)
    return _typed(
        frame, categories=("watch", "status", "channel", "slice"), flags=("cold_start",), integers=("alert_id",),
        floats=("observed", "expected", "score", "peak"),
    )


def alert_events(engine: Engine) -> pd.DataFrame:
    """Each step of every alert's life (raised, joined, left, escalated, resolved), in order."""
    table = AlertEvent.__table__
    query = sa.select(*(column for column in table.c if column.name != "id")).order_by(table.c.alert_id, table.c.at, table.c.id)
    frame = _read(engine, query, times=("at",))
    return _typed(frame, categories=("kind", "channel", "slice"), integers=("alert_id",), floats=("observed", "expected", "score"))


def incidents(engine: Engine) -> pd.DataFrame:
    """Every incident with its KPIs, oldest first (`socialcx.care.kpis.incident_kpis`): members,
    answered by the statement and their share, first response p50 and p90, alert to approval,
    members people handled and follow-ups sent."""
    with engine.connect() as connection:
        rows = definitions.incident_kpis(connection)
    columns = [field.name for field in dataclasses.fields(definitions.IncidentKpis)] + ["share_answered"]
    frame = pd.DataFrame([[*dataclasses.astuple(row), row.share_answered] for row in rows], columns=columns)
    return _typed(frame, categories=("state",), integers=("incident_id", "alert_id", "members", "answered", "handled_by_people", "follow_ups_sent"))


VOLUME_KEYS = ("channel", "watch", "intent", "sentiment", "urgency")


def volume(
    engine: Engine,
    *,
    freq: str = "1h",
    by: Sequence[str] = (),
    since: Moment | None = None,
    until: Moment | None = None,
) -> pd.DataFrame:
    """Mentions per time bucket (`freq`: any fixed length, such as 5min, 1h, 1D; buckets start
    at UTC midnight) and per `by` (channel, watch, intent as corrected, sentiment, urgency),
    counted in SQL. Buckets without mentions are left out."""
    seconds = int(pd.Timedelta(freq).total_seconds())
    if seconds <= 0:
        raise ValueError(f"freq {freq!r} must be a positive, fixed length of time such as 5min, 1h or 1D")
    unknown = set(by) - set(VOLUME_KEYS)
    if unknown:
        raise ValueError(f"cannot group volume by {', '.join(sorted(unknown))}; use {', '.join(VOLUME_KEYS)}")
    keys = {
        "channel": Mention.channel, "watch": Mention.watch, "intent": _label("intent"), "sentiment": _label("sentiment"),
        "urgency": MentionTriage.urgency,
    }
    bucket = (sa.func.floor(_epoch(engine, Mention.created_at) / seconds) * seconds).label("bucket")
    groups = [bucket, *(keys[name].label(name) for name in by)]
    query = (
        _labelled(sa.select(*groups, sa.func.count().label("mentions")).select_from(Mention))
        .where(*_window(since, until))
        .group_by(*groups)
        .order_by(*groups)
    )
    frame = _read(engine, query, times=())
    frame["bucket"] = pd.to_datetime(frame["bucket"].astype("int64"), unit="s", utc=True)
    return _typed(frame, categories=tuple(by), integers=("mentions",))


KPI_KEYS = ("channel", "watch", "intent", "responder", "agent")


def kpis(
    engine: Engine,
    *,
    since: Moment | None = None,
    until: Moment | None = None,
    by: Sequence[str] = (),
    now: Moment | None = None,
) -> pd.DataFrame:
    """The KPIs of mentions posted in [since, until) as of `now` (default: the wall clock), one
    row per group of `by` (channel, watch, intent, responder, agent), or one row `all`.

    Columns: mentions, answered, auto_sent, automation_rate, frt_p50, frt_p90 (first response
    times), sla_items, sla_breached, sla_breach_rate, backlog (waiting now, whenever it
    arrived). Each is defined once, in `socialcx.care.kpis`; a measure that a grouping does not
    apply to (mentions by responder, say) is left empty.
    """
    unknown = set(by) - set(KPI_KEYS)
    if unknown:
        raise ValueError(f"cannot group KPIs by {', '.join(sorted(unknown))}; use {', '.join(KPI_KEYS)}")
    since_, until_ = _moment(since), _moment(until)
    at = _moment(now) or SystemClock().now()
    keys = list(by)
    answered = _read(engine, definitions.answered(since_, until_), times=("posted_at", "sent_at"))
    items = _read(engine, definitions.sla_items(at, since_, until_), times=("due_at", "answered_at"))
    backlog = _read(engine, sa.select(definitions.backlog()), times=("created_at", "due_at"))
    for frame in (answered, items, backlog):
        frame["all"] = "all"
        frame["agent"] = frame["agent"].fillna("auto" if frame is answered else "unassigned")
    items["responder"] = items["agent"].where(items["agent"] == "unassigned", "human")
    backlog["responder"] = "human"
    group = keys or ["all"]
    seconds = (answered["sent_at"] - answered["posted_at"]).dt.total_seconds()
    times = seconds.groupby([answered[key] for key in group], observed=True).apply(lambda values: definitions.percentiles(list(values)))
    table = pd.concat(
        {
            "answered": answered.groupby(group).size(),
            "auto_sent": (answered["responder"] == "auto").groupby([answered[key] for key in group]).sum(),
            "frt_p50": pd.to_timedelta(times.map(lambda pair: pair[0]), unit="s"),
            "frt_p90": pd.to_timedelta(times.map(lambda pair: pair[1]), unit="s"),
            "sla_items": items.groupby(group).size(),
            "sla_breached": items["breached"].astype(bool).groupby([items[key] for key in group]).sum(),
            "backlog": backlog.groupby(group).size(),
        },
        axis=1,
    )
    if not keys:
        table = table.reindex(["all"]).rename_axis("group")  # one row, even on an empty store
    counts = ["answered", "auto_sent", "sla_items", "sla_breached", "backlog"]
    table[counts] = table[counts].astype("Float64").fillna(0).astype("Int64")
    if set(keys) <= {"channel", "watch", "intent"}:
        mentions = _mention_counts(engine, since_, until_, keys)
        table = table.reindex(table.index.union(mentions.index)) if keys else table
        table[counts] = table[counts].fillna(0)
        table["mentions"] = mentions.reindex(table.index).fillna(0).astype("Int64")
    else:
        table["mentions"] = pd.array([pd.NA] * len(table), dtype="Int64")
    table["automation_rate"] = _rate(table["auto_sent"], table["answered"])
    table["sla_breach_rate"] = _rate(table["sla_breached"], table["sla_items"])
    return table[list(KPI_COLUMNS)].sort_index()


KPI_COLUMNS = (
    "mentions", "answered", "auto_sent", "automation_rate", "frt_p50", "frt_p90", "sla_items", "sla_breached",
    "sla_breach_rate", "backlog",
)


# -- helpers ---------------------------------------------------------------------------------


def _read(engine: Engine, query: Any, *, times: Sequence[str]) -> pd.DataFrame:
    """Run `query` and build a frame of the values as the driver returns them, parsing the `times`
    columns as UTC.

    The rows are read from the DBAPI cursor, in chunks that bound the driver's memory: SQLAlchemy's
    row objects and per-value conversions cost more than the database on a large store, and
    pandas converts a whole column at once. So SQLite gives times and JSON as text and flags as
    0/1, PostgreSQL gives its own types; `_utc`, `_typed` and the loaders accept both.
    """
    with engine.connect() as connection:
        result = connection.execute(query)  # not streamed, so SQLAlchemy leaves every row on the cursor
        names = list(result.keys())
        chunks = [
            pd.DataFrame.from_records(rows, columns=names)
            for rows in iter(lambda: result.cursor.fetchmany(CHUNK_ROWS), [])
        ]
    frame = pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame(columns=names)
    return frame.assign(**{name: _utc(frame[name]) for name in times})


def _utc(values: pd.Series) -> pd.Series:
    """Times as `datetime64[ns, UTC]`, from ISO text (SQLite) or aware datetimes (PostgreSQL)."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert(UTC).astype("datetime64[ns, UTC]")
    return pd.to_datetime(values, utc=True, format="ISO8601").astype("datetime64[ns, UTC]")


def _typed(
    frame: pd.DataFrame,
    *,
    categories: Sequence[str] = (),
    flags: Sequence[str] = (),
    integers: Sequence[str] = (),
    floats: Sequence[str] = (),
) -> pd.DataFrame:
    conversions: dict[str, Callable[[pd.Series], pd.Series]] = {}
    conversions |= {name: lambda values: values.astype("category") for name in categories}
    conversions |= {name: lambda values: values.astype("boolean") for name in flags}
    conversions |= {name: lambda values: values.astype("Int64") for name in integers}
    conversions |= {name: lambda values: values.astype("float64") for name in floats}
    return frame.assign(**{name: convert(frame[name]) for name, convert in conversions.items()})


def _corrections() -> sa.Subquery:
    """One row per corrected mention with the agents' newest correction of each label (NULL where
    none): joined once, it replaces a subquery per mention and label (`feedback.current_label`),
    which a million mentions make slow."""
    newest = sa.select(sa.func.max(Feedback.id)).group_by(Feedback.mention_id, Feedback.field)
    return (
        sa.select(Feedback.mention_id, *(sa.func.max(sa.case((Feedback.field == field, Feedback.new))).label(field) for field in LABELS))
        .where(Feedback.id.in_(newest))
        .group_by(Feedback.mention_id)
        .subquery("corrections")
    )


CORRECTIONS = _corrections()


def _labelled(query: sa.Select[Any]) -> sa.Select[Any]:
    """`query` over mentions, joined to their triage and their corrections, for `_label`."""
    return query.outerjoin(MentionTriage, MentionTriage.mention_id == Mention.id).outerjoin(
        CORRECTIONS, CORRECTIONS.c.mention_id == Mention.id
    )


def _label(field: str) -> sa.ColumnElement[str]:
    """A mention's label as `feedback.current_label` has it (the agents' newest correction, else
    triage's), from the joins of `_labelled`."""
    return sa.func.coalesce(CORRECTIONS.c[field], getattr(MentionTriage, field))


def _rate(part: pd.Series, whole: pd.Series) -> pd.Series:
    return (part.astype("Float64") / whole.astype("Float64")).where(whole > 0)


def _mention_counts(engine: Engine, since: datetime | None, until: datetime | None, keys: list[str]) -> pd.Series:
    columns = {"channel": Mention.channel, "watch": Mention.watch, "intent": sa.func.coalesce(_label("intent"), "untriaged")}
    groups = [columns[key].label(key) for key in keys] or [sa.literal("all").label("all")]
    query = (
        _labelled(sa.select(*groups, sa.func.count().label("mentions")).select_from(Mention))
        .where(definitions.posted_between(since, until))
        .group_by(*groups)
    )
    frame = _read(engine, query, times=())
    return frame.set_index(keys or ["all"])["mentions"]


def _window(since: Moment | None, until: Moment | None) -> list[sa.ColumnElement[bool]]:
    return [definitions.posted_between(_moment(since), _moment(until))]


def _within(channels: Sequence[str], watches: Sequence[str]) -> list[sa.ColumnElement[bool]]:
    clauses = []
    if channels:
        clauses.append(Mention.channel.in_([str(channel) for channel in channels]))
    if watches:
        clauses.append(Mention.watch.in_(list(watches)))
    return clauses


def _moment(value: Moment | None) -> datetime | None:
    """An aware UTC datetime from a datetime, a Timestamp or ISO text (naive means UTC)."""
    if value is None:
        return None
    stamp = pd.Timestamp(value)
    return (stamp.tz_localize(UTC) if stamp.tzinfo is None else stamp.tz_convert(UTC)).to_pydatetime()


def _epoch(engine: Engine, column: Any) -> Any:
    """Seconds since 1970 of a stored time, in the backend's own SQL."""
    if engine.dialect.name == "sqlite":
        return sa.cast(sa.func.strftime("%s", sa.type_coerce(column, sa.String())), sa.Integer)
    return sa.func.extract("epoch", column)


def _json(value: Any) -> Any:
    """A JSON column's value: SQLite gives the text, PostgreSQL the parsed value."""
    return json.loads(value) if isinstance(value, str) else value


def _risks(texts: pd.Series) -> pd.Series:
    """Risk flags as tuples from their JSON text, None when untriaged; the few distinct texts are
    parsed once each rather than once per mention."""
    codes, distinct = pd.factorize(texts)
    flags = pd.Series([*(tuple(json.loads(text)) for text in distinct), None], dtype=object).to_numpy()
    return pd.Series(flags[codes], index=texts.index)  # code -1, untriaged, takes the last: None
