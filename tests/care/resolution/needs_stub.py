"""A stand-in for Contract 1 (`socialcx.triage.needs`) with its exact signatures and types, for
the engine's tests: a handful of keyword rules, enough for the posts these tests write. The real
reader is tested in tests/triage; these tests are about what the engine does with what it reads."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from socialcx.triage.needs import CatalogueItem, Understanding

_NEEDS = (
    ("double_charge", r"charged twice|double charge"),
    ("damaged_item", r"smashed|broken|damaged"),
    ("wrong_item", r"wrong item|wrong colour"),
    ("replacement", r"new one|replacement"),
    ("refund", r"\brefund"),
    ("late_delivery", r"still not here|late"),
    ("not_arrived", r"never arrived"),
    ("cancel", r"\bcancel"),
    ("address_change", r"change (?:the|my) address"),
    ("account_access", r"locked out|reset my password"),
)
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def understand(text: str, now: datetime, catalogue: Sequence[CatalogueItem] = ()) -> Understanding:
    lower = text.lower()
    return Understanding(
        needs=_needs(lower),
        order_ids=tuple(match.upper() for match in re.findall(r"\b[a-z]\d{4}\b", lower)),
        deadline=_deadline(lower, now),
        skus=_skus(lower, catalogue),
        quantity=_quantity(lower),
        emails=tuple(re.findall(r"[\w.+-]+@[\w-]+\.[\w.]+", text)),
        address=_address(text),
        legal_threat=bool(re.search(r"lawyer|\bsue\b|small claims", lower)),
    )


def _needs(text: str) -> tuple[str, ...]:
    """The needs the rules find, in the order the post raises them."""
    found = [(match.start(), need) for need, pattern in _NEEDS if (match := re.search(pattern, text))]
    return tuple(need for _, need in sorted(found))


def parse_answer(field: str, text: str, now: datetime, catalogue: Sequence[CatalogueItem] = ()) -> str | int | date | None:
    understood = understand(text, now, catalogue)
    if field == "order_id":
        return understood.order_ids[0] if understood.order_ids else None
    if field == "email":
        return understood.emails[0] if understood.emails else None
    if field == "item":
        return understood.skus[0] if understood.skus else None
    if field == "quantity":
        return understood.quantity
    if field == "deadline":
        return understood.deadline
    return text.strip() or None


def _deadline(text: str, now: datetime) -> date | None:
    match = re.search(r"by (" + "|".join(_DAYS) + ")", text)
    if match is None:
        return None
    ahead = (_DAYS.index(match.group(1)) - now.weekday()) % 7
    return now.date() + timedelta(days=ahead)


def _skus(text: str, catalogue: Sequence[CatalogueItem]) -> tuple[str, ...]:
    return tuple(item.sku for item in catalogue if any(word in text for word in item.name.lower().split()[-1:]))


def _quantity(text: str) -> int | None:
    if "just one" in text:
        return 1
    match = re.search(r"\b(\d) of them", text)
    return int(match.group(1)) if match else None


def _address(text: str) -> str | None:
    match = re.search(r"to (\d+ [A-Z][\w ]+, [A-Z]\w+)", text)
    return match.group(1) if match else None


class StubReader:
    """The engine's `Reader` over these rules."""

    def understand(self, text: str, now: datetime, catalogue: Sequence[CatalogueItem] = ()) -> Understanding:
        return understand(text, now, catalogue)

    def parse_answer(self, field: str, text: str, now: datetime, catalogue: Sequence[CatalogueItem] = ()) -> str | int | date | None:
        return parse_answer(field, text, now, catalogue)

    def catalogue_item(self, sku: str, name: str) -> CatalogueItem:
        return CatalogueItem(sku, name)
