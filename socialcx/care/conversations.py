"""Conversations: a transactional mention resolved in private messages, through the team's
commerce system, within the playbook's policy (`socialcx.care.policy`).

The responder opens a conversation for a mention whose needs the policy covers, and answers
publicly that we continue in private (`care.wording.public_reply`: no order id, email, address
or amount, ever). Each pass (`advance`) then takes every conversation that is due, under a lease
so that replicas never take one together, and, from what is stored:

    identify  the handle linked to a customer on this very channel, or the order id and the
              order's email given in private (emails compared case-insensitively); an order of
              someone else, or an email that does not match, hands the case over
    look up   the customer's orders, the products on them, the shipping settings
    decide    `policy.decide` on the needs the post raised, with what the answers filled in
    act       the plan's automatic writes, each under its idempotency key (`care.plans`);
              writes a person must approve wait in the plan (`socialcx plans`)
    tell      the facts, in private: amounts as `£24.00`, dates as `Friday 4 December`

A conversation ends `resolved`, `needs_approval`, `awaiting_customer` or `handed_over` (with the
reason); the last two go to the inbox. A customer who does not answer gets one reminder after
`REMIND_AFTER`; after `GIVE_UP_AFTER` the case is handed over to a person, who may close it.
Everything lives in the store, so a restart, or another replica, carries on where this one was.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from socialcx.care import inbox, plans, wording
from socialcx.care.outbox import is_paused
from socialcx.care.policy import Decision, Facts, Need, Policy, Resolution, combine, decide
from socialcx.care.systems.base import CommerceRefused, CommerceSystem, CommerceUnavailable, Customer, Order, ShopSettings
from socialcx.channels import Channel
from socialcx.config import InboxConfig
from socialcx.store import ConversationRow, Mention, PrivateMessageRow, dialect_insert

__all__ = [
    "COVERED",
    "GIVE_UP_AFTER",
    "OPEN",
    "REMIND_AFTER",
    "Reader",
    "advance",
    "covered_needs",
    "default_reader",
    "open_conversations",
    "queue_private",
]

REMIND_AFTER = timedelta(hours=24)
GIVE_UP_AFTER = timedelta(hours=72)
RETRY_AFTER = timedelta(minutes=2)  # the commerce system could not be reached
LEASE = timedelta(minutes=2)  # longer than one pass over a conversation takes
OPEN = ("new", "working", "awaiting_customer")  # states a pass may still move
COVERED = ("double_charge", "damaged_item", "wrong_item", "late_delivery", "cancel", "address_change", "account_access")
_UNCOVERED = ("not_arrived", "question")  # a person's, when they come with covered needs
_IDENTITY = ("order_id", "email")
_ITEM_NEEDS = ("damaged_item", "wrong_item")


class Reader(Protocol):
    """What reads a customer's words (`socialcx.triage.needs`, or a model serving the same)."""

    def understand(self, text: str, now: datetime, catalogue: Sequence[Any] = ()) -> Any: ...

    def parse_answer(self, field: Any, text: str, now: datetime, catalogue: Sequence[Any] = ()) -> Any: ...

    def catalogue_item(self, sku: str, name: str) -> Any: ...


def covered_needs(labels: Iterable[str]) -> list[str]:
    """The needs of a post that the policy covers (what makes a mention transactional)."""
    return [label for label in labels if label in COVERED]


def open_conversations(connection: Connection, mentions: Sequence[Any], now: datetime) -> None:
    """Open a conversation for each mention (rows with id, channel, author_id, author_handle),
    due at once, in the caller's transaction; a mention that has one keeps it."""
    if not mentions:
        return
    table = ConversationRow.__table__
    connection.execute(
        dialect_insert(connection, table).on_conflict_do_nothing(index_elements=["mention_id"]),
        [
            {
                "mention_id": m.id, "channel": m.channel, "author_id": m.author_id, "author_handle": m.author_handle,
                "state": "new", "asked": [], "answers": {}, "decisions": [], "reminded": False,
                "due_at": now, "created_at": now, "updated_at": now,
            }
            for m in mentions
        ],
    )


