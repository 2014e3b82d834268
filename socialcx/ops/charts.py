"""PNG charts for emails (and anything else that needs a picture), drawn with matplotlib's Agg
backend on a `Figure` of their own: no pyplot global state, so they are safe in any thread."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta, tzinfo

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import DateFormatter
from matplotlib.figure import Figure

from socialcx.spikes.detector import Step

__all__ = ["series_chart", "volume_chart"]

_INK, _MUTED, _ALERT, _BAND = "#1f2933", "#7b8794", "#d64545", "#d9e2ec"
_PALETTE = ("#2f80ed", "#f2994a", "#27ae60", "#9b51e0", "#eb5757", "#56ccf2", "#828282")


def series_chart(
    steps: Sequence[Step], *, alert_from: datetime, alert_until: datetime | None = None, zone: tzinfo = UTC
) -> bytes:
    """Mentions per bucket against the detector's normal band (expected to its upper bound), the
    alert's time shaded; `steps` oldest first, times read in `zone`."""
    figure, axes = _figure(zone)
    if steps:
        bucket = steps[1].at - steps[0].at if len(steps) > 1 else timedelta(minutes=5)
        # Each value holds until the next bucket starts; repeat the last one so its bucket has a width.
        times = [step.at for step in steps] + [steps[-1].at + bucket]
        padded = [*steps, steps[-1]]
        axes.fill_between(times, 0, [s.upper for s in padded], step="post", color=_BAND, linewidth=0, label="normal range")
        axes.step(times, [s.expected for s in padded], where="post", color=_MUTED, linestyle="--", linewidth=1, label="expected")
        axes.step(times, [s.observed for s in padded], where="post", color=_INK, linewidth=1.4, label="mentions")
        axes.axvspan(alert_from, min(alert_until or times[-1], times[-1]), color=_ALERT, alpha=0.15, linewidth=0, label="alert")
        axes.set_xlim(times[0], times[-1])
        axes.legend(loc="upper left", fontsize=7, frameon=False, ncols=4)
    axes.set_ylabel("mentions per bucket", color=_MUTED, fontsize=8)
    return _png(figure)


def volume_chart(hours: Sequence[datetime], counts: Mapping[str, Sequence[int]], *, zone: tzinfo = UTC) -> bytes:
    """Mentions per hour, stacked by channel (`counts[channel][i]` for `hours[i]`), hours read in `zone`."""
    figure, axes = _figure(zone)
    bottom = [0] * len(hours)
    width = timedelta(minutes=50)
    for index, (channel, values) in enumerate(counts.items()):
        axes.bar(hours, values, width=width, bottom=bottom, align="edge", color=_PALETTE[index % len(_PALETTE)], label=channel)
        bottom = [below + value for below, value in zip(bottom, values)]
    axes.set_ylabel("mentions per hour", color=_MUTED, fontsize=8)
    if counts:
        axes.legend(loc="upper left", fontsize=7, frameon=False, ncols=min(len(counts), 6))
    return _png(figure)


def _figure(zone: tzinfo = UTC) -> tuple[Figure, Axes]:
    figure = Figure(figsize=(7.2, 2.6), dpi=110, layout="constrained")
    axes = figure.add_subplot()
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_color(_MUTED)
    axes.tick_params(colors=_MUTED, labelsize=7)
    axes.xaxis.set_major_formatter(DateFormatter("%H:%M", tz=zone))
    axes.margins(y=0.15)
    return figure, axes


def _png(figure: Figure) -> bytes:
    for axes in figure.axes:
        axes.set_ylim(bottom=0)  # after plotting, so the top still follows the data
    buffer = io.BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)
    return buffer.getvalue()
