"""What a resolution says to the customer: the public reply that moves the case to private
messages, the questions asked there, and the facts told once something is done.

Money is written with its currency and two decimals (`£24.00`), dates with their weekday
(`Friday 4 December`). The public reply never holds an order id, email, address or amount: it is
the same few words for everyone (`public_reply` takes nothing that could leak).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

__all__ = ["ask", "asked_in", "day", "handed_over", "money", "public_reply", "reminder", "tell_step", "waiting_for_approval"]

_SYMBOLS = {"GBP": "£", "USD": "$", "EUR": "€"}
_OPENING = "Thanks for getting in touch. To look into this,"
_QUESTIONS = {
    "order_id": "the order number",
    "email": "the email address on the order",
    "item": "which item it is about",
    "quantity": "how many of it",
    "deadline": "the date you need it by",
    "address": "the new delivery address",
}


def money(amount: Decimal | float | str, currency: str) -> str:
    """`£24.00`: the amount to the penny with the currency's symbol (or its code after it)."""
    value = Decimal(str(amount)).quantize(Decimal("0.01"))
    symbol = _SYMBOLS.get(currency)
    return f"{symbol}{value}" if symbol else f"{value} {currency}"


def day(moment: date | str) -> str:
    """`Friday 4 December`."""
    when = date.fromisoformat(moment) if isinstance(moment, str) else moment
    return f"{when:%A} {when.day} {when:%B}"


def public_reply(author: str | None) -> str:
    """The public answer to a transactional mention: we continue in private messages. It names
    the author and nothing else of the case."""
    greeting = f"Hi @{author}, " if author else "Hi, "
    return greeting + "sorry about this. We've sent you a private message so we can sort it out there."


def ask(fields: Sequence[str]) -> str:
    """The private question for `fields` (order_id, email, item, quantity, deadline, address)."""
    wanted = [_QUESTIONS[field] for field in fields]
    listed = wanted[0] if len(wanted) == 1 else ", ".join(wanted[:-1]) + " and " + wanted[-1]
    return f"{_OPENING} could you send us {listed}?"


def asked_in(text: str) -> list[str]:
    """The fields a question of ours (`ask`) asks for, wherever the channel put it in the message
    (a Mastodon direct post starts with the mention); none in any other message (a reminder is
    not a new question)."""
    if _OPENING not in text:
        return []
    return [field for field, phrase in _QUESTIONS.items() if phrase in text]


def reminder(fields: Sequence[str]) -> str:
    """The one reminder sent when the customer has not answered."""
    return "Just checking in: we still need " + ", ".join(_QUESTIONS[field] for field in fields) + " to help you."


def tell_step(op: str, params: Mapping[str, Any], currency: str) -> str:
    """The fact a done step tells: what was refunded, sent, cancelled or changed."""
    if op == "refund":
        return f"We've refunded {money(params['amount'], currency)} to your payment card (order {params['order']})."
    if op == "replace":
        speed = "by express delivery, at no charge" if params["shipping"] == "express" else "by standard delivery"
        return (
            f"We're sending {params['qty']} × {params.get('name') or params['sku']} again {speed}; "
            f"it arrives by {day(params['arrives'])}."
        )
    if op == "cancel":
        return f"Order {params['order']} is cancelled."
    if op == "change_address":
        return f"Order {params['order']} will now go to {params['address']}."
    return "We've sent a password reset link to the email address on your account."


def waiting_for_approval(steps: Sequence[Mapping[str, Any]], currency: str) -> str:
    """What the customer is told while a person approves a step above the limits."""
    what = "; ".join(_describe(step["op"], step["params"], currency) for step in steps)
    return f"A colleague needs to approve {what}. We'll message you here as soon as they have."


def handed_over() -> str:
    """What the customer is told when a person takes the case over."""
    return "A member of our team will look into this and get back to you here."


def _describe(op: str, params: Mapping[str, Any], currency: str) -> str:
    if op == "refund":
        return f"a refund of {money(params['amount'], currency)} on order {params['order']}"
    if op == "replace":
        return f"sending {params['qty']} × {params.get('name') or params['sku']} again"
    if op == "cancel":
        return f"cancelling order {params['order']}"
    if op == "change_address":
        return f"changing the address of order {params['order']}"
    return "a password reset"
