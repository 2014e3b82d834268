"""The aiohttp application: every page's routes behind the middlewares, and serving it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiohttp import web
from sqlalchemy.engine import Engine

from socialcx.care.playbook import Playbook, playbook_for
from socialcx.clock import Clock
from socialcx.config import Settings
from socialcx.errors import ConfigError
from socialcx.web import admin, inbox, incidents, login, mentions, plans, reports, security
from socialcx.web.app import HERE, MIDDLEWARES, WORKSPACE, Workspace

__all__ = ["make_app", "serve", "start"]


def make_app(settings: Settings, engine: Engine, clock: Clock, *, playbook: Playbook | None = None) -> web.Application:
    """The workspace as an aiohttp application over one store."""
    sessions = security.Sessions(security.session_secret(settings), secure=settings.web.secure_cookies)
    app = web.Application(middlewares=MIDDLEWARES, client_max_size=1024**2)
    app[WORKSPACE] = Workspace(settings, engine, clock, playbook or playbook_for(settings), sessions)
    for module in (login, inbox, incidents, plans, mentions, reports, admin):
        app.router.add_routes(module.routes)
    app.router.add_static("/static/", HERE / "static", append_version=True)
    return app


async def start(app: web.Application, host: str, port: int) -> tuple[web.AppRunner, str]:
    """Listen on host:port; the runner (to clean up) and the workspace's base URL."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as exc:
        await runner.cleanup()
        raise ConfigError(f"[web] cannot listen on {host}:{port} ({exc.strerror or exc}); set another port") from None
    bound_host, bound_port = runner.addresses[0][:2]
    return runner, f"http://{bound_host}:{bound_port}"


async def serve(app: web.Application, host: str, port: int, stop: asyncio.Event, ready: Callable[[str], None] = lambda url: None) -> None:
    """Serve the workspace until `stop` is set."""
    runner, url = await start(app, host, port)
    try:
        ready(url)
        await stop.wait()
    finally:
        await runner.cleanup()
