"""The `socialcx` command. Errors are one clear sentence and a non-zero exit; `--debug` shows the trace."""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlalchemy.engine import Engine
from typer.core import TyperGroup

from socialcx.budget import BudgetStatus
from socialcx.channels import Channel
from socialcx.clock import SystemClock, parse_time
from socialcx.config import (
    SANDBOX_SECRETS,
    Settings,
    example_config,
    load_settings,
    sandbox_config,
    sandbox_secrets,
)
from socialcx.demo import DEFAULT_DEMO_DIR, prepare_demo, run_demo
from socialcx.errors import SocialcxError, UsageError
from socialcx.ingest import IngestReport
from socialcx.mentions import MentionFilter, find_mentions, iter_mentions, write_export
from socialcx.poller import WatchPoll, poll_once
from socialcx.status import IntentSummary, StatusReport, WatchStatus, status_report
from socialcx.store import connect, current_revision, head_revision, redact

__all__ = ["app", "main"]

console = Console(highlight=False)
errors = Console(stderr=True, highlight=False, soft_wrap=True)  # an error is one line, however long


class _Group(TyperGroup):
    """Turns socialcx's own errors into one line on stderr and exit status 1."""

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SocialcxError as exc:
            if _debug(ctx):
                raise
            errors.print(Text(f"error: {exc}"))
            raise typer.Exit(1) from None


def _debug(ctx: typer.Context) -> bool:
    return isinstance(ctx.obj, _Context) and ctx.obj.debug


