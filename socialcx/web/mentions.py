"""Every stored mention (`socialcx.store.mentions`): search and filter, a page at a time, and
the current filter exported as CSV, as `socialcx mentions export` writes it."""

from __future__ import annotations

import asyncio
import io
import tempfile
from dataclasses import dataclass
from typing import IO
from urllib.parse import urlencode

from aiohttp import web
from multidict import MultiDictProxy
from sqlalchemy.engine import Engine

from socialcx.channels import Channel
from socialcx.clock import parse_time
from socialcx.errors import UsageError
from socialcx.store.mentions import MentionFilter, find_mentions, iter_mentions, write_export
from socialcx.web.app import render, workspace

routes = web.RouteTableDef()

PAGE = 50
_CHUNK = 64 * 1024  # bytes written to the response at a time
_IN_MEMORY = 8 * 1024 * 1024  # a larger export goes to a temporary file


@dataclass(frozen=True, slots=True)
class Search:
    """The mentions page's query: the filter, and a problem with it to show instead of guessing."""

    text: str
    channel: str
    watch: str
    since: str
    until: str
    page: int

    @classmethod
    def of(cls, query: MultiDictProxy[str]) -> Search:
        values = {name: query.get(name, "").strip() for name in ("text", "channel", "watch", "since", "until")}
        if values["channel"] not in ("", *Channel):
            values["channel"] = ""
        try:
            page = max(1, min(int(query.get("page", "1")), 100_000))
        except ValueError:
            page = 1
        return cls(**values, page=page)

    def filter(self, now: object) -> MentionFilter:
        """The store's filter; UsageError naming the field a person must fix."""
        times = {}
        for name in ("since", "until"):
            value = getattr(self, name)
            try:
                times[name] = parse_time(value, now) if value else None  # type: ignore[arg-type]
            except ValueError as exc:
                raise UsageError(f"{name}: {exc}") from None
        return MentionFilter(
            channels=(Channel(self.channel),) if self.channel else (), watches=(self.watch,) if self.watch else (),
            text=self.text or None, **times,
        )

    def query(self, **changes: object) -> str:
        values = {name: getattr(self, name) for name in ("text", "channel", "watch", "since", "until", "page")} | changes
        return urlencode({name: value for name, value in values.items() if value not in ("", 1)})


@routes.get("/mentions")
async def mentions_page(request: web.Request) -> web.StreamResponse:
    space, search = workspace(request), Search.of(request.query)
    try:
        where = search.filter(space.clock.now())
    except UsageError as exc:
        return render(request, "mentions.html", status=400, search=search, rows=[], more=False, error=f"{exc}.", channels=list(Channel))
    rows = await asyncio.to_thread(find_mentions, space.engine, where, limit=PAGE + 1, offset=(search.page - 1) * PAGE)
    return render(request, "mentions.html", search=search, rows=rows[:PAGE], more=len(rows) > PAGE, channels=[c.value for c in Channel])


@routes.get("/mentions.csv")
async def export(request: web.Request) -> web.StreamResponse:
    """The current filter's mentions as CSV (oldest first, the columns of `socialcx mentions
    export`), written to a temporary file in a worker thread, then streamed."""
    space, search = workspace(request), Search.of(request.query)
    try:
        where = search.filter(space.clock.now())
    except UsageError as exc:
        raise web.HTTPBadRequest(text=f"{exc}.") from None
    spooled = await asyncio.to_thread(_export, space.engine, where)
    response = web.StreamResponse(headers={
        "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": 'attachment; filename="mentions.csv"',
    })
    with spooled:
        await response.prepare(request)
        while chunk := spooled.read(_CHUNK):
            await response.write(chunk)
    await response.write_eof()
    return response


def _export(engine: Engine, where: MentionFilter) -> IO[bytes]:
    spooled = tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY)  # noqa: SIM115 (closed by the caller)
    text = io.TextIOWrapper(spooled, encoding="utf-8", newline="")
    write_export(iter_mentions(engine, where), "csv", text)
    text.flush()
    text.detach()
    spooled.seek(0)
    return spooled
