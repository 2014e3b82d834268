"""The demo: the real daemon, end to end, on the sandbox's channels and an accelerated clock.

The in-process sandbox serves a scenario (by default two days with a checkout outage at hour
37) on a `SimulatedClock` that runs the two days in about two minutes; a local SMTP server
(aiosmtpd) catches the daemon's emails. `socialcx.service.daemon.Daemon` runs exactly as `socialcx run`
does: polls on schedule, triage, routing, spike judging, the outbox and the mailer. A live
view follows it. A person is played too: about ten simulated minutes after an alert email
arrives, the incident's drafted statement is approved as it stands, and its follow-up as soon as
it is drafted (when the alert resolves). The demo folder keeps the config, a playbook that answers the routine
intents by itself, the database, the captured emails (`mail/*.eml`) and their charts
(`charts/*.png`), so the other commands and the notebooks can look at what happened. Each run
starts afresh.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import itertools
import logging
import re
import shutil
import socket
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml
from aiosmtpd.controller import Controller
from rich.console import Console, Group
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text
from sqlalchemy.engine import Connection, Engine

from connectors import available, connector_class
from socialcx.care import surge
from socialcx.care.inbox import ACTIVE, InboxEntry, list_items
from socialcx.care.kpis import IncidentKpis, KpiReport, incident_kpis, kpis, percentiles
from socialcx.care.playbook import Playbook
from socialcx.care.playbook import default_playbook_text, playbook_for
from socialcx.clock import SimulatedClock
from socialcx.collect.ingest import Triager
from socialcx.config import (
    SANDBOX_SECRETS,
    Settings,
    load_settings,
    sandbox_config,
    sandbox_secrets,
)
from socialcx.ops.logs import RedactSecrets, secret_values
from socialcx.channels import Channel
from socialcx.sandbox import SCENARIOS, Budget, Sandbox, Scenario, load_scenario, parse_shop
from socialcx.sandbox.posts import Author, Post, post_id, post_key
from socialcx.service.daemon import Daemon
from socialcx.store import (
    Alert, AlertEvent, ConversationRow, Decision, Email, IncidentMember, IncidentRow, InboxItem, Mention, OutboxReply,
    PrivateMessageRow, connect,
)

__all__ = ["DemoReport", "DemoState", "live_view", "prepare_demo", "print_report", "run_demo"]

START = datetime(2026, 11, 23, tzinfo=UTC)  # a Monday, midnight UTC
SEED = 7
DEMO_SECONDS = 130.0  # wall time of the default scenario's two days: about 1,300x real time
POLL_SECONDS = 900  # the demo polls every 15 simulated minutes: under a wall second at 1,300x
MAIL_PORT = 2525  # written in the demo config; each run listens on a free port instead
RECIPIENT = "care-team@example.com"
DATABASE_FILES = ("socialcx.db", "socialcx.db-wal", "socialcx.db-shm", "socialcx.db-journal")
OUTPUT_FOLDERS = ("mail", "charts")
APPROVER = "demo-approver"
READ_MAIL_IN = timedelta(minutes=10)  # how long the person takes to read the alert email and approve
SHOP = Path(__file__).resolve().parent.parent / "data" / "demo-shop.json"  # the stand-in shop's customers and orders
# Customers of the demo shop writing in about their orders on X (hours after the start): resolved
# in private through the shop within the shipped policy, one above its limits, one a legal threat.
TRANSACTIONS = (
    (2, "jane_d", "@acme charged twice AND the mug arrived smashed. Need a new one by Wednesday"),
    (5, "omar_h", "@acme you charged me twice for my desk lamp order, that is £128 gone!"),
    (9, "priya_n", "@acme my parcel was due last tuesday and still hasn't arrived, where is it?"),
    (13, "tom_a", "@acme please cancel my order, I ordered the blanket by mistake"),
    (17, "lena_f", "@acme charged twice for a mug. fix it or my lawyer will"),
)


@dataclass(frozen=True, slots=True)
class DemoState:
    """Where the run is, read from the store and the daemon for the live view."""

    now: datetime
    start: datetime
    end: datetime
    polls: int
    mentions: dict[str, int]  # by channel
    replies: int  # auto-replies sent
    inbox: dict[str, int]  # waiting, by priority
    alerts: tuple[str, ...]  # one line per alert raised
    emails: int  # captured by the mail catcher
    events: tuple[str, ...]  # the daemon's latest log lines


@dataclass(frozen=True, slots=True)
class RaisedAlert:
    """A spike alert the run raised, and how long after the scripted incident began."""

    id: int
    channel: str
    slice: str
    raised_at: datetime  # the bucket that raised it
    after_incident: timedelta | None  # None: raised before any scripted incident


@dataclass(frozen=True, slots=True)
class DemoReport:
    """What the run did, read back from the database and the mail folder at the end."""

    folder: Path
    scenario: str
    start: datetime
    end: datetime
    seconds: float  # wall time the daemon ran
    polls: int
    poll_errors: int
    mentions: dict[str, int]  # by channel
    outcomes: Counter[str]  # the responder's decisions: auto_reply, draft, inbox, skipped
    replies: Counter[str]  # auto-replies by outbox state: sent, failed (refused, back to the inbox), pending
    examples: tuple[tuple[str, str, str], ...]  # channel, mention, auto-reply sent
    resolutions: Counter[str]  # conversations by state: resolved, needs_approval, awaiting_customer, handed_over
    ledger: int  # writes the stand-in shop took
    transcript: tuple[str, ...]  # the post, public reply and private messages of the case with the most needs
    inbox: tuple[InboxEntry, ...]  # the most urgent items
    incidents: tuple[tuple[str, datetime], ...]  # scripted: topic and start
    alerts: tuple[RaisedAlert, ...]
    emails: tuple[tuple[Path, str], ...]  # captured .eml file and its subject
    charts: tuple[Path, ...]
    kpis: KpiReport
    incidents_kpis: tuple[IncidentKpis, ...]
    surge: SurgeFigures | None  # the first alert's, against the scenario's truth


@dataclass(frozen=True, slots=True)
class SurgeFigures:
    """The first alert as the issue measures it: membership against the scenario's truth, and the
    mentions posted while it was open that got a sent reply (auto or the statement)."""

    members: int
    precision: float | None
    recall: float | None  # of the truth's incident mentions stored between the incident's start and the alert's end
    during_alert: int  # mentions posted while the alert was open, not skipped
    replied: int  # of those, with a reply sent
    fates: Counter[str]  # those by what became of them (`_fate`): the reply sent, or why none was
    double_statements: int  # authors who got two statements for one incident
    after_approval_p50: timedelta | None  # statement sent, from the approval (or the mention, if later)
    timeline: tuple[tuple[str, datetime], ...]  # from the alert's bucket to the last statement sent, in order


def prepare_demo(folder: Path) -> Settings:
    """Write the demo folder's config (the sandbox config polled every quarter of an hour,
    mailing the care team), its secrets and its playbook; delete the previous run's database, emails and
    charts; and load the settings."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in DATABASE_FILES:
        (folder / name).unlink(missing_ok=True)
    for name in OUTPUT_FOLDERS:
        shutil.rmtree(folder / name, ignore_errors=True)
    config = folder / "socialcx.toml"
    config.write_text(_demo_config(), encoding="utf-8")
    (folder / SANDBOX_SECRETS).write_text(sandbox_secrets(), encoding="utf-8")
    (folder / "playbook.yaml").write_text(_demo_playbook(), encoding="utf-8")
    return load_settings(config)


