"""Setting up and looking after an installation: `init`, `connectors`, `db upgrade`, `status`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from socialcx.channels import Channel
from socialcx.cli.app import _ago, _Context, _Group, _print_budgets, console
from socialcx.errors import UsageError

if TYPE_CHECKING:
    from socialcx.ops.status import IntentSummary, LeaseStatus, StatusReport, WatchStatus


db_app = typer.Typer(cls=_Group, help="Database schema.", no_args_is_help=True)


def init(
    path: Annotated[Path, typer.Argument(help="Where to write the config.")] = Path("socialcx.toml"),
    sandbox: Annotated[
        bool, typer.Option("--sandbox", help="Point every channel at the local sandbox, with placeholder credentials.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing files.")] = False,
) -> None:
    """Write a commented example config that works as it stands."""
    from socialcx.config import SANDBOX_SECRETS, example_config, sandbox_config, sandbox_secrets

    files = {path: sandbox_config() if sandbox else example_config()}
    if sandbox:
        files[path.parent / SANDBOX_SECRETS] = sandbox_secrets()
    for target in files:
        if target.exists() and not force:
            raise UsageError(f"{target} already exists; use --force to overwrite it")
    for target, text in files.items():
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {target} ({exc.strerror})") from None
    if sandbox:
        console.print(f"Wrote {path} and {path.parent / SANDBOX_SECRETS}. Run `socialcx sandbox`, then `socialcx poll`.")
    else:
        console.print(f"Wrote {path}. Edit its watches, set channel credentials, then run `socialcx status`.")


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Bring the database schema up to date (commands also do this on start)."""
    from socialcx.store import current_revision, head_revision, redact

    state: _Context = ctx.obj
    engine = state.engine()
    console.print(f"{redact(state.settings.database)} is at schema revision {current_revision(engine)} (head {head_revision()}).")


def status(ctx: typer.Context) -> None:
    """Mentions per channel and watch, polling health, read budgets, and dead letters."""
    from socialcx.ops.status import status_report

    state: _Context = ctx.obj
    report = status_report(state.reader(), state.settings, state.clock)
    _print_status(report, state.clock.now())


def connectors(
    channel: Annotated[Channel | None, typer.Argument(help="Describe only this channel.")] = None,
) -> None:
    """The channels socialcx can follow: what each can do, and each one's settings with a sample mention."""
    from connectors import available, connector_class

    chosen = [channel] if channel else available()
    table = Table(title="Connectors", title_justify="left")
    for column in ("channel", "replies", "search", "cursor"):
        table.add_column(column)
    for name in chosen:
        capabilities = connector_class(name).capabilities
        table.add_row(
            name.value, "yes" if capabilities.can_reply else "no: read-only, answer on the site",
            "yes" if capabilities.can_search else "no", capabilities.cursor_kind,
        )
    console.print(table)
    for name in chosen:
        console.print(f"\n[bold]{name.value}[/]: {connector_class(name).__doc__}")
        console.print(Text(connector_class(name).description), soft_wrap=True)


def _print_status(report: StatusReport, now: datetime) -> None:
    console.print(f"Database: {report.database} (schema {report.revision})")
    table = Table(title=f"Mentions: {report.total_mentions}", title_justify="left")
    for column in ("channel", "watch", "polling", "mentions", "newest", "last clean poll", "cursor advanced"):
        table.add_column(column, justify="right" if column == "mentions" else "left")
    for row in report.watches:
        newest = row.newest.strftime("%Y-%m-%d %H:%M") if row.newest else "-"
        table.add_row(
            row.channel,
            Text(row.watch),
            _polling(row, now),
            str(row.mentions),
            newest,
            _ago(row.last_success_at, now),
            _ago(row.cursor_advanced_at, now),
        )
    console.print(table)
    for row in report.watches:
        if row.last_error:
            console.print(Text(f"{row.channel}/{row.watch}: last poll failed: {row.last_error}", style="red"))
    if report.budgets:
        _print_budgets(report.budgets)
    if report.intents:
        _print_intents(report.intents)
    if report.leases:
        _print_leases(report.leases)
    if not report.dead_letters:
        console.print("Dead letters: none")
        return
    dead = Table(title="Dead letters", title_justify="left")
    for column in ("channel", "watch", "all", "retrying", "unreadable", "latest", "latest reason"):
        dead.add_column(column, justify="right" if column in ("all", "retrying", "unreadable") else "left", overflow="fold")
    for row in report.dead_letters:
        dead.add_row(
            row.channel, row.watch, str(row.count), str(row.retrying), Text(str(row.unreadable), style="red" if row.unreadable else ""),
            _ago(row.latest_at, now), Text(row.latest_reason),
        )
    console.print(dead)
    if any(row.unreadable for row in report.dead_letters):
        console.print("Unreadable posts wait for a person in `socialcx inbox list`.")


def _print_intents(intents: list[IntentSummary]) -> None:
    table = Table(title="Triage", title_justify="left")
    for column in ("intent", "mentions", "routine", "abstained", "risk flagged"):
        table.add_column(column, justify="left" if column == "intent" else "right")
    for row in intents:
        table.add_row(row.intent, str(row.mentions), str(row.routine), str(row.abstained), str(row.risky))
    console.print(table)


def _print_leases(leases: list[LeaseStatus]) -> None:
    table = Table(title="Replicas: who does what", title_justify="left")
    for column in ("work", "replica", "until"):
        table.add_column(column, overflow="fold")
    for lease in leases:
        until = f"{lease.expires_at:%Y-%m-%d %H:%M:%S} UTC" if lease.held else "[dim]expired: free for any replica[/]"
        table.add_row(Text(lease.name), Text(lease.holder), until)
    console.print(table)


def _polling(row: WatchStatus, now: datetime) -> str:
    if not row.enabled:
        return "off"
    if row.throttled_until is not None and row.throttled_until > now:
        return f"[yellow]throttled until {row.throttled_until:%H:%M}[/]"
    if row.last_error:
        return "[red]failing[/]"
    return "[red]stale[/]" if row.stale else "on"
