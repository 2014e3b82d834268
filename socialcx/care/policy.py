"""The resolution policy: what socialcx may do in the team's commerce system by itself, what a
person approves, and what it never does. Limits are code, never a model's judgement.

The playbook's `policy:` section (validated at load, errors naming file, line and fix):

    policy:
      actions:
        refund: {mode: auto, max_amount: 50.00, per_customer_30_days: 100.00, per_day: null}
        replace: {mode: auto}
        cancel: {mode: auto}
        change_address: {mode: auto}
        password_reset: {mode: auto}
      conditions: {double_charge_hours: 24, damaged_within_days: 30, late_after_days: 3}

`decide` turns a customer's needs, the facts of the verified customer and `now` into actions,
each `auto`, `approve` or `never` with its amount and reason, and the case's outcome. It is pure:
no I/O, no clock, the same answer for the same input. `docs/policy.md` documents the default.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from socialcx.care.systems.base import Customer, Order, Product, Shipment, ShippingSettings, ShippingSpeed

__all__ = [
    "OUTCOME_PRECEDENCE",
    "Action",
    "ActionPolicy",
    "Decision",
    "Facts",
    "Mode",
    "Need",
    "NeedKind",
    "Outcome",
    "Policy",
    "RefundPolicy",
    "Resolution",
    "arrival",
    "combine",
    "days_late",
    "decide",
    "weekend_deadline",
]

Mode = Literal["auto", "approve", "never"]
Outcome = Literal["resolved", "needs_approval", "awaiting_customer", "handed_over"]
NeedKind = Literal[
    "double_charge", "damaged_item", "wrong_item", "late_delivery", "cancel", "address_change", "account_access"
]
Op = Literal["refund", "replace", "cancel", "change_address", "password_reset"]

# When a case's needs end differently, the first of these that any need reached is the case's.
OUTCOME_PRECEDENCE: tuple[Outcome, ...] = ("handed_over", "needs_approval", "awaiting_customer", "resolved")

Amount = Annotated[Decimal, Field(gt=0, decimal_places=2, allow_inf_nan=False)]
_ZERO = Decimal(0)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ActionPolicy(_Section):
    """Whether socialcx takes an action by itself (`auto`), prepares it for a person to approve
    (`approve`), or leaves the need to a person (`never`)."""

    mode: Mode = "approve"

    @model_validator(mode="before")
    @classmethod
    def _caps_only_on_refunds(cls, data: Any) -> Any:
        caps = sorted({"max_amount", "per_customer_30_days", "per_day"} & set(data)) if isinstance(data, dict) else []
        if cls is ActionPolicy and caps:
            raise ValueError(f"only refunds move money and have amount caps; remove {', '.join(caps)} here")
        return data


class RefundPolicy(ActionPolicy):
    """Refunds, the one action that moves money: automatic only within every cap set (inclusive);
    above any, a person approves. `per_day` counts all customers' refunds together."""

    max_amount: Amount | None = None
    per_customer_30_days: Amount | None = None
    per_day: Amount | None = None


class Actions(_Section):
    refund: RefundPolicy = RefundPolicy(mode="auto", max_amount=Decimal("50.00"), per_customer_30_days=Decimal("100.00"))
    replace: ActionPolicy = ActionPolicy(mode="auto")
    cancel: ActionPolicy = ActionPolicy(mode="auto")
    change_address: ActionPolicy = ActionPolicy(mode="auto")
    password_reset: ActionPolicy = ActionPolicy(mode="auto")


class Conditions(_Section):
    """When a rule applies: two same-amount charges within `double_charge_hours` are a double
    charge; a damaged or wrong item is covered when delivered within `damaged_within_days`; a
    shipment is late from `late_after_days` calendar days past its ETA."""

    double_charge_hours: int = Field(default=24, ge=1)
    damaged_within_days: int = Field(default=30, ge=1)
    late_after_days: int = Field(default=3, ge=1)