def _demo_config() -> str:
    sandbox = sandbox_config().replace("poll_interval_seconds = 60", f"poll_interval_seconds = {POLL_SECONDS}")
    return (
        'playbook = "playbook.yaml"  # the demo answers routine intents itself\n'
        + sandbox
        + f"""
[mail]  # the demo's mail catcher; each run listens on a free port and writes mail/*.eml
host = "127.0.0.1"
port = {MAIL_PORT}
sender = "socialcx-demo@localhost"
recipients = ["{RECIPIENT}"]

[spikes]  # a bucket is judged once the next poll has surely fetched its mentions
settle_minutes = 20

[thresholds]  # at 1,300x a second of work is 22 simulated minutes: silence means hours here
stale_after_minutes = 180

[daemon]
http_port = 0  # /healthz and /metrics on any free port
"""
    )


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
    seconds: float = DEMO_SECONDS,
    triage: Triager | None = None,
    on_tick: Callable[[DemoState], None] | None = None,
) -> DemoReport:
    """Run the daemon over `scenario`, its days squeezed into about `seconds` of wall time,
    with the sandbox and a mail catcher, then write the emails' charts and report."""
    spec = SCENARIOS[scenario]
    end = START + timedelta(days=spec.days)
    world = _with_customers(load_scenario(scenario, start=START, seed=SEED))
    folder = Path(settings.data_dir)
    playbook = playbook_for(settings)
    for channel in set(settings.channels.enabled()) & set(available()):
        connector_class(channel)  # import the client libraries before the clock starts: seconds
    engine = connect(settings.database)
    try:
        clock = SimulatedClock(START, speed=(end - START).total_seconds() / seconds)
        sandbox = Sandbox(world, clock=clock, shop=parse_shop(SHOP.read_bytes()))
        for bucket in sandbox.limits.budgets():
            sandbox.limits.set(bucket, Budget(10_000_000, 60))  # an accelerated run must not wait out rate windows
        with sandbox.in_thread() as base_url, _MailCatcher(folder / "mail") as mail_port:
            settings = _pointed_at(settings, base_url, mail_port)
            daemon = Daemon(settings, engine, clock, triage=triage, playbook=playbook)
            with _recent_events(settings) as events:
                began = time.monotonic()
                asyncio.run(_serve(daemon, clock, end, lambda: _state(engine, daemon, clock, end, folder, events), on_tick, playbook))
                ran = time.monotonic() - began
        caught = _caught(folder / "mail", folder / "charts")
        incidents = tuple((incident.topic, START + incident.at) for incident in spec.incidents)
        ledger = len(sandbox.shop.ledger) if sandbox.shop else 0
        return _report(engine, settings, scenario, daemon, end, ran, incidents, caught, world, ledger)
    finally:
        engine.dispose()


