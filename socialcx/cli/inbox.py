"""`socialcx inbox ...`: the human inbox (`socialcx.care.inbox`), and `kpis`."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from socialcx.cli.app import _LARGEST, _ago, _Channels, _Context, _Group, _Limit, _when, console
from socialcx.errors import UsageError

inbox_app = typer.Typer(cls=_Group, help="The human inbox: what waits for a person, most urgent first.", no_args_is_help=True)



def _stored_items(value: int | list[int] | None) -> int | list[int] | None:
    """Item numbers beyond any stored one are missing items, said before the database is asked."""
    for item in value if isinstance(value, list) else [value]:
        if item is not None and item > _LARGEST:
            raise UsageError(f"#{item} is not in the inbox; `socialcx inbox list` shows the items' numbers")
    return value


_Item = Annotated[
    int, typer.Argument(callback=_stored_items, help="The item's number (its mention's id), as `inbox list` shows it.")
]
_Agent = Annotated[
    str | None, typer.Option("--agent", envvar="SOCIALCX_AGENT", help="Who is acting. Default: $SOCIALCX_AGENT, else the OS user.")
]


def _agent(name: str | None) -> str:
    import getpass

    return name or getpass.getuser()


def _in_transaction(state: _Context, action: Any, *, only_reads: bool = False) -> Any:
    """Run one inbox action in one transaction of the configured store; one that `only_reads`
    leaves the schema as it is (`_Context.reader`)."""
    with (state.reader() if only_reads else state.engine()).begin() as connection:
        return action(connection)


def _choices(option: str, kind: str, given: list[str] | None, allowed: tuple[str, ...]) -> list[str]:
    """The values given for a repeatable option, each checked against those it takes."""
    for value in given or ():
        if value not in allowed:
            raise UsageError(f"{option}: no {kind} {value!r}; use {', '.join(allowed[:-1])} or {allowed[-1]}")
    return given or []


_STATUSES = ("open", "claimed", "replied", "resolved", "escalated", "ignored")  # an inbox item's life


@inbox_app.command("list")
def inbox_list(
    ctx: typer.Context,
    status: Annotated[
        list[str] | None, typer.Option("--status", help=f"{', '.join(_STATUSES[:-1])} or {_STATUSES[-1]} (repeatable). Default: waiting ones.")
    ] = None,
    priority: Annotated[list[str] | None, typer.Option("--priority", help="critical, high, normal or low (repeatable).")] = None,
    channel: _Channels = None,
    intent: Annotated[list[str] | None, typer.Option("--intent", help="Only this intent (repeatable).")] = None,
    claimed_by: Annotated[str | None, typer.Option("--claimed-by", help="Only items this agent holds.")] = None,
    limit: _Limit = 50,
) -> None:
    """Items by priority, the soonest due first: open, claimed and escalated ones unless --status says otherwise."""
    from socialcx.care.inbox import ACTIVE, PRIORITIES, list_items, unreadable_posts

    state: _Context = ctx.obj
    statuses = _choices("--status", "status", status, _STATUSES)
    priorities = _choices("--priority", "priority", priority, PRIORITIES)
    unfiltered = not (status or priority or intent or claimed_by)  # unreadable posts have none of these

    def read(connection: Any) -> tuple[list[Any], list[Any]]:
        entries = list_items(
            connection, statuses=statuses or ACTIVE, priorities=priorities, channels=channel or (),
            intents=intent or (), claimed_by=claimed_by, limit=limit,
        )
        return entries, unreadable_posts(connection, channels=channel or (), limit=limit) if unfiltered else []

    entries, unreadable = _in_transaction(state, read, only_reads=True)
    _print_unreadable(unreadable)
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


def _print_unreadable(posts: list[Any]) -> None:
    """Posts socialcx gave up reading: they never became mentions, so a person opens them on the site."""
    if not posts:
        return
    table = Table(title=f"Could not read {len(posts)} post{'s' if len(posts) != 1 else ''}: open them on the site", title_justify="left")
    for column in ("channel", "watch", "post", "tries", "reason"):
        table.add_column(column, justify="right" if column == "tries" else "left", overflow="fold")
    for post in posts:
        table.add_row(post.channel, Text(post.watch), Text(post.external_id), str(post.attempts), Text(post.reason, style="red"))
    console.print(table)


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
    from socialcx.care.inbox import find_item
    from socialcx.care.playbook import playbook_for

    state: _Context = ctx.obj
    playbook = playbook_for(state.settings)
    detail = _in_transaction(state, lambda connection: find_item(connection, item, playbook=playbook), only_reads=True)
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
    from socialcx.care.inbox import claim

    name = _agent(agent)
    _in_transaction(ctx.obj, lambda connection: claim(connection, item, agent=name))
    console.print(f"#{item} is yours, {name}.")


@inbox_app.command("reply")
def inbox_reply(
    ctx: typer.Context, item: _Item, text: Annotated[str, typer.Argument(help="The reply, as it will be posted.")], agent: _Agent = None,
) -> None:
    """Answer an item: the reply goes through the outbox and is sent once."""
    from socialcx.care.inbox import reply

    state: _Context = ctx.obj
    name = _agent(agent)
    outbox_id = _in_transaction(state, lambda connection: reply(connection, item, text, agent=name, now=state.clock.now()))
    console.print(f"Reply to #{item} queued (outbox #{outbox_id}).")


@inbox_app.command("approve")
def inbox_approve(ctx: typer.Context, item: _Item, agent: _Agent = None) -> None:
    """Send the draft the responder wrote for an item, as it stands."""
    from socialcx.care.inbox import approve

    state: _Context = ctx.obj
    name = _agent(agent)
    outbox_id = _in_transaction(state, lambda connection: approve(connection, item, agent=name, now=state.clock.now()))
    console.print(f"Draft for #{item} approved and queued (outbox #{outbox_id}).")


@inbox_app.command("resolve")
def inbox_resolve(ctx: typer.Context, item: _Item, agent: _Agent = None) -> None:
    """Close an item: nothing more to do."""
    from socialcx.care.inbox import resolve

    state: _Context = ctx.obj
    name = _agent(agent)
    _in_transaction(state, lambda connection: resolve(connection, item, agent=name, now=state.clock.now()))
    console.print(f"#{item} resolved.")


@inbox_app.command("escalate")
def inbox_escalate(ctx: typer.Context, item: _Item) -> None:
    """Raise an item's priority one level and bring its due time forward to match."""
    from socialcx.care.inbox import escalate

    state: _Context = ctx.obj
    now = state.clock.now()
    escalated = _in_transaction(
        state, lambda connection: escalate(connection, item, now=now, sla=state.settings.inbox)
    )
    console.print(Text.assemble(f"#{item} escalated: {escalated.priority}, due ", _due(escalated.due_at, now), "."))


