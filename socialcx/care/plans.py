"""Plans: the steps a conversation takes for a customer (ask, look_up, act, tell), stored before
they are taken, and the writes to the commerce system among them (`act`) done exactly once.

An act step's key is the idempotency key sent to the commerce system (the mention and the step,
e.g. `x:1864:double_charge:refund:A1042:ch_2`); the key is unique in the store too, so deciding a
need again never adds the same write twice. An act goes

    pending ─▶ running (committed before the call) ─▶ done | refused
    waiting (the policy says a person approves) ─▶ pending (approved) | rejected

A crash between the shop's answer and the store's `done` leaves the step `running`; the next pass
calls again with the same key, and the shop answers the first call's result without acting. A
shop that cannot be reached leaves the step `pending` for a later pass: nothing is lost, nothing
is done twice. A plan is the steps of one conversation; its id is the conversation's.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from socialcx.care.policy import Action
from socialcx.care.systems.base import CommerceRefused, CommerceSystem, CommerceUnavailable
from socialcx.errors import UsageError
from socialcx.store import ConversationRow, Mention, PlanStep, dialect_insert

__all__ = [
    "FINAL",
    "Plan",
    "PlanNotFound",
    "add_act",
    "add_note",
    "approve_plan",
    "edit_amount",
    "reject_plan",
    "execute",
    "list_plans",
    "refunded_today",
    "show_plan",
    "steps_of",
]

_log = logging.getLogger(__name__)
PENNY = Decimal("0.01")
FINAL = ("done", "refused", "rejected", "never")  # an act step that will not change by itself
_MODE_STATUS = {"auto": "pending", "approve": "waiting", "never": "never"}


class PlanNotFound(LookupError):
    """No plan with that id, or none in the state the command needs."""


@dataclass(frozen=True, slots=True)
class Plan:
    """A conversation's plan as the inbox shows it: the mention, where it stands, its steps."""

    id: int
    mention_id: int
    channel: str
    author: str | None
    text: str
    state: str
    reason: str | None
    steps: tuple[dict[str, Any], ...]

    @property
    def waiting(self) -> tuple[dict[str, Any], ...]:
        """The act steps waiting for a person's approval."""
        return tuple(step for step in self.steps if step["kind"] == "act" and step["status"] == "waiting")


def add_act(connection: Connection, conversation_id: int, key: str, need: str, action: Action, now: datetime, *, name: str | None = None) -> str:
    """Store one write the policy decided, under its idempotency key (kept as it is when the key
    is already there); its status: pending (auto), waiting (approve) or never."""
    params = {
        field: _plain(getattr(action, field))
        for field in ("order", "charge", "amount", "sku", "qty", "shipping", "address", "customer", "arrives")
        if getattr(action, field) is not None
    } | ({"name": name} if name else {})
    _insert(connection, conversation_id, "act", need, key, action.reason, now, op=action.op, params=params, mode=action.mode, status=_MODE_STATUS[action.mode])
    table = PlanStep.__table__
    return str(connection.execute(sa.select(table.c.status).where(table.c.key == key)).scalar_one())


def add_note(connection: Connection, conversation_id: int, kind: str, key: str, reason: str, now: datetime, **params: Any) -> None:
    """Store a step that writes nothing (ask, look_up, tell) as done, once per key."""
    _insert(connection, conversation_id, kind, kind, key, reason, now, params=params, status="done")


def _insert(connection: Connection, conversation_id: int, kind: str, need: str, key: str, reason: str, now: datetime, **values: Any) -> None:
    table = PlanStep.__table__
    seq = sa.select(sa.func.count()).where(table.c.conversation_id == conversation_id).scalar_subquery()  # counted in the insert: one statement
    connection.execute(
        dialect_insert(connection, table)
        .values(conversation_id=conversation_id, seq=seq, kind=kind, need=need, key=key, reason=reason, created_at=now, updated_at=now, **{"params": {}} | values)
        .on_conflict_do_nothing(index_elements=["key"])
    )


def steps_of(connection: Connection, conversation_id: int) -> list[dict[str, Any]]:
    """Every step of a plan, in order, as plain dicts."""
    table = PlanStep.__table__
    rows = connection.execute(sa.select(table).where(table.c.conversation_id == conversation_id).order_by(table.c.seq, table.c.id))
    return [dict(row._mapping) for row in rows]


