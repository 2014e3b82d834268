"""Alert, digest and silent-watch emails, written to the store before they are sent, so each is
sent once however often the mail server goes away.

    queue_alert_emails ─┐
    queue_digest ───────┼─▶ mail row: rendered message, pending ─▶ deliver: claimed (sending, leased)
    queue_silent_watches┘                                              │
                                   sent ◀── marked in its own transaction once the server accepted it
                                   pending again, retried with backoff ◀── the server is down or busy
                                   failed, kept with the reason ◀── the server refused it for good (5xx)

Each email has a unique key (`alert:12:40` for event 40 of alert 12, `digest:2026-11-24`,
`silent:x:acme:<last success>`), so queueing again adds nothing, and it is rendered once: a
resend is the very same message, Message-ID included.

The residual risk is the one SMTP leaves to every client: if the server accepted a message and
the process died (or the connection timed out waiting for the server's "250 OK") before the row
was marked sent, nothing can ask the server what it got. Such a row is sent again once its lease
runs out — a duplicate is possible, never a loss — and since it carries the same Message-ID,
mail clients and servers that deduplicate by Message-ID (Gmail does) show it once.

Emails of one alert form one thread: the first one's Message-ID is stable for the alert, the
escalation and resolution reply to it (`In-Reply-To`, `References`) with the same subject after
`Re: `, which is what Gmail and Outlook need to keep them together.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy.engine import Connection, Engine

from socialcx.care.feedback import current_label
from socialcx.care.kpis import incident_kpis, kpis
from socialcx.clock import Clock
from socialcx.collect.budget import ReadBudget
from socialcx.config import Settings
from socialcx.errors import UsageError
from socialcx.ops.charts import series_chart, volume_chart
from socialcx.ops.health import WatchHealth, watch_health
from socialcx.spikes.counts import ALL, SeriesKey
from socialcx.spikes.detector import DetectorParams, SpikeDetector, Step
from socialcx.spikes.incidents import series_steps
from socialcx.store import (
    Alert,
    AlertEvent,
    Email,
    IncidentRow,
    Mention,
    MentionTriage,
    SpikeCount,
    dialect_insert,
)

__all__ = [
    "DeliveryReport",
    "alert_email",
    "alert_subject",
    "deliver",
    "queue_alert_emails",
    "queue_digest",
    "queue_silent_watches",
]

logger = logging.getLogger(__name__)

MAILED_EVENTS = ("raised", "escalated", "resolved")  # joined and left are told in the next email
ALERT_MAIL_WINDOW = timedelta(hours=24)  # older events are history, for the digest, not news
LEASE = timedelta(minutes=5)  # longer than one message takes to send, timeouts included
SMTP_TIMEOUT = 30.0  # seconds
BACKOFF = timedelta(minutes=1)  # doubled after each failed attempt…
MAX_BACKOFF = timedelta(hours=1)  # …up to this
CHART = timedelta(hours=24)
REPLAY = timedelta(days=28)  # history replayed through a fresh detector to draw the normal band
_ID_DOMAIN = "socialcx"
_THREAD_NAMESPACE = uuid.UUID("6f1c3d52-2a57-4c1e-9a0b-5c0ad7e7a1f3")
_CHANNEL_NAMES = {
    "x": "X", "reddit": "Reddit", "mastodon": "Mastodon", "bluesky": "Bluesky", "hackernews": "Hacker News", "rss": "RSS",
}
_SLICE_NOUNS = {"human": "mentions for a person", "negative": "negative mentions"}

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parents[1] / "templates" / "email"),
    autoescape=select_autoescape(("html",)),  # mention texts are untrusted; the .txt parts stay plain
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """What one pass of `deliver` did. `error` is the last problem met, in one line."""

    sent: int = 0
    resent: int = 0  # of `sent`: rows left in `sending` by a pass that stopped, sent again
    retrying: int = 0
    failed: int = 0
    error: str | None = None
    waiting: int = 0  # emails still unsent after the pass, whether tried in it or not due yet
    next_try: datetime | None = None  # when the first of them is due


# --- Queueing ------------------------------------------------------------------------------


def queue_alert_emails(engine: Engine, settings: Settings, clock: Clock) -> int:
    """Queue an email for every alert raised, escalated or resolved in the last day that has none
    yet; returns how many were queued. Idempotent, and safe to run in several processes."""
    if not settings.mail.recipients:
        return 0
    now = clock.now()
    events = AlertEvent.__table__
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(events)
            .where(events.c.kind.in_(MAILED_EVENTS), events.c.at >= now - ALERT_MAIL_WINDOW)
            .order_by(events.c.id)
        ).mappings().all()
        mailed = _existing_keys(connection, [_alert_key(row["alert_id"], row["id"]) for row in rows])
    queued = 0
    for row in rows:
        key = _alert_key(row["alert_id"], row["id"])
        if key in mailed:
            continue
        with engine.begin() as connection:  # one email per transaction: rendering takes a moment
            alert = _alert(connection, row["alert_id"])
            message = _alert_message(connection, settings, alert, AlertEvent(**row), now)
            queued += _insert(connection, key, "alert", message, now)
    return queued


def queue_digest(engine: Engine, settings: Settings, clock: Clock, day: date) -> bool:
    """Queue the digest of `day` (midnight to midnight in the inbox's time zone); False when it
    was queued before (or no recipients are set)."""
    key = f"digest:{day.isoformat()}"
    if not settings.mail.recipients:
        return False
    with engine.begin() as connection:
        if _existing_keys(connection, [key]):
            return False
        message = _digest_message(connection, settings, clock, day)
        return bool(_insert(connection, key, "digest", message, clock.now()))


def queue_silent_watches(engine: Engine, settings: Settings, clock: Clock, since: datetime | None = None) -> int:
    """Queue one email per silence: a watch that `watch_health` finds silent (no clean poll for
    twice its interval and at least `thresholds.stale_after_minutes`; `since` is when the daemon
    started). The same silence is never mailed twice; after a successful poll, the next silence
    is news again."""
    if not settings.mail.recipients:
        return 0
    now = clock.now()
    queued = 0
    for watch in (watch for watch in watch_health(engine, settings, clock, since) if watch.silent):
        since_success = watch.last_success_at.isoformat() if watch.last_success_at else "never"
        key = f"silent:{watch.channel}:{watch.watch}:{since_success}"
        with engine.begin() as connection:
            if _existing_keys(connection, [key]):
                continue
            message = _silent_message(settings, watch, now, key)
            queued += _insert(connection, key, "silent", message, now)
    return queued


def alert_email(engine: Engine, settings: Settings, clock: Clock, alert_id: int) -> EmailMessage:
    """The email that announced an alert (rendered afresh, not queued), for previews."""
    events = AlertEvent.__table__
    with engine.connect() as connection:
        alert = _alert(connection, alert_id)
        raised = connection.execute(
            sa.select(events).where(events.c.alert_id == alert_id, events.c.kind == "raised").order_by(events.c.id).limit(1)
        ).mappings().first()
        if raised is None:
            raise UsageError(f"alert {alert_id} has no raised event to render")
        return _alert_message(connection, settings, alert, AlertEvent(**raised), clock.now())


def _alert_key(alert_id: int, event_id: int) -> str:
    return f"alert:{alert_id}:{event_id}"


def _existing_keys(connection: Connection, keys: list[str]) -> set[str]:
    if not keys:
        return set()
    table = Email.__table__
    return set(connection.execute(sa.select(table.c.key).where(table.c.key.in_(keys))).scalars())


def _insert(connection: Connection, key: str, kind: str, message: EmailMessage, now: datetime) -> int:
    """Store a rendered email as pending; 0 when another process stored one with this key first."""
    table = Email.__table__
    inserted = connection.execute(
        dialect_insert(connection, table)
        .values(
            key=key, kind=kind, subject=str(message["Subject"]), message_id=str(message["Message-ID"]),
            sender=message["From"].addresses[0].addr_spec, recipients=[to.addr_spec for to in message["To"].addresses],
            message=message.as_bytes(policy=SMTP).decode("ascii"), state="pending", created_at=now, attempts=0,
        )
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(table.c.id)
    ).scalar()
    return int(inserted is not None)


def _alert(connection: Connection, alert_id: int) -> Alert:
    row = connection.execute(sa.select(Alert.__table__).where(Alert.__table__.c.id == alert_id)).mappings().first()
    if row is None:
        raise UsageError(f"no alert #{alert_id}; `socialcx trends` lists the open ones")
    return Alert(**row)


# --- Rendering -----------------------------------------------------------------------------


def alert_subject(alert: Alert) -> str:
    """`Spike: "checkout" on X — 412 mentions in 10 min, 8× normal`, from what raised the alert;
    the thread's later emails use it after `Re: `."""
    explanation = alert.explanation
    start, end = (datetime.fromisoformat(moment) for moment in explanation["window"])
    minutes = round((end - start).total_seconds() / 60)
    noun = _SLICE_NOUNS.get(alert.slice, "mentions")
    return (
        f"Spike: {alert.topic} on {_where(alert.channel, explanation['channels'])} — "
        f"{explanation['mentions']:,} {noun} in {minutes} min, {_times_normal(alert.observed, alert.expected)}"
    )


def _alert_message(connection: Connection, settings: Settings, alert: Alert, event: AlertEvent, now: datetime) -> EmailMessage:
    bucket = settings.spikes.bucket
    zone = settings.inbox.zone
    thread = _thread_id(alert)
    subject = alert_subject(alert)
    end = event.at + bucket
    steps = _chart_steps(connection, SeriesKey(alert.watch, alert.channel, alert.slice), end, bucket)
    explanation = alert.explanation
    context = {
        "kind": event.kind,
        "alert": alert,
        "event": event,
        "headline": _headline(alert, event, bucket, zone),
        "series": _series_label(alert.channel, alert.slice),
        "event_series": _series_label(event.channel, event.slice),
        "bucket_minutes": round(bucket.total_seconds() / 60),
        "opened": _local(alert.opened_at, zone),
        "at": _local(event.at, zone),
        "lasted": _duration(event.at - alert.opened_at),
        "terms": explanation["terms"],
        "samples": [_sample(sample, zone) for sample in explanation["samples"]],
        "intents": _mix({intent.replace("_", " "): count for intent, count in explanation["intents"].items()}),
        "sentiments": _mix(explanation["sentiments"]),
        "channels": _mix({_channel_name(name): count for name, count in explanation["channels"].items()}),
        "chart_cid": f"chart-{thread}@{_ID_DOMAIN}",
        "chart_hours": round(CHART.total_seconds() / 3600),
        "inbox_url": f"{settings.mail.web_url}/inbox" if settings.mail.web_url else None,
        "incident": _incident_of(connection, alert),
    }
    root = f"<{thread}@{_ID_DOMAIN}>"
    is_root = event.kind == "raised"
    return _message(
        settings,
        subject=subject if is_root else f"Re: {subject}",
        message_id=root if is_root else f"<{thread}-{event.kind}-{event.id}@{_ID_DOMAIN}>",
        in_reply_to=None if is_root else root,
        now=now,
        template="alert",
        context=context,
        images={context["chart_cid"]: series_chart(steps, alert_from=alert.opened_at, alert_until=alert.resolved_at and alert.resolved_at + bucket, zone=zone)},
    )


def _incident_of(connection: Connection, alert: Alert) -> IncidentRow | None:
    """The alert's incident, whose drafted statement the mail carries with the command to approve it."""
    row = connection.execute(sa.select(IncidentRow.__table__).where(IncidentRow.alert_id == alert.id)).mappings().first()
    return IncidentRow(**row) if row else None


def _thread_id(alert: Alert) -> str:
    """Stable for the alert, and different for an alert with the same number in another database
    (a reset, a second install), so that clients never thread or deduplicate two alerts as one."""
    token = uuid.uuid5(_THREAD_NAMESPACE, f"{alert.id}|{alert.watch}|{alert.opened_at.isoformat()}").hex[:16]
    return f"alert-{alert.id}-{token}"


def _headline(alert: Alert, event: AlertEvent, bucket: timedelta, zone: tzinfo) -> str:
    minutes = round(bucket.total_seconds() / 60)
    if event.kind == "raised":
        return (
            f"{alert.topic} is surging on {alert.watch}: {event.observed:,.0f} mentions in {minutes} min at "
            f"{_local(event.at, zone)}, where about {event.expected:,.1f} are normal."
        )
    if event.kind == "escalated":
        return (
            f"Escalated: {event.observed:,.0f} mentions in {minutes} min at {_local(event.at, zone)} "
            f"({_times_normal(event.observed, event.expected)}), up from {alert.observed:,.0f} when it was raised."
        )
    return (
        f"Resolved: back to normal at {_local(event.at, zone)}, {_duration(event.at - alert.opened_at)} after it "
        f"was raised; at its peak {alert.peak:,.0f} mentions in {minutes} min."
    )


def _chart_steps(connection: Connection, key: SeriesKey, end: datetime, bucket: timedelta) -> list[Step]:
    """The series' last day as the detector saw it: its history (up to `REPLAY`) replayed through
    a fresh detector, so the band is the one it judged against."""
    table = SpikeCount.__table__
    series = (table.c.watch == key.watch) & (table.c.channel == key.channel) & (table.c.slice == key.slice)
    first = connection.execute(sa.select(sa.func.min(table.c.bucket_start)).where(series)).scalar()
    if first is None:
        return []
    start = max(first, end - (REPLAY // bucket) * bucket)
    counts = dict(connection.execute(
        sa.select(table.c.bucket_start, table.c.count).where(series, table.c.bucket_start >= start, table.c.bucket_start < end)
    ).all())
    steps = series_steps(SpikeDetector(DetectorParams(bucket=bucket)), counts, start, end)
    return [step for step in steps if step.at >= end - CHART]


def _digest_message(connection: Connection, settings: Settings, clock: Clock, day: date) -> EmailMessage:
    zone = settings.inbox.zone
    now = clock.now()
    start = datetime.combine(day, time(), zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(), zone).astimezone(UTC)
    mention, triage = Mention.__table__, MentionTriage.__table__
    rows = connection.execute(
        sa.select(
            mention.c.channel, mention.c.created_at,
            current_label("intent", mention.c.id).label("intent"), current_label("sentiment", mention.c.id).label("sentiment"),
        )
        .select_from(mention.outerjoin(triage, triage.c.mention_id == mention.c.id))  # `current_label` reads triage
        .where(mention.c.created_at >= start, mention.c.created_at < end)
    ).all()
    hours = [datetime.combine(day, time(hour), zone) for hour in range(24)]
    hourly: defaultdict[str, list[int]] = defaultdict(lambda: [0] * 24)
    for row in rows:
        hourly[_channel_name(row.channel)][row.created_at.astimezone(zone).hour] += 1
    report = kpis(connection, now=now, since=start)
    alerts = Alert.__table__
    alert_rows = [
        Alert(**row) for row in connection.execute(
            sa.select(alerts).where((alerts.c.opened_at >= start) & (alerts.c.opened_at < end) | (alerts.c.status != "resolved"))
            .order_by(alerts.c.opened_at)
        ).mappings()
    ]
    intents = Counter((row.intent or "untriaged").replace("_", " ") for row in rows)
    subject_parts = [f"{len(rows):,} mentions"]
    if report.sla_breached:
        subject_parts.append(f"{report.sla_breached:,} SLA breach{'es' if report.sla_breached != 1 else ''}")
    opened = sum(start <= alert.opened_at < end for alert in alert_rows)
    if opened:
        subject_parts.append(f"{opened} alert{'s' if opened != 1 else ''}")
    context = {
        "day": f"{day:%A %d %B %Y}",
        "zone": str(zone),
        "mentions": len(rows),
        "channels": _mix(Counter(_channel_name(row.channel) for row in rows)),
        "sentiments": _mix(Counter(row.sentiment or "untriaged" for row in rows)),
        "intents": _mix(dict(intents.most_common(8))),
        "kpis": report,
        "automation": _percent(report.automation_rate),
        "sla": _percent(report.sla_breach_rate),
        "response_times": [
            {"label": "all replies" if row.group == "all" else f"{row.key} replies", "replies": row.replies,
             "p50": _duration(row.p50), "p90": _duration(row.p90)}
            for row in report.response_times if row.group in ("all", "responder")
        ],
        "alerts": [
            {"id": alert.id, "watch": alert.watch, "topic": alert.topic, "status": alert.status,
             "opened": _local(alert.opened_at, zone), "peak": alert.peak,
             "resolved": _local(alert.resolved_at, zone) if alert.resolved_at else None}
            for alert in alert_rows
        ],
        "incidents": [
            {"id": row.incident_id, "topic": row.topic, "state": row.state.replace("_", " "), "members": row.members,
             "answered": row.answered, "share": _percent(row.share_answered), "p50": _duration(row.p50) if row.p50 else "-",
             "approval": _duration(row.to_approval) if row.to_approval else "not approved", "people": row.handled_by_people,
             "follow_ups": row.follow_ups_sent}
            for row in incident_kpis(connection) if row.alert_id in {alert.id for alert in alert_rows}
        ],
        "budgets": [_budget(ReadBudget(connection.engine, channel, settings.channels.get(channel), clock).status(), zone)
                    for channel in settings.channels.enabled()],
        "chart_cid": f"digest-{day.isoformat()}@{_ID_DOMAIN}",
        "inbox_url": f"{settings.mail.web_url}/inbox" if settings.mail.web_url else None,
    }
    return _message(
        settings,
        subject=f"Daily digest, {day:%a %d %b}: {', '.join(subject_parts)}",
        message_id=f"<digest-{day.isoformat()}-{uuid.uuid4().hex[:12]}@{_ID_DOMAIN}>",
        now=now,
        template="digest",
        context=context,
        images={context["chart_cid"]: volume_chart(hours, dict(sorted(hourly.items())), zone=zone)},
    )


def _silent_message(settings: Settings, watch: WatchHealth, now: datetime, key: str) -> EmailMessage:
    zone = settings.inbox.zone
    channel = _channel_name(watch.channel)
    silence = f"for {_duration(now - watch.last_success_at)}" if watch.last_success_at else "ever since it started"
    context = {
        "watch": watch.watch,
        "channel": channel,
        "silence": silence,
        "last_success": _local(watch.last_success_at, zone) if watch.last_success_at else None,
        "last_error": " ".join((watch.last_error or "").split())[:300] or None,
        "throttled_until": _local(watch.throttled_until, zone) if watch.throttled_until and watch.throttled_until > now else None,
        "stale_after": settings.thresholds.stale_after_minutes,
    }
    token = uuid.uuid5(_THREAD_NAMESPACE, key).hex[:16]
    return _message(
        settings,
        subject=f"Silent: {watch.watch} on {channel} — no successful poll {silence}",
        message_id=f"<silent-{token}@{_ID_DOMAIN}>",
        now=now,
        template="silent",
        context=context,
        images={},
    )


def _message(
    settings: Settings, *, subject: str, message_id: str, now: datetime, template: str, context: dict[str, Any],
    images: dict[str, bytes], in_reply_to: str | None = None,
) -> EmailMessage:
    """A text part and an HTML part (with its inline images), as multipart/alternative."""
    message = EmailMessage(policy=SMTP)
    message["Subject"] = subject
    message["From"] = settings.mail.sender
    message["To"] = ", ".join(settings.mail.recipients)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: vacation responders stay quiet
    # Quoted-printable keeps the stored message 7-bit ASCII, which every server takes.
    message.set_content(_templates.get_template(f"{template}.txt").render(context, subject=subject), cte="quoted-printable")
    message.add_alternative(
        _templates.get_template(f"{template}.html").render(context, subject=subject), subtype="html", cte="quoted-printable"
    )
    html = message.get_payload()[1]
    for cid, png in images.items():
        html.add_related(png, "image", "png", cid=f"<{cid}>", filename=f"{cid.split('@')[0]}.png")
    return message


# --- Formatting helpers for the templates ----------------------------------------------------


def _channel_name(channel: str) -> str:
    return _CHANNEL_NAMES.get(channel, "all channels" if channel == ALL else channel)


def _where(channel: str, mix: dict[str, int]) -> str:
    """The channel an alert is on: its own, else those of its mentions when few."""
    if channel != ALL:
        return _channel_name(channel)
    names = [_channel_name(name) for name in mix]
    if 1 <= len(names) <= 3:
        return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return "all channels"


def _series_label(channel: str, slice_: str) -> str:
    what = {ALL: "all mentions", "human": "mentions for a person", "negative": "negative mentions"}.get(
        slice_, slice_.removeprefix("intent:").replace("_", " ")
    )
    return f"{what} on {_channel_name(channel)}"


def _times_normal(observed: float, expected: float) -> str:
    if expected < 0.5:
        return "where almost none are normal"
    ratio = observed / expected
    return f"{ratio:.2g}× normal" if ratio < 10 else f"{ratio:,.0f}× normal"


def _mix(counts: dict[str, int]) -> list[dict[str, Any]]:
    """Counts as rows with their share, largest first."""
    total = sum(counts.values())
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [{"label": label, "count": count, "share": f"{count / total:.0%}"} for label, count in ranked if total]


def _sample(sample: dict[str, Any], zone: tzinfo) -> dict[str, Any]:
    url = sample.get("url") or ""
    return {
        "author": f"@{sample['author_handle'].lstrip('@')}" if sample.get("author_handle") else "someone",
        "followers": sample.get("author_followers"),
        "channel": _channel_name(sample["channel"]),
        "at": _local(datetime.fromisoformat(sample["created_at"]), zone),
        "text": " ".join(sample["text"].split()),
        "url": url if url.startswith(("https://", "http://")) else None,  # never javascript: or data:
    }


def _budget(status: Any, zone: tzinfo) -> dict[str, Any]:
    return {
        "channel": _channel_name(status.channel.value),
        "window_left": "no limit" if status.window_left is None else f"{status.window_left:,}",
        "month_left": "no limit" if status.month_left is None else f"{status.month_left:,}",
        "runs_out": _local(status.runs_out_at, zone) if status.runs_out_at else None,
    }


def _local(moment: datetime, zone: tzinfo) -> str:
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M %Z}"


def _duration(span: timedelta) -> str:
    minutes = max(0, round(span.total_seconds() / 60))
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h {minutes % 60} min" if minutes % 60 else f"{minutes // 60} h"
    return f"{minutes // 1440} days"


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.0%}"


# --- Delivery ------------------------------------------------------------------------------


class _Trouble(Exception):
    """A delivery problem, in one line; `broken` when the connection cannot be used any more,
    `permanent` when the server refused this message for good."""

    def __init__(self, reason: str, *, broken: bool = False, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason, self.broken, self.permanent = reason, broken, permanent


def deliver(engine: Engine, settings: Settings, clock: Clock) -> DeliveryReport:
    """Send every pending email that is due, oldest first, over one SMTP connection.

    Blocking (smtplib): the daemon runs it in a worker thread. Each email is claimed before it
    is sent (so two processes never send the same one) and marked sent in its own transaction
    as soon as the server accepts it. Problems are logged and reported in one line, without
    the password or the message.
    """
    now = clock.now()
    due = _due(engine, now)
    if not due:
        return _with_waiting(engine, DeliveryReport())
    try:
        smtp = _connect(settings)
    except _Trouble as trouble:
        _postpone(engine, due, now, trouble.reason)
        logger.warning("mail: cannot reach the mail server, %d emails wait: %s", len(due), trouble.reason)
        return _with_waiting(engine, DeliveryReport(retrying=len(due), error=trouble.reason))
    sent = resent = retrying = failed = 0
    error = None
    try:
        for mail_id in due:
            claimed = _claim(engine, mail_id, clock.now())
            if claimed is None:
                continue  # another process took it
            row, uncertain = claimed
            try:
                refused = _send(smtp, row, settings)
            except _Trouble as trouble:
                error = trouble.reason
                if trouble.permanent:
                    _fail(engine, row["id"], trouble.reason)
                    failed += 1
                    logger.error("mail: %s refused for good: %s", row["key"], trouble.reason)
                    continue
                retrying += _postpone(engine, [row["id"]], clock.now(), trouble.reason, claimed=True)
                logger.warning("mail: %s not sent, will retry: %s", row["key"], trouble.reason)
                if trouble.broken:
                    retrying += _postpone(engine, [other for other in due if other > mail_id], clock.now(), trouble.reason)
                    break
                continue
            _mark_sent(engine, row["id"], clock.now(), refused)
            sent += 1
            resent += uncertain
            logger.info("mail: sent %s (%s) to %d recipients%s", row["key"], row["message_id"], len(row["recipients"]) - len(refused),
                        " again: a pass stopped before marking it sent" if uncertain else "")
    finally:
        _close(smtp)
    return _with_waiting(engine, DeliveryReport(sent=sent, resent=resent, retrying=retrying, failed=failed, error=error))


def _with_waiting(engine: Engine, report: DeliveryReport) -> DeliveryReport:
    """The report with the emails still waiting: a pass that found none due may leave some that
    wait out a backoff, and those are not delivered. Without an error of its own, the pass gives
    the last one they met."""
    table = Email.__table__
    unsent = table.c.state.in_(("pending", "sending"))
    with engine.connect() as connection:
        waiting, next_try = connection.execute(
            sa.select(sa.func.count(), sa.func.min(table.c.next_attempt_at)).where(unsent)
        ).one()
        last_error = connection.execute(
            sa.select(table.c.last_error).where(unsent, table.c.last_error.is_not(None)).order_by(table.c.id.desc()).limit(1)
        ).scalar()
    return replace(report, waiting=waiting, next_try=next_try, error=report.error or last_error)


def _due(engine: Engine, now: datetime) -> list[int]:
    """Pending emails whose time has come, and claimed ones whose sender stopped (lease over)."""
    table = Email.__table__
    ready = (table.c.state == "pending") & (table.c.next_attempt_at.is_(None) | (table.c.next_attempt_at <= now))
    abandoned = (table.c.state == "sending") & (table.c.lease_until < now)
    with engine.connect() as connection:
        return list(connection.execute(sa.select(table.c.id).where(ready | abandoned).order_by(table.c.id)).scalars())


def _claim(engine: Engine, mail_id: int, now: datetime) -> tuple[dict[str, Any], bool] | None:
    """Take one email for sending by compare-and-set on its state; None when it is not due any
    more. The flag says whether an earlier pass may have sent it already."""
    table = Email.__table__
    with engine.begin() as connection:
        row = connection.execute(sa.select(table).where(table.c.id == mail_id)).mappings().one()
        if row["state"] == "pending":
            due = table.c.next_attempt_at.is_(None) | (table.c.next_attempt_at <= now)
        elif row["state"] == "sending":
            due = table.c.lease_until < now
        else:
            return None
        claimed = connection.execute(
            sa.update(table)
            .where(table.c.id == mail_id, table.c.state == row["state"], due)
            .values(state="sending", lease_until=now + LEASE)
        ).rowcount
    return (dict(row), row["state"] == "sending") if claimed == 1 else None


def _postpone(engine: Engine, mail_ids: Iterable[int], now: datetime, reason: str, *, claimed: bool = False) -> int:
    """Count a failed attempt and put emails back to wait, each twice as long as the time before;
    returns how many. Unless `claimed` (by this pass), only emails nobody holds are touched."""
    table = Email.__table__
    free = (table.c.state == "pending") | ((table.c.state == "sending") & (table.c.lease_until < now))
    postponed = 0
    with engine.begin() as connection:
        for mail_id in mail_ids:
            attempts = connection.execute(sa.select(table.c.attempts).where(table.c.id == mail_id)).scalar_one() + 1
            delay = min(BACKOFF * 2 ** min(attempts - 1, 20), MAX_BACKOFF)
            postponed += connection.execute(
                sa.update(table)
                .where(table.c.id == mail_id, table.c.state == "sending" if claimed else free)
                .values(state="pending", attempts=attempts, next_attempt_at=now + delay, lease_until=None, last_error=reason)
            ).rowcount
    return postponed


def _mark_sent(engine: Engine, mail_id: int, now: datetime, refused: dict[str, Any]) -> None:
    table = Email.__table__
    note = "; ".join(f"{address} refused: {_smtp_text(code, text)}" for address, (code, text) in refused.items()) or None
    with engine.begin() as connection:
        connection.execute(
            sa.update(table).where(table.c.id == mail_id).values(
                state="sent", sent_at=now, lease_until=None, attempts=table.c.attempts + 1, last_error=note
            )
        )


def _fail(engine: Engine, mail_id: int, reason: str) -> None:
    table = Email.__table__
    with engine.begin() as connection:
        connection.execute(
            sa.update(table).where(table.c.id == mail_id).values(
                state="failed", lease_until=None, attempts=table.c.attempts + 1, last_error=reason
            )
        )


def _connect(settings: Settings) -> smtplib.SMTP:
    """An SMTP connection as configured (plain, STARTTLS or SSL), logged in when a login is set."""
    mail = settings.mail
    where = f"{mail.host}:{mail.port}"
    login = None
    if mail.username_env or mail.password_env:
        names = {"username_env": mail.username_env, "password_env": mail.password_env}
        for option, env_name in names.items():
            if env_name is None:
                raise _Trouble(f"mail.{option} is not set; a login needs both mail.username_env and mail.password_env")
            if settings.secret(env_name) is None:
                raise _Trouble(f"mail.{option} names the environment variable {env_name}, which is not set")
        login = (settings.secret(mail.username_env or ""), settings.secret(mail.password_env or ""))
    smtp: smtplib.SMTP | None = None
    try:
        context = ssl.create_default_context()
        if mail.security == "ssl":
            smtp = smtplib.SMTP_SSL(mail.host, mail.port, timeout=SMTP_TIMEOUT, context=context)
        else:
            smtp = smtplib.SMTP(mail.host, mail.port, timeout=SMTP_TIMEOUT)
        if mail.security == "starttls":
            smtp.starttls(context=context)
        if login is not None:
            smtp.login(*login)
        return smtp
    except (OSError, smtplib.SMTPException) as exc:
        if smtp is not None:
            _close(smtp)
        reason = _describe(exc, secret=login[1] if login else None)
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            reason = f"login refused ({reason}); check the variables named by mail.username_env and mail.password_env"
        raise _Trouble(f"{where}: {reason}", broken=True) from None


def _send(smtp: smtplib.SMTP, row: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """Send one stored message; the recipients the server refused while accepting it for others."""
    where = f"{settings.mail.host}:{settings.mail.port}"
    try:
        return smtp.sendmail(row["sender"], row["recipients"], row["message"].encode("ascii"))
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        detail = "; ".join(f"{address}: {_smtp_text(code, text)}" for address, (code, text) in exc.recipients.items())
        raise _Trouble(f"{where}: every recipient refused ({detail})", permanent=all(code >= 500 for code in codes)) from None
    except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
        raise _Trouble(f"{where}: {_describe(exc)}", permanent=exc.smtp_code >= 500) from None
    except smtplib.SMTPNotSupportedError as exc:
        raise _Trouble(f"{where}: {_describe(exc)}", permanent=True) from None
    except (OSError, smtplib.SMTPException) as exc:
        # A timeout here may come after the server took the message: it is sent again later, with
        # the same Message-ID (see the module's docstring).
        raise _Trouble(f"{where}: {_describe(exc)}", broken=True) from None


def _close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


def _describe(exc: BaseException, *, secret: str | None = None) -> str:
    """One line for an SMTP or network error, without the password even if a server echoed it."""
    if isinstance(exc, smtplib.SMTPResponseException):
        text = _smtp_text(exc.smtp_code, exc.smtp_error)
    elif isinstance(exc, TimeoutError):
        text = f"no answer within {SMTP_TIMEOUT:g} s"
    elif isinstance(exc, OSError) and exc.strerror:
        text = exc.strerror
    else:
        text = " ".join(str(exc).split()) or type(exc).__name__
    return text.replace(secret, "***") if secret else text


def _smtp_text(code: int, text: bytes | str) -> str:
    message = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(message.split())}"
