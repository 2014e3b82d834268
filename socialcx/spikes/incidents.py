"""From detector steps to alerts a person can follow: one incident per surge, whatever slices join.

Each series has its own `SpikeDetector`; when several surge together (all mentions, the negative
ones, the outage reports, on X and on Reddit) they are one incident on that watch, and one alert
thread: raised by the first series, joined by the others (each leaves when it is back to
normal), escalated when any of them grows by the detector's escalation factor, and resolved when
the last of them is back to normal.

`evaluate` runs the detectors over the buckets that closed since the last call, from the stored
counts, and stores what changed. `Lifecycle` is the same grouping in memory, which backtests use.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from socialcx.clock import Clock
from socialcx.spikes.counts import ALL, SeriesKey, bucket_start, rebuild_counts
from socialcx.spikes.detector import DetectorParams, SpikeDetector, Step
from socialcx.spikes.explain import explain
from socialcx.store import Alert, AlertEvent, SpikeCount, SpikeSeries

__all__ = ["Incident", "Lifecycle", "evaluate", "open_alerts", "series_steps"]

# Buckets older than this when first judged (a restart after downtime, counts rebuilt from a long
# history) teach the detector but raise no alert: an alert about last week helps nobody. Backtests
# are the way to look back.
LIVE_WINDOW = timedelta(hours=2)
_FOLLOW_UPS = ("escalated", "resolved")  # of alerts already open: never too old to record


@dataclass
class Incident:
    """One surge on one watch, as it stands; `events` are the steps not stored yet."""

    watch: str
    channel: str
    slice: str
    opened_at: datetime
    observed: float
    expected: float
    score: float
    cold_start: bool
    status: str = "open"
    peak: float = 0.0
    updated_at: datetime | None = None
    resolved_at: datetime | None = None
    members: set[tuple[str, str]] = field(default_factory=set)  # open (channel, slice) series
    id: int | None = None
    events: list[AlertEvent] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.status != "resolved"


class Lifecycle:
    """Groups detector events of many series into incidents, one open incident per watch."""

    def __init__(self, open_incidents: Iterable[Incident] = ()) -> None:
        self.open = {incident.watch: incident for incident in open_incidents if incident.is_open}
        self.touched: list[Incident] = []

    def apply(self, key: SeriesKey, step: Step) -> Incident | None:
        """Take one series' step; return the incident it changed, if any."""
        if step.event is None:
            incident = self.open.get(key.watch)
            if incident is not None and (key.channel, key.slice) in incident.members and step.observed > incident.peak:
                incident.peak = step.observed
            return None
        incident = self.open.get(key.watch)
        if step.event == "raised":
            if incident is None:
                incident = Incident(
                    key.watch, key.channel, key.slice, step.at, step.observed, step.expected, step.score,
                    step.cold_start, peak=step.observed,
                )
                self.open[key.watch] = incident
                return self._record(incident, key, step, "raised")
            incident.members.add((key.channel, key.slice))
            incident.peak = max(incident.peak, step.observed)
            return self._record(incident, key, step, "joined")
        if incident is None or (key.channel, key.slice) not in incident.members:
            return None  # the series' alert was raised before live judging began
        if step.event == "escalated":
            incident.peak = max(incident.peak, step.observed)
            if any(event.kind == "escalated" and event.at == step.at for event in incident.events):
                return None  # several slices growing in the same bucket are one escalation
            incident.status = "escalated"
            return self._record(incident, key, step, "escalated")
        if len(incident.members) > 1:
            incident.members.discard((key.channel, key.slice))
            return self._record(incident, key, step, "left")
        incident.members.clear()
        incident.status, incident.resolved_at = "resolved", step.at
        del self.open[key.watch]
        return self._record(incident, key, step, "resolved")

    def _record(self, incident: Incident, key: SeriesKey, step: Step, kind: str) -> Incident:
        if kind in ("raised", "joined"):
            incident.members.add((key.channel, key.slice))
        incident.updated_at = step.at
        incident.events.append(
            AlertEvent(
                alert_id=0, kind=kind, at=step.at, channel=key.channel, slice=key.slice,
                observed=step.observed, expected=round(step.expected, 3), score=round(step.score, 3),
            )
        )
        if incident not in self.touched:
            self.touched.append(incident)
        return incident


def series_steps(detector: SpikeDetector, counts: dict[datetime, int], start: datetime, end: datetime) -> list[Step]:
    """Feed the detector every bucket from `start` up to (not including) `end`, empty ones as 0."""
    bucket, steps, at = detector.params.bucket, [], start
    while at < end:
        steps.append(detector.update(at, counts.get(at, 0)))
        at += bucket
    return steps


