"""Backtesting: replay a store's history through the detector and see what it would have raised.

The replay counts the stored mentions afresh (so any bucket size can be tried), runs a new
detector per series from the first mention on, groups events into incidents exactly as live
detection does, and keeps the incidents raised between `since` and `until`. Given the windows of
known incidents, it scores them: precision (alerts that fall in a window), recall (windows that
got an alert) and time to detection (from a window's start to its first alert).
"""

from __future__ import annotations

import csv
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine

from socialcx.clock import parse_time
from socialcx.errors import UsageError
from socialcx.spikes.counts import SeriesKey, count_mentions, mention_rows
from socialcx.spikes.detector import DetectorParams, SpikeDetector
from socialcx.spikes.incidents import Incident, Lifecycle, series_steps

__all__ = ["BacktestScore", "Window", "backtest", "read_windows", "score"]


@dataclass(frozen=True, slots=True)
class Window:
    """A known incident: when it started and ended, on which watch (any when None)."""

    start: datetime
    end: datetime
    watch: str | None = None
    label: str = ""


@dataclass(frozen=True, slots=True)
class BacktestScore:
    """How the replayed alerts compare with the known incidents."""

    alerts: int
    true_alerts: int
    windows: int
    detected: int
    delays: tuple[timedelta, ...]  # from each detected window's start to its first alert

    @property
    def precision(self) -> float | None:
        return self.true_alerts / self.alerts if self.alerts else None

    @property
    def recall(self) -> float | None:
        return self.detected / self.windows if self.windows else None

    @property
    def median_delay(self) -> timedelta | None:
        return statistics.median(self.delays) if self.delays else None


def backtest(
    engine: Engine, *, bucket: timedelta, since: datetime, until: datetime, watches: Sequence[str] = ()
) -> list[Incident]:
    """The incidents the detector, run over the whole stored history up to `until`, would have
    raised between `since` and `until`, oldest first (with their events, none of them stored)."""
    counts: defaultdict[SeriesKey, dict[datetime, int]] = defaultdict(dict)
    with engine.connect() as connection:
        for rows in mention_rows(connection, None):
            chosen = [row for row in rows if not watches or row[0] in watches]
            for (key, start), count in count_mentions(chosen, bucket).items():
                counts[key][start] = counts[key].get(start, 0) + count
    firsts: dict[str, datetime] = {}  # every series of a watch starts at the watch's first mention
    for key, series in counts.items():
        firsts[key.watch] = min(min(series), firsts.get(key.watch, min(series)))
    params = DetectorParams(bucket=bucket)
    events = []
    for key, series in sorted(counts.items()):
        for step in series_steps(SpikeDetector(params), series, firsts[key.watch], until):
            if step.event is not None:
                events.append((step.at, key, step))
    lifecycle = Lifecycle()
    for _, key, step in sorted(events, key=lambda event: (event[0], event[1])):
        lifecycle.apply(key, step)
    return [incident for incident in lifecycle.touched if since <= incident.opened_at < until]


def score(incidents: Sequence[Incident], windows: Sequence[Window]) -> BacktestScore:
    """Precision, recall and time to detection of `incidents` against known `windows`."""

    def inside(incident: Incident, window: Window) -> bool:
        return window.start <= incident.opened_at <= window.end and window.watch in (None, incident.watch)

    true_alerts = sum(any(inside(incident, window) for window in windows) for incident in incidents)
    delays = []
    for window in windows:
        hits = [incident.opened_at for incident in incidents if inside(incident, window)]
        if hits:
            delays.append(min(hits) - window.start)
    return BacktestScore(len(incidents), true_alerts, len(windows), len(delays), tuple(delays))


def read_windows(path: Path, now: datetime) -> list[Window]:
    """Known incident windows from a CSV file with columns `start,end` and optionally `watch`
    and `label`; times as the CLI takes them (ISO 8601, UTC unless they say otherwise)."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = {"start", "end"} - set(reader.fieldnames or ())
            if missing:
                raise UsageError(f"{path}: needs the columns start and end (found {', '.join(reader.fieldnames or ()) or 'none'})")
            windows = [_window(path, line, row, now) for line, row in enumerate(reader, start=2)]
    except OSError as exc:
        raise UsageError(f"cannot read {path} ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not UTF-8 text") from None
    if not windows:
        raise UsageError(f"{path}: no incident windows in it")
    return windows


def _window(path: Path, line: int, row: dict[str, str | None], now: datetime) -> Window:
    try:
        start, end = parse_time(row["start"] or "", now), parse_time(row["end"] or "", now)
    except ValueError as exc:
        raise UsageError(f"{path}:{line}: {exc}") from None
    if end < start:
        raise UsageError(f"{path}:{line}: the window ends before it starts")
    return Window(start, end, (row.get("watch") or "").strip() or None, (row.get("label") or "").strip())