def queue_private(connection: Connection, conversation: Any, key: str, text: str, now: datetime) -> None:
    """Write a private message to the conversation's customer into the private outbox, once per
    key (`socialcx.care.private` sends it)."""
    table = PrivateMessageRow.__table__
    connection.execute(
        dialect_insert(connection, table)
        .values(
            conversation_id=conversation.id, channel=conversation.channel, direction="out", key=key, text=text,
            state="pending", author_id=conversation.author_id, author_handle=conversation.author_handle,
            platform_conversation_id=conversation.private_conversation_id, created_at=now, updated_at=now, attempts=0,
        )
        .on_conflict_do_nothing(index_elements=["key"])
    )


async def advance(
    engine: Engine,
    commerce: CommerceSystem,
    policy: Policy,
    now: datetime,
    *,
    reader: Reader | None = None,
    sla: InboxConfig | None = None,
    only: Collection[int] | None = None,
) -> list[int]:
    """One pass over every conversation that is due (oldest first), or those of `only` that are;
    the ids of those it moved.
    Nothing moves while the kill switch is on (`socialcx pause`): no write to the shop, no message."""
    with engine.connect() as connection:
        if is_paused(connection):
            return []
    reader = reader or default_reader()
    worker = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
    moved = []
    for conversation_id in _due(engine, now):
        if only is not None and conversation_id not in only:
            continue
        if not _claim(engine, conversation_id, worker, now):
            continue  # another replica has it
        case = _Case.read(engine, conversation_id, reader, commerce, policy, now)
        try:
            await case.advance()
        except CommerceUnavailable as exc:
            case.retry(str(exc))
        except CommerceRefused as exc:  # a lookup refused (bad token, bad request): a person looks
            case.hand_over(f"the commerce system refused a lookup ({exc.code}: {exc})")
        case.write(engine, worker, sla)
        moved.append(conversation_id)
    return moved


def default_reader() -> Reader:
    """The local reader of needs: `socialcx.triage.needs` (rules and a scikit-learn model), its
    model fitted and `dateparser` warmed up here, so that no conversation's pass pays for them."""
    from socialcx.triage import needs

    needs.default_needs_model()
    return _NeedsReader(needs)


@dataclass(frozen=True, slots=True)
class _NeedsReader:
    module: Any

    def understand(self, text: str, now: datetime, catalogue: Sequence[Any] = ()) -> Any:
        return self.module.understand(text, now, catalogue)

    def parse_answer(self, field: Any, text: str, now: datetime, catalogue: Sequence[Any] = ()) -> Any:
        return self.module.parse_answer(field, text, now, catalogue)

    def catalogue_item(self, sku: str, name: str) -> Any:
        return self.module.CatalogueItem(sku, name)


def _due(engine: Engine, now: datetime) -> list[int]:
    table = ConversationRow.__table__
    with engine.connect() as connection:
        return list(
            connection.execute(
                sa.select(table.c.id)
                .where(table.c.state.in_(OPEN), table.c.due_at <= now, sa.or_(table.c.lease_until.is_(None), table.c.lease_until <= now))
                .order_by(table.c.due_at, table.c.id)
            ).scalars()
        )


def _claim(engine: Engine, conversation_id: int, worker: str, now: datetime) -> bool:
    """Lease the conversation for this worker (compare-and-set), so only one replica moves it, and
    only while it is still open and due (another replica may have moved it since it was read)."""
    table = ConversationRow.__table__
    with engine.begin() as connection:
        return connection.execute(
            sa.update(table)
            .where(
                table.c.id == conversation_id, table.c.state.in_(OPEN), table.c.due_at <= now,
                sa.or_(table.c.lease_until.is_(None), table.c.lease_until <= now),
            )
            .values(lease_until=now + LEASE, updated_at=now)
        ).rowcount == 1