@inbox_app.command("ignore")
def inbox_ignore(
    ctx: typer.Context,
    items: Annotated[
        list[int] | None, typer.Argument(callback=_stored_items, help="Items to ignore as spam.", show_default=False)
    ] = None,
    all_spam: Annotated[bool, typer.Option("--all-spam", help="Every waiting item whose intent is spam.")] = False,
    agent: _Agent = None,
) -> None:
    """Ignore items as spam: several at once, or every waiting spam item with --all-spam."""
    from socialcx.care.inbox import ignore, ignore_spam

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
    from socialcx.care.feedback import relabel

    state: _Context = ctx.obj
    name = _agent(agent)
    stored = _in_transaction(
        state, lambda connection: relabel(connection, item, agent=name, now=state.clock.now(), intent=intent, sentiment=sentiment)
    )
    if not stored:
        console.print(f"#{item} already says so; nothing to change.")
    for change in stored:
        console.print(Text(f"#{item} {change.field}: {change.old or '-'} → {change.new} (kept as feedback)."))


def kpis(
    ctx: typer.Context,
    since: Annotated[str | None, typer.Option(help="Mentions posted since then: ISO time, or an age like 7d. Default: all.")] = None,
) -> None:
    """First response times, automation rate, SLA breaches, the backlog, and each incident's KPIs."""
    from socialcx.care.kpis import incident_kpis
    from socialcx.care.kpis import kpis as compute

    state: _Context = ctx.obj
    now = state.clock.now()
    after = _when(state, "--since", since)
    report, incidents = _in_transaction(
        state, lambda connection: (compute(connection, now=now, since=after), incident_kpis(connection)), only_reads=True
    )
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
    if incidents:
        table = Table(title="Incidents (surge mode)", title_justify="left")
        for column in ("#", "topic", "state", "members", "by the statement", "p50", "p90", "alert to approval", "by people", "follow-ups"):
            table.add_column(column, justify="left" if column in ("topic", "state") else "right")
        for row in incidents:
            share = f"{row.answered:,} ({row.share_answered:.0%})" if row.share_answered is not None else "0"
            table.add_row(
                str(row.incident_id), Text(row.topic), row.state.replace("_", " "), f"{row.members:,}", share,
                *(_duration(span) if span is not None else "—" for span in (row.p50, row.p90, row.to_approval)),
                f"{row.handled_by_people:,}", f"{row.follow_ups_sent:,}",
            )
        console.print(table)


def _duration(span: Any) -> str:
    seconds = int(span.total_seconds())
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
