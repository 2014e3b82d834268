"""The current series, for `socialcx trends`: the last day per hour, and the last bucket judged."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from socialcx.spikes.counts import ALL, SeriesKey
from socialcx.spikes.detector import SpikeDetector
from socialcx.store import SpikeCount, SpikeSeries

__all__ = ["TrendLine", "sparkline", "trend_lines"]

_BARS = "▁▂▃▄▅▆▇█"
_FIXED_SLICES = (ALL, "human", "negative")


@dataclass(frozen=True, slots=True)
class TrendLine:
    """One series over the last hours: mentions per hour, oldest first, and the last judged bucket."""

    key: SeriesKey
    hourly: tuple[int, ...]
    last_observed: float | None
    last_expected: float | None
    alerting: bool

    @property
    def total(self) -> int:
        return sum(self.hourly)


def trend_lines(engine: Engine, now: datetime, *, hours: int = 24, intents: int = 5) -> list[TrendLine]:
    """All-channel series of each watch: all mentions, needs-a-human, negative, and its busiest
    `intents` intents over the last `hours`."""
    start = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=hours - 1)
    counts, series = SpikeCount.__table__, SpikeSeries.__table__
    hourly: defaultdict[SeriesKey, list[int]] = defaultdict(lambda: [0] * hours)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(counts.c.watch, counts.c.slice, counts.c.bucket_start, counts.c.count).where(
                counts.c.channel == ALL, counts.c.bucket_start >= start, counts.c.bucket_start < now
            )
        )
        for watch, slice_, bucket, count in rows:
            hourly[SeriesKey(watch, ALL, slice_)][int((bucket - start) / timedelta(hours=1))] += count
        judged = {
            SeriesKey(row.watch, ALL, row.slice): row
            for row in connection.execute(sa.select(series).where(series.c.channel == ALL))
        }
    lines = []
    for watch in sorted({key.watch for key in hourly} | {key.watch for key in judged}):
        busiest = sorted(
            (key for key in hourly if key.watch == watch and key.slice.startswith("intent:")),
            key=lambda key: (-sum(hourly[key]), key.slice),
        )[:intents]
        for key in [SeriesKey(watch, ALL, slice_) for slice_ in _FIXED_SLICES] + busiest:
            state = judged.get(key)
            lines.append(
                TrendLine(
                    key,
                    tuple(hourly[key]) if key in hourly else (0,) * hours,
                    state.last_observed if state else None,
                    state.last_expected if state else None,
                    bool(state and SpikeDetector.from_state(state.state).is_open),
                )
            )
    return lines


def sparkline(values: tuple[int, ...] | list[int]) -> str:
    """Values as a row of block characters, scaled to the largest (all lowest when all are 0)."""
    top = max(values, default=0)
    if top <= 0:
        return _BARS[0] * len(values)
    return "".join(_BARS[min(len(_BARS) - 1, round(value / top * (len(_BARS) - 1)))] for value in values)
