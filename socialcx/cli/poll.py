"""Collecting: `socialcx poll` (one pass, then the post-poll chain) and `socialcx run` (the daemon)."""

from __future__ import annotations

import asyncio
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from socialcx.cli.app import _Channels, _Context, _print_budgets, _print_sent, _Watches, console
from socialcx.errors import UsageError

if TYPE_CHECKING:
    from socialcx.collect.poller import WatchPoll


def poll(
    ctx: typer.Context,
    watch: _Watches = None,
    channel: _Channels = None,
) -> None:
    """One polling pass over the configured watches; exit status 1 if any watch failed."""
    from socialcx.collect.poller import poll_once
    from socialcx.ops.status import status_report

    state: _Context = ctx.obj
    settings = state.settings
    for name in watch or ():
        if settings.watch(name) is None:
            known = ", ".join(w.name for w in settings.watches) or "none"
            raise UsageError(f"no watch named {name!r}; configured watches: {known}")
    engine = state.engine()
    from socialcx.care.playbook import playbook_for

    playbook = playbook_for(settings)  # a broken playbook stops the poll before anything is fetched
    with console.status("Loading the triage model…"):
        from socialcx.triage import default_model

        model = default_model()
    with console.status("Polling…") as spinner:

        def progress(result: WatchPoll) -> None:
            spinner.update(f"Polling… {result.channel}/{result.watch} done")

        results = asyncio.run(
            poll_once(
                settings, engine, state.clock,
                channels=tuple(channel or ()), watches=tuple(watch or ()), triage=model, on_result=progress,
            )
        )
    if not results:
        console.print("Nothing to poll: enable a channel in the config and give it a watch.")
        return
    _print_polls(results)
    from socialcx.pipeline import Pipeline

    done = asyncio.run(Pipeline(settings, engine, state.clock, playbook).after_poll())
    for incident in done.judged.changed:
        console.print(Text(f"Spike alert #{incident.id} on {incident.watch} ({incident.channel} · {incident.slice}): {incident.status}", style="bold red"))
    if queued := done.judged.mail_queued:
        console.print(f"{queued} alert email{'s' if queued != 1 else ''} queued; `socialcx mail send` sends {'them' if queued != 1 else 'it'}.")
    _print_decisions(done.decisions)
    _print_sent(done.sent)
    budgets = status_report(engine, settings, state.clock).budgets
    if any(budget.limited for budget in budgets):
        _print_budgets(budgets)
    if any(result.error for result in results):
        raise typer.Exit(1)


class _LogFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


def run(
    ctx: typer.Context,
    log_format: Annotated[
        _LogFormat | None, typer.Option("--log-format", help="text or json (one object a line). Default: [daemon] log_format.")
    ] = None,
) -> None:
    """Run unattended: poll every watch on schedule, triage, spot spikes, answer, mail; serve
    /healthz and /metrics, and the web workspace when [web] enabled = true. SIGTERM or Ctrl-C stops it cleanly."""
    from socialcx.cli.web import run_with_workspace
    from socialcx.ops.logs import configure_logging

    state: _Context = ctx.obj
    settings = state.settings
    configure_logging(settings, log_format.value if log_format else settings.daemon.log_format)
    asyncio.run(run_with_workspace(settings, state.engine(), state.clock))


def _print_decisions(decisions: list[Any]) -> None:
    """What the responder decided at the end of a poll, counted by outcome."""
    from collections import Counter

    if decisions:
        outcomes = Counter(decision.outcome for decision in decisions)
        console.print(
            f"Responder: {outcomes['auto_reply']} auto-replies, {outcomes['draft']} drafts, "
            + (f"{outcomes['incident']} incident members, " if outcomes["incident"] else "")
            + f"{outcomes['inbox']} to the inbox, {outcomes['skipped']} skipped."
        )


def _print_polls(results: list[WatchPoll]) -> None:
    table = Table(title="Polled", title_justify="left")
    for column in ("channel", "watch", "new", "duplicates", "dead letters", "requests", "note"):
        table.add_column(column, justify="left" if column in ("channel", "watch", "note") else "right")
    for result in results:
        if result.error:
            note = Text(result.error, style="red")
        elif result.skipped == "throttled" or result.throttled_until:
            note = Text(f"throttled until {result.throttled_until:%H:%M:%S} UTC", style="yellow")
        else:
            note = Text(result.skipped or "")
        table.add_row(
            result.channel.value, Text(result.watch), str(result.new), str(result.duplicates),
            str(result.dead_letters), str(result.requests), note,
        )
    console.print(table)
