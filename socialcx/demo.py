"""The demo: the main job end to end on the sandbox, all channels, on an accelerated clock.

The in-process sandbox serves a scenario (by default two days with a checkout outage at hour
37) and a manual clock steps through it a quarter of an hour at a time. Each step runs what
`socialcx poll` runs: poll every watch with triage, evaluate spikes, route the new mentions
and send the outbox through the real clients. The demo folder keeps the config, a playbook
that answers the routine intents by itself, and the database, so the other commands can look
at what happened. Each run starts from a fresh database.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
import yaml
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text
from sqlalchemy.engine import Engine

from connectors import available, connector_class
from socialcx.clock import ManualClock
from socialcx.config import SANDBOX_SECRETS, Settings, load_settings, sandbox_config, sandbox_secrets
from socialcx.inbox import InboxEntry, list_items
from socialcx.ingest import Triager
from socialcx.kpis import KpiReport, kpis
from socialcx.outbox import send_pending
from socialcx.playbook import default_playbook_text, playbook_for
from socialcx.poller import poll_once
from socialcx.responder import route
from socialcx.sandbox import SCENARIOS, Budget, Sandbox, load_scenario
from socialcx.spikes.incidents import evaluate
from socialcx.store import Alert, AlertEvent, Mention, OutboxReply, connect

__all__ = ["DemoProgress", "DemoReport", "demo_progress", "prepare_demo", "print_report", "run_demo"]

START = datetime(2026, 11, 23, tzinfo=UTC)  # a Monday, midnight UTC
STEP = timedelta(minutes=30)  # 15 would double the passes and pass 3 minutes on 2 cores
SEED = 7
DATABASE_FILES = ("socialcx.db", "socialcx.db-wal", "socialcx.db-shm", "socialcx.db-journal")


@dataclass(frozen=True, slots=True)
class DemoProgress:
    """Where the replay is after a step, for a live display."""

    step: int
    steps: int
    now: datetime
    polls: int
    mentions: int
    alerts: int
    replies: int


@dataclass(frozen=True, slots=True)
class RaisedAlert:
    """A spike alert the replay raised, and how long after the scripted incident began."""

    id: int
    channel: str
    slice: str
    raised_at: datetime  # the bucket that raised it
    after_incident: timedelta | None  # None: raised before any scripted incident


@dataclass(frozen=True, slots=True)
class DemoReport:
    """What the replay did, read back from the database at the end."""

    folder: Path
    scenario: str
    start: datetime
    end: datetime
    polls: int
    poll_errors: Counter[str]  # each distinct error, with how many polls it failed
    mentions: dict[str, int]  # by channel
    outcomes: Counter[str]  # the responder's decisions: auto_reply, draft, inbox, skipped
    replies: Counter[str]  # auto-replies by outbox state: sent, failed (refused, back to the inbox), pending
    examples: tuple[tuple[str, str, str], ...]  # channel, mention, auto-reply sent
    inbox: tuple[InboxEntry, ...]  # the most urgent items
    incidents: tuple[tuple[str, datetime], ...]  # scripted: topic and start
    alerts: tuple[RaisedAlert, ...]
    kpis: KpiReport


def prepare_demo(folder: Path) -> Settings:
    """Write the demo folder's config (the sandbox config, on the sandbox's usual port), its
    secrets and its playbook, delete the previous run's database, and load the settings."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in DATABASE_FILES:
        (folder / name).unlink(missing_ok=True)
    config = folder / "socialcx.toml"
    config.write_text('playbook = "playbook.yaml"  # the demo answers routine intents itself\n' + sandbox_config(), encoding="utf-8")
    (folder / SANDBOX_SECRETS).write_text(sandbox_secrets(), encoding="utf-8")
    (folder / "playbook.yaml").write_text(_demo_playbook(), encoding="utf-8")
    return load_settings(config)


def _demo_playbook() -> str:
    """The shipped playbook with its intents in `auto` instead of shadow mode."""
    playbook = yaml.safe_load(default_playbook_text())
    playbook["defaults"]["mode"] = "auto"
    header = "# The demo's playbook: the shipped one (`socialcx playbook init`) with its intents in auto.\n"
    return header + yaml.safe_dump(playbook, sort_keys=False, allow_unicode=True, width=120)


