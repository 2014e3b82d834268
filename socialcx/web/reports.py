"""KPIs (`socialcx.care.kpis`) over a chosen period, and trends (`socialcx.spikes.trends`): each
watch's slices over the last day against what the detector expects, with alerts marked."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from aiohttp import web
from sqlalchemy.engine import Engine

from socialcx.care.kpis import incident_kpis, kpis
from socialcx.spikes.incidents import open_alerts
from socialcx.spikes.trends import trend_lines
from socialcx.store import Alert, AlertEvent
from socialcx.web import svg
from socialcx.web.app import render, workspace

routes = web.RouteTableDef()

PERIODS = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30), "all": None}
HOURS = 24


@routes.get("/kpis")
async def kpis_page(request: web.Request) -> web.StreamResponse:
    space = workspace(request)
    period = request.query.get("period", "7d")
    if period not in PERIODS:
        period = "7d"
    now = space.clock.now()
    span = PERIODS[period]
    since = now - span if span is not None else None
    report, incidents = await space.read(lambda connection: (kpis(connection, now=now, since=since), incident_kpis(connection)))
    channels = [row for row in report.response_times if row.group == "channel"]
    charts = {
        "response": svg.bars(
            [row.p50.total_seconds() / 60 for row in channels], [row.key for row in channels], title="median first response by channel", unit=" min"
        ),
        "backlog": svg.bars(list(report.backlog.values()), list(report.backlog), title="backlog by priority"),
    }
    return render(request, "kpis.html", report=report, kpis=incidents, period=period, periods=list(PERIODS), charts=charts)


def _alert_hours(engine: Engine, start: datetime) -> set[tuple[str, str, datetime]]:
    """The (watch, slice, hour) of every alert raised or joined since `start`, on all channels."""
    events, alerts = AlertEvent.__table__, Alert.__table__
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(alerts.c.watch, events.c.slice, events.c.at)
            .join(alerts, alerts.c.id == events.c.alert_id)
            .where(events.c.at >= start, events.c.kind.in_(("raised", "joined", "escalated")))
        ).all()
    return {(watch, slice_, at.replace(minute=0, second=0, microsecond=0)) for watch, slice_, at in rows}


@routes.get("/trends")
async def trends_page(request: web.Request) -> web.StreamResponse:
    space = workspace(request)
    now = space.clock.now()
    start = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=HOURS - 1)
    lines, marked, alerts = await asyncio.to_thread(
        lambda: (trend_lines(space.engine, now, hours=HOURS), _alert_hours(space.engine, start), open_alerts(space.engine))
    )
    per_hour = timedelta(hours=1) / space.settings.spikes.bucket  # the detector judges buckets; the chart shows hours
    hours = [start + timedelta(hours=index) for index in range(HOURS)]
    watches: dict[str, list[Any]] = {}
    for line in lines:
        expected = None if line.last_expected is None else line.last_expected * per_hour
        chart = svg.band(
            list(line.hourly), [expected] * len(hours),
            [(line.key.watch, line.key.slice, hour) in marked or (line.alerting and index == len(hours) - 1) for index, hour in enumerate(hours)],
            [f"{hour:%H:%M}" for hour in hours], title=f"{line.key.watch} · {line.key.slice}",
        )
        watches.setdefault(line.key.watch, []).append((line, chart))
    return render(request, "trends.html", watches=watches, alerts=alerts)