app = typer.Typer(
    cls=_Group,
    help="socialcx: watch what people say about your brand, triage it, and answer in time.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(cls=_Group, help="Database schema.", no_args_is_help=True)
mentions_app = typer.Typer(cls=_Group, help="Find and export stored mentions.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(mentions_app, name="mentions")


@dataclass
class _Context:
    """What every command shares: the config location, loaded on first use, and the clock."""

    config: Path | None
    debug: bool
    clock: SystemClock = field(default_factory=SystemClock)
    _settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config)
        return self._settings

    def engine(self) -> Engine:
        return connect(self.settings.database)


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


@app.command()
def init(
    path: Annotated[Path, typer.Argument(help="Where to write the config.")] = Path("socialcx.toml"),
    sandbox: Annotated[
        bool, typer.Option("--sandbox", help="Point every channel at the local sandbox, with placeholder credentials.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing files.")] = False,
) -> None:
    """Write a commented example config that works as it stands."""
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


@app.command("sandbox")
def sandbox_command(
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port on 127.0.0.1.")] = 8765,
    scenario: Annotated[
        str, typer.Option(help="default, quiet, bench, or a .jsonl file of mentions to replay.")
    ] = "default",
    speed: Annotated[float, typer.Option(min=0.001, help="How much faster than real time the scenario runs.")] = 60.0,
    seed: Annotated[int, typer.Option(help="Seed of the generated scenario.")] = 0,
) -> None:
    """Serve local stand-ins of the channels' APIs, fed by a scenario, until Ctrl-C."""
    from socialcx.sandbox import serve

    def ready(base_url: str) -> None:
        console.print(f"Sandbox on {base_url} (scenario {scenario}, {speed:g}x real time). Ctrl-C stops it.")

    try:
        asyncio.run(serve(port=port, scenario=scenario, speed=speed, seed=seed, on_ready=ready))
    except KeyboardInterrupt:
        console.print("Sandbox stopped.")
    except ValueError as exc:
        raise UsageError(f"--scenario: {exc}") from None
    except OSError as exc:
        raise UsageError(f"cannot listen on 127.0.0.1:{port} ({exc.strerror or exc})") from None


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Bring the database schema up to date (commands also do this on start)."""
    state: _Context = ctx.obj
    engine = state.engine()
    console.print(f"{redact(state.settings.database)} is at schema revision {current_revision(engine)} (head {head_revision()}).")


@app.command()
def status(ctx: typer.Context) -> None:
    """Mentions per channel and watch, polling health, read budgets, and dead letters."""
    state: _Context = ctx.obj
    report = status_report(state.engine(), state.settings, state.clock)
    _print_status(report, state.clock.now())


# The filters shared by `mentions list`, `search` and `export`.
_Channels = Annotated[list[Channel] | None, typer.Option("--channel", help="Only this channel (repeatable).")]
_Watches = Annotated[list[str] | None, typer.Option("--watch", help="Only this watch (repeatable).")]
_Since = Annotated[
    str | None, typer.Option(help="From this time: 2026-11-24, 2026-11-24T09:30, or an age like 24h.")
]
_Until = Annotated[str | None, typer.Option(help="Before this time, same forms as --since.")]
_Contains = Annotated[str | None, typer.Option(help="Only mentions whose text contains this.")]
_Limit = Annotated[int, typer.Option(min=1, help="How many to show.")]


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
    state: _Context = ctx.obj
    where = _filter(state, channel, watch, since, until, text)
    _print_mentions(find_mentions(state.engine(), where, limit=limit))


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
    state: _Context = ctx.obj
    where = _filter(state, channel, watch, since, until, query)
    _print_mentions(find_mentions(state.engine(), where, limit=limit))


class _ExportFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"


@mentions_app.command("export")
def mentions_export(
    ctx: typer.Context,
    fmt: Annotated[_ExportFormat, typer.Option("--format", help="csv or jsonl.")] = _ExportFormat.CSV,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write. Default: stdout.")] = None,
    channel: _Channels = None,
    watch: _Watches = None,
    since: _Since = None,
    until: _Until = None,
    text: _Contains = None,
) -> None:
    """Every matching mention, oldest first, as CSV or JSON Lines for analysts."""
    state: _Context = ctx.obj
    rows = iter_mentions(state.engine(), _filter(state, channel, watch, since, until, text))
    if output is None:
        write_export(rows, fmt.value, sys.stdout)
        return
    try:
        with output.open("w", encoding="utf-8", newline="") as out:
            count = write_export(rows, fmt.value, out)
    except OSError as exc:
        raise UsageError(f"cannot write {output} ({exc.strerror})") from None
    errors.print(f"Wrote {count} mentions to {output}.")


@app.command()
def poll(
    ctx: typer.Context,
    watch: _Watches = None,
    channel: _Channels = None,
) -> None:
    """One polling pass over the configured watches; exit status 1 if any watch failed."""
    state: _Context = ctx.obj
    settings = state.settings
    for name in watch or ():
        if settings.watch(name) is None:
            known = ", ".join(w.name for w in settings.watches) or "none"
            raise UsageError(f"no watch named {name!r}; configured watches: {known}")
    engine = state.engine()
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
    from socialcx.spikes.incidents import evaluate

    changed = evaluate(engine, clock=state.clock, bucket=settings.spikes.bucket, settle=settings.spikes.settle)
    for incident in changed:
        console.print(Text(f"Spike alert #{incident.id} on {incident.watch} ({incident.channel} · {incident.slice}): {incident.status}", style="bold red"))
    budgets = status_report(engine, settings, state.clock).budgets
    if any(budget.limited for budget in budgets):
        _print_budgets(budgets)
    if any(result.error for result in results):
        raise typer.Exit(1)


@app.command()
def train(
    input: Annotated[Path, typer.Option("--input", help="Labelled posts: a .csv or .jsonl file.")],
    text_column: Annotated[str, typer.Option(help="Column holding the text.")] = "text",
    label_column: Annotated[str, typer.Option(help="Column holding the label.")] = "intent",
    out: Annotated[Path, typer.Option(help="Folder to write the model, its metadata and model card to.")] = Path("model"),
    target_precision: Annotated[
        float, typer.Option(min=0.5, max=1.0, help="Precision the non-abstained predictions must reach.")
    ] = 0.99,
) -> None:
    """Train a classifier on a team's own labelled posts, with a cross-validated abstention threshold."""
    from socialcx.triage.files import read_table
    from socialcx.triage.model import TextClassifier
    from socialcx.triage.saved import ModelMetadata, save_classifier

    rows = read_table(input, (text_column, label_column))
    texts, labels = [row[text_column] for row in rows], [row[label_column] for row in rows]
    with console.status(f"Training on {len(rows):,} rows…"):
        try:
            model = TextClassifier(target_precision=target_precision).fit(texts, labels)
        except ValueError as exc:
            raise UsageError(f"{input}: {label_column}: {exc}") from None
    metadata = ModelMetadata.describe(
        model, source=str(input), text_column=text_column, label_column=label_column, rows=len(rows),
        trained_at=SystemClock().now(),
    )
    save_classifier(model, metadata, out)
    console.print(
        f"{len(model.classes_)} classes, {len(rows):,} rows. Cross-validated: accuracy {model.cv_accuracy_:.3f}, "
        f"macro-F1 {model.cv_macro_f1_:.3f}.\nAbstains below a confidence of {model.threshold_:.3f}: "
        f"precision {model.cv_precision_:.3f} on the {model.cv_coverage_:.1%} of rows it keeps "
        f"(target {target_precision:.2f}).\nWrote {out}/ (model.skops, metadata.json, MODEL_CARD.md)."
    )


@app.command()
def classify(
    input: Annotated[Path, typer.Option("--input", help="Posts to classify: a .csv or .jsonl file.")],
    output: Annotated[Path, typer.Option("--output", help="Where to write one JSON object per row, in order.")],
    model: Annotated[
        Path | None, typer.Option("--model", help="A folder from `socialcx train`. Default: the shipped triage model.")
    ] = None,
    text_column: Annotated[str, typer.Option(help="Column holding the text.")] = "text",
) -> None:
    """Classify posts: label, confidence and abstain for each (the default model adds the whole triage)."""
    from socialcx.triage import default_model
    from socialcx.triage.files import read_table
    from socialcx.triage.saved import load_classifier

    texts = [row[text_column] for row in read_table(input, (text_column,))]
    with console.status(f"Classifying {len(texts):,} posts…"):
        if model is None:
            results = [
                {"label": t.intent, "confidence": t.confidence, "abstain": t.abstained} | _triage_fields(t)
                for t in default_model().triage(texts)
            ]
        else:
            labels, confidence, abstain = load_classifier(model).predict_with_confidence(texts)
            results = [
                {"label": str(label), "confidence": round(float(c), 4), "abstain": bool(a)}
                for label, c, a in zip(labels, confidence, abstain)
            ]
    try:
        with output.open("w", encoding="utf-8") as out:
            for result in results:
                out.write(json.dumps(result, ensure_ascii=False) + "\n")
    except OSError as exc:
        raise UsageError(f"cannot write {output} ({exc.strerror})") from None
    abstained = sum(result["abstain"] for result in results)
    console.print(f"Wrote {len(results):,} rows to {output}; {abstained:,} abstained (left to a person).")


def _triage_fields(triage: Any) -> dict[str, Any]:
    return {
        "sentiment": triage.sentiment,
        "sentiment_score": triage.sentiment_score,
        "urgency": triage.urgency,
        "language": triage.language,
        "risks": list(triage.risks),
        "routine": triage.routine,
    }


@app.command()
def retriage(
    ctx: typer.Context,
    since: Annotated[
        str | None, typer.Option(help="Only mentions created since then: ISO time, or an age like 7d or 12h.")
    ] = None,
    model: Annotated[
        Path | None,
        typer.Option("--model", help="An intent classifier from `socialcx train` to use instead of the shipped one."),
    ] = None,
) -> None:
    """Triage stored mentions again with a new model, replacing what an older model said."""
    from socialcx.retriage import retriage as run
    from socialcx.triage import default_model

    state: _Context = ctx.obj
    after = _when(state, "--since", since)
    engine = state.engine()
    with console.status("Loading the triage model…"):
        triager = default_model() if model is None else default_model().with_intent(model)
    with console.status("Triaging…") as spinner:
        report = run(
            engine, triager, clock=state.clock, since=after,
            on_chunk=lambda so_far: spinner.update(f"Triaging… {so_far.mentions:,} mentions"),
        )
    if not report.mentions:
        console.print(f"Nothing to do: every mention{' since then' if since else ''} is triaged by {report.version}.")
        return
    from socialcx.spikes.counts import rebuild_counts

    rebuild_counts(engine, state.settings.spikes.bucket, since=after)  # the slices follow the new triage
    console.print(
        f"Re-triaged {report.mentions:,} mentions with {report.version}: {report.changed_intent:,} changed intent, "
        f"{report.changed_routine:,} changed between routine and needs-a-human, {report.newly_triaged:,} had no triage."
    )


@app.command()
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


@app.command()
def spikes(
    input: Annotated[Path, typer.Option("--input", help="A CSV file with columns timestamp,value at regular intervals.")],
) -> None:
    """Run the spike detector over a count series: one JSON line per alert raised, to stdout."""
    from socialcx.spikes import write_spikes

    write_spikes(input, sys.stdout)


@app.command()
def trends(ctx: typer.Context) -> None:
    """Mentions per hour over the last day for each watch and slice, and the open alerts."""
    from socialcx.spikes.incidents import open_alerts
    from socialcx.spikes.trends import sparkline, trend_lines

    state: _Context = ctx.obj
    engine, now = state.engine(), state.clock.now()
    lines = trend_lines(engine, now)
    if not lines:
        console.print("No mentions counted yet: poll first (`socialcx poll`).")
        return
    for watch in dict.fromkeys(line.key.watch for line in lines):
        table = Table(title=f"{watch}: the last 24 hours on all channels, one bar an hour", title_justify="left")
        table.add_column("slice", overflow="fold")
        table.add_column("mentions", justify="right")
        table.add_column("now vs normal", justify="right")
        table.add_column("24 h", min_width=24, no_wrap=True)
        for line in (line for line in lines if line.key.watch == watch):
            last = "—" if line.last_observed is None else f"{line.last_observed:,.0f} vs {line.last_expected:,.1f}"
            style = "red" if line.alerting else "cyan"
            table.add_row(Text(line.key.slice), f"{line.total:,}", last, Text(sparkline(line.hourly), style=style))
        console.print(table)
    _print_alerts(open_alerts(engine), now)


@app.command()
def backtest(
    ctx: typer.Context,
    since: Annotated[str, typer.Option(help="Replay alerts from then: ISO time, or an age like 30d.")],
    until: Annotated[str | None, typer.Option(help="…up to then (default: now).")] = None,
    incidents: Annotated[
        Path | None, typer.Option(help="Known incidents: a CSV with start,end[,watch,label] to score the alerts against.")
    ] = None,
    watch: _Watches = None,
) -> None:
    """Replay stored history through the spike detector: the alerts it would have raised, and
    given known incidents, its precision, recall and time to detection."""
    from socialcx.spikes.backtest import backtest as replay
    from socialcx.spikes.backtest import read_windows, score

    state: _Context = ctx.obj
    now = state.clock.now()
    start, end = _when(state, "--since", since) or now, _when(state, "--until", until) or now
    windows = read_windows(incidents, now) if incidents else []
    with console.status("Replaying…"):
        found = replay(state.engine(), bucket=state.settings.spikes.bucket, since=start, until=end, watches=tuple(watch or ()))
    table = Table(title=f"Alerts the detector would have raised, {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC", title_justify="left")
    for column in ("opened", "watch", "series", "observed", "expected", "peak", "resolved", "note"):
        table.add_column(column, justify="right" if column in ("observed", "expected", "peak") else "left")
    for incident in found:
        table.add_row(
            f"{incident.opened_at:%Y-%m-%d %H:%M}", Text(incident.watch), Text(f"{incident.channel} · {incident.slice}"),
            f"{incident.observed:,.0f}", f"{incident.expected:,.1f}", f"{incident.peak:,.0f}",
            f"{incident.resolved_at:%Y-%m-%d %H:%M}" if incident.resolved_at else "still open",
            "cold start" if incident.cold_start else "",
        )
    console.print(table if found else "No alerts in that period.")
    if windows:
        result = score(found, windows)
        precision = "—" if result.precision is None else f"{result.precision:.2f}"
        delay = "—" if result.median_delay is None else f"{result.median_delay.total_seconds() / 60:.0f} min"
        console.print(
            f"Against {result.windows} known incidents: precision {precision} ({result.true_alerts} of {result.alerts} alerts "
            f"in an incident), recall {result.recall:.2f} ({result.detected} detected), median time to detection {delay}."
        )


def _print_alerts(alerts: list[Any], now: datetime) -> None:
    if not alerts:
        console.print("No open alerts.")
        return
    table = Table(title="Open alerts", title_justify="left")
    for column in ("#", "watch", "status", "about", "opened", "seen", "expected", "peak"):
        table.add_column(column, justify="right" if column in ("#", "seen", "expected", "peak") else "left", overflow="fold")
    for alert in alerts:
        table.add_row(
            str(alert.id), Text(alert.watch), alert.status, Text(alert.topic), _ago(alert.opened_at, now),
            f"{alert.observed:,.0f}", f"{alert.expected:,.1f}", f"{alert.peak:,.0f}",
        )
    console.print(table)
    if any(alert.cold_start for alert in alerts):
        console.print("Alerts raised with little history were judged by a stricter rule while the baseline is learned.")


@app.command()
def demo(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option(help="Folder for the demo's config and database.")] = DEFAULT_DEMO_DIR,
) -> None:
    """Run the main job on embedded defaults: store the built-in sample, then show status."""
    state: _Context = ctx.obj
    settings = prepare_demo(out)
    console.print(f"[bold]socialcx demo[/] in {out}/ (database {redact(settings.database)})\n")
    with console.status("Loading the triage model (trained from the seed set on first use)…"):
        from socialcx.triage import default_model

        model = default_model()
    _print_ingest(run_demo(settings, state.clock, triage=model))
    console.print()
    _print_status(status_report(connect(settings.database), settings, state.clock), state.clock.now())
    console.print(
        f"\nTry: socialcx --config {out}/socialcx.toml mentions search refund\n"
        f"     socialcx --config {out}/socialcx.toml mentions export --format jsonl"
    )