class _Case:
    """One conversation during a pass: read from the store, moved in memory (and in the
    commerce system, through the plan), written back at the end."""

    def __init__(self, row: Any, mention: Any, inbound: list[Any], steps: list[dict[str, Any]], engine: Engine,
                 reader: Reader, commerce: CommerceSystem, policy: Policy, now: datetime) -> None:
        self.row, self.mention, self.inbound, self.engine = row, mention, inbound, engine
        self.reader, self.commerce, self.policy, self.now = reader, commerce, policy, now
        self.state: str = row.state
        self.reason: str | None = row.reason or None
        self.asked: list[str] = list(row.asked)
        self.answers: dict[str, Any] = dict(row.answers)
        self.decisions: dict[str, dict[str, Any]] = {d["need"]: d for d in row.decisions}
        self.customer_id: str | None = row.customer_id
        self.asked_at: datetime | None = row.asked_at
        self.reminded: bool = row.reminded
        self.due_at: datetime | None = None
        self.steps = steps
        self.notes: list[tuple[str, str, str, dict[str, Any]]] = []  # (kind, key, reason, params)
        self.messages: list[tuple[str, str]] = []  # (key, text) to send
        self.settings: ShopSettings | None = None

    @classmethod
    def read(cls, engine: Engine, conversation_id: int, reader: Reader, commerce: CommerceSystem, policy: Policy, now: datetime) -> _Case:
        table, mentions, private = ConversationRow.__table__, Mention.__table__, PrivateMessageRow.__table__
        with engine.connect() as connection:
            row = connection.execute(sa.select(table).where(table.c.id == conversation_id)).one()
            mention = connection.execute(sa.select(mentions).where(mentions.c.id == row.mention_id)).one()
            inbound = connection.execute(
                sa.select(private)
                .where(private.c.conversation_id == conversation_id, private.c.direction == "in", private.c.state == "new")
                .order_by(private.c.created_at, private.c.id)
            ).all()
            steps = plans.steps_of(connection, conversation_id)
        return cls(row, mention, list(inbound), steps, engine, reader, commerce, policy, now)

    # -- the pass ------------------------------------------------------------------------------

    async def advance(self) -> None:
        self.settings = await self.commerce.settings()
        if self.state == "awaiting_customer" and not self.inbound:
            self._wait_or_give_up()
            return
        self._read_answers([field for field in self.asked if field != "item"], ())
        customer = await self._identify()
        if customer is None:
            return
        await self._resolve(customer)

    def _read_answers(self, fields: Sequence[str], catalogue: Sequence[Any]) -> None:
        """Fill what the customer's new private messages answer of `fields` (the item named
        is read against the catalogue of the customer's orders)."""
        for message in self.inbound:
            for field in fields:
                if field in self.answers:
                    continue
                value = self.reader.parse_answer(field, message.text, self.now, catalogue)
                if value is not None and value != "":
                    self.answers[field] = value.isoformat() if isinstance(value, date) else value

    def _wait_or_give_up(self) -> None:
        """No answer yet: one reminder after `REMIND_AFTER`, a person after `GIVE_UP_AFTER`."""
        asked_at = self.asked_at or self.now
        missing = [field for field in self.asked if field not in self.answers]
        if self.now >= asked_at + GIVE_UP_AFTER:
            self.hand_over(f"the customer did not answer in {GIVE_UP_AFTER.days} days (asked for {', '.join(missing)})")
        elif not self.reminded and self.now >= asked_at + REMIND_AFTER:
            self.reminded = True
            self.messages.append((self._key("remind"), wording.reminder(missing)))
            self.due_at = asked_at + GIVE_UP_AFTER
        else:
            self.due_at = asked_at + (GIVE_UP_AFTER if self.reminded else REMIND_AFTER)

    async def _identify(self) -> Customer | None:
        """The verified customer, or None when the case waits for proof or went to a person."""
        channel, handle = Channel(self.row.channel), self.row.author_handle
        linked = await self.commerce.find_customer(channel=channel, handle=handle) if handle else None
        if linked is not None:
            self._note("look_up", "customer", f"@{handle} is linked to customer {linked.id} on {channel}")
            return linked
        missing = [field for field in _IDENTITY if field not in self.answers]
        if missing:
            self._ask(missing, "the handle is not linked to a customer: the order id and its email prove who they are")
            return None
        order = await self.commerce.get_order(str(self.answers["order_id"]))
        owner = await self.commerce.find_customer(email=str(self.answers["email"]))
        if order is None:
            self.hand_over(f"order {self.answers['order_id']} is not in the shop")
            return None
        if owner is None or owner.email.casefold() != str(self.answers["email"]).casefold():
            self.hand_over(f"the email given does not belong to a customer of the shop (order {order.id})")
            return None
        if order.customer != owner.id:
            self.hand_over(f"order {order.id} belongs to another customer than the email given")
            return None
        self._note("look_up", "customer", f"order {order.id} and its email prove customer {owner.id}")
        return owner

    async def _resolve(self, customer: Customer) -> None:
        self.customer_id = customer.id
        orders = await self.commerce.list_orders(customer.id)
        skus = list(dict.fromkeys(item.sku for order in orders for item in order.items))
        found = await asyncio.gather(*(self.commerce.get_product(sku) for sku in skus))
        products = {product.sku: product for product in found if product is not None}
        shipping = self.settings.shipping
        self._note("look_up", "orders", f"{len(orders)} order(s) of customer {customer.id}", orders=[o.id for o in orders])
        catalogue = [self.reader.catalogue_item(p.sku, p.name) for p in products.values()]
        if "item" in self.asked:
            self._read_answers(["item"], catalogue)
        understood = self.reader.understand(self.mention.text, self.mention.created_at, catalogue)
        if understood.legal_threat:
            self.hand_over("a legal threat: a person handles the whole case")
            return
        with self.engine.connect() as connection:
            today = plans.refunded_today(connection, self.now)
        facts = Facts(customer, orders, products, shipping, today)
        needs = self._needs(understood, orders)
        # A need acted on or told in an earlier pass is not decided again: the facts now hold what
        # was done for it, and deciding it again would count its refunds twice against the caps.
        open_needs = [(index, need) for index, need in enumerate(needs) if not self._settled(f"{index}:{need.kind}")]
        resolution = decide([need for _, need in open_needs], facts, self.policy, self.now) if open_needs else Resolution("resolved", ())
        self._merge([index for index, _ in open_needs], resolution, understood, products)
        if not await self._act():
            return
        self._settle()

    def _needs(self, understood: Any, orders: Sequence[Order]) -> list[Need]:
        """The post's needs as the policy reads them, filled in with what the answers gave. Each
        need is about the order the post names for it (`_order_for`), else the order proven in
        private; an item need naming none is about the only order that holds the item."""
        proven = self.answers.get("order_id")
        named = list(understood.order_ids)
        skus = list(understood.skus)
        if not skus and self.answers.get("item"):
            skus = [str(self.answers["item"])]
        quantity = understood.quantity or _int(self.answers.get("quantity"))
        deadline = understood.deadline or _date(self.answers.get("deadline"))
        address = understood.address or self.answers.get("address")
        kinds = covered_needs(understood.needs)
        item_needs = [kind for kind in kinds if kind in _ITEM_NEEDS]
        needs = []
        for kind in kinds:
            order = _order_for(kind, named, orders) or proven
            if kind not in _ITEM_NEEDS:
                needs.append(Need(kind, order=order, deadline=deadline, address=address if kind == "address_change" else None))
                continue
            held = [sku for sku in skus if any(item.sku == sku for o in orders if order is None or o.id == order for item in o.items)]
            position = item_needs.index(kind)
            sku = held[position] if len(held) == len(item_needs) else (held[0] if len(held) == 1 else None)
            holding = [o.id for o in orders if any(item.sku == sku for item in o.items)]
            needs.append(Need(kind, order=order or (holding[0] if sku and len(holding) == 1 else None), sku=sku,
                              quantity=quantity, deadline=deadline))
        return needs

    def _settled(self, need: str) -> bool:
        """Whether a need was acted on (its writes stored) or told in an earlier pass."""
        stored = self.decisions.get(need, {})
        return bool(stored.get("steps") or stored.get("told"))

    def _merge(self, indexes: Sequence[int], resolution: Resolution, understood: Any, products: Mapping[str, Any]) -> None:
        """Store the decision of each need decided now (`indexes`: their places among the
        post's needs) with the plan's writes under their keys, and ask what the policy still
        needs to know."""
        with self.engine.begin() as connection:
            for index, decision in zip(indexes, resolution.decisions, strict=True):
                need = f"{index}:{decision.need.kind}"
                # Writes stored for this need on an earlier pass that did not finish (a crash)
                # stay its writes: the facts read now may already show them done.
                steps = [step["key"] for step in self.steps if step["kind"] == "act" and step["need"] == need]
                for action in decision.actions:
                    key = self._act_key(need, action)
                    name = products[action.sku].name if action.sku in products else None
                    plans.add_act(connection, self.row.id, key, need, action, self.now, name=name)
                    steps += [key] if key not in steps else []
                self.decisions[need] = _stored(need, decision, steps)
            for label in understood.needs:
                if label in _UNCOVERED:
                    self.decisions[label] = {"need": label, "kind": label, "outcome": "handed_over", "steps": [], "told": False,
                                             "explanation": f"{label.replace('_', ' ')}: a person looks into it", "ask": []}
        wanted = [field for d in self.decisions.values() if d["outcome"] == "awaiting_customer" for field in d["ask"]]
        fresh = [field for field in dict.fromkeys(wanted) if field not in self.asked and field not in self.answers]
        if fresh:
            self._ask(fresh, "the policy needs to know " + ", ".join(fresh))

    async def _act(self) -> bool:
        """Take the plan's pending writes; False when the commerce system could not be reached."""
        done = await plans.execute(self.engine, self.commerce, self.row.id, self.now)
        with self.engine.connect() as connection:
            self.steps = plans.steps_of(connection, self.row.id)
        if not done:
            self.retry("the commerce system could not be reached; the plan's writes wait for the next pass")
        return done

    def _settle(self) -> None:
        """Tell each need's facts once its writes are final, and set the case's outcome."""
        by_key = {step["key"]: step for step in self.steps}
        lines, waiting = [], []
        for decision in self.decisions.values():
            steps = [by_key[key] for key in decision["steps"] if key in by_key]
            decision["outcome"] = _outcome(decision, steps)
            if decision["outcome"] == "needs_approval" and not decision.get("told_waiting"):
                waiting += [step for step in steps if step["status"] == "waiting"]
                decision["told_waiting"] = True
            if decision["told"] or decision["outcome"] in ("awaiting_customer", "needs_approval"):
                continue
            decision["told"] = True
            lines += _facts(decision, steps, self._currency)
        if waiting:
            lines.append(wording.waiting_for_approval(waiting, self._currency))
        outcome = combine(d["outcome"] for d in self.decisions.values()) if self.decisions else "handed_over"
        if outcome == "handed_over" and not self.reason:
            self.reason = next((d["explanation"] for d in self.decisions.values() if d["outcome"] == "handed_over"), "no need the policy covers")
        if outcome == "handed_over":
            lines.append(wording.handed_over())
        if lines:
            told = sum(1 for step in self.steps if step["kind"] == "tell")
            self.messages.append((self._key(f"tell:{told}"), " ".join(lines)))
            self._note("tell", f"tell:{told}", "told the customer", text=" ".join(lines))
        self.state = outcome
        if outcome == "awaiting_customer":
            self.due_at = (self.asked_at or self.now) + REMIND_AFTER

    @property
    def _currency(self) -> str:
        return self.settings.currency if self.settings else "GBP"

    # -- small moves ---------------------------------------------------------------------------

    def _ask(self, fields: Sequence[str], why: str) -> None:
        new = [field for field in fields if field not in self.asked]
        if new:
            self.asked += new
            self.asked_at = self.now
            self.reminded = False
            self.messages.append((self._key("ask:" + ",".join(new)), wording.ask(new)))
            self._note("ask", "ask:" + ",".join(new), why, fields=new)
        self.state = "awaiting_customer"
        self.due_at = (self.asked_at or self.now) + REMIND_AFTER

    def hand_over(self, reason: str) -> None:
        self.state, self.reason = "handed_over", reason
        self.messages.append((self._key("handed_over"), wording.handed_over()))

    def retry(self, reason: str) -> None:
        """The commerce system is out: the conversation is due again shortly, nothing lost."""
        self.state, self.reason, self.due_at = "working", reason, self.now + RETRY_AFTER

    def _note(self, kind: str, name: str, reason: str, **params: Any) -> None:
        self.notes.append((kind, self._key(name), reason, params))

    def _key(self, step: str) -> str:
        return f"{self.row.channel}:{self.mention.external_id}:{step}"

    def _act_key(self, need: str, action: Any) -> str:
        target = "/".join(str(part) for part in (action.order, action.charge, action.sku, action.customer) if part)
        return self._key(f"{need.split(':', 1)[1]}:{action.op}:{target}")

    def write(self, engine: Engine, worker: str, sla: InboxConfig | None) -> None:
        """Store where the case stands, the steps noted and the messages to send; release the lease."""
        table = ConversationRow.__table__
        outcome = self.state if self.state not in OPEN or self.state == "awaiting_customer" else None
        with engine.begin() as connection:
            for kind, key, reason, params in self.notes:
                plans.add_note(connection, self.row.id, kind, key, reason, self.now, **params)
            for key, text in self.messages:
                queue_private(connection, self.row, key, text, self.now)
            if self.inbound:
                private = PrivateMessageRow.__table__
                connection.execute(sa.update(private).where(private.c.id.in_([m.id for m in self.inbound])).values(state="read", updated_at=self.now))
            connection.execute(
                sa.update(table)
                .where(table.c.id == self.row.id)
                .values(
                    state=self.state, outcome=outcome, reason=self.reason, asked=self.asked, answers=self.answers,
                    decisions=list(self.decisions.values()), customer_id=self.customer_id, asked_at=self.asked_at,
                    reminded=self.reminded, due_at=self.due_at if self.state in OPEN else None, lease_until=None,
                    updated_at=self.now,
                )
            )
            if self.state in ("handed_over", "needs_approval"):
                why = self.reason if self.state == "handed_over" else f"a plan waits for approval: socialcx plans show {self.row.id}"
                inbox.enqueue(connection, self.row.mention_id, reason=why or "handed over", now=self.now, sla=sla)


