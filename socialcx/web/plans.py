"""Plans waiting for approval (`socialcx.care.plans`): each with its steps, the facts looked up,
and the policy rule that stopped it and why. Approving, rejecting and lowering a waiting refund
are an approver's, and only up to their own amount limit; then the plan's conversation runs once, as `socialcx plans
approve` runs it (the shop is called, each write once, and the customer is told)."""

from __future__ import annotations

import asyncio
import functools
from decimal import Decimal, InvalidOperation
from typing import Any

from aiohttp import web

from socialcx.care.plans import Plan, PlanNotFound, approve_plan, edit_amount, list_plans, reject_plan, show_plan
from socialcx.errors import UsageError
from socialcx.pipeline import Pipeline
from socialcx.web.app import note, path_number, refused, render, require, user, workspace
from socialcx.web.users import User

routes = web.RouteTableDef()


def _id(request: web.Request) -> int:
    return path_number(request, "plan")


def amount(plan: Plan) -> Decimal | None:
    """The largest amount among the plan's writes waiting for approval, if any names one."""
    amounts = []
    for step in plan.waiting:
        try:
            amounts.append(Decimal(str(step["params"]["amount"])))
        except (KeyError, InvalidOperation):
            continue
    return max(amounts, default=None)


def over_limit(person: User, plan: Plan) -> str | None:
    """Why this person may not approve this plan, if they may not: an amount above their limit
    (an approver without a limit approves only plans without an amount; an admin without one, any)."""
    money, limit = amount(plan), _limit(person)
    if money is None or limit is None or money <= limit:
        return None
    if person.amount_limit is None:
        return f"it moves {money:.2f} and {person.name} has no amount limit to approve with"
    return f"it moves {money:.2f}, above {person.name}'s limit of {limit:.2f}; an approver with a higher limit decides"


def _limit(person: User) -> Decimal | None:
    """The most this person may approve or set a refund to: their limit; none for an admin
    without one; nothing (0) for an approver without one."""
    if person.amount_limit is None:
        return None if person.role == "admin" else Decimal(0)
    return Decimal(str(person.amount_limit))


@routes.get("/plans")
async def plans_page(request: web.Request) -> web.StreamResponse:
    every = request.query.get("all") == "1"
    plans = await asyncio.to_thread(list_plans, workspace(request).engine, waiting_only=not every)
    return render(request, "plans.html", plans=plans, every=every, amount=amount)


@routes.get("/plans/{plan}")
async def plan_page(request: web.Request) -> web.StreamResponse:
    try:
        plan = await asyncio.to_thread(show_plan, workspace(request).engine, _id(request))
    except PlanNotFound as exc:
        raise web.HTTPNotFound(text=f"{exc}.") from None
    return render(request, "plan.html", plan=plan, amount=amount(plan), blocked=over_limit(user(request), plan))


async def _decide(request: web.Request, decide: Any, verb: str) -> web.StreamResponse:
    space, number, person = workspace(request), _id(request), user(request)
    then = f"/plans/{number}"
    if space.playbook.policy is None or not space.settings.commerce.base_url:
        raise refused(request, "there is no commerce system to act in: set [commerce] base_url in the config and a policy: in the playbook", then)
    try:
        plan = await asyncio.to_thread(show_plan, space.engine, number)
        if verb == "approve" and (reason := over_limit(person, plan)):
            raise refused(request, f"cannot approve plan #{number}: {reason}", then)
        await asyncio.to_thread(decide, space.engine, number, agent=person.name, now=space.clock.now())
    except (PlanNotFound, UsageError) as exc:
        raise refused(request, str(exc), then) from None
    await Pipeline(space.settings, space.engine, space.clock, space.playbook).resolve(only=[number])
    plan = await asyncio.to_thread(show_plan, space.engine, number)
    done = sum(step["kind"] == "act" and step["decided_by"] == person.name and step["status"] == "done" for step in plan.steps)
    retrying = any(step["kind"] == "act" and step["status"] == "pending" for step in plan.steps)
    if verb == "approve":
        note(request, f"Plan #{number} approved: {done} write(s) done in the shop; the conversation is {plan.state.replace('_', ' ')}."
             + (" The shop could not be reached: the daemon retries the approved writes, each once." if retrying else ""))
    else:
        note(request, f"Plan #{number} rejected: nothing was done in the shop; the conversation is {plan.state.replace('_', ' ')}.")
    raise web.HTTPFound(then)


@routes.post("/plans/{plan}/approve")
@require("approver")
async def approve(request: web.Request) -> web.StreamResponse:
    return await _decide(request, functools.partial(approve_plan, limit=_limit(user(request))), "approve")


@routes.post("/plans/{plan}/reject")
@require("approver")
async def reject(request: web.Request) -> web.StreamResponse:
    return await _decide(request, reject_plan, "reject")


@routes.post("/plans/{plan}/amount")
@require("approver")
async def set_amount(request: web.Request) -> web.StreamResponse:
    """Lower one waiting refund (the form's `step`, numbered as the page numbers it) to the form's
    `amount`: never above the policy's amount, nor above the approver's own limit."""
    space, number, person, form = workspace(request), _id(request), user(request), await request.post()
    then = f"/plans/{number}"
    try:
        step = int(str(form.get("step", "")))
    except ValueError:
        raise refused(request, "the form names no step; reload the page and try again", then) from None
    try:
        plan = await asyncio.to_thread(
            edit_amount, space.engine, number, step, str(form.get("amount", "")), agent=person.name, now=space.clock.now(), limit=_limit(person)
        )
    except (PlanNotFound, UsageError) as exc:
        raise refused(request, str(exc), then) from None
    [edited] = [each for each in plan.steps if each["seq"] == step - 1]
    note(request, f"Plan #{number} step {step}: the refund is now {edited['params']['amount']} (the policy's: {edited['params']['policy_amount']}); "
         "it still waits for approval.")
    raise web.HTTPFound(then)