def main() -> None:
    """Console-script entry point: even an error nobody foresaw ends in one line, not a trace."""
    try:
        app()
    except Exception as exc:
        if "--debug" in sys.argv:
            raise
        errors.print(Text(f"error: unexpected {type(exc).__name__}: {exc} (run with --debug for the trace)"))
        sys.exit(1)


def _filter(
    state: _Context,
    channels: list[Channel] | None,
    watches: list[str] | None,
    since: str | None,
    until: str | None,
    text: str | None,
) -> MentionFilter:
    return MentionFilter(
        channels=tuple(channels or ()),
        watches=tuple(watches or ()),
        since=_when(state, "--since", since),
        until=_when(state, "--until", until),
        text=text,
    )


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
    if not report.dead_letters:
        console.print("Dead letters: none")
        return
    dead = Table(title="Dead letters", title_justify="left")
    for column in ("channel", "watch", "count", "latest", "latest reason"):
        dead.add_column(column, justify="right" if column == "count" else "left", overflow="fold")
    for row in report.dead_letters:
        dead.add_row(row.channel, row.watch, str(row.count), _ago(row.latest_at, now), Text(row.latest_reason))
    console.print(dead)


def _print_intents(intents: list[IntentSummary]) -> None:
    table = Table(title="Triage", title_justify="left")
    for column in ("intent", "mentions", "routine", "abstained", "risk flagged"):
        table.add_column(column, justify="left" if column == "intent" else "right")
    for row in intents:
        table.add_row(row.intent, str(row.mentions), str(row.routine), str(row.abstained), str(row.risky))
    console.print(table)


def _polling(row: WatchStatus, now: datetime) -> str:
    if not row.enabled:
        return "off"
    if row.throttled_until is not None and row.throttled_until > now:
        return f"[yellow]throttled until {row.throttled_until:%H:%M}[/]"
    if row.last_error:
        return "[red]failing[/]"
    return "[red]stale[/]" if row.stale else "on"


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


def _print_ingest(reports: list[IngestReport]) -> None:
    table = Table(title="Ingested", title_justify="left")
    for column in ("channel", "watch", "new", "duplicates", "dead letters"):
        table.add_column(column, justify="left" if column in ("channel", "watch") else "right")
    for report in reports:
        table.add_row(
            report.channel.value, report.watch, str(report.new), str(len(report.duplicates)), str(report.dead_letters)
        )
    console.print(table)


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
