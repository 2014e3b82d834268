"""The responder: for each new mention, answer it, draft an answer, or hand it to people.

Every guardrail below must pass for an auto-reply; the first that does not decides where the
mention goes, and the decision is logged with its reason (table `decision`, one per mention):

    own_account   our own posts (and our replies coming back in listings)       → skipped
    known_bot     a listed bot, or a handle that ends in "bot"                  → skipped
    answered      we or a person already replied to it                          → skipped
    kill_switch   `socialcx pause` is on                                        → inbox
    triage        the classifier abstained, or raised a risk flag               → inbox
    playbook      the intent is not in the playbook, disabled, or `off`         → inbox
    confidence    below the intent's `min_confidence`                           → inbox
    channel       not an allowed channel, or one we cannot reply on             → inbox
    thread        our account already took `max_turns` turns in this thread     → inbox
    claimed       a person holds this thread                                    → inbox
    age           older than `max_age_minutes`                                  → inbox
    caps          per-author, per-channel or global replies per hour or day     → inbox
    quiet_hours   inside the intent's quiet hours                               → inbox
    incident      an open spike alert on this watch is about this intent        → inbox
    mode          the intent is in `draft` (shadow mode)                        → draft
    action        the intent's action refused, failed or was over its limits    → inbox
    template      no reply fits the channel                                     → inbox

A mention that passes everything gets an outbox row (`socialcx.outbox`), sent by
`send_pending`; one stopped only by `mode` goes to the inbox with the rendered draft.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from connectors import connector_class
from socialcx import inbox
from socialcx.channels import Channel
from socialcx.clock import Clock
from socialcx.config import Settings
from socialcx.outbox import is_paused, queue_reply
from socialcx.playbook import ActionRules, Caps, IntentRules, Playbook
from socialcx.spikes.incidents import open_alerts
from socialcx.store import (
    ActionSpend,
    Alert,
    Decision,
    Mention,
    MentionTriage,
    OutboxReply,
    dialect_insert,
)

__all__ = ["GUARDRAILS", "Verdict", "amount_in", "route"]

GUARDRAILS = (
    "own_account", "known_bot", "answered", "kill_switch", "triage", "playbook", "confidence", "channel",
    "thread", "claimed", "age", "caps", "quiet_hours", "incident", "mode", "action", "template",
)
_SKIPPED = ("own_account", "known_bot", "answered")  # nothing for anyone to do


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the guardrails said about one mention: the first one that stopped it, if any."""

    outcome: str  # auto_reply, draft, inbox, skipped
    reason: str
    guardrail: str | None = None


def route(
    engine: Engine,
    settings: Settings,
    playbook: Playbook,
    clock: Clock,
    mention_ids: Collection[int] | None = None,
) -> list[Decision]:
    """Decide, for each triaged mention not routed yet (or only those in `mention_ids`), oldest
    first, whether to answer it; queue the reply or hand it to the inbox; return the decisions.

    Blocking (it may call a playbook action over HTTP): from async code, run it in a thread.
    """
    context = _Context(settings, playbook)
    decisions = []
    for mention, triage in _unrouted(engine, mention_ids):
        now = clock.now()
        with engine.connect() as connection:
            verdict = _judge(connection, context, mention, triage, now)
        rules = playbook.rules(triage.intent)
        draft = action_result = None
        if verdict.outcome == "draft":
            rendered = playbook.render(triage.intent, Channel(mention.channel), mention.external_id, mention.author_handle)
            draft = rendered.text
        elif verdict.outcome == "auto_reply":
            assert rules is not None
            if rules.action is not None:
                action_result = _run_action(engine, settings, rules.action, mention, triage.intent, now)
                if action_result["status"] != "ok":
                    verdict = Verdict("inbox", f"the {triage.intent} action did not go through: {action_result['detail']}", "action")
            if verdict.outcome == "auto_reply":
                rendered = playbook.render(
                    triage.intent, Channel(mention.channel), mention.external_id, mention.author_handle,
                    action=(action_result or {}).get("answer"),
                )
                draft = rendered.text
                if rendered.text is None:
                    verdict = Verdict("inbox", f"no reply fits: {rendered.problem}", "template")
        decision = _record(engine, settings, mention, verdict, draft, action_result, now)
        if decision is not None:
            decisions.append(decision)
    return decisions