class Policy(_Section):
    """The `policy:` section; every key left out takes the default retail policy's value."""

    actions: Actions = Actions()
    conditions: Conditions = Conditions()


@dataclass(frozen=True, slots=True)
class Need:
    """One thing a customer asked for. `order` and `sku` name what it is about (None: the only
    one there is); `quantity` defaults to 1; `deadline` is the last acceptable delivery date;
    `address` is the new delivery address."""

    kind: NeedKind
    order: str | None = None
    sku: str | None = None
    quantity: int | None = None
    deadline: date | None = None
    address: str | None = None


@dataclass(frozen=True, slots=True)
class Facts:
    """What the team's systems say about the verified customer: their orders (with charges and
    refunds), the products with stock, the shipping settings, and the refunds of every customer
    today (for the `per_day` cap)."""

    customer: Customer
    orders: Sequence[Order]
    products: Mapping[str, Product]
    shipping: ShippingSettings
    refunded_today: Decimal = _ZERO


@dataclass(frozen=True, slots=True)
class Action:
    """One write to the commerce system, with the policy's verdict and why. `arrives` is the
    delivery date a replacement is promised for."""

    op: Op
    mode: Mode
    reason: str
    order: str | None = None
    charge: str | None = None
    amount: Decimal | None = None
    sku: str | None = None
    qty: int | None = None
    shipping: ShippingSpeed | None = None
    address: str | None = None
    customer: str | None = None
    arrives: date | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """How one need ends: its actions, the outcome, and the explanation to log and tell;
    `ask` names what the customer must still give (`order_id`, `item`, `address`)."""

    need: Need
    outcome: Outcome
    explanation: str
    actions: tuple[Action, ...] = ()
    ask: tuple[str, ...] = ()
    tracking: Shipment | None = None


@dataclass(frozen=True, slots=True)
class Resolution:
    """The whole case: the outcome by `OUTCOME_PRECEDENCE` and every need's decision."""

    outcome: Outcome
    decisions: tuple[Decision, ...]
    reason: str = ""

    @property
    def actions(self) -> tuple[Action, ...]:
        return tuple(action for decision in self.decisions for action in decision.actions)


def decide(
    needs: Sequence[Need],
    facts: Facts,
    policy: Policy,
    now: datetime,
    *,
    private_messages: bool = True,
    legal_threat: bool = False,
) -> Resolution:
    """Decide every need of one case, in order. A legal threat, or a channel without private
    messages, hands the whole case over with no action; otherwise each need is decided on its
    own, refunds counting against the caps in turn, so what is within policy still happens
    while another need waits for a person."""
    if legal_threat:
        return Resolution("handed_over", (), "a legal threat: a person handles the whole case")
    if not private_messages:
        return Resolution("handed_over", (), "the channel has no private messages to verify the customer in")
    if not needs:
        return Resolution("handed_over", (), "no need the policy covers: a person reads it")
    money = _Money(facts, policy, now)
    decisions = tuple(_decide_need(need, facts, policy, now, money) for need in needs)
    return Resolution(combine(d.outcome for d in decisions), decisions)


def combine(outcomes: Iterable[Outcome]) -> Outcome:
    """The case's outcome: handed over over needs approval over awaiting the customer over
    resolved."""
    seen = set(outcomes)
    return next((outcome for outcome in OUTCOME_PRECEDENCE if outcome in seen), "resolved")


def arrival(today: date, days: int, dispatch_weekends: bool) -> date:
    """The delivery date of something sent `today` that takes `days` days: Monday-Friday days,
    today not counted (calendar days when `dispatch_weekends`)."""
    if dispatch_weekends:
        return today + timedelta(days=days)
    moment = today
    while days > 0:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            days -= 1
    return moment


def weekend_deadline(today: date) -> date:
    """The deadline "before the weekend" means: the coming Friday (today when it is Friday)."""
    return today + timedelta(days=(4 - today.weekday()) % 7)