def evaluate(engine: Engine, *, clock: Clock, bucket: timedelta, settle: timedelta) -> list[Incident]:
    """Judge every bucket that closed (and settled) since the last call, for every series, and store
    the alerts that opened, grew or ended; returns the incidents that changed, oldest first."""
    now = clock.now()
    horizon = bucket_start(now - settle, bucket)
    params = DetectorParams(bucket=bucket)
    with engine.begin() as connection:
        rebuild = _counts_need_rebuilding(connection, bucket)
        if rebuild:
            connection.execute(sa.delete(SpikeSeries.__table__))
    if rebuild:
        rebuild_counts(engine, bucket)
    with engine.begin() as connection:
        states = _load_states(connection)
        keys = _series_keys(connection)
        first_buckets = _first_buckets(connection)
        lifecycle = Lifecycle(_open_incidents(connection))
        due: dict[datetime, list[tuple[SeriesKey, SpikeDetector]]] = defaultdict(list)  # by the bucket to judge from
        for key in keys:
            detector, start = _detector(states.get(key), params, first_buckets.get(key.watch))
            if start is not None and start < horizon:
                due[start].append((key, detector))
        pending: list[tuple[SeriesKey, Step]] = []
        judged: list[tuple[SeriesKey, SpikeDetector, Step]] = []
        for start, series in due.items():
            counts = _counts(connection, [key for key, _ in series], start, horizon)
            for key, detector in series:
                steps = series_steps(detector, counts.get(key, {}), start, horizon)
                pending += [(key, step) for step in steps if step.at >= now - LIVE_WINDOW or step.event in _FOLLOW_UPS]
                judged.append((key, detector, steps[-1]))
        pending.sort(key=lambda item: (item[1].at, item[0]))  # `all` sorts first: it raises, slices join
        for key, step in pending:
            lifecycle.apply(key, step)
        # Explaining reads thousands of mentions: done before the first write, so SQLite's one
        # write lock is held only for the brief writes below, not while the explanations are built.
        explanations = _explanations(connection, lifecycle.touched, params)
        _save_states(connection, judged, bucket, horizon, set(states))
        _store(connection, lifecycle.touched, explanations, now)
    return lifecycle.touched


def open_alerts(engine: Engine, watch: str | None = None) -> list[Alert]:
    """The alerts not resolved yet, newest first."""
    table = Alert.__table__
    query = sa.select(table).where(table.c.status != "resolved").order_by(table.c.opened_at.desc())
    if watch is not None:
        query = query.where(table.c.watch == watch)
    with engine.connect() as connection:
        return [Alert(**row) for row in connection.execute(query).mappings()]


def _counts_need_rebuilding(connection: Connection, bucket: timedelta) -> bool:
    """Counts are rebuilt when detection first runs (mentions may predate counting) and when the
    bucket size changed."""
    sizes = set(connection.execute(sa.select(SpikeSeries.__table__.c.bucket_seconds).distinct()).scalars())
    return sizes != {int(bucket.total_seconds())}


def _load_states(connection: Connection) -> dict[SeriesKey, dict]:
    table = SpikeSeries.__table__
    return {
        SeriesKey(row.watch, row.channel, row.slice): {"state": row.state, "until": row.evaluated_until}
        for row in connection.execute(sa.select(table))
    }


def _series_keys(connection: Connection) -> list[SeriesKey]:
    table = SpikeCount.__table__
    rows = connection.execute(sa.select(table.c.watch, table.c.channel, table.c.slice).distinct())
    return sorted(SeriesKey(*row) for row in rows)


def _first_buckets(connection: Connection) -> dict[str, datetime]:
    """Where a new series starts: the watch's first counted bucket, so every slice of a watch
    shares its history (a slice first seen during an incident is judged against its quiet past)."""
    table = SpikeCount.__table__
    query = sa.select(table.c.watch, sa.func.min(table.c.bucket_start)).where(table.c.channel == ALL, table.c.slice == ALL)
    return dict(connection.execute(query.group_by(table.c.watch)).all())


def _detector(stored: dict | None, params: DetectorParams, first: datetime | None) -> tuple[SpikeDetector, datetime | None]:
    if stored is None:
        return SpikeDetector(params), first
    return SpikeDetector.from_state(stored["state"], params), stored["until"]