def run_demo(
    settings: Settings,
    *,
    scenario: str = "default",
    triage: Triager | None = None,
    on_step: Callable[[DemoProgress], None] | None = None,
) -> DemoReport:
    """Replay `scenario` from the sandbox through the whole chain, step by step, and report."""
    clock = ManualClock(START)
    spec = SCENARIOS[scenario]
    sandbox = Sandbox(load_scenario(scenario, start=START, seed=SEED), clock=clock, wall=lambda: clock.now().timestamp())
    for bucket in sandbox.limits.budgets():
        sandbox.limits.set(bucket, Budget(10_000_000, 60))  # a fast replay must not wait out rate windows
    end = START + timedelta(days=spec.days)
    with sandbox.in_thread() as base_url:
        settings = _pointed_at(settings, base_url)
        engine = connect(settings.database)
        try:
            polls, errors, outcomes = asyncio.run(_replay(settings, engine, clock, end, triage, on_step))
            incidents = tuple((incident.topic, START + incident.at) for incident in spec.incidents)
            return _report(engine, settings, scenario, clock, polls, errors, outcomes, incidents)
        finally:
            engine.dispose()


def _pointed_at(settings: Settings, base_url: str) -> Settings:
    channels = {
        channel.value: settings.channels.get(channel).model_copy(update={"base_url": base_url})
        for channel in settings.channels.enabled()
    }
    return settings.model_copy(update={"channels": settings.channels.model_copy(update=channels)})


async def _replay(
    settings: Settings,
    engine: Engine,
    clock: ManualClock,
    end: datetime,
    triage: Triager | None,
    on_step: Callable[[DemoProgress], None] | None,
) -> tuple[int, Counter[str], Counter[str]]:
    playbook = playbook_for(settings)
    # One client per channel for the whole replay, as a long-running process would keep them.
    connectors = {
        channel: connector_class(channel)(settings.channels.get(channel), settings, clock=clock)
        for channel in settings.channels.enabled()
        if channel in available()
    }
    steps = int((end - clock.now()) / STEP)
    polls, mentions, alerts, replies = 0, 0, set(), 0
    errors: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    try:
        for step in range(1, steps + 1):
            clock.advance(STEP)
            results = await poll_once(settings, engine, clock, connectors=connectors, triage=triage)
            polls += len(results)
            mentions += sum(result.new for result in results)
            errors.update(f"{result.channel}/{result.watch}: {result.error}" for result in results if result.error)
            changed = evaluate(engine, clock=clock, bucket=settings.spikes.bucket, settle=settings.spikes.settle)
            alerts |= {incident.id for incident in changed}
            outcomes.update(decision.outcome for decision in route(engine, settings, playbook, clock))
            replies += (await send_pending(engine, settings, clock, connectors=connectors)).sent
            if on_step:
                on_step(DemoProgress(step, steps, clock.now(), polls, mentions, len(alerts), replies))
    finally:
        for connector in connectors.values():
            await connector.aclose()
    return polls, errors, outcomes


def _report(
    engine: Engine,
    settings: Settings,
    scenario: str,
    clock: ManualClock,
    polls: int,
    errors: Counter[str],
    outcomes: Counter[str],
    incidents: tuple[tuple[str, datetime], ...],
) -> DemoReport:
    with engine.connect() as connection:
        per_channel = dict(connection.execute(
            sa.select(Mention.channel, sa.func.count()).group_by(Mention.channel).order_by(sa.func.count().desc())
        ).all())
        sent = connection.execute(
            sa.select(Mention.channel, Mention.text, OutboxReply.text)
            .join(OutboxReply, OutboxReply.mention_id == Mention.id)
            .where(OutboxReply.origin == "auto", OutboxReply.state == "sent")
            .order_by(OutboxReply.id)
        ).all()
        replies = Counter(dict(connection.execute(
            sa.select(OutboxReply.state, sa.func.count()).where(OutboxReply.origin == "auto").group_by(OutboxReply.state)
        ).all()))
        examples: dict[str, tuple[str, str, str]] = {}
        for channel, mention, reply in sent:  # one example a channel, to show several clients
            examples.setdefault(channel, (channel, mention, reply))
        raised = connection.execute(
            sa.select(Alert.id, Alert.channel, Alert.slice, sa.func.min(AlertEvent.at))
            .join(AlertEvent, AlertEvent.alert_id == Alert.id)
            .where(AlertEvent.kind == "raised")
            .group_by(Alert.id, Alert.channel, Alert.slice)
            .order_by(Alert.id)
        ).all()
        alerts = tuple(
            RaisedAlert(id, channel, slice_, at, _after(at, incidents)) for id, channel, slice_, at in raised
        )
        inbox = tuple(list_items(connection, limit=5))
        report = kpis(connection, now=clock.now())
    return DemoReport(
        folder=Path(settings.data_dir), scenario=scenario, start=START, end=clock.now(), polls=polls,
        poll_errors=errors, mentions=per_channel, outcomes=outcomes, replies=replies, examples=tuple(examples.values())[:3],
        inbox=inbox, incidents=incidents, alerts=alerts, kpis=report,
    )