def _pointed_at(settings: Settings, base_url: str, mail_port: int) -> Settings:
    channels = {
        channel.value: settings.channels.get(channel).model_copy(update={"base_url": base_url})
        for channel in settings.channels.enabled()
    }
    return settings.model_copy(update={
        "channels": settings.channels.model_copy(update=channels),
        "mail": settings.mail.model_copy(update={"port": mail_port}),
        "commerce": settings.commerce.model_copy(update={"base_url": f"{base_url}/shop/v1", "token_env": "SANDBOX_X_BEARER_TOKEN"}),
    })


def _with_customers(world: Scenario) -> Scenario:
    """The scenario with the demo shop's customers' posts (`TRANSACTIONS`) on X among its own."""
    posts = []
    for seq, (hours, handle, text) in enumerate(TRANSACTIONS, start=10**6):
        at = START + timedelta(hours=hours)
        key = post_key(at, seq)
        author = Author(str(7_000_000 + seq), handle, handle.replace("_", " ").title(), 150)
        posts.append(Post(Channel.X, key, post_id(Channel.X, key), at, author, text, "en", conversation_id=post_id(Channel.X, key)))
    ordered = tuple(sorted((*world.posts, *posts), key=lambda post: (post.created_at, post.key)))
    return Scenario(world.name, world.start, world.account, ordered, world.truth)


async def _serve(
    daemon: Daemon,
    clock: SimulatedClock,
    end: datetime,
    state: Callable[[], DemoState],
    on_tick: Callable[[DemoState], None] | None,
    playbook: Playbook,
) -> None:
    """Run the daemon past the scenario's `end` until its last posts are surely fetched and its
    last buckets judged, then once more judge, send and mail whatever is due. A person approves
    the incidents' statements and follow-ups meanwhile (`_approve_like_a_person`)."""
    stop = asyncio.Event()
    settings = daemon.settings
    polls = max(settings.channels.get(channel).poll_interval_seconds for channel in settings.channels.enabled())
    done = end + timedelta(seconds=polls) + settings.spikes.settle + settings.spikes.bucket

    async def watch_the_clock() -> None:
        while clock.now() < done:
            if daemon.ready.is_set():
                if await asyncio.to_thread(_approve_like_a_person, daemon.engine, playbook, clock, settings):
                    daemon.send_soon()  # not at the outbox job's next turn: a wall second, twenty simulated minutes
                if on_tick:
                    on_tick(await asyncio.to_thread(state))
            await asyncio.sleep(0.25)
        stop.set()

    watcher = asyncio.create_task(watch_the_clock())
    try:
        await daemon.run(stop)
    finally:
        watcher.cancel()
    await daemon.judge_spikes()
    await daemon.send_replies()
    await daemon.mail()
    if on_tick:
        on_tick(await asyncio.to_thread(state))