def _counts(connection: Connection, keys: list[SeriesKey], start: datetime, end: datetime) -> dict[SeriesKey, dict[datetime, int]]:
    """The counts of `keys` in [start, end), by series and bucket, in one query."""
    table = SpikeCount.__table__
    query = sa.select(table.c.watch, table.c.channel, table.c.slice, table.c.bucket_start, table.c.count).where(
        table.c.bucket_start >= start, table.c.bucket_start < end,
        sa.tuple_(table.c.watch, table.c.channel, table.c.slice).in_([(key.watch, key.channel, key.slice) for key in keys]),
    )
    counts: defaultdict[SeriesKey, dict[datetime, int]] = defaultdict(dict)
    for watch, channel, slice_, at, count in connection.execute(query):
        counts[SeriesKey(watch, channel, slice_)][at] = count
    return counts


def _save_states(
    connection: Connection,
    judged: list[tuple[SeriesKey, SpikeDetector, Step]],
    bucket: timedelta,
    until: datetime,
    stored: set[SeriesKey],
) -> None:
    """Store each judged series' detector and last bucket: updates and inserts, each in one batch."""
    table = SpikeSeries.__table__
    updates, inserts = [], []
    for key, detector, last in judged:
        values = {
            "bucket_seconds": int(bucket.total_seconds()), "evaluated_until": until, "state": detector.to_state(),
            "last_expected": round(last.expected, 3), "last_observed": last.observed,
        }
        if key in stored:
            updates.append({"key_watch": key.watch, "key_channel": key.channel, "key_slice": key.slice, **values})
        else:
            inserts.append({"watch": key.watch, "channel": key.channel, "slice": key.slice, **values})
    if updates:
        where = (
            (table.c.watch == sa.bindparam("key_watch"))
            & (table.c.channel == sa.bindparam("key_channel"))
            & (table.c.slice == sa.bindparam("key_slice"))
        )
        connection.execute(sa.update(table).where(where), updates)
    if inserts:
        connection.execute(sa.insert(table), inserts)


def _open_incidents(connection: Connection) -> list[Incident]:
    alerts, events = Alert.__table__, AlertEvent.__table__
    incidents = []
    for row in connection.execute(sa.select(alerts).where(alerts.c.status != "resolved")).mappings():
        members: set[tuple[str, str]] = set()
        query = sa.select(events.c.kind, events.c.channel, events.c.slice).where(events.c.alert_id == row["id"]).order_by(events.c.id)
        for kind, channel, slice_ in connection.execute(query):
            if kind in ("raised", "joined"):
                members.add((channel, slice_))
            elif kind == "left":
                members.discard((channel, slice_))
        incident = Incident(
            row["watch"], row["channel"], row["slice"], row["opened_at"], row["observed"], row["expected"], row["score"],
            row["cold_start"], status=row["status"], peak=row["peak"], updated_at=row["updated_at"], id=row["id"],
            members=members,
        )
        incidents.append(incident)
    return incidents


def _explanations(connection: Connection, incidents: list[Incident], params: DetectorParams) -> list[dict | None]:
    """The explanation of each new incident (of the buckets the detector's surge test read), None
    for those already stored; read only, in the order of `incidents`."""
    explanations: list[dict | None] = []
    for incident in incidents:
        if incident.id is not None:
            explanations.append(None)
            continue
        key = SeriesKey(incident.watch, incident.channel, incident.slice)
        start = incident.opened_at - (params.surge_buckets - 1) * params.bucket
        explanations.append(explain(connection, key, start, incident.opened_at + params.bucket))
    return explanations


def _store(connection: Connection, incidents: list[Incident], explanations: list[dict | None], now: datetime) -> None:
    """Insert new alerts with their explanation (from `_explanations`), update the others, and add
    every new event."""
    alerts = Alert.__table__
    for incident, explanation in zip(incidents, explanations, strict=True):
        values = {
            "status": incident.status, "updated_at": incident.updated_at or now, "resolved_at": incident.resolved_at,
            "peak": incident.peak,
        }
        if explanation is not None:
            incident.id = connection.execute(
                sa.insert(alerts).values(
                    watch=incident.watch, channel=incident.channel, slice=incident.slice, topic=explanation["topic"],
                    opened_at=incident.opened_at, observed=incident.observed, expected=round(incident.expected, 3),
                    score=round(incident.score, 3), cold_start=incident.cold_start, explanation=explanation, **values,
                ).returning(alerts.c.id)
            ).scalar_one()
        else:
            connection.execute(sa.update(alerts).where(alerts.c.id == incident.id).values(values))
        rows = [_event_row(event, incident.id) for event in incident.events]
        connection.execute(sa.insert(AlertEvent.__table__), rows)
        incident.events = []


def _event_row(event: AlertEvent, alert_id: int) -> dict:
    return {
        "alert_id": alert_id, "kind": event.kind, "at": event.at, "channel": event.channel, "slice": event.slice,
        "observed": event.observed, "expected": event.expected, "score": event.score,
    }

