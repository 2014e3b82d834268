"""`socialcx mentions list|search|export`: the stored mentions (`socialcx.store.mentions`)."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from socialcx.channels import Channel
from socialcx.cli.app import (
    _Channels,
    _Contains,
    _Context,
    _Group,
    _Limit,
    _Since,
    _Until,
    _Watches,
    _when,
    console,
    errors,
)
from socialcx.errors import UsageError

if TYPE_CHECKING:
    from socialcx.store.mentions import MentionFilter


mentions_app = typer.Typer(cls=_Group, help="Find and export stored mentions.", no_args_is_help=True)


@mentions_app.command("list")
def mentions_list(
    ctx: typer.Context,
    channel: _Channels = None,
    watch: _Watches = None,
    since: _Since = None,
    until: _Until = None,
    text: _Contains = None,
    limit: _Limit = 50,
) -> None:
    """The newest stored mentions, newest first."""
    from socialcx.store.mentions import find_mentions

    state: _Context = ctx.obj
    where = _filter(state, channel, watch, since, until, text)
    _print_mentions(find_mentions(state.reader(), where, limit=limit))


@mentions_app.command("search")
def mentions_search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="Text to look for (case-insensitive).")],
    channel: _Channels = None,
    watch: _Watches = None,
    since: _Since = None,
    until: _Until = None,
    limit: _Limit = 50,
) -> None:
    """Stored mentions containing QUERY, newest first."""
    from socialcx.store.mentions import find_mentions

    state: _Context = ctx.obj
    where = _filter(state, channel, watch, since, until, query)
    _print_mentions(find_mentions(state.reader(), where, limit=limit))


class _ExportFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"
    PARQUET = "parquet"


@mentions_app.command("export")
def mentions_export(
    ctx: typer.Context,
    fmt: Annotated[_ExportFormat, typer.Option("--format", help="csv, jsonl or parquet (typed columns; needs --output).")] = _ExportFormat.CSV,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write. Default: stdout.")] = None,
    channel: _Channels = None,
    watch: _Watches = None,
    since: _Since = None,
    until: _Until = None,
    text: _Contains = None,
) -> None:
    """Every matching mention, oldest first, as CSV, JSON Lines or Parquet for analysts."""
    from socialcx.store.mentions import iter_mentions, write_export, write_parquet

    state: _Context = ctx.obj
    if fmt is _ExportFormat.PARQUET and output is None:
        raise UsageError("--format parquet writes a binary file: give it one with --output FILE.parquet")
    rows = iter_mentions(state.reader(), _filter(state, channel, watch, since, until, text))
    if output is None:
        write_export(rows, fmt.value, sys.stdout)
        return
    try:
        if fmt is _ExportFormat.PARQUET:
            count = write_parquet(rows, output)
        else:
            with output.open("w", encoding="utf-8", newline="") as out:
                count = write_export(rows, fmt.value, out)
    except OSError as exc:
        raise UsageError(f"cannot write {output} ({exc.strerror})") from None
    errors.print(f"Wrote {count} mentions to {output}.")


def _filter(
    state: _Context,
    channels: list[Channel] | None,
    watches: list[str] | None,
    since: str | None,
    until: str | None,
    text: str | None,
) -> MentionFilter:
    from socialcx.store.mentions import MentionFilter

    return MentionFilter(
        channels=tuple(channels or ()),
        watches=tuple(watches or ()),
        since=_when(state, "--since", since),
        until=_when(state, "--until", until),
        text=text,
    )


def _print_mentions(rows: list[dict[str, Any]]) -> None:
    if not rows:
        console.print("No mentions match.")
        return
    table = Table(show_lines=False)
    for column in ("created_at", "channel", "author", "intent", "urgency", "text"):
        table.add_column(column, overflow="fold")
    for row in rows:
        intent = row["intent"] or "-"
        table.add_row(
            row["created_at"].strftime("%Y-%m-%d %H:%M"),
            row["channel"],
            Text(row["author_handle"] or "-"),
            f"{intent}?" if row["abstained"] else intent,
            row["urgency"] or "-",
            Text(row["text"]),
        )
    console.print(table)
