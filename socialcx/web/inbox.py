"""The inbox in the browser: the list by priority with SLA countdowns and filters, an item with
its thread and triage, and the actions of `socialcx inbox` (`socialcx.care.inbox`), each in one
transaction as the acting user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from connectors import connector_class
from socialcx.care import inbox
from socialcx.care.feedback import relabel
from socialcx.channels import Channel
from socialcx.errors import UsageError
from socialcx.web.app import act, path_number, refused, render, user, workspace

routes = web.RouteTableDef()

PAGE = 50
STATUSES = ("open", "claimed", "replied", "resolved", "escalated", "ignored")


@cache
def taxonomy() -> Any:
    from socialcx.triage.taxonomy import load_taxonomy

    return load_taxonomy()


@dataclass(frozen=True, slots=True)
class Filters:
    """The inbox list's filters as the query string gives them ("" is any)."""

    status: str = ""
    priority: str = ""
    channel: str = ""
    intent: str = ""
    assignee: str = ""
    page: int = 1

    @classmethod
    def of(cls, query: MultiDictProxy[str]) -> Filters:
        values = {name: query.get(name, "").strip() for name in ("status", "priority", "channel", "intent", "assignee")}
        for name, allowed in (("status", STATUSES), ("priority", inbox.PRIORITIES), ("channel", tuple(Channel))):
            if values[name] and values[name] not in allowed:
                values[name] = ""  # an unknown choice shows everything rather than nothing
        try:
            page = max(1, min(int(query.get("page", "1")), 10_000))
        except ValueError:
            page = 1
        return cls(**values, page=page)

    def query(self, **changes: Any) -> str:
        """This filter's query string, with `changes`."""
        from urllib.parse import urlencode

        values = {name: getattr(self, name) for name in ("status", "priority", "channel", "intent", "assignee", "page")} | changes
        return urlencode({name: value for name, value in values.items() if value not in ("", 1)})


def due_label(due_at: datetime, now: datetime) -> tuple[str, str]:
    """An SLA countdown and its urgency class: "in 12m" (soon under 15 minutes) or "overdue 1h05m"."""
    minutes = int((due_at - now).total_seconds() // 60)
    span = abs(minutes)
    text = f"{span}m" if span < 60 else f"{span // 60}h{span % 60:02d}m" if span < 2880 else f"{span // 1440}d"
    if minutes < 0:
        return f"overdue {text}", "overdue"
    return f"in {text}", "soon" if minutes < 15 else ""


@routes.get("/inbox")
async def inbox_page(request: web.Request) -> web.StreamResponse:
    filters = Filters.of(request.query)
    entries = await workspace(request).read(lambda connection: inbox.list_items(
        connection,
        statuses=[filters.status] if filters.status else inbox.ACTIVE,
        priorities=[filters.priority] if filters.priority else (),
        channels=[Channel(filters.channel)] if filters.channel else (),
        intents=[filters.intent] if filters.intent else (),
        claimed_by=filters.assignee or None,
        limit=PAGE + 1, offset=(filters.page - 1) * PAGE,
    ))
    return render(
        request, "inbox.html", entries=entries[:PAGE], more=len(entries) > PAGE, filters=filters, statuses=STATUSES,
        priorities=inbox.PRIORITIES, channels=[channel.value for channel in Channel], intents=list(taxonomy().intents),
        due_label=due_label,
    )


def _item_id(request: web.Request) -> int:
    return path_number(request, "item")


@routes.get("/inbox/{item}")
async def item_page(request: web.Request) -> web.StreamResponse:
    space, item = workspace(request), _item_id(request)
    try:
        detail = await space.read(lambda connection: inbox.find_item(connection, item, playbook=space.playbook))
    except UsageError as exc:
        raise web.HTTPNotFound(text=f"{exc}.") from None
    channel = Channel(detail.entry.channel)
    return render(
        request, "item.html", detail=detail, entry=detail.entry, due_label=due_label,
        can_reply=connector_class(channel).capabilities.can_reply, limit=space.playbook.length_limit(channel),
        suggested=detail.entry.draft or next(iter(detail.suggestions), ""),
        intents=list(taxonomy().intents), sentiments=list(taxonomy().sentiments),
    )


async def _form(request: web.Request) -> Any:
    return await request.post()


@routes.post("/inbox/{item}/claim")
async def claim(request: web.Request) -> web.StreamResponse:
    item, name = _item_id(request), user(request).name
    raise await act(request, lambda connection: inbox.claim(connection, item, agent=name), done=f"#{item} is yours, {name}.", then=f"/inbox/{item}")


@routes.post("/inbox/{item}/reply")
async def reply(request: web.Request) -> web.StreamResponse:
    item, name, now = _item_id(request), user(request).name, workspace(request).clock.now()
    text = str((await _form(request)).get("text", "")).strip()
    if not text:
        raise refused(request, "the reply is empty; write what to post", f"/inbox/{item}")
    raise await act(
        request, lambda connection: inbox.reply(connection, item, text, agent=name, now=now),
        done=lambda outbox: f"Reply to #{item} queued (outbox #{outbox}): the outbox sends it once.", then=f"/inbox/{item}",
    )


@routes.post("/inbox/{item}/approve")
async def approve(request: web.Request) -> web.StreamResponse:
    item, name, now = _item_id(request), user(request).name, workspace(request).clock.now()
    raise await act(
        request, lambda connection: inbox.approve(connection, item, agent=name, now=now),
        done=lambda outbox: f"Draft for #{item} approved and queued (outbox #{outbox}).", then=f"/inbox/{item}",
    )


@routes.post("/inbox/{item}/resolve")
async def resolve(request: web.Request) -> web.StreamResponse:
    item, name, now = _item_id(request), user(request).name, workspace(request).clock.now()
    raise await act(request, lambda connection: inbox.resolve(connection, item, agent=name, now=now), done=f"#{item} resolved.", then="/inbox")


@routes.post("/inbox/{item}/escalate")
async def escalate(request: web.Request) -> web.StreamResponse:
    space, item = workspace(request), _item_id(request)
    now = space.clock.now()
    raise await act(
        request, lambda connection: inbox.escalate(connection, item, now=now, sla=space.settings.inbox).priority,
        done=lambda priority: f"#{item} escalated: now {priority}.", then=f"/inbox/{item}",
    )


@routes.post("/inbox/{item}/relabel")
async def relabel_item(request: web.Request) -> web.StreamResponse:
    item, name, now = _item_id(request), user(request).name, workspace(request).clock.now()
    form = await _form(request)
    intent, sentiment = (str(form.get(field, "")) or None for field in ("intent", "sentiment"))

    def change(connection: Any) -> str:
        stored = relabel(connection, item, agent=name, now=now, intent=intent, sentiment=sentiment)
        return "; ".join(f"{change.field}: {change.old or '-'} → {change.new}" for change in stored) or "nothing to change"

    raise await act(request, change, done=lambda changes: f"#{item} relabelled ({changes}), kept as feedback for retraining.", then=f"/inbox/{item}")


@routes.post("/inbox/ignore")
async def ignore(request: web.Request) -> web.StreamResponse:
    form, name = await _form(request), user(request).name
    try:
        items = [int(value) for value in form.getall("item", [])]
    except ValueError:
        items = []
    if not items:
        raise refused(request, "tick the items to ignore first", "/inbox")
    raise await act(
        request, lambda connection: inbox.ignore(connection, items, agent=name),
        done=lambda count: f"Ignored {count} item(s) as spam.", then="/inbox",
    )