@dataclass
class _Context:
    """What every mention of one routing pass is judged against, read once."""

    settings: Settings
    playbook: Playbook

    def __post_init__(self) -> None:
        self.our_handles = {
            _handle(handle) for watch in self.settings.watches for handle in watch.handles
        }
        self._alerts: dict[str, list[Alert]] = {}

    def alerts(self, connection: Connection, watch: str) -> list[Alert]:
        if watch not in self._alerts:
            self._alerts[watch] = open_alerts(connection.engine, watch)
        return self._alerts[watch]


def _judge(connection: Connection, context: _Context, mention: Mention, triage: MentionTriage, now: datetime) -> Verdict:
    """Run the guardrails in order; the first refusal decides. `mode` only marks a draft, so that
    a drafted mention is one that passed everything else."""
    drafting = False
    for name, check in _CHECKS:
        refusal = check(connection, context, mention, triage, now)
        if refusal is None:
            continue
        if name == "mode":
            drafting = True
            continue
        return Verdict("skipped" if name in _SKIPPED else "inbox", refusal, name)
    if drafting:
        return Verdict("draft", "shadow mode: the intent is in draft, so a person approves the reply", "mode")
    return Verdict("auto_reply", "every guardrail passed")


# Each check returns None when the mention passes, else the reason it does not.
Check = Callable[[Connection, _Context, Mention, MentionTriage, datetime], str | None]


def _own_account(connection: Connection, context: _Context, mention: Mention, triage: MentionTriage, now: datetime) -> str | None:
    if _handle(mention.author_handle) in context.our_handles:
        return f"posted by our own account @{_handle(mention.author_handle)}"
    ours = connection.execute(
        sa.select(sa.exists().where(OutboxReply.platform_id == mention.external_id, OutboxReply.state == "sent"))
    ).scalar_one()
    return "this is one of our own replies, seen again in a listing" if ours else None


_BOT_NAME = re.compile(r"bot$|^bot[_\-.]|[_\-.]bot[_\-.]", re.IGNORECASE)


def _known_bot(connection: Connection, context: _Context, mention: Mention, triage: MentionTriage, now: datetime) -> str | None:
    handle = _handle(mention.author_handle)
    if handle and handle in context.playbook.known_bots:
        return f"@{handle} is a known bot (playbook known_bots)"
    if handle and _BOT_NAME.search(handle):
        return f"@{handle} looks like a bot"
    return None


def _answered(connection: Connection, context: _Context, mention: Mention, triage: MentionTriage, now: datetime) -> str | None:
    state = connection.execute(sa.select(OutboxReply.state).where(OutboxReply.mention_id == mention.id)).scalar()
    if state is not None:
        return f"already answered by us (outbox: {state})"
    if inbox.answered_by_human(connection, mention.id):
        return "a person already answered in this thread"
    return None


def _kill_switch(connection: Connection, context: _Context, mention: Mention, triage: MentionTriage, now: datetime) -> str | None:
    return "auto-replies are paused (socialcx resume turns them back on)" if is_paused(connection) else None


def _triage(connection: Connection, context: _Context, mention: Mention, triage: MentionTriage, now: datetime) -> str | None:
    if triage.risks:
        return f"risk flags: {', '.join(triage.risks)}"
    if triage.abstained:
        return f"triage was unsure of the intent ({triage.intent}, {triage.confidence:.2f})"
    return None


def _playbook(connection: Connection, context: _Context, mention: Mention, triage: MentionTriage, now: datetime) -> str | None:
    rules = context.playbook.rules(triage.intent)
    if rules is None:
        return f"the playbook does not answer {triage.intent}"
    if not rules.enabled or rules.mode == "off":
        return f"{triage.intent} is turned off in the playbook"
    return None


def _confidence(connection: Connection, context: _Context, mention: Mention, triage: MentionTriage, now: datetime) -> str | None:
    wanted = _rules(context, triage).min_confidence
    if triage.confidence < wanted:
        return f"confidence {triage.confidence:.2f} is below {wanted:.2f} for {triage.intent}"
    return None


def _channel(connection: Connection, context: _Context, mention: Mention, triage: MentionTriage, now: datetime) -> str | None:
    channel = Channel(mention.channel)
    try:
        can_reply = connector_class(channel).capabilities.can_reply
    except LookupError:
        can_reply = False
    if not can_reply:
        return f"socialcx cannot reply on {channel}: answer on the site" + (f" ({mention.url})" if mention.url else "")
    if channel not in _rules(context, triage).channels:
        return f"the playbook does not answer {triage.intent} on {channel}"
    return None