async def execute(engine: Engine, commerce: CommerceSystem, conversation_id: int, now: datetime) -> bool:
    """Take every pending (or interrupted: running) act step of a plan, in order, through the
    commerce system with its key. False when the system cannot be reached: the step stays
    pending for a later pass, and the steps after it wait too."""
    table = PlanStep.__table__
    with engine.connect() as connection:
        due = connection.execute(
            sa.select(table).where(table.c.conversation_id == conversation_id, table.c.kind == "act", table.c.status.in_(("pending", "running"))).order_by(table.c.seq)
        ).all()
    for step in due:
        _set(engine, step.id, now, status="running")
        try:
            result = await _call(commerce, step.op, step.params, step.key)
        except CommerceRefused as exc:
            _set(engine, step.id, now, status="refused", error=f"{exc.code}: {exc}")
        except CommerceUnavailable as exc:
            _set(engine, step.id, now, status="pending", error=str(exc))
            return False
        else:
            _set(engine, step.id, now, status="done", result=result, error=None)
    return True


async def _call(commerce: CommerceSystem, op: str, params: dict[str, Any], key: str) -> dict[str, Any]:
    """One write, as its step describes it; what the system answered, to keep."""
    if op == "refund":
        refund = await commerce.refund(params["order"], params["charge"], Decimal(params["amount"]), key=key)
        return {"id": refund.id, "amount": str(refund.amount)}
    if op == "replace":
        sent = await commerce.replace_item(params["order"], params["sku"], params["qty"], params["shipping"], key=key)
        return {"id": sent.id}
    if op == "cancel":
        order = await commerce.cancel_order(params["order"], key=key)
        return {"status": order.status}
    if op == "change_address":
        order = await commerce.change_address(params["order"], params["address"], key=key)
        return {"address": order.address}
    await commerce.send_password_reset(params["customer"], key=key)
    return {}


def _set(engine: Engine, step_id: int, now: datetime, **values: Any) -> None:
    table = PlanStep.__table__
    with engine.begin() as connection:
        connection.execute(sa.update(table).where(table.c.id == step_id).values(updated_at=now, **values))


def approve_plan(engine: Engine, plan_id: int, *, agent: str, now: datetime, limit: Decimal | None = None) -> Plan:
    """Approve every act step of a plan that waits for a person: the conversation is due at once,
    and its next pass (`care.conversations.advance`) takes them, once, and tells the customer.
    With a `limit` (the approver's own), a plan moving more is refused (`UsageError`), checked
    in the same transaction, so an amount edited meanwhile cannot slip past it. Raises
    `PlanNotFound` when the plan has nothing waiting."""
    return _decide(engine, plan_id, approve=True, agent=agent, now=now, limit=limit)


def reject_plan(engine: Engine, plan_id: int, *, agent: str, now: datetime) -> Plan:
    """Reject every act step of a plan that waits for a person: nothing is done in the shop, and
    the next pass hands the case over and tells the customer a person takes it."""
    return _decide(engine, plan_id, approve=False, agent=agent, now=now)


def _decide(engine: Engine, plan_id: int, *, approve: bool, agent: str, now: datetime, limit: Decimal | None = None) -> Plan:
    table, conversations = PlanStep.__table__, ConversationRow.__table__
    with engine.begin() as connection:
        if limit is not None:
            waiting = connection.execute(
                sa.select(table.c.params).where(table.c.conversation_id == plan_id, table.c.kind == "act", table.c.status == "waiting").with_for_update()
            ).scalars()
            moves = max((Decimal(str(params["amount"])) for params in waiting if "amount" in params), default=Decimal(0))
            if moves > limit:
                raise UsageError(f"plan {plan_id} moves {moves:.2f}, above your approval limit of {limit:.2f}; an approver with a higher limit decides")
        changed = connection.execute(
            sa.update(table)
            .where(table.c.conversation_id == plan_id, table.c.kind == "act", table.c.status == "waiting")
            .values(status="pending" if approve else "rejected", decided_by=agent, updated_at=now)
        ).rowcount
        if not changed:
            raise PlanNotFound(f"plan {plan_id} has no step waiting for approval; `socialcx plans list` shows those that do")
        connection.execute(sa.update(conversations).where(conversations.c.id == plan_id).values(state="working", due_at=now, updated_at=now))
    return show_plan(engine, plan_id)


