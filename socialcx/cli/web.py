"""`socialcx web` (the workspace in the browser, `socialcx.web`) and `socialcx user add`."""

from __future__ import annotations

import asyncio
import logging
import signal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from socialcx.cli.app import _Context, _Group, console
from socialcx.errors import UsageError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from socialcx.clock import Clock
    from socialcx.config import Settings

logger = logging.getLogger(__name__)

user_app = typer.Typer(cls=_Group, help="The people who sign in to the web workspace.", no_args_is_help=True)


def web(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Address to listen on. Default: [web] host (127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(min=0, max=65535, help="Port. Default: [web] port (8790).")] = None,
) -> None:
    """Serve the workspace (inbox, incidents, mentions, KPIs, trends, status) until Ctrl-C.
    Put it behind a reverse proxy with TLS to open it beyond this machine (README)."""
    from socialcx.web import make_app, serve

    state: _Context = ctx.obj
    settings = state.settings
    app = make_app(settings, state.engine(), state.clock)
    listen = (host or settings.web.host, settings.web.port if port is None else port)

    async def run() -> None:
        stop = asyncio.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            asyncio.get_running_loop().add_signal_handler(signum, stop.set)
        await serve(app, *listen, stop, ready=lambda url: console.print(f"The workspace is on {url} (Ctrl-C stops it)."))

    asyncio.run(run())


async def run_with_workspace(settings: Settings, engine: Engine, clock: Clock) -> None:
    """`socialcx run`: the daemon, and the workspace beside it when `[web] enabled = true`."""
    from socialcx.service.daemon import run_until_stopped

    runner = None
    if settings.web.enabled:
        from socialcx.web import make_app, start

        runner, url = await start(make_app(settings, engine, clock), settings.web.host, settings.web.port)
        logger.info("the workspace is on %s", url)
    try:
        await run_until_stopped(settings, engine, clock)
    finally:
        if runner is not None:
            await runner.cleanup()


@user_app.command("add")
def user_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The name they sign in with.")],
    role: Annotated[str, typer.Option("--role", help="agent (the inbox), approver (also statements and plans) or admin (also pause/resume).")],
    password_file: Annotated[
        Path | None, typer.Option("--password-file", help="Read the password from this file's first line. Default: ask for it.")
    ] = None,
    limit: Annotated[float | None, typer.Option("--limit", help="An approver's amount limit: the largest plan they may approve.")] = None,
) -> None:
    """Add a user of the workspace, or change an existing one's role, password and limit."""
    from socialcx.web.users import add_user

    state: _Context = ctx.obj
    password = _password(password_file) if password_file else typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with state.engine().begin() as connection:
        added = add_user(connection, name, role=role, password=password, now=state.clock.now(), amount_limit=limit)
    bound = f", amount limit {limit:g}" if limit is not None else ""
    console.print(f"{'Added' if added else 'Updated'} {name} ({role}{bound}).")


def _password(path: Path) -> str:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise UsageError(f"cannot read --password-file {path} ({exc.strerror})") from None
    if not lines or not lines[0]:
        raise UsageError(f"--password-file {path} is empty; put the password on its first line")
    return lines[0]
