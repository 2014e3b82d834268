"""Signing in and out. Failed attempts are throttled per client address (behind a proxy in
`[web] trusted_proxies`, the one its X-Forwarded-For names) and per user name."""

from __future__ import annotations

from aiohttp import web

from socialcx.web import security
from socialcx.web.app import SESSION, SESSION_CHANGED, USER, local_path, note, render, workspace
from socialcx.web.users import authenticate

routes = web.RouteTableDef()


@routes.get("/login")
async def login_page(request: web.Request) -> web.StreamResponse:
    if request.get(USER) is not None:
        raise web.HTTPFound(local_path(request.query.get("next"), "/inbox"))
    return render(request, "login.html", next=local_path(request.query.get("next"), "/inbox"), name="")


@routes.post("/login")
async def login(request: web.Request) -> web.StreamResponse:
    space, form = workspace(request), await request.post()
    name, password = str(form.get("name", "")).strip(), str(form.get("password", ""))
    target = local_path(str(form.get("next", "")), "/inbox")
    address = security.client_address(request.remote, request.headers.getall("X-Forwarded-For", []), space.settings.web.trusted_proxies)
    keys = (f"address:{address}", f"name:{name.lower()}")
    now = space.clock.now()
    if (wait := space.throttle.wait(keys, now)) is not None:
        minutes = max(1, round(wait.total_seconds() / 60))
        return render(request, "login.html", status=429, next=target, name=name,
                      error=f"Too many failed attempts: try again in {minutes} minute{'s' if minutes != 1 else ''}.")
    signed_in = await space.read(lambda connection: authenticate(connection, name, password))
    if signed_in is None:
        space.throttle.failed(keys, now)
        return render(request, "login.html", status=401, next=target, name=name, error="Wrong name or password.")
    space.throttle.succeeded(keys)
    session = request[SESSION]
    session.clear()
    session.update(user=signed_in.name, csrf=security.new_token())  # a new token for the new session
    request[SESSION_CHANGED] = True
    raise web.HTTPFound(target)


@routes.post("/logout")
async def logout(request: web.Request) -> web.StreamResponse:
    session = request[SESSION]
    session.clear()
    session["csrf"] = security.new_token()
    note(request, "Signed out.")
    raise web.HTTPFound("/login")


@routes.get("/")
async def home(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound("/inbox")
