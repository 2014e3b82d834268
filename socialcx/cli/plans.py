"""`socialcx plans ...`: the plans that wait for a person (`socialcx.care.plans`): list, show,
edit (lower a waiting refund), approve (the waiting writes are done in the shop, once, and the
customer is told), reject."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from socialcx.cli.app import _ago, _Context, _Group, console
from socialcx.cli.inbox import _Agent, _agent
from socialcx.errors import UsageError

if TYPE_CHECKING:
    from socialcx.care.plans import Plan

plans_app = typer.Typer(
    cls=_Group, help="Plans: what socialcx would do in your shop above its limits, waiting for a person.", no_args_is_help=True
)

_Id = Annotated[int, typer.Argument(help="The plan's number, as `plans list` shows it.")]


@plans_app.command("list")
def plans_list(
    ctx: typer.Context, every: Annotated[bool, typer.Option("--all", help="Every plan, not only those waiting.")] = False
) -> None:
    """Plans waiting for approval (with --all, every plan), newest first."""
    from socialcx.care.plans import list_plans

    state: _Context = ctx.obj
    found = list_plans(state.reader(), waiting_only=not every)
    if not found:
        console.print("No plan waits for approval." if not every else "No plans yet.")
        return
    table = Table(title_justify="left")
    for column in ("#", "state", "channel", "author", "waiting", "post"):
        table.add_column(column, overflow="fold")
    for plan in found:
        waiting = ", ".join(_step(step) for step in plan.waiting) or "-"
        table.add_row(str(plan.id), plan.state.replace("_", " "), plan.channel, f"@{plan.author or '?'}", Text(waiting), Text(plan.text[:80]))
    console.print(table)


@plans_app.command("show")
def plans_show(ctx: typer.Context, plan_id: _Id) -> None:
    """A plan: the post, where the conversation stands, and every step with the policy's reason."""
    from socialcx.care.plans import PlanNotFound, show_plan

    state: _Context = ctx.obj
    try:
        plan = show_plan(state.reader(), plan_id)
    except PlanNotFound as exc:
        raise UsageError(str(exc)) from None
    now = state.clock.now()
    console.print(Text(f"Plan #{plan.id} ({plan.state.replace('_', ' ')}) for @{plan.author or '?'} on {plan.channel}", style="bold"))
    console.print(Text(f"Post: {plan.text}"))
    if plan.reason:
        console.print(Text(f"Why: {plan.reason}"))
    for step in plan.steps:
        what = _step(step) if step["kind"] == "act" else step["reason"]
        console.print(Text(f"  {step['seq'] + 1}. {step['kind']:<7} {step['status']:<8} {what}  ({_ago(step['updated_at'], now)})"))
        if step["kind"] == "act":
            console.print(Text(f"     {step['mode']}: {step['reason']}", style="dim"))
    if plan.waiting:
        console.print(Text(f"\nApprove: socialcx plans approve {plan.id}   or reject: socialcx plans reject {plan.id}", style="dim"))
        for step in plan.waiting:
            if step["op"] == "refund":
                console.print(Text(f"Refund less: socialcx plans edit {plan.id} {step['seq'] + 1} AMOUNT", style="dim"))


@plans_app.command("edit")
def plans_edit(
    ctx: typer.Context,
    plan_id: _Id,
    step: Annotated[int, typer.Argument(help="The refund step's number, as `plans show` shows it.")],
    amount: Annotated[str, typer.Argument(help="The new amount, to the penny: from 0.01 up to what the policy computed.")],
    agent: _Agent = None,
) -> None:
    """Lower a refund waiting for approval (never above the policy's amount); it still waits for `plans approve`."""
    from socialcx.care.plans import PlanNotFound, edit_amount

    state: _Context = ctx.obj
    try:
        plan = edit_amount(state.engine(), plan_id, step, amount, agent=_agent(agent), now=state.clock.now())
    except PlanNotFound as exc:
        raise UsageError(str(exc)) from None
    [edited] = [each for each in plan.steps if each["seq"] == step - 1]
    console.print(
        f"Plan #{plan_id} step {step}: the refund is now {edited['params']['amount']} (the policy's: {edited['params']['policy_amount']}); "
        f"it waits for `socialcx plans approve {plan_id}`."
    )


@plans_app.command("approve")
def plans_approve(ctx: typer.Context, plan_id: _Id, agent: _Agent = None) -> None:
    """Approve the waiting writes: they are done in the shop now, once each, and the customer is told."""
    from socialcx.care.plans import approve_plan

    plan = _decide(ctx.obj, plan_id, agent, approve_plan)
    done = [step for step in plan.steps if step["kind"] == "act" and step["decided_by"] and step["status"] == "done"]
    console.print(f"Plan #{plan_id} approved: {len(done)} write(s) done in the shop; the conversation is {plan.state.replace('_', ' ')}.")
    if any(step["status"] == "pending" for step in plan.steps):
        console.print("The shop could not be reached; the daemon retries the approved writes (each once).")


@plans_app.command("reject")
def plans_reject(ctx: typer.Context, plan_id: _Id, agent: _Agent = None) -> None:
    """Reject the waiting writes: nothing is done in the shop, and the case goes to a person."""
    from socialcx.care.plans import reject_plan

    plan = _decide(ctx.obj, plan_id, agent, reject_plan)
    console.print(f"Plan #{plan_id} rejected; the conversation is {plan.state.replace('_', ' ')} and in the inbox.")


def _decide(state: _Context, plan_id: int, agent: str | None, decide: Callable[..., Plan]) -> Plan:
    """Approve or reject, then run the plan's conversation once (the shop, the private messages)."""
    from socialcx.care.plans import PlanNotFound, show_plan
    from socialcx.care.playbook import playbook_for
    from socialcx.pipeline import Pipeline

    settings = state.settings
    playbook = playbook_for(settings)
    if playbook.policy is None or not settings.commerce.base_url:
        raise UsageError("no commerce system to act in: set [commerce] base_url in the config and a policy: in the playbook")
    engine = state.engine()
    try:
        decide(engine, plan_id, agent=_agent(agent), now=state.clock.now())
    except PlanNotFound as exc:
        raise UsageError(str(exc)) from None
    asyncio.run(Pipeline(settings, engine, state.clock, playbook).resolve(only=[plan_id]))
    return show_plan(engine, plan_id)


def _step(step: dict[str, Any]) -> str:
    params = step["params"]
    detail = {
        "refund": lambda: f"refund {params.get('amount')} on {params.get('order')} ({params.get('charge')})",
        "replace": lambda: f"replace {params.get('qty')} × {params.get('sku')} on {params.get('order')}, {params.get('shipping')}",
        "cancel": lambda: f"cancel {params.get('order')}",
        "change_address": lambda: f"new address for {params.get('order')}",
        "password_reset": lambda: f"password reset for {params.get('customer')}",
    }
    return detail.get(step["op"], lambda: str(step["op"]))()
