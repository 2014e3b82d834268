"""`socialcx incident ...`: surge mode (`socialcx.care.surge`): list, show, approve, close, stop."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from socialcx.cli.app import _ago, _Context, _Group, console
from socialcx.cli.inbox import _Agent, _agent, _in_transaction

incident_app = typer.Typer(
    cls=_Group, help="Incidents: one approved statement for everyone a surge is about, and a follow-up.", no_args_is_help=True
)

_Id = Annotated[int, typer.Argument(help="The incident's number, as `incident list` shows it.")]


@incident_app.command("list")
def incident_list(
    ctx: typer.Context,
    every: Annotated[bool, typer.Option("--all", help="Closed and stopped ones too.")] = False,
) -> None:
    """Incidents, newest first, with their members: waiting, answered by the statement, for a person."""
    from socialcx.care.surge import STATES, list_incidents

    state: _Context = ctx.obj
    states = STATES if every else ("drafted", "approved", "following_up")
    incidents = _in_transaction(state, lambda connection: list_incidents(connection, states=states), only_reads=True)
    if not incidents:
        console.print("No incidents." if every else "No open incidents (`--all` shows the closed ones).")
        return
    table = Table(title_justify="left")
    for column in ("#", "state", "topic", "watch", "opened", "members", "waiting", "answered", "for a person"):
        table.add_column(column, overflow="fold")
    now = state.clock.now()
    for incident in incidents:
        table.add_row(
            str(incident.id), incident.state.replace("_", " "), Text(incident.topic), incident.watch, _ago(incident.created_at, now),
            str(incident.members), str(incident.waiting), str(incident.answered), str(incident.people),
        )
    console.print(table)


@incident_app.command("show")
def incident_show(ctx: typer.Context, incident_id: _Id) -> None:
    """An incident: its terms, the statement and follow-up as they stand, and the members a person must answer."""
    from socialcx.care.surge import find

    state: _Context = ctx.obj
    detail = _in_transaction(state, lambda connection: find(connection, incident_id), only_reads=True)
    incident, summary = detail.incident, detail.summary
    console.print(Text(f"Incident #{incident.id} on {incident.watch}: {incident.topic} ({incident.state.replace('_', ' ')})", style="bold"))
    console.print(Text(f"Alert #{incident.alert_id}; surging terms: {', '.join(incident.terms) or '-'}"))
    console.print(
        f"Members: {summary.members} ({summary.waiting} waiting, {summary.answered} answered by the statement, "
        f"{summary.people} for a person); follow-ups queued or sent: {detail.follow_ups}"
    )
    approved = f"approved by {incident.approved_by}" if incident.approved_by else "drafted, not approved"
    console.print(Text(f"\nStatement ({approved}):\n  {incident.statement}"))
    if incident.follow_up:
        done = f"approved by {incident.follow_up_by}" if incident.follow_up_approved_at else "drafted, not approved"
        console.print(Text(f"\nFollow-up ({done}):\n  {incident.follow_up}"))
    if detail.needs_person:
        console.print(Text("\nFor a person (`socialcx inbox show ID`):", style="bold"))
        for mention_id, handle, text, reason in detail.needs_person:
            console.print(Text(f"  #{mention_id} @{handle or '?'}: {text[:100]}  [{reason}]"))
    console.print(Text(f"\n{_next_step(incident)}", style="dim"))


def _next_step(incident: Any) -> str:
    if incident.state == "drafted":
        return f"Approve it as it is: socialcx incident approve {incident.id}   or edited: --text \"...\""
    if incident.state == "following_up" and not incident.follow_up_approved_at:
        return f"Send the follow-up: socialcx incident approve {incident.id}   (edit it with --text \"...\")"
    if incident.state == "approved":
        return f"When it is over: socialcx incident close {incident.id}   (the follow-up is drafted)"
    return "Nothing more to do."


@incident_app.command("approve")
def incident_approve(
    ctx: typer.Context,
    incident_id: _Id,
    text: Annotated[str | None, typer.Option("--text", help="The statement (or follow-up) to send instead of the draft.")] = None,
    agent: _Agent = None,
) -> None:
    """Approve the drafted statement (or, once the incident is over, the follow-up); it goes out at once to everyone waiting."""
    from socialcx.care import surge

    incident, queued = _then_deliver(ctx.obj, lambda connection, now, playbook: surge.approve(
        connection, incident_id, agent=_agent(agent), now=now, playbook=playbook, text=text
    ))
    what = "follow-up" if incident.state in ("following_up", "closed") else "statement"
    console.print(
        f"Incident #{incident_id}: the {what} is approved; {queued} queued in the outbox now, and every new member gets it "
        "once. The daemon sends them, or `socialcx send`."
    )
    if text is not None and "{author}" not in text:
        console.print("Note: the text names nobody ({author}); X refuses a post identical to an earlier one, so there only the first goes out.")


@incident_app.command("close")
def incident_close(
    ctx: typer.Context,
    incident_id: _Id,
    follow_up: Annotated[str | None, typer.Option("--follow-up", help="The follow-up to send now (approved by you); without it, one is drafted.")] = None,
    agent: _Agent = None,
) -> None:
    """Close an incident by hand: no more statements; the follow-up goes to those who got the statement once approved."""
    from socialcx.care import surge

    incident, queued = _then_deliver(ctx.obj, lambda connection, now, playbook: surge.close(
        connection, incident_id, agent=_agent(agent), now=now, playbook=playbook, follow_up=follow_up
    ))
    if incident.state == "closed":
        console.print(f"Incident #{incident_id} is closed; nobody got the statement, so there is nothing to follow up.")
    elif incident.follow_up_approved_at:
        console.print(f"Incident #{incident_id} is closed; {queued} follow-ups queued now, the rest as their statements are sent.")
    else:
        console.print(Text(
            f"Incident #{incident_id} is over; the follow-up is drafted:\n  {incident.follow_up}\n"
            f"Send it: socialcx incident approve {incident_id}   (edit it with --text \"...\")"
        ))


@incident_app.command("stop")
def incident_stop(ctx: typer.Context, incident_id: _Id, agent: _Agent = None) -> None:
    """Stop an incident at once: nothing more is sent for it, and its waiting members go to people."""
    from socialcx.care import surge

    state: _Context = ctx.obj
    now = state.clock.now()
    _in_transaction(state, lambda connection: surge.stop(connection, incident_id, agent=_agent(agent), now=now))
    console.print(f"Incident #{incident_id} is stopped; its waiting members are in the inbox, one item each.")


def _then_deliver(state: _Context, change: Any) -> tuple[Any, int]:
    """Apply `change(connection, now, playbook)` to an incident and queue what it lets go out, in
    one transaction; the incident and how many replies were queued."""
    from socialcx.care import surge
    from socialcx.care.playbook import playbook_for

    playbook, now = playbook_for(state.settings), state.clock.now()

    def act(connection: Any) -> tuple[Any, int]:
        incident = change(connection, now, playbook)
        return incident, surge.deliver(connection, playbook, now, state.settings.inbox)

    return _in_transaction(state, act)