def days_late(shipment: Shipment, today: date) -> int:
    """Calendar days past the shipment's ETA (0 or less when not late)."""
    return (today - shipment.eta).days


class _Money:
    """The refunds of one case as they are decided: what is left on each charge, and the totals
    the caps count (automatic refunds only; one waiting for approval has not happened)."""

    def __init__(self, facts: Facts, policy: Policy, now: datetime) -> None:
        self._rules = policy.actions.refund
        self._left = {c.id: c.amount - order.refunded(c.id) for order in facts.orders for c in order.charges}
        window = timedelta(days=30)
        self._month = sum(
            (r.amount for order in facts.orders for r in order.refunds if now - r.at <= window), _ZERO
        )
        self._today = facts.refunded_today

    def left(self, charge: str) -> Decimal:
        return self._left.get(charge, _ZERO)

    def refund(self, order: Order, charge: str, amount: Decimal, why: str) -> Action:
        """A refund of `amount` against `charge`, judged against the caps."""
        self._left[charge] = self.left(charge) - amount
        mode, over = self._rules.mode, self._over_cap(amount)
        if mode == "auto" and over:
            mode, why = "approve", f"{why}; {over}"
        if mode == "auto":
            self._month += amount
            self._today += amount
        return Action("refund", mode, why, order=order.id, charge=charge, amount=amount)

    def _over_cap(self, amount: Decimal) -> str | None:
        rules = self._rules
        if rules.max_amount is not None and amount > rules.max_amount:
            return f"{amount:.2f} is above the {rules.max_amount:.2f} a refund may be without approval"
        if rules.per_customer_30_days is not None and self._month + amount > rules.per_customer_30_days:
            return (
                f"with {self._month:.2f} refunded in 30 days it would pass the customer's "
                f"{rules.per_customer_30_days:.2f}"
            )
        if rules.per_day is not None and self._today + amount > rules.per_day:
            return f"with {self._today:.2f} refunded today it would pass the day's {rules.per_day:.2f}"
        return None

    def charge_with(self, order: Order, amount: Decimal) -> str | None:
        """The oldest charge of the order with `amount` still left on it."""
        return next((c.id for c in order.charges if self.left(c.id) >= amount), None)


def _decide_need(need: Need, facts: Facts, policy: Policy, now: datetime, money: _Money) -> Decision:
    mode = _mode(need, policy)
    if mode == "never":
        return Decision(need, "handed_over", f"the policy never lets socialcx act on {need.kind}: a person does")
    if need.kind == "account_access":
        return _account_access(need, facts, policy)
    order = _order(need, facts)
    if isinstance(order, Decision):
        return order
    if need.kind == "double_charge":
        return _double_charge(need, order, policy, money)
    if need.kind in ("damaged_item", "wrong_item"):
        return _damaged(need, order, facts, policy, now, money)
    if need.kind == "late_delivery":
        return _late(need, order, policy, now, money)
    if need.kind == "cancel":
        return _cancel(need, order, policy, money)
    return _address_change(need, order, policy)


def _mode(need: Need, policy: Policy) -> Mode:
    """The mode of the action a need mainly calls for (its refunds are judged on their own)."""
    actions = policy.actions
    main = {
        "double_charge": actions.refund,
        "damaged_item": actions.replace,
        "wrong_item": actions.replace,
        "late_delivery": actions.refund,
        "cancel": actions.cancel,
        "address_change": actions.change_address,
        "account_access": actions.password_reset,
    }
    return main[need.kind].mode


def _order(need: Need, facts: Facts) -> Order | Decision:
    """The order the need is about: the one named, which must be the customer's, or their only
    order; otherwise the customer is asked."""
    if need.order is None:
        if len(facts.orders) == 1:
            return facts.orders[0]
        return Decision(need, "awaiting_customer", "which order is it about?", ask=("order_id",))
    order = next((o for o in facts.orders if o.id == need.order), None)
    if order is None:
        return Decision(need, "handed_over", f"order {need.order} is not one of this customer's: a person checks")
    return order