def _stored(need: str, decision: Decision, steps: list[str]) -> dict[str, Any]:
    tracking = decision.tracking
    return {
        "need": need, "kind": decision.need.kind, "outcome": decision.outcome, "explanation": decision.explanation,
        "ask": list(decision.ask), "steps": steps, "told": False,
        "tracking": None if tracking is None else {"carrier": tracking.carrier, "tracking": tracking.tracking, "eta": tracking.eta.isoformat()},
    }


def _outcome(decision: Mapping[str, Any], steps: Sequence[Mapping[str, Any]]) -> str:
    """A need's outcome once its writes moved: refused or rejected ones hand it to a person."""
    if not steps:
        return str(decision["outcome"])
    statuses = {step["status"] for step in steps}
    if statuses & {"refused", "rejected", "never"}:
        return "handed_over"
    if "waiting" in statuses:
        return "needs_approval"
    if statuses <= {"done"}:
        return "resolved"
    return "needs_approval"


def _facts(decision: Mapping[str, Any], steps: Sequence[Mapping[str, Any]], currency: str) -> list[str]:
    """What to tell about one need: each write done, else the policy's explanation; and where
    the parcel is when the need was about a late one."""
    lines = [wording.tell_step(step["op"], step["params"], currency) for step in steps if step["status"] == "done"]
    if not lines and decision["outcome"] != "handed_over":
        text = str(decision["explanation"])
        lines.append(text[:1].upper() + text[1:] + ".")
    tracking = decision.get("tracking")
    if tracking:
        lines.append(f"Your parcel is with {tracking['carrier']} (tracking {tracking['tracking']}), due {wording.day(tracking['eta'])}.")
    return lines


_FITS = {
    "damaged_item": ("delivered",), "wrong_item": ("delivered",), "late_delivery": ("shipped",),
    "cancel": ("placed",), "address_change": ("placed",),
}


def _order_for(kind: str, named: Sequence[str], orders: Sequence[Order]) -> str | None:
    """The order a need is about among those the post names: the only one, else the first whose
    status fits the need (a late one is shipped, a damaged one delivered), else the first. An
    order that is not the customer's stays named, so the policy hands the need over."""
    if len(named) <= 1:
        return named[0] if named else None
    status = {order.id: order.status for order in orders}
    return next((order for order in named if status.get(order) in _FITS.get(kind, ())), named[0])


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else None


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None
