"""Incidents in the browser (`socialcx.care.surge`): the open ones with their KPIs, and each one
with its terms, members, statement and follow-up. Approving or closing is an approver's; any
signed-in person may stop one (stopping only holds messages back)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from aiohttp import web
from sqlalchemy.engine import Connection

from socialcx.care import surge
from socialcx.care.kpis import incident_kpis
from socialcx.errors import UsageError
from socialcx.store import IncidentMember, Mention
from socialcx.web import svg
from socialcx.web.app import act, path_number, render, require, user, workspace

routes = web.RouteTableDef()

OPEN = ("drafted", "approved", "following_up")


def _id(request: web.Request) -> int:
    return path_number(request, "incident")


@routes.get("/incidents")
async def incidents_page(request: web.Request) -> web.StreamResponse:
    every = request.query.get("all") == "1"
    incidents, kpis = await workspace(request).read(
        lambda connection: (surge.list_incidents(connection, states=surge.STATES if every else OPEN), incident_kpis(connection))
    )
    return render(request, "incidents.html", incidents=incidents, kpis=kpis, every=every)


def _members(connection: Connection, incident_id: int) -> list[Any]:
    """Every member, oldest first, with what became of it."""
    members = IncidentMember.__table__
    return connection.execute(
        sa.select(Mention.id, Mention.author_handle, Mention.text, Mention.created_at, members.c.status, members.c.reason, members.c.joined_at)
        .join(members, members.c.mention_id == Mention.id)
        .where(members.c.incident_id == incident_id)
        .order_by(Mention.created_at, Mention.id)
    ).all()


def _joined_chart(members: list[Any]) -> Any:
    """Members by the minute they were posted."""
    if not members:
        return svg.bars([], [], title="members per minute")
    minutes = Counter(member.created_at.replace(second=0, microsecond=0) for member in members)
    first, last = min(minutes), max(minutes)
    times = [first + timedelta(minutes=index) for index in range(int((last - first).total_seconds() // 60) + 1)]
    return svg.bars([minutes.get(moment, 0) for moment in times], [f"{moment:%H:%M}" for moment in times], title="members per minute posted")


@routes.get("/incidents/{incident}")
async def incident_page(request: web.Request) -> web.StreamResponse:
    number = _id(request)
    try:
        detail, members = await workspace(request).read(lambda connection: (surge.find(connection, number), _members(connection, number)))
    except UsageError as exc:
        raise web.HTTPNotFound(text=f"{exc}.") from None
    return render(request, "incident.html", detail=detail, incident=detail.incident, members=members, chart=_joined_chart(members))


async def _then_deliver(request: web.Request, change: Any, *, done: Any) -> web.HTTPFound:
    """Apply `change(connection, now, playbook)` and queue what it lets go out, in one transaction."""
    space, number = workspace(request), _id(request)
    now = space.clock.now()

    def apply(connection: Connection) -> tuple[Any, int]:
        incident = change(connection, now, space.playbook)
        return incident, surge.deliver(connection, space.playbook, now, space.settings.inbox)

    return await act(request, apply, done=done, then=f"/incidents/{number}")


def _edited(form: Any, field: str, draft: str | None) -> str | None:
    """The text a person sent with the form, or None when it is the draft as it stands."""
    text = str(form.get(field, "")).replace("\r\n", "\n").strip()
    return None if not text or text == (draft or "").strip() else text


@routes.post("/incidents/{incident}/approve")
@require("approver")
async def approve(request: web.Request) -> web.StreamResponse:
    number, name, form = _id(request), user(request).name, await request.post()

    def change(connection: Connection, now: Any, playbook: Any) -> Any:
        incident = surge.find(connection, number).incident
        draft = incident.follow_up if incident.state == "following_up" else incident.statement
        return surge.approve(connection, number, agent=name, now=now, playbook=playbook, text=_edited(form, "text", draft))

    raise await _then_deliver(request, change, done=lambda result: (
        f"Incident #{number}: the {'follow-up' if result[0].state in ('following_up', 'closed') else 'statement'} is approved; "
        f"{result[1]} queued in the outbox now, and every new member gets it once."
    ))


@routes.post("/incidents/{incident}/close")
@require("approver")
async def close(request: web.Request) -> web.StreamResponse:
    number, name = _id(request), user(request).name

    def change(connection: Connection, now: Any, playbook: Any) -> Any:
        return surge.close(connection, number, agent=name, now=now, playbook=playbook)

    raise await _then_deliver(request, change, done=lambda result: (
        f"Incident #{number} is closed; nobody got the statement, so there is nothing to follow up." if result[0].state == "closed"
        else f"Incident #{number} is over; the follow-up is drafted below for approval."
    ))


@routes.post("/incidents/{incident}/stop")
async def stop(request: web.Request) -> web.StreamResponse:
    number, name, now = _id(request), user(request).name, workspace(request).clock.now()
    raise await act(
        request, lambda connection: surge.stop(connection, number, agent=name, now=now),
        done=f"Incident #{number} is stopped; its waiting members are in the inbox, one item each.", then=f"/incidents/{number}",
    )
