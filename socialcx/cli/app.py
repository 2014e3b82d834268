"""What every command shares: the app and its error handling, the per-invocation context
(config, clock, store), the common options and the printing helpers. Imports only what
`socialcx --help` needs; each command imports its own heavy dependencies when it runs."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

from socialcx.channels import Channel
from socialcx.clock import SystemClock, parse_time
from socialcx.errors import SocialcxError, UsageError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from socialcx.collect.budget import BudgetStatus
    from socialcx.config import Settings

__all__ = ["app", "console", "errors"]

console = Console(highlight=False)
errors = Console(stderr=True, highlight=False, soft_wrap=True)  # an error is one line, however long


class _Group(TyperGroup):
    """Turns socialcx's own errors, and the database's refusals, into one line on stderr and exit
    status 1."""

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            if _debug(ctx) or not (isinstance(exc, SocialcxError) or _refused_by_database(exc)):
                raise
            errors.print(Text(f"error: {_sentence(ctx, exc)}"))
            raise typer.Exit(1) from None


def _refused_by_database(exc: Exception) -> bool:
    """Whether SQLAlchemy raised `exc`; asked without importing it, which `--help` never needs."""
    sqlalchemy_errors = sys.modules.get("sqlalchemy.exc")
    return sqlalchemy_errors is not None and isinstance(exc, sqlalchemy_errors.SQLAlchemyError)


def _sentence(ctx: typer.Context, exc: Exception) -> str:
    if not _refused_by_database(exc):
        return str(exc)
    from socialcx.store import database_reason

    if isinstance(ctx.obj, _Context) and ctx.obj.pending_upgrade:
        return f"this command needs the pending schema upgrade: run `socialcx db upgrade` first ({database_reason(exc)})"
    return f"the database refused the command: {database_reason(exc)}"


def _debug(ctx: typer.Context) -> bool:
    return isinstance(ctx.obj, _Context) and ctx.obj.debug


app = typer.Typer(
    cls=_Group,
    help="socialcx: watch what people say about your brand, triage it, and answer in time.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@dataclass
class _Context:
    """What every command shares: the config location, loaded on first use, and the clock."""

    config: Path | None
    debug: bool
    clock: SystemClock = field(default_factory=SystemClock)
    pending_upgrade: bool = False
    _settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        from socialcx.config import load_settings

        if self._settings is None:
            self._settings = load_settings(self.config)
        return self._settings

    def engine(self) -> Engine:
        from socialcx.store import connect

        return connect(self.settings.database)

    def reader(self) -> Engine:
        """An engine for a command that only reads: it leaves the schema as it is, and says so
        on stderr when an upgrade is pending."""
        from socialcx.store import connect_reader

        engine, pending = connect_reader(self.settings.database)
        if pending:
            self.pending_upgrade = True
            errors.print(Text(f"note: {pending}"))
        return engine


@app.callback()
def _main(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="Config file. Default: $SOCIALCX_CONFIG, else ./socialcx.toml."),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show the full trace of an error.")] = False,
) -> None:
    ctx.obj = _Context(config=config, debug=debug)


# The filters shared by `mentions list`, `search` and `export`.
_Channels = Annotated[list[Channel] | None, typer.Option("--channel", help="Only this channel (repeatable).")]
_Watches = Annotated[list[str] | None, typer.Option("--watch", help="Only this watch (repeatable).")]
_Since = Annotated[
    str | None, typer.Option(help="From this time: 2026-11-24, 2026-11-24T09:30, or an age like 24h.")
]
_Until = Annotated[str | None, typer.Option(help="Before this time, same forms as --since.")]
_Contains = Annotated[str | None, typer.Option(help="Only mentions whose text contains this.")]
# The largest row number and count every backend takes (a PostgreSQL INTEGER).
_LARGEST = 2**31 - 1


def _limit_in_range(value: int) -> int:
    if value > _LARGEST:
        raise UsageError(f"--limit: {value} is too large; give at most {_LARGEST:,}")
    return value


_Limit = Annotated[int, typer.Option(min=1, callback=_limit_in_range, help="How many to show.")]


def _print_sent(report: Any) -> None:
    parts = [f"{report.sent} sent"]
    if report.recovered:
        parts.append(f"{report.recovered} found already posted")
    if report.retrying:
        parts.append(f"{report.retrying} to retry")
    if report.failed:
        parts.append(f"[red]{report.failed} failed (back in the inbox)[/]")
    if report.held:
        parts.append(f"[yellow]{report.held} auto-replies held: paused[/]")
    console.print("Outbox: " + ", ".join(parts) + ".")


def _when(state: _Context, option: str, value: str | None) -> datetime | None:
    """A time option (ISO time, or an age like 7d), read against the command's clock."""
    if value is None:
        return None
    try:
        return parse_time(value, state.clock.now())
    except ValueError as exc:
        raise UsageError(f"{option}: {exc}") from None


def _ago(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    seconds = int((now - moment).total_seconds())
    if seconds < 0:
        return moment.strftime("%Y-%m-%d %H:%M")
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return f"{seconds}s ago"


def _print_budgets(budgets: list[BudgetStatus]) -> None:
    table = Table(title="Read budget", title_justify="left")
    for column in ("channel", "window left", "month used", "month left", "runs out"):
        table.add_column(column)
    for budget in budgets:
        window = "no limit" if budget.window_left is None else f"{budget.window_left} (resets {budget.window_resets_at:%H:%M})"
        month = "no limit" if budget.month_left is None else str(budget.month_left)
        if budget.month_left is None:
            runs_out = "-"
        elif budget.runs_out_at is None:
            runs_out = f"not before it resets {budget.month_resets_at:%Y-%m-%d}"
        else:
            runs_out = f"[red]{budget.runs_out_at:%Y-%m-%d %H:%M} at this pace[/]"
        table.add_row(budget.channel.value, window, str(budget.month_used), month, runs_out)
    console.print(table)
