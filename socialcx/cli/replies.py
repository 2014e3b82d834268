"""Automatic replies: `playbook check|init`, the kill switch (`pause`, `resume`) and `send`."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from socialcx.cli.app import _Context, _Group, _print_sent, console
from socialcx.errors import UsageError

playbook_app = typer.Typer(cls=_Group, help="The auto-reply playbook.", no_args_is_help=True)


@playbook_app.command("check")
def playbook_check(
    ctx: typer.Context,
    file: Annotated[Path | None, typer.Option("--file", help="Playbook to check. Default: the one the config names.")] = None,
) -> None:
    """Validate a playbook and show, per intent, what would be answered automatically, drafted, or left to people."""
    from socialcx.care.playbook import DEFAULT_PLAYBOOK, load_playbook
    from socialcx.triage.taxonomy import load_taxonomy

    state: _Context = ctx.obj
    path = file or state.settings.playbook or DEFAULT_PLAYBOOK
    playbook = load_playbook(path)
    table = Table(title=f"{path}: valid", title_justify="left")
    for column in ("intent", "what happens", "channels", "min confidence", "templates", "action"):
        table.add_column(column, overflow="fold", no_wrap=column == "intent")
    for intent in load_taxonomy().intents:
        rules = playbook.rules(intent)
        if rules is None or not rules.enabled or rules.mode == "off":
            table.add_row(intent, Text("left to people", style="dim"), "", "", "", "")
            continue
        what = Text("answered automatically", style="green") if rules.mode == "auto" else Text("drafted for approval", style="yellow")
        action = ""
        if rules.action is not None:
            limits = [f"cap {rules.action.amount_cap:g}" if rules.action.amount_cap else "", f"{rules.action.daily_budget:g}/day" if rules.action.daily_budget else ""]
            action = " ".join([rules.action.url, *filter(None, limits)])
        channels = ", ".join(rules.channels)
        table.add_row(intent, what, channels, f"{rules.min_confidence:.2f}", str(len(rules.templates)), Text(action))
    console.print(table)
    if not any(rules.answers for rules in playbook.intents.values()):
        console.print("Shadow mode: nothing is sent without a person's approval. Set an intent's mode to auto to answer it.")


@playbook_app.command("init")
def playbook_init(
    path: Annotated[Path, typer.Argument(help="Where to write the playbook.")] = Path("playbook.yaml"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write the default playbook (every intent drafted) to edit; name it with `playbook = ...` in the config."""
    from socialcx.care.playbook import default_playbook_text

    if path.exists() and not force:
        raise UsageError(f"{path} already exists; use --force to overwrite it")
    try:
        path.write_text(default_playbook_text(), encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {path} ({exc.strerror})") from None
    console.print(f'Wrote {path}. Add `playbook = "{path}"` to the config, then run `socialcx playbook check`.')


def pause(
    ctx: typer.Context,
    reason: Annotated[str | None, typer.Option(help="Why, for whoever resumes.")] = None,
) -> None:
    """Stop every auto-reply and incident statement at once, in every process: new mentions go to people, queued ones wait."""
    from socialcx.care.outbox import set_paused

    state: _Context = ctx.obj
    set_paused(state.engine(), True, now=state.clock.now(), reason=reason)
    console.print(
        "Auto-replies and incident statements paused. Replies people write or approve one by one still go out. "
        "`socialcx resume` turns them back on."
    )


def resume(ctx: typer.Context) -> None:
    """Turn auto-replies back on after `socialcx pause`."""
    from socialcx.care.outbox import set_paused

    state: _Context = ctx.obj
    set_paused(state.engine(), False, now=state.clock.now())
    console.print("Auto-replies resumed.")


def send(ctx: typer.Context) -> None:
    """Send the replies waiting in the outbox, once each; exit status 1 if any failed for good."""
    from socialcx.care.outbox import send_pending

    state: _Context = ctx.obj
    with console.status("Sending…"):
        report = asyncio.run(send_pending(state.engine(), state.settings, state.clock))
    _print_sent(report)
    if report.failed:
        raise typer.Exit(1)