def _after(raised_at: datetime, incidents: tuple[tuple[str, datetime], ...]) -> timedelta | None:
    began = [start for _, start in incidents if start <= raised_at]
    return raised_at - max(began) if began else None


@contextmanager
def demo_progress(console: Console) -> Iterator[Callable[[DemoProgress], None]]:
    """A live line for the replay: simulated time, polls, mentions, alerts and replies."""
    columns = (
        BarColumn(bar_width=16), TextColumn("{task.fields[line]}"), TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("replay", total=None, line="starting the sandbox…")

        def update(state: DemoProgress) -> None:
            hours = (state.now - START) / timedelta(hours=1)
            line = (
                f"hour {hours:4.1f} · {state.polls:,} polls · {state.mentions:,} mentions · "
                f"{state.alerts} alerts · {state.replies:,} replies"
            )
            progress.update(task, completed=state.step, total=state.steps, line=line)

        yield update


def print_report(console: Console, report: DemoReport, config: Path) -> None:
    """The demo's summary, then how to look at the database it left."""
    elapsed = report.end - report.start
    console.print(
        f"\n[bold]Replayed {elapsed / timedelta(hours=1):.0f} simulated hours[/] of the {report.scenario} scenario: "
        f"{report.polls:,} polls, {sum(report.mentions.values()):,} mentions stored."
    )
    for error, times in report.poll_errors.items():
        console.print(Text(f"poll error ({times}×): {error}", style="red"))
    table = Table(title="Mentions per channel", title_justify="left")
    table.add_column("channel")
    table.add_column("mentions", justify="right")
    for channel, count in report.mentions.items():
        table.add_row(channel, f"{count:,}")
    console.print(table)

    outcomes = report.outcomes
    console.print(
        f"Responder: {outcomes['auto_reply']:,} auto-replies, {outcomes['draft']:,} drafts, "
        f"{outcomes['inbox']:,} to the inbox, {outcomes['skipped']:,} skipped; "
        f"{report.replies['sent']:,} auto-replies sent through the clients"
        + (f", {report.replies['failed']:,} refused by the platform (back in the inbox)" if report.replies["failed"] else "")
        + "."
    )
    for channel, mention, reply in report.examples:
        console.print(Text(f"  {channel}: “{_short(mention)}”\n    → {reply}"))

    backlog = ", ".join(f"{priority} {count:,}" for priority, count in report.kpis.backlog.items())
    console.print(f"\nInbox by priority: {backlog}.")
    for entry in report.inbox:
        console.print(Text(f"  #{entry.mention_id} {entry.priority:<8} {entry.channel:<10} {entry.intent or '—':<16} {_short(entry.text, 70)}"))

    for topic, start in report.incidents:
        console.print(f"\nScripted incident: {topic} at {start:%a %H:%M}.")
    if not report.alerts:
        console.print("Spike alerts: none raised.")
    for alert in report.alerts:
        when = "before any scripted incident" if alert.after_incident is None else f"{_minutes(alert.after_incident)} after it began"
        console.print(Text(f"  Spike alert #{alert.id} on {alert.channel} · {alert.slice}: raised on the {alert.raised_at:%a %H:%M} bucket, {when}"))

    times = Table(title="First response times", title_justify="left")
    for column in ("by", "", "replies", "p50", "p90"):
        times.add_column(column, justify="right" if column in ("replies", "p50", "p90") else "left")
    for row in report.kpis.response_times:
        if row.group in ("all", "responder", "channel"):
            times.add_row(row.group, row.key, f"{row.replies:,}", _minutes(row.p50), _minutes(row.p90))
    console.print(times)

    console.print(
        f"\n{report.folder}/ holds socialcx.db (a new one each run), the config and the demo playbook. Look at it with:\n"
        f"  socialcx --config {config} inbox list\n"
        f"  socialcx --config {config} trends\n"
        f"  socialcx --config {config} kpis\n"
        f"  socialcx --config {config} mentions search checkout"
    )


def _short(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _minutes(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h {minutes % 60:02d} min"
