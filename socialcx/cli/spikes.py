"""Spikes: `spikes` (a count series from a file), `trends` and `backtest` (the stored history)."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from socialcx.cli.app import _ago, _Context, _Watches, _when, console


def spikes(
    input: Annotated[Path, typer.Option("--input", help="A CSV file with columns timestamp,value at regular intervals.")],
) -> None:
    """Run the spike detector over a count series: one JSON line per alert raised, to stdout."""
    from socialcx.spikes import write_spikes

    write_spikes(input, sys.stdout)


def trends(ctx: typer.Context) -> None:
    """Mentions per hour over the last day for each watch and slice, and the open alerts."""
    from socialcx.spikes.incidents import open_alerts
    from socialcx.spikes.trends import sparkline, trend_lines

    state: _Context = ctx.obj
    engine, now = state.reader(), state.clock.now()
    lines = trend_lines(engine, now)
    if not lines:
        console.print("No mentions counted yet: poll first (`socialcx poll`).")
        return
    for watch in dict.fromkeys(line.key.watch for line in lines):
        table = Table(title=f"{watch}: the last 24 hours on all channels, one bar an hour", title_justify="left")
        table.add_column("slice", overflow="fold")
        table.add_column("mentions", justify="right")
        table.add_column("now vs normal", justify="right")
        table.add_column("24 h", min_width=24, no_wrap=True)
        for line in (line for line in lines if line.key.watch == watch):
            last = "—" if line.last_observed is None else f"{line.last_observed:,.0f} vs {line.last_expected:,.1f}"
            style = "red" if line.alerting else "cyan"
            table.add_row(Text(line.key.slice), f"{line.total:,}", last, Text(sparkline(line.hourly), style=style))
        console.print(table)
    _print_alerts(open_alerts(engine), now)


def backtest(
    ctx: typer.Context,
    since: Annotated[str, typer.Option(help="Replay alerts from then: ISO time, or an age like 30d.")],
    until: Annotated[str | None, typer.Option(help="…up to then (default: now).")] = None,
    incidents: Annotated[
        Path | None, typer.Option(help="Known incidents: a CSV with start,end[,watch,label] to score the alerts against.")
    ] = None,
    watch: _Watches = None,
) -> None:
    """Replay stored history through the spike detector: the alerts it would have raised, and
    given known incidents, its precision, recall and time to detection."""
    from socialcx.spikes.backtest import backtest as replay
    from socialcx.spikes.backtest import read_windows, score

    state: _Context = ctx.obj
    now = state.clock.now()
    start, end = _when(state, "--since", since) or now, _when(state, "--until", until) or now
    windows = read_windows(incidents, now) if incidents else []
    with console.status("Replaying…"):
        found = replay(state.engine(), bucket=state.settings.spikes.bucket, since=start, until=end, watches=tuple(watch or ()))
    table = Table(title=f"Alerts the detector would have raised, {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC", title_justify="left")
    for column in ("opened", "watch", "series", "observed", "expected", "peak", "resolved", "note"):
        table.add_column(column, justify="right" if column in ("observed", "expected", "peak") else "left")
    for incident in found:
        table.add_row(
            f"{incident.opened_at:%Y-%m-%d %H:%M}", Text(incident.watch), Text(f"{incident.channel} · {incident.slice}"),
            f"{incident.observed:,.0f}", f"{incident.expected:,.1f}", f"{incident.peak:,.0f}",
            f"{incident.resolved_at:%Y-%m-%d %H:%M}" if incident.resolved_at else "still open",
            "cold start" if incident.cold_start else "",
        )
    console.print(table if found else "No alerts in that period.")
    if windows:
        result = score(found, windows)
        precision = "—" if result.precision is None else f"{result.precision:.2f}"
        delay = "—" if result.median_delay is None else f"{result.median_delay.total_seconds() / 60:.0f} min"
        console.print(
            f"Against {result.windows} known incidents: precision {precision} ({result.true_alerts} of {result.alerts} alerts "
            f"in an incident), recall {result.recall:.2f} ({result.detected} detected), median time to detection {delay}."
        )


def _print_alerts(alerts: list[Any], now: datetime) -> None:
    if not alerts:
        console.print("No open alerts.")
        return
    table = Table(title="Open alerts", title_justify="left")
    for column in ("#", "watch", "status", "about", "opened", "seen", "expected", "peak"):
        table.add_column(column, justify="right" if column in ("#", "seen", "expected", "peak") else "left", overflow="fold")
    for alert in alerts:
        table.add_row(
            str(alert.id), Text(alert.watch), alert.status, Text(alert.topic), _ago(alert.opened_at, now),
            f"{alert.observed:,.0f}", f"{alert.expected:,.1f}", f"{alert.peak:,.0f}",
        )
    console.print(table)
    if any(alert.cold_start for alert in alerts):
        console.print("Alerts raised with little history were judged by a stricter rule while the baseline is learned.")