def _account_access(need: Need, facts: Facts, policy: Policy) -> Decision:
    customer = facts.customer
    action = Action(
        "password_reset",
        policy.actions.password_reset.mode,
        "a password reset goes to the email on the account, never to one given in a post",
        customer=customer.id,
    )
    return _ending(need, "a password reset link was sent to the email on the account", (action,))


def _double_charge(need: Need, order: Order, policy: Policy, money: _Money) -> Decision:
    hours = policy.conditions.double_charge_hours
    window = timedelta(hours=hours)
    extras = []
    firsts: dict[Decimal, datetime] = {}
    for charge in sorted(order.charges, key=lambda c: c.at):
        first = firsts.get(charge.amount)
        if first is not None and charge.at - first <= window:
            extras.append(charge)
        else:
            firsts[charge.amount] = charge.at
    if not extras:
        why = f"order {order.id} has no two charges of the same amount within {hours} hours"
        return Decision(need, "resolved", why)
    actions = []
    for charge in extras:
        left = money.left(charge.id)
        if left > 0:
            why = f"charge {charge.id} of {charge.amount:.2f} repeats an earlier one within {hours} hours"
            actions.append(money.refund(order, charge.id, left, why))
    if not actions:
        return Decision(need, "resolved", f"the duplicate charge of order {order.id} was already refunded")
    return _ending(need, f"each extra charge of order {order.id} is refunded in full", tuple(actions))


def _damaged(need: Need, order: Order, facts: Facts, policy: Policy, now: datetime, money: _Money) -> Decision:
    delivered = order.shipment.delivered_at if order.shipment else None
    within = timedelta(days=policy.conditions.damaged_within_days)
    if order.status != "delivered" or delivered is None:
        return Decision(need, "handed_over", f"order {order.id} is not marked delivered: a person checks")
    if now - delivered > within:
        return Decision(need, "handed_over", f"order {order.id} was delivered more than {within.days} days ago")
    skus = [item.sku for item in order.items]
    named = need.sku
    if need.kind == "wrong_item" and named not in skus:
        named = None  # the customer named what arrived: the replacement is what was ordered
    sku = named or (skus[0] if len(set(skus)) == 1 else None)
    if sku is None:
        return Decision(need, "awaiting_customer", "which item is it?", ask=("item",))
    lines = [item for item in order.items if item.sku == sku]
    qty = need.quantity or 1
    if not lines or qty > sum(item.qty for item in lines):
        return Decision(need, "handed_over", f"order {order.id} has no {qty} of {sku}: a person checks")
    product = facts.products.get(sku)
    shipping = _speed(need.deadline, facts.shipping, now.date())
    if product is not None and product.stock >= qty and shipping is not None:
        speed, arrives = shipping
        waived = " (express, fee waived, to meet the deadline)" if speed == "express" else ""
        action = Action(
            "replace",
            policy.actions.replace.mode,
            f"replace {qty} × {sku}{waived}, arriving {_day(arrives)}",
            order=order.id, sku=sku, qty=qty, shipping=speed, arrives=arrives,
        )
        return _ending(need, f"{qty} × {sku} is sent again", (action,))
    why = "out of stock" if product is None or product.stock < qty else "no shipping meets the deadline"
    amount = lines[0].price * qty
    charge = money.charge_with(order, amount)
    if charge is None:
        return Decision(need, "handed_over", f"no charge of order {order.id} has {amount:.2f} left to refund")
    action = money.refund(order, charge, amount, f"{sku} {why}: refund {qty} × {lines[0].price:.2f}")
    return _ending(need, f"{sku} is refunded instead of replaced ({why})", (action,))


