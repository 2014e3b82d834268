"""What every page shares: the workspace's state, the middlewares every request goes through
(security headers, the session, sign-in, CSRF) and the helpers pages use to read, act and render.

Every database call runs in a worker thread, in one transaction, through the same care functions
the CLI calls; a refusal from them (`UsageError`) becomes a note on the page it came from.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import jinja2
from aiohttp import web
from sqlalchemy.engine import Connection, Engine

from socialcx.care.playbook import Playbook
from socialcx.clock import Clock
from socialcx.config import Settings
from socialcx.errors import SocialcxError
from socialcx.web import security
from socialcx.web.users import User, find_user

__all__ = ["WORKSPACE", "Workspace", "act", "local_path", "note", "path_number", "refused", "render", "require", "user", "workspace"]

HERE = Path(__file__).parent
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Workspace:
    """What every page shares: the settings, the store, the clock, the playbook as loaded."""

    settings: Settings
    engine: Engine
    clock: Clock
    playbook: Playbook
    sessions: security.Sessions
    throttle: security.LoginThrottle = field(default_factory=security.LoginThrottle)
    templates: jinja2.Environment = field(default_factory=lambda: _templates())

    async def read(self, action: Callable[[Connection], Any]) -> Any:
        """Run `action(connection)` in a worker thread, in one transaction."""
        return await asyncio.to_thread(self._in_transaction, action)

    def _in_transaction(self, action: Callable[[Connection], Any]) -> Any:
        with self.engine.begin() as connection:
            return action(connection)


WORKSPACE = web.AppKey("workspace", Workspace)
SESSION = web.RequestKey("session", dict)  # the session cookie's contents
SESSION_CHANGED = web.RequestKey("session_changed", bool)  # write the cookie back
USER = web.RequestKey("user", User)  # absent when signed out


def _templates() -> jinja2.Environment:
    # Autoescape everything: mention text is written by strangers. No template marks it safe.
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )
    environment.filters["ago"] = _ago
    environment.filters["web_url"] = web_url
    return environment


def web_url(url: str | None) -> str | None:
    """A link to the post only when it is an http(s) URL: a stranger's `javascript:` is no link."""
    return url if url and url.lower().startswith(("https://", "http://")) else None


def _ago(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    minutes = int((now - moment).total_seconds() // 60)
    if minutes < 0:
        return moment.strftime("%Y-%m-%d %H:%M")
    return f"{minutes}m ago" if minutes < 60 else f"{minutes // 60}h ago" if minutes < 2880 else f"{minutes // 1440}d ago"


def workspace(request: web.Request) -> Workspace:
    return request.app[WORKSPACE]


def user(request: web.Request) -> User:
    return request[USER]


def path_number(request: web.Request, name: str) -> int:
    """The number a page's path names (an item, an incident, a plan); 404 for anything else."""
    try:
        number = int(request.match_info[name])
    except ValueError:
        raise web.HTTPNotFound(text=f"No such {name}.") from None
    if not 0 < number < 2**31:  # beyond any stored id
        raise web.HTTPNotFound(text=f"No such {name}.")
    return number


def render(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    """A page: the template with the signed-in user, the CSRF token, the note left for it, and now."""
    space = workspace(request)
    session = request[SESSION]
    note = session.pop("note", None)
    if note is not None:
        request[SESSION_CHANGED] = True
    html = space.templates.get_template(template).render(
        user=request.get(USER), csrf=session["csrf"], note=note, now=space.clock.now(), path=request.path, **context
    )
    return web.Response(text=html, content_type="text/html", status=status)


def note(request: web.Request, text: str) -> None:
    """Leave one sentence for the next page the user sees."""
    request[SESSION]["note"] = text
    request[SESSION_CHANGED] = True


def back(request: web.Request, default: str) -> web.HTTPFound:
    """A redirect to the page the form was on (a path of this site only), else `default`."""
    return web.HTTPFound(local_path(request.headers.get("Referer"), default, host=request.host))


def local_path(target: str | None, default: str, *, host: str | None = None) -> str:
    """`target` if it is a path on this site (never another site's URL, `//host` or `/\\host` included)."""
    if not target:
        return default
    parts = urlsplit(target)
    if (parts.scheme or parts.netloc) and parts.netloc != host:
        return default
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith("//") or "\\" in path:  # a browser reads /\ as //
        return default
    return path + (f"?{parts.query}" if parts.query else "")


async def act(
    request: web.Request, action: Callable[[Connection], Any], *, done: str | Callable[[Any], str], then: str
) -> web.HTTPFound:
    """Run a change in one transaction; note `done` (or `done(result)`) or the refusal; the
    redirect to `then`, for the handler to raise."""
    try:
        result = await workspace(request).read(action)
    except SocialcxError as exc:
        return refused(request, str(exc), then)
    note(request, done(result) if callable(done) else done)
    return web.HTTPFound(then)


def refused(request: web.Request, reason: str, then: str) -> web.HTTPFound:
    """The redirect to `then`, saying there why nothing was done."""
    note(request, f"Refused: {reason}.")
    return web.HTTPFound(then)


def require(role: str) -> Callable[[Handler], Handler]:
    """Mark a handler as allowed only to users with at least `role`."""

    def mark(handler: Handler) -> Handler:
        handler.__dict__["role"] = role
        return handler

    return mark


_PUBLIC = ("/login", "/static/")


@web.middleware
async def _headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        exc.headers.update(security.SECURITY_HEADERS)
        raise
    response.headers.update(security.SECURITY_HEADERS)
    return response


@web.middleware
async def _session(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Load the session, sign the user in from it, refuse forms without the session's CSRF
    token, send the signed-out to the login page; write the session back when it changed."""
    space = workspace(request)
    session, fresh = space.sessions.load(request.cookies.get(security.COOKIE))
    request[SESSION], request[SESSION_CHANGED] = session, fresh
    if "user" in session:
        found = await space.read(lambda connection: find_user(connection, session["user"]))
        if found is None:  # removed since: signed out
            session.pop("user")
            request[SESSION_CHANGED] = True
        else:
            request[USER] = found
    try:
        response = await _checked(request, handler)
    except web.HTTPException as exc:
        _keep(request, exc)
        raise
    _keep(request, response)
    return response


async def _checked(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.method == "POST":
        form = await request.post()
        if not security.same_token(form.get("csrf"), request[SESSION].get("csrf")):
            raise web.HTTPForbidden(text="Refused: the form has no valid CSRF token. Reload the page and try again.")
    signed_in: User | None = request.get(USER)
    if signed_in is None and not request.path.startswith(_PUBLIC):
        raise web.HTTPFound(f"/login?next={quote(request.path_qs, safe='')}")
    role = getattr(request.match_info.handler, "role", None)
    if role is not None and signed_in is not None and not signed_in.may(role):
        raise web.HTTPForbidden(text=f"Refused: this needs the {role} role; {signed_in.name} is {signed_in.role}.")
    return await handler(request)


def _keep(request: web.Request, response: web.StreamResponse) -> None:
    if request[SESSION_CHANGED]:
        space = workspace(request)
        response.set_cookie(security.COOKIE, space.sessions.dump(request[SESSION]), **space.sessions.cookie_options())


MIDDLEWARES = (_headers, _session)