def edit_amount(
    engine: Engine, plan_id: int, step: int, amount: str | Decimal, *, agent: str, now: datetime, limit: Decimal | None = None
) -> Plan:
    """Lower the amount of a refund that waits for approval (`step` numbered as `plans show`
    numbers it), to the penny, from 0.01 up to what the policy computed, and within `limit`
    (the editor's own approval limit; None: none). Never higher: a person may settle for less
    than the policy worked out, but a higher refund rests on facts the policy did not see, so it
    needs a new plan. The step keeps its key and still waits for approval; the customer is told
    the amount the shop refunds. Logged with who and the old and new amounts. Raises
    `PlanNotFound` when that step is no refund waiting, `UsageError` for an amount outside those bounds."""
    table = PlanStep.__table__
    with engine.begin() as connection:
        row = connection.execute(
            sa.select(table.c.id, table.c.params)
            .where(table.c.conversation_id == plan_id, table.c.seq == step - 1, table.c.kind == "act", table.c.op == "refund", table.c.status == "waiting")
            .with_for_update()
        ).first()
        if row is None:
            raise PlanNotFound(f"step {step} of plan {plan_id} is no refund waiting for approval; `socialcx plans show {plan_id}` numbers the steps")
        params = dict(row.params)
        old, ceiling = Decimal(params["amount"]), Decimal(params.get("policy_amount", params["amount"]))
        new = _amount(amount, ceiling, limit)
        connection.execute(
            sa.update(table)
            .where(table.c.id == row.id, table.c.status == "waiting")
            .values(params=params | {"amount": _plain(new), "policy_amount": _plain(ceiling), "edited_by": agent}, updated_at=now)
        )
    _log.info("plan %s step %s: %s changed the refund from %s to %s (the policy's: %s)", plan_id, step, agent, _plain(old), _plain(new), _plain(ceiling))
    return show_plan(engine, plan_id)


def _amount(given: str | Decimal, ceiling: Decimal, limit: Decimal | None) -> Decimal:
    """The new amount of a refund, when it is one to the penny between 0.01 and `ceiling` and within `limit`."""
    try:
        value = Decimal(str(given).strip())
        exact = value.is_finite() and value == value.quantize(PENNY)
    except InvalidOperation:  # not a number, or too large to hold to the penny
        exact = False
    if not exact:
        raise UsageError(f"{given!r} is not an amount to the penny; give one like 40.00")
    if value < PENNY:
        raise UsageError(f"a refund of {value:.2f} refunds nothing; give at least 0.01, or reject the plan")
    if value > ceiling:
        raise UsageError(f"{value:.2f} is above the {ceiling:.2f} the policy computed; a higher refund needs a new plan")
    if limit is not None and value > limit:
        raise UsageError(f"{value:.2f} is above your approval limit of {limit:.2f}; give at most that, or leave it to an approver with a higher limit")
    return value


def list_plans(engine: Engine, *, waiting_only: bool = True) -> list[Plan]:
    """The plans, newest first: by default only those with a step waiting for approval."""
    conversations, steps = ConversationRow.__table__, PlanStep.__table__
    query = sa.select(conversations.c.id).order_by(conversations.c.created_at.desc(), conversations.c.id.desc())
    if waiting_only:
        query = query.where(
            sa.exists().where(steps.c.conversation_id == conversations.c.id, steps.c.kind == "act", steps.c.status == "waiting")
        )
    with engine.connect() as connection:
        return [_plan(connection, plan_id) for plan_id in connection.execute(query).scalars()]


def show_plan(engine: Engine, plan_id: int) -> Plan:
    """One plan with every step; `PlanNotFound` when there is none."""
    with engine.connect() as connection:
        return _plan(connection, plan_id)


def _plan(connection: Connection, plan_id: int) -> Plan:
    conversations, mentions = ConversationRow.__table__, Mention.__table__
    row = connection.execute(
        sa.select(conversations, mentions.c.text, mentions.c.author_handle.label("handle"))
        .join(mentions, mentions.c.id == conversations.c.mention_id)
        .where(conversations.c.id == plan_id)
    ).first()
    if row is None:
        raise PlanNotFound(f"there is no plan {plan_id}; `socialcx plans list` shows them")
    return Plan(row.id, row.mention_id, row.channel, row.handle, row.text, row.state, row.reason, tuple(steps_of(connection, plan_id)))


def refunded_today(connection: Connection, now: datetime) -> Decimal:
    """What socialcx refunded today (UTC), for every customer: the policy's `per_day` cap."""
    table = PlanStep.__table__
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    rows = connection.execute(
        sa.select(table.c.params).where(table.c.op == "refund", table.c.status.in_(("done", "running")), table.c.updated_at >= start)
    ).scalars()
    return sum((Decimal(str(params["amount"])) for params in rows), Decimal(0))


def _plain(value: Any) -> Any:
    """A step parameter as JSON keeps it: money as text to the penny, dates in ISO."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value