def _approve_like_a_person(engine: Engine, playbook: Playbook, clock: SimulatedClock, settings: Settings) -> int:
    """What the care team's lead does: approve a drafted statement as it stands about ten minutes
    after the alert email was sent, and a drafted follow-up at once; through the functions
    `socialcx incident approve` calls, and delivering at once as it does. The replies queued."""
    now, queued = clock.now(), 0
    with engine.begin() as connection:
        for incident in surge.list_incidents(connection, states=("drafted", "following_up")):
            row = surge.find(connection, incident.id).incident
            if row.state == "following_up" and row.follow_up_approved_at:
                continue
            if row.state == "drafted":
                mailed = connection.execute(
                    sa.select(sa.func.min(Email.sent_at)).where(Email.key.like(f"alert:{row.alert_id}:%"), Email.sent_at.is_not(None))
                ).scalar()
                if mailed is None or now < mailed + READ_MAIL_IN:
                    continue
            surge.approve(connection, incident.id, agent=APPROVER, now=now, playbook=playbook)
            queued += surge.deliver(connection, playbook, now, settings.inbox)
    return queued


class _MailCatcher:
    """An SMTP server on 127.0.0.1 that writes every message it receives to `folder` as
    `NNN-subject.eml`; the context gives its port."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._numbers = itertools.count(1)
        self._controller: Controller | None = None

    def __enter__(self) -> int:
        self.folder.mkdir(parents=True, exist_ok=True)
        with socket.socket() as probe:  # aiosmtpd's readiness check cannot use port 0
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self._controller = Controller(self, hostname="127.0.0.1", port=port)
        self._controller.start()
        return port

    def __exit__(self, *exc: object) -> None:
        if self._controller is not None:
            self._controller.stop()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        slug = re.sub(r"[^a-z0-9]+", "-", str(message["Subject"] or "").lower()).strip("-")[:60]
        (self.folder / f"{next(self._numbers):03d}-{slug or 'email'}.eml").write_bytes(envelope.original_content)
        return "250 OK: caught"


@contextmanager
def _recent_events(settings: Settings) -> Iterator[deque[str]]:
    """The daemon's last log lines (INFO and up, secrets redacted), for the live view."""
    lines: deque[str] = deque(maxlen=8)

    class _Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            context = getattr(record, "context", {})
            where = "/".join(context[key] for key in ("channel", "watch") if key in context)
            lines.append(f"{where} {record.getMessage()}".strip())

    handler = _Keep(logging.INFO)
    handler.addFilter(RedactSecrets(secret_values(settings)))
    logger = logging.getLogger("socialcx")
    # On the accelerated clock a job often outlasts its interval and the next run is skipped by
    # design (one instance a job); APScheduler's notice of each skip would scroll over the view.
    scheduler = logging.getLogger("apscheduler")
    levels = logger.level, scheduler.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    scheduler.setLevel(logging.ERROR)
    try:
        yield lines
    finally:
        logger.removeHandler(handler)
        logger.setLevel(levels[0])
        scheduler.setLevel(levels[1])


def _state(engine: Engine, daemon: Daemon, clock: SimulatedClock, end: datetime, folder: Path, events: deque[str]) -> DemoState:
    with engine.connect() as connection:
        mentions = _per_channel(connection)
        replies = connection.execute(
            sa.select(sa.func.count()).where(OutboxReply.origin == "auto", OutboxReply.state == "sent")
        ).scalar_one()
        inbox = dict(connection.execute(
            sa.select(InboxItem.priority, sa.func.count()).where(InboxItem.status.in_(ACTIVE)).group_by(InboxItem.priority)
        ).all())
        alerts = tuple(
            f"#{id} {channel} · {slice_}: {status}"
            for id, channel, slice_, status in connection.execute(
                sa.select(Alert.id, Alert.channel, Alert.slice, Alert.status).order_by(Alert.id)
            ).all()
        )
    return DemoState(
        now=min(clock.now(), end), start=START, end=end, polls=_total(daemon.metrics.polls), mentions=mentions, replies=replies,
        inbox=inbox, alerts=alerts, emails=len(list((folder / "mail").glob("*.eml"))), events=tuple(events),
    )


def _per_channel(connection: Connection) -> dict[str, int]:
    """Mentions stored by channel, busiest first."""
    count = sa.func.count()
    return dict(connection.execute(sa.select(Mention.channel, count).group_by(Mention.channel).order_by(count.desc())).all())