def _speed(deadline: date | None, shipping: ShippingSettings, today: date) -> tuple[ShippingSpeed, date] | None:
    """The cheapest speed that arrives by the deadline, with its date; None when none does."""
    standard = arrival(today, shipping.standard_days, shipping.dispatch_weekends)
    if deadline is None or standard <= deadline:
        return "standard", standard
    express = arrival(today, shipping.express_days, shipping.dispatch_weekends)
    return ("express", express) if express <= deadline else None


def _late(need: Need, order: Order, policy: Policy, now: datetime, money: _Money) -> Decision:
    shipment = order.shipment
    if order.status == "delivered":
        return Decision(need, "handed_over", f"order {order.id} is marked delivered; a person checks with the carrier")
    if order.status != "shipped" or shipment is None:
        return Decision(need, "handed_over", f"order {order.id} is {order.status}, not on its way: a person checks")
    late = days_late(shipment, now.date())
    status = f"{shipment.carrier} {shipment.tracking}, due {_day(shipment.eta)}"
    if late < policy.conditions.late_after_days:
        why = f"{status}: not {policy.conditions.late_after_days} days late yet"
        return Decision(need, "resolved", why, tracking=shipment)
    fee = order.shipping_fee
    if fee <= 0:
        return Decision(need, "resolved", f"{status}, {late} days late; there was no shipping fee to refund", tracking=shipment)
    if any(refund.amount == fee for refund in order.refunds):
        return Decision(need, "resolved", f"{status}; its shipping fee was already refunded", tracking=shipment)
    charge = money.charge_with(order, fee)
    if charge is None:
        return Decision(need, "handed_over", f"no charge of order {order.id} has {fee:.2f} left to refund")
    action = money.refund(order, charge, fee, f"{late} days past its ETA: refund the shipping fee")
    decision = _ending(need, f"{status}, {late} days late: the shipping fee is refunded", (action,))
    return replace(decision, tracking=shipment)


def _cancel(need: Need, order: Order, policy: Policy, money: _Money) -> Decision:
    if order.status != "placed":
        return Decision(need, "resolved", f"order {order.id} is {order.status}; only a placed order can be cancelled")
    refunds = [
        money.refund(order, charge.id, money.left(charge.id), "a cancelled order is refunded charge by charge")
        for charge in order.charges
        if money.left(charge.id) > 0
    ]
    cancel = Action("cancel", policy.actions.cancel.mode, "the order has not shipped", order=order.id)
    actions = (cancel, *refunds)
    if any(action.mode == "approve" for action in actions):
        # Cancelling without the refund (or refunding without the cancel) would leave the
        # customer worse off: the whole need waits for the person.
        actions = tuple(_approve(action) for action in actions)
    return _ending(need, f"order {order.id} is cancelled and every charge refunded", actions)


def _address_change(need: Need, order: Order, policy: Policy) -> Decision:
    if order.status != "placed":
        return Decision(need, "resolved", f"order {order.id} is {order.status}; the address can change only before it ships")
    if not need.address:
        return Decision(need, "awaiting_customer", "what is the new address?", ask=("address",))
    action = Action(
        "change_address", policy.actions.change_address.mode, "the order has not shipped", order=order.id, address=need.address
    )
    return _ending(need, f"order {order.id} will go to the new address", (action,))


def _approve(action: Action) -> Action:
    return replace(action, mode="approve") if action.mode == "auto" else action


def _ending(need: Need, explanation: str, actions: tuple[Action, ...]) -> Decision:
    """A need with actions: resolved when all are automatic, waiting for approval when one needs
    it, and a person's when the policy never takes one of them."""
    modes = {action.mode for action in actions}
    if "never" in modes:
        never = next(a.op for a in actions if a.mode == "never")
        return Decision(need, "handed_over", f"the policy never lets socialcx {never}: a person does")
    return Decision(need, "needs_approval" if "approve" in modes else "resolved", explanation, actions)


def _day(moment: date) -> str:
    """A date as messages write it: `Friday 4 December`."""
    return f"{moment:%A} {moment.day} {moment:%B}"