def _thread(connection: Connection, context: _Context, mention: Mention, triage: MentionTriage, now: datetime) -> str | None:
    turns = _our_turns(connection, context, mention)
    allowed = context.playbook.max_turns
    if turns >= allowed:
        return f"our account already took {turns} turn{'s' * (turns != 1)} in this thread (max_turns {allowed})"
    return None


def _claimed(connection: Connection, context: _Context, mention: Mention, triage: MentionTriage, now: datetime) -> str | None:
    return "a person has claimed this thread" if inbox.is_claimed(connection, mention.id) else None


def _age(connection: Connection, context: _Context, mention: Mention, triage: MentionTriage, now: datetime) -> str | None:
    limit = timedelta(minutes=context.playbook.max_age_minutes)
    age = now - mention.created_at
    if age > limit:
        return f"{_minutes(age)} old, older than the {_minutes(limit)} an auto-reply may be"
    return None


def _caps(connection: Connection, context: _Context, mention: Mention, triage: MentionTriage, now: datetime) -> str | None:
    rules = _rules(context, triage)
    author = (
        Mention.author_id == mention.author_id if mention.author_id
        else Mention.author_handle == mention.author_handle
    )
    scopes = (
        (f"to @{_handle(mention.author_handle)}", rules.per_author, [Mention.channel == mention.channel, author]),
        (f"on {mention.channel}", rules.per_channel, [Mention.channel == mention.channel]),
        ("in all", context.playbook.caps, []),
    )
    for label, caps, where in scopes:
        if (refusal := _over(connection, label, caps, where, now)) is not None:
            return refusal
    return None


def _quiet_hours(connection: Connection, context: _Context, mention: Mention, triage: MentionTriage, now: datetime) -> str | None:
    quiet = _rules(context, triage).quiet_hours
    if quiet is not None and quiet.contains(now):
        return f"quiet hours ({quiet.start:%H:%M}-{quiet.end:%H:%M} {quiet.timezone})"
    return None


def _incident(connection: Connection, context: _Context, mention: Mention, triage: MentionTriage, now: datetime) -> str | None:
    for alert in context.alerts(connection, mention.watch):
        if alert.slice == f"intent:{triage.intent}" or (alert.explanation or {}).get("intent") == triage.intent:
            return f"spike alert #{alert.id} is open on {triage.intent} ({alert.topic}): people answer during an incident"
    return None


def _mode(connection: Connection, context: _Context, mention: Mention, triage: MentionTriage, now: datetime) -> str | None:
    return None if _rules(context, triage).mode == "auto" else "draft"


_CHECKS: tuple[tuple[str, Check], ...] = (
    ("own_account", _own_account),
    ("known_bot", _known_bot),
    ("answered", _answered),
    ("kill_switch", _kill_switch),
    ("triage", _triage),
    ("playbook", _playbook),
    ("confidence", _confidence),
    ("channel", _channel),
    ("thread", _thread),
    ("claimed", _claimed),
    ("age", _age),
    ("caps", _caps),
    ("quiet_hours", _quiet_hours),
    ("incident", _incident),
    ("mode", _mode),
)


def _rules(context: _Context, triage: MentionTriage) -> IntentRules:
    rules = context.playbook.rules(triage.intent)
    assert rules is not None  # the playbook check runs first
    return rules


def _over(connection: Connection, label: str, caps: Caps, where: list[Any], now: datetime) -> str | None:
    """Whether the replies already queued or sent (not failed) reach a cap."""
    for limit, span, unit in ((caps.hour, timedelta(hours=1), "hour"), (caps.day, timedelta(days=1), "day")):
        if limit is None:
            continue
        count = connection.execute(
            sa.select(sa.func.count())
            .select_from(OutboxReply)
            .join(Mention, Mention.id == OutboxReply.mention_id)
            .where(OutboxReply.state != "failed", OutboxReply.created_at > now - span, *where)
        ).scalar_one()
        if count >= limit:
            return f"{count} replies {label} in the last {unit} reach the cap of {limit}"
    return None


