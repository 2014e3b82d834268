"""The status page, for admins: each watch's health, throttling and read budget, dead letters,
the kill switch (pause and resume the auto-replies and statements), the users, and the
playbook and policy as loaded, read-only. Nothing secret is shown: URLs are redacted, and
credentials appear only as the names of the variables holding them."""

from __future__ import annotations

import asyncio
from typing import Any

import sqlalchemy as sa
import yaml
from aiohttp import web

from socialcx.care.outbox import set_paused
from socialcx.ops.health import watch_health
from socialcx.ops.status import status_report
from socialcx.store import Control, WebUser, redact
from socialcx.web.app import note, render, require, workspace

routes = web.RouteTableDef()


def _shown(value: Any) -> Any:
    """The playbook's values with every URL redacted (a password or token in one is masked)."""
    if isinstance(value, dict):
        return {key: _shown(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shown(item) for item in value]
    if isinstance(value, str) and "://" in value:
        return redact(value)
    return value


def _state(space: Any) -> dict[str, Any]:
    control, users = Control.__table__, WebUser.__table__
    with space.engine.connect() as connection:
        switch = connection.execute(sa.select(control).where(control.c.name == "responder")).mappings().first()
        people = connection.execute(sa.select(users.c.name, users.c.role, users.c.amount_limit).order_by(users.c.name)).all()
    return {
        "report": status_report(space.engine, space.settings, space.clock),
        "health": {(row.channel, row.watch): row for row in watch_health(space.engine, space.settings, space.clock)},
        "switch": switch, "users": people,
    }


@routes.get("/status")
@require("admin")
async def status_page(request: web.Request) -> web.StreamResponse:
    space = workspace(request)
    state = await asyncio.to_thread(_state, space)
    playbook = yaml.safe_dump(_shown(space.playbook.model_dump(mode="json")), sort_keys=False, allow_unicode=True)
    return render(request, "status.html", **state, playbook=playbook, source=space.playbook.source)


@routes.post("/status/pause")
@require("admin")
async def pause(request: web.Request) -> web.StreamResponse:
    space, form = workspace(request), await request.post()
    reason = str(form.get("reason", "")).strip()[:500] or None
    await asyncio.to_thread(set_paused, space.engine, True, now=space.clock.now(), reason=reason)
    note(request, "Auto-replies and incident statements paused. Replies people write or approve one by one still go out.")
    raise web.HTTPFound("/status")


@routes.post("/status/resume")
@require("admin")
async def resume(request: web.Request) -> web.StreamResponse:
    space = workspace(request)
    await asyncio.to_thread(set_paused, space.engine, False, now=space.clock.now())
    note(request, "Auto-replies resumed.")
    raise web.HTTPFound("/status")