def _total(counter: Any) -> int:
    """A labelled Prometheus counter summed over its labels."""
    return int(sum(sample.value for metric in counter.collect() for sample in metric.samples if sample.name.endswith("_total")))


def _caught(mail: Path, charts: Path) -> tuple[tuple[tuple[Path, str], ...], tuple[Path, ...]]:
    """The captured emails with their subjects, and their PNG charts written to `charts`, named
    after the email."""
    emails, saved = [], []
    for path in sorted(mail.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        emails.append((path, str(message["Subject"])))
        for number, part in enumerate(message.walk(), start=1):
            if part.get_content_type() == "image/png":
                charts.mkdir(parents=True, exist_ok=True)
                target = charts / f"{path.stem}-{number}.png"
                target.write_bytes(part.get_payload(decode=True))
                saved.append(target)
    return tuple(emails), tuple(saved)


def _report(
    engine: Engine,
    settings: Settings,
    scenario: str,
    daemon: Daemon,
    end: datetime,
    seconds: float,
    incidents: tuple[tuple[str, datetime], ...],
    caught: tuple[tuple[tuple[Path, str], ...], tuple[Path, ...]],
    world: Scenario,
    ledger: int,
) -> DemoReport:
    folder = Path(settings.data_dir)
    emails, charts = caught
    with engine.connect() as connection:
        per_channel = _per_channel(connection)
        outcomes = Counter(dict(connection.execute(sa.select(Decision.outcome, sa.func.count()).group_by(Decision.outcome)).all()))
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
        report = kpis(connection, now=end)
        per_incident = tuple(incident_kpis(connection))
        figures = _surge_figures(connection, world)
        resolutions = Counter(dict(connection.execute(
            sa.select(ConversationRow.state, sa.func.count()).group_by(ConversationRow.state)
        ).all()))
        resolutions["handed_over"] += connection.execute(  # a customer's post a guardrail kept from a conversation
            sa.select(sa.func.count()).select_from(Mention)
            .outerjoin(ConversationRow, ConversationRow.mention_id == Mention.id)
            .where(Mention.author_handle.in_([handle for _, handle, _ in TRANSACTIONS]), ConversationRow.id.is_(None))
        ).scalar_one()
        transcript = _transcript(connection)
    return DemoReport(
        folder=folder, scenario=scenario, start=START, end=end, seconds=seconds, polls=_total(daemon.metrics.polls),
        poll_errors=_total(daemon.metrics.errors), mentions=per_channel, outcomes=outcomes, replies=replies,
        examples=tuple(examples.values())[:3], resolutions=resolutions, ledger=ledger, transcript=transcript, inbox=inbox, incidents=incidents, alerts=alerts, emails=emails,
        charts=charts, kpis=report, incidents_kpis=per_incident, surge=figures,
    )


def _transcript(connection: Connection) -> tuple[str, ...]:
    """The case with the most needs, as its customer saw it: their post, our public reply, then
    the private messages both ways, in order."""
    conversations = connection.execute(sa.select(ConversationRow.id, ConversationRow.mention_id, ConversationRow.decisions)).all()
    if not conversations:
        return ()
    chosen = max(conversations, key=lambda row: (len(row.decisions), -row.id))
    post = connection.execute(sa.select(Mention.author_handle, Mention.text).where(Mention.id == chosen.mention_id)).one()
    public = connection.execute(
        sa.select(OutboxReply.text).where(OutboxReply.mention_id == chosen.mention_id, OutboxReply.state == "sent")
    ).scalars().all()
    private = connection.execute(
        sa.select(PrivateMessageRow.direction, PrivateMessageRow.text)
        .where(PrivateMessageRow.conversation_id == chosen.id)
        .order_by(PrivateMessageRow.created_at, PrivateMessageRow.id)
    ).all()
    return (
        f"@{post.author_handle}, in public: {post.text}",
        *(f"us, in public: {text}" for text in public),
        *(f"{'us' if direction == 'out' else '@' + str(post.author_handle)}, in private: {text}" for direction, text in private),
    )


def _surge_figures(connection: Connection, world: Scenario) -> SurgeFigures | None:
    """The first incident's membership against the scenario's truth, what became of the mentions
    posted while its alert was open, and its timeline."""
    first = connection.execute(
        sa.select(IncidentRow.id, IncidentRow.since, IncidentRow.created_at, IncidentRow.approved_at, Alert.id.label("alert_id"),
                  Alert.opened_at, Alert.resolved_at)
        .join(Alert, Alert.id == IncidentRow.alert_id).order_by(IncidentRow.id).limit(1)
    ).first()
    if first is None:
        return None
    until = first.resolved_at or datetime.max.replace(tzinfo=UTC)
    truth = {(channel, external_id): found.incident for (channel, external_id), found in world.truth.items()}
    rows = connection.execute(
        sa.select(Mention.channel, Mention.external_id, Mention.created_at, IncidentMember.incident_id, Decision.outcome)
        .outerjoin(IncidentMember, IncidentMember.mention_id == Mention.id)
        .outerjoin(Decision, Decision.mention_id == Mention.id)
        .where(Mention.created_at >= first.since, Mention.created_at < until)
    ).all()
    member = [row for row in rows if row.incident_id == first.id]
    of_incident = [row for row in rows if _truth(truth, row) is not None]
    hits = sum(1 for row in member if _truth(truth, row) is not None)
    during = connection.execute(
        sa.select(
            Decision.outcome, Decision.guardrail, Decision.reason, IncidentMember.status.label("member"),
            IncidentMember.reason.label("member_reason"), OutboxReply.state.label("reply"), OutboxReply.origin,
        )
        .select_from(Mention).join(Decision, Decision.mention_id == Mention.id)
        .outerjoin(IncidentMember, IncidentMember.mention_id == Mention.id)
        .outerjoin(OutboxReply, (OutboxReply.mention_id == Mention.id) & (OutboxReply.kind == "reply"))
        .where(Mention.created_at >= first.opened_at, Mention.created_at < until, Decision.outcome != "skipped")
    ).all()
    fates = Counter(_fate(row) for row in during)
    twice = connection.execute(
        sa.select(sa.func.count()).select_from(
            sa.select(IncidentMember.author)
            .join(OutboxReply, (OutboxReply.mention_id == IncidentMember.mention_id) & (OutboxReply.kind == "reply") & (OutboxReply.origin == "incident"))
            .where(IncidentMember.incident_id == first.id).group_by(IncidentMember.author).having(sa.func.count() > 1).subquery()
        )
    ).scalar_one()
    statements = connection.execute(
        sa.select(Mention.created_at, OutboxReply.sent_at).join(IncidentMember, IncidentMember.mention_id == Mention.id)
        .join(OutboxReply, (OutboxReply.mention_id == Mention.id) & (OutboxReply.kind == "reply"))
        .where(IncidentMember.incident_id == first.id, OutboxReply.origin == "incident", OutboxReply.sent_at.is_not(None))
    ).all()
    waits = [(sent_at - max(created_at, first.approved_at)).total_seconds() for created_at, sent_at in statements] if first.approved_at else []
    return SurgeFigures(
        after_approval_p50=timedelta(seconds=percentiles(waits)[0]) if waits else None,
        members=len(member), precision=hits / len(member) if member else None,
        recall=hits / len(of_incident) if of_incident else None,
        during_alert=len(during), replied=sum(count for fate, count in fates.items() if fate.startswith(_SENT)), fates=fates,
        double_statements=twice, timeline=_timeline(connection, first, sorted(sent_at for _, sent_at in statements)),
    )


_SENT = "sent: "


def _fate(row: Any) -> str:
    """What became of a mention posted while the alert was open (a row of its decision, its
    membership and its reply): the reply sent, or why it got none."""
    if row.reply == "sent":
        return _SENT + {"incident": "the incident's statement", "auto": "a routine auto-reply"}.get(row.origin, "a person's reply")
    if row.reply is not None:
        return f"no reply yet: ours is {row.reply}" + (" (the platform refused it)" if row.reply == "failed" else "")
    if row.member is not None:
        reason = row.member_reason or ""
        if row.member == "covered":
            return "member: its author already had the statement (one per author)"
        if reason.startswith("socialcx cannot reply on"):
            return "member on a channel we cannot reply on (RSS, Hacker News): a person"
        if reason.startswith("risk flags"):
            return "member with a risk flag: a person"
        if row.member == "waiting":
            return "member still waiting for the statement"
        return f"member for a person: {reason.split(':')[0]}"
    if row.guardrail == "triage":
        return "not a member: " + ("a risk flag" if (row.reason or "").startswith("risk flags") else "triage unsure of the intent")
    return "not a member: " + {
        "playbook": "an intent the playbook leaves to people",
        "confidence": "confidence below the intent's minimum",
        "caps": "a routine cap reached",
        "mode": "a draft for a person (shadow mode)",
    }.get(row.guardrail or "", f"stopped by the {row.guardrail} guardrail")


def _timeline(connection: Connection, first: Any, sent: list[datetime]) -> tuple[tuple[str, datetime], ...]:
    """The first incident from its alert's bucket to its statements sent, in the simulated time."""
    mailed = connection.execute(
        sa.select(sa.func.min(Email.sent_at)).where(Email.key.like(f"alert:{first.alert_id}:%"), Email.sent_at.is_not(None))
    ).scalar()
    moments = [
        ("alert (its bucket)", first.opened_at), ("incident opened", first.created_at), ("alert email sent", mailed),
        ("statement approved", first.approved_at),
    ]
    if sent:
        moments += [("first statement sent", sent[0]), ("half sent", sent[len(sent) // 2]), ("last sent", sent[-1])]
    return tuple((label, moment) for label, moment in moments if moment is not None)


def _truth(truth: dict[tuple[Channel, str], str | None], row: Any) -> str | None:
    """The scripted incident a stored mention belongs to, by the sandbox's post id: Reddit's ids
    carry their kind prefix, Bluesky's are the end of the post's URI, a feed entry's the end of its link."""
    channel, post = Channel(row.channel), row.external_id.removeprefix("t1_").removeprefix("t3_")
    if channel is Channel.BLUESKY:
        post = post.rsplit("/", 1)[-1]
    elif channel is Channel.RSS:
        post = post.rsplit("-", 1)[-1]
    return truth.get((channel, post))


def _after(raised_at: datetime, incidents: tuple[tuple[str, datetime], ...]) -> timedelta | None:
    began = [start for _, start in incidents if start <= raised_at]
    return raised_at - max(began) if began else None


@contextmanager
def live_view(console: Console) -> Iterator[Callable[[DemoState], None]]:
    """A live panel of the run: simulated time, polls, mentions per channel, replies, the inbox
    by priority, alerts, emails, and the daemon's latest log lines."""
    with Live(Text("starting the sandbox, the mail catcher and the daemon…"), console=console, refresh_per_second=4) as live:

        def update(state: DemoState) -> None:
            live.update(_panel(state))

        yield update


def _panel(state: DemoState) -> Group:
    hours = (state.now - state.start) / timedelta(hours=1)
    total = (state.end - state.start) / timedelta(hours=1)
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    table.add_row("simulated", Text.assemble(f"{state.now:%a %H:%M} UTC  ", f"hour {hours:4.1f} of {total:.0f}"))
    table.add_row("", ProgressBar(total=total, completed=hours, width=40))
    table.add_row("polls", f"{state.polls:,}")
    table.add_row("mentions", " · ".join(f"{channel} {count:,}" for channel, count in state.mentions.items()) or "—")
    table.add_row("auto-replies", f"{state.replies:,} sent")
    table.add_row("inbox", " · ".join(f"{priority} {state.inbox.get(priority, 0):,}" for priority in ("critical", "high", "normal", "low")))
    table.add_row("alerts", "\n".join(state.alerts[-3:]) or "none")
    table.add_row("emails", f"{state.emails} caught")
    events = Text("\n".join(_short(line, 110) for line in state.events), style="dim")
    return Group(table, events)


def print_report(console: Console, report: DemoReport, config: Path) -> None:
    """The demo's summary, then how to look at the database it left."""
    elapsed = report.end - report.start
    console.print(
        f"\n[bold]The daemon ran {elapsed / timedelta(hours=1):.0f} simulated hours[/] of the {report.scenario} scenario "
        f"in {report.seconds:.0f} s: {report.polls:,} polls, {sum(report.mentions.values()):,} mentions stored."
    )
    if report.poll_errors:
        console.print(Text(f"{report.poll_errors} polls failed; the daemon's log lines above say why.", style="red"))
    table = Table(title="Mentions per channel", title_justify="left")
    table.add_column("channel")
    table.add_column("mentions", justify="right")
    for channel, count in report.mentions.items():
        table.add_row(channel, f"{count:,}")
    console.print(table)

    outcomes = report.outcomes
    console.print(
        f"Responder: {outcomes['auto_reply']:,} auto-replies, {outcomes['draft']:,} drafts, "
        f"{outcomes['incident']:,} incident members, {outcomes['inbox']:,} to the inbox, {outcomes['skipped']:,} skipped; "
        f"{report.replies['sent']:,} auto-replies sent through the clients"
        + (f", {report.replies['failed']:,} refused by the platform (back in the inbox)" if report.replies["failed"] else "")
        + "."
    )
    for channel, mention, reply in report.examples:
        console.print(Text(f"  {channel}: “{_short(mention)}”\n    → {reply}"))

    done = report.resolutions
    console.print(
        f"\nResolved through the stand-in shop: {done['resolved']:,} resolved, {done['needs_approval']:,} needing approval "
        f"(socialcx plans list), {done['awaiting_customer']:,} awaiting the customer, {done['handed_over']:,} handed over; "
        f"{report.ledger:,} writes in the shop's ledger."
    )
    if report.transcript:
        console.print("One case with several needs, as the customer saw it:")
        for line in report.transcript:
            console.print(Text(f"  {line}"))

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

    _print_incidents(console, report)

    times = Table(title="First response times", title_justify="left")
    for column in ("by", "", "replies", "p50", "p90"):
        times.add_column(column, justify="right" if column in ("replies", "p50", "p90") else "left")
    for row in report.kpis.response_times:
        if row.group in ("all", "responder", "channel"):
            times.add_row(row.group, row.key, f"{row.replies:,}", _minutes(row.p50), _minutes(row.p90))
    console.print(times)

    console.print(f"\nEmails caught ({len(report.emails)}), in {report.folder / 'mail'}/:")
    for path, subject in report.emails:
        console.print(Text(f"  {path.name}: {subject}"))
    if report.charts:
        console.print(f"Their charts: {len(report.charts)} PNGs in {report.folder / 'charts'}/.")

    console.print(
        f"\n{report.folder}/ holds socialcx.db (a new one each run), the config and the demo playbook. Look at it with:\n"
        f"  socialcx --config {config} inbox list\n"
        f"  socialcx --config {config} trends\n"
        f"  socialcx --config {config} kpis\n"
        f"  socialcx --config {config} mentions search checkout\n"
        f"and open the analysts' notebooks on it: jupyter lab notebooks/ (they read {report.folder / 'socialcx.db'})."
    )


def _print_incidents(console: Console, report: DemoReport) -> None:
    """Surge mode: each incident's KPIs, and the first one against the scenario's truth."""
    for row in report.incidents_kpis:
        share = f"{row.share_answered:.0%}" if row.share_answered is not None else "-"
        times = f"p50 {_minutes(row.p50)}, p90 {_minutes(row.p90)}" if row.p50 is not None and row.p90 is not None else "no statement sent"
        approval = _minutes(row.to_approval) if row.to_approval is not None else "not approved"
        console.print(Text(
            f"Incident #{row.incident_id} ({row.topic}, {row.state.replace('_', ' ')}): {row.members:,} members, {row.answered:,} answered "
            f"by the statement ({share}; first response {times}); approved {approval} after the alert; "
            f"{row.handled_by_people:,} handled by people; {row.follow_ups_sent:,} follow-ups sent."
        ))
    figures = report.surge
    if figures is None:
        return
    precision = f"{figures.precision:.3f}" if figures.precision is not None else "-"
    recall = f"{figures.recall:.3f}" if figures.recall is not None else "-"
    share = figures.replied / figures.during_alert if figures.during_alert else 0.0
    console.print(Text(
        f"  Membership against the scenario's truth: precision {precision}, recall {recall} ({figures.members:,} members). "
        f"While the alert was open, {figures.replied:,} of {figures.during_alert:,} mentions not skipped got a sent reply ({share:.0%}); "
        f"authors with two statements: {figures.double_statements}; members' first response after the approval: "
        f"p50 {_minutes(figures.after_approval_p50) if figures.after_approval_p50 is not None else '-'}."
    ))
    for fate, count in sorted(figures.fates.items(), key=lambda item: (not item[0].startswith(_SENT), -item[1])):
        console.print(Text(f"    {count:5,} {count / figures.during_alert:4.0%}  {fate}"))
    if figures.timeline:
        began = figures.timeline[0][1]
        console.print(Text("  Timeline: " + " → ".join(
            f"{label} {moment:%H:%M}" + (f" (+{_minutes(moment - began)})" if moment > began else "") for label, moment in figures.timeline
        )))


def _short(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _minutes(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h {minutes % 60:02d} min"