def _our_turns(connection: Connection, context: _Context, mention: Mention) -> int:
    """How many times our account has spoken in this mention's thread: our replies in the outbox,
    and posts by our handles that came back in listings (each counted once)."""
    keys = {key for key in (mention.conversation_id, mention.in_reply_to_id, mention.external_id) if key}
    in_thread = sa.or_(Mention.conversation_id.in_(keys), Mention.external_id.in_(keys))
    replies = connection.execute(
        sa.select(OutboxReply.id, OutboxReply.platform_id)
        .join(Mention, Mention.id == OutboxReply.mention_id)
        .where(Mention.channel == mention.channel, OutboxReply.state != "failed", sa.or_(in_thread, OutboxReply.platform_id.in_(keys)))
    ).all()
    ours = {row.platform_id or f"outbox:{row.id}" for row in replies}
    if context.our_handles:
        posts = connection.execute(
            sa.select(Mention.external_id, Mention.author_handle).where(Mention.channel == mention.channel, in_thread)
        ).all()
        ours |= {post.external_id for post in posts if _handle(post.author_handle) in context.our_handles}
    return len(ours)


def _unrouted(engine: Engine, mention_ids: Collection[int] | None) -> list[tuple[Mention, MentionTriage]]:
    mention, triage, decision = Mention.__table__, MentionTriage.__table__, Decision.__table__
    query = (
        sa.select(mention, *(column.label(f"t_{column.name}") for column in triage.columns))
        .join(triage, triage.c.mention_id == mention.c.id)
        .outerjoin(decision, decision.c.mention_id == mention.c.id)
        .where(decision.c.id.is_(None))
        .order_by(mention.c.created_at, mention.c.id)
    )
    if mention_ids is not None:
        query = query.where(mention.c.id.in_(list(mention_ids)))
    with engine.connect() as connection:
        rows = connection.execute(query).mappings().all()
    return [
        (
            Mention(**{column.name: row[column.name] for column in mention.columns}),
            MentionTriage(**{column.name: row[f"t_{column.name}"] for column in triage.columns}),
        )
        for row in rows
    ]


def _record(
    engine: Engine,
    settings: Settings,
    mention: Mention,
    verdict: Verdict,
    draft: str | None,
    action_result: dict[str, Any] | None,
    now: datetime,
) -> Decision | None:
    """Log the decision and act on it in one transaction; None if another process routed the
    mention first (the decision is unique per mention)."""
    table = Decision.__table__
    values = {"mention_id": mention.id, "at": now, "outcome": verdict.outcome, "reason": verdict.reason, "guardrail": verdict.guardrail}
    with engine.begin() as connection:
        decision_id = connection.execute(
            dialect_insert(connection, table).values(**values)
            .on_conflict_do_nothing(index_elements=["mention_id"]).returning(table.c.id)
        ).scalar()
        if decision_id is None:
            return None
        if verdict.outcome == "auto_reply":
            assert draft is not None
            queue_reply(connection, mention.id, draft, origin="auto", agent=None, now=now)
        elif verdict.outcome in ("draft", "inbox"):
            inbox.enqueue(
                connection, mention.id, reason=verdict.reason, now=now, draft=draft,
                action_result=action_result, sla=settings.inbox,
            )
    return Decision(id=decision_id, **values)


# -- actions ---------------------------------------------------------------------------------

_AMOUNT = re.compile(
    r"[£$€]\s?(\d{1,6}(?:[.,]\d{1,2})?)\b|\b(\d{1,6}(?:[.,]\d{1,2})?)\s?(?:gbp|usd|eur|pounds?|dollars?|euros?)\b",
    re.IGNORECASE,
)


def amount_in(text: str) -> float | None:
    """The first sum of money a post names (£30, $12.50, 40 EUR), if any."""
    match = _AMOUNT.search(text)
    if match is None:
        return None
    return float((match.group(1) or match.group(2)).replace(",", "."))


def _run_action(
    engine: Engine, settings: Settings, action: ActionRules, mention: Mention, intent: str, now: datetime
) -> dict[str, Any]:
    """Call an intent's action once for this mention, within its cap and the day's budget.

    The result is `{"status": "ok", "answer": {…}}` or a refusal (`over_cap`, `over_budget`,
    `already_called`, `timeout`, `error`) with a `detail` for the person who takes over. The
    spend is reserved (committed) before the call, so concurrent routers never overspend and a
    crash never calls the action twice for one mention.
    """
    amount = amount_in(mention.text)
    if amount is not None and action.amount_cap is not None and amount > action.amount_cap:
        result = {"status": "over_cap", "amount": amount, "cap": action.amount_cap,
                  "detail": f"{amount:g} is above the action's cap of {action.amount_cap:g}"}
        _reserve(engine, mention, intent, now, 0.0, result)
        return result
    if not _reserve(engine, mention, intent, now, amount or 0.0, None):
        return {"status": "already_called", "detail": "the action was already called for this mention"}
    if amount is not None and action.daily_budget is not None:
        spent = _spent_today(engine, intent, now)
        if spent > action.daily_budget:
            result = {"status": "over_budget", "amount": amount, "spent_today": spent - amount, "budget": action.daily_budget,
                      "detail": f"{amount:g} would take today's spend to {spent:g}, over the budget of {action.daily_budget:g}"}
            _settle(engine, mention, result)
            return result
    result = asyncio.run(_call(settings, action, mention, intent, amount))
    _settle(engine, mention, result)
    return result


async def _call(settings: Settings, action: ActionRules, mention: Mention, intent: str, amount: float | None) -> dict[str, Any]:
    payload = {
        "mention": {
            "id": mention.id, "channel": mention.channel, "external_id": mention.external_id,
            "author_handle": mention.author_handle, "author_id": mention.author_id, "text": mention.text,
            "url": mention.url, "created_at": mention.created_at.isoformat(),
        },
        "intent": intent,
        "amount": amount,
    }
    token = settings.secret(action.token_env) if action.token_env else None
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=action.timeout_seconds)) as session:
            async with session.post(action.url, json=payload, headers=headers) as response:
                body = await response.text()
                status = response.status
    except TimeoutError:
        return {"status": "timeout", "detail": f"no answer within {action.timeout_seconds:g} s"}
    except aiohttp.ClientError as exc:
        return {"status": "error", "detail": f"{type(exc).__name__}: {exc}"}
    if not 200 <= status < 300:
        return {"status": "error", "http_status": status, "body": body[:500], "detail": f"the action answered {status}"}
    try:
        answer = _json_object(body)
    except ValueError:
        return {"status": "error", "http_status": status, "body": body[:500], "detail": "the action's answer is not a JSON object"}
    return {"status": "ok", "http_status": status, "answer": answer, "detail": "done"}


def _json_object(body: str) -> dict[str, Any]:
    value = json.loads(body) if body.strip() else {}
    if not isinstance(value, dict):
        raise ValueError("not an object")
    return value


def _reserve(engine: Engine, mention: Mention, intent: str, now: datetime, amount: float, result: dict[str, Any] | None) -> bool:
    """Write the action's row for this mention before calling it; False if it already has one."""
    table = ActionSpend.__table__
    status = "calling" if result is None else result["status"]
    with engine.begin() as connection:
        inserted = connection.execute(
            dialect_insert(connection, table)
            .values(mention_id=mention.id, intent=intent, at=now, amount=amount, status=status, result=result)
            .on_conflict_do_nothing(index_elements=["mention_id"]).returning(table.c.id)
        ).scalar()
    return inserted is not None


def _settle(engine: Engine, mention: Mention, result: dict[str, Any]) -> None:
    """Record how the call went; only calls that went through keep their amount in the budget."""
    table = ActionSpend.__table__
    values: dict[str, Any] = {"status": result["status"], "result": result}
    if result["status"] != "ok":
        values["amount"] = 0.0
    with engine.begin() as connection:
        connection.execute(sa.update(table).where(table.c.mention_id == mention.id).values(**values))


def _spent_today(engine: Engine, intent: str, now: datetime) -> float:
    """The amounts of the intent's calls today (UTC) that went through or are under way."""
    table = ActionSpend.__table__
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    with engine.connect() as connection:
        return float(connection.execute(
            sa.select(sa.func.coalesce(sa.func.sum(table.c.amount), 0.0))
            .where(
                table.c.intent == intent, table.c.at >= start, table.c.at < start + timedelta(days=1),
                table.c.status.in_(("calling", "ok")),
            )
        ).scalar_one())


def _handle(handle: str | None) -> str:
    return (handle or "").strip().lstrip("@").removeprefix("u/").lower()


def _minutes(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"
