"""The facts a customer's post or private reply names: order ids, emails, amounts with their
currency (`price-parser`), a delivery deadline relative to the post's time (`dateparser`), the
catalogue items it mentions, a quantity and a new delivery address.

Rules, not a model: each of these has a shape a pattern can check, and a rule that misses
leaves the field empty, so a person (or a question in private) fills it in. Every function is
total: any text gives an answer, never an exception.

Example:
    >>> order_ids("it's a1042, charged twice")
    ('A1042',)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import TypeVar

import dateparser
from price_parser import Price

__all__ = [
    "CatalogueItem", "address", "amounts", "deadline", "emails", "fold", "items", "order_ids", "quantity",
    "reply_address", "reply_item", "reply_quantity",
]


@dataclass(frozen=True, slots=True)
class CatalogueItem:
    """A product the shop sells, as the customer may name it."""

    sku: str
    name: str


_T = TypeVar("_T")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u201c": '"', "\u201d": '"'})


def fold(text: str) -> str:
    """Lower case with straight quotes and `&amp;` unescaped: what every pattern here reads."""
    return text.translate(_QUOTES).replace("&amp;", "&").lower()


# --- order ids and emails ------------------------------------------------------------------

_CURRENCY_CODES = frozenset({"gbp", "usd", "eur", "aud", "cad", "nzd", "chf", "jpy", "sek", "nok", "dkk", "inr"})
_ORDER_ID = re.compile(r"(?<![\w@.#/-])#?\s?([a-z]{1,3}-?\d{3,12}|\d{3}-\d{7}-\d{7})(?![\w@/-]|\.\w)", re.I)
# Digits alone are an order id only where the text says so: "order #55123", "order no. 55123".
_ORDER_DIGITS = re.compile(
    r"(?:\border\s*(?:id|number|num|no\.?|ref(?:erence)?)?\s*(?:is|was|:)?\s*#?|(?<![\w&])#)\s?(\d{4,12})\b", re.I
)
# Carrier references: "tracking DP123" names a parcel, not an order.
_NOT_ORDER_BEFORE = re.compile(r"(?:tracking|track|parcel|consignment|flight|ref|code|postcode|room)\s*(?:no\.?|number|#|:)?\s*$")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){0,8}\.[a-z]{2,24}\b", re.I)


def order_ids(text: str, catalogue: Sequence[CatalogueItem] = ()) -> tuple[str, ...]:
    """Order ids as written, upper-cased, each once in order: "A1042", "ORD-5521", "#55123" ->
    "55123". A catalogue SKU, a currency amount ("AUD1700") or a tracking number is not one."""
    skus = {item.sku.upper() for item in catalogue}
    found: list[tuple[int, str]] = []
    folded = fold(_EMAIL.sub(lambda m: " " * len(m.group()), text))
    for pattern in (_ORDER_ID, _ORDER_DIGITS):
        for match in pattern.finditer(folded):
            value = match.group(1).upper()
            letters = re.match(r"[A-Z]*", value).group().lower()
            if value in skus or letters in _CURRENCY_CODES or _NOT_ORDER_BEFORE.search(folded[max(0, match.start() - 30) : match.start()]):
                continue
            found.append((match.start(1), value))
    return _unique(value for _, value in sorted(found))


def emails(text: str) -> tuple[str, ...]:
    """Email addresses as written, each once in order."""
    return _unique(match.group().rstrip(".") for match in _EMAIL.finditer(text))


# --- amounts ----------------------------------------------------------------------------------

_SYMBOLS = {"£": "GBP", "€": "EUR", "$": "USD", "us$": "USD", "a$": "AUD", "c$": "CAD", "¥": "JPY"}
_WORDS = {"pound": "GBP", "pounds": "GBP", "quid": "GBP", "gbp": "GBP", "dollar": "USD", "dollars": "USD",
          "bucks": "USD", "usd": "USD", "euro": "EUR", "euros": "EUR", "eur": "EUR", "aud": "AUD", "cad": "CAD"}
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_AMOUNT = re.compile(
    rf"(?<![\w.])(?:(?P<sym>us\$|a\$|c\$|[£€$¥])\s?|(?P<code>gbp|usd|eur|aud|cad)\s?)(?P<lead>{_NUMBER})"
    rf"|(?<![\w.,])(?P<trail>{_NUMBER})\s?(?P<word>pounds?|quid|dollars?|bucks|euros?|gbp|usd|eur|aud|cad|[£€])(?!\w)"
    r"|(?<![\w.,£€$-])(?P<bare>\d+\.\d{2})(?![\w.%])",
    re.I,
)


def amounts(text: str) -> tuple[tuple[Decimal, str | None], ...]:
    """Money amounts with their ISO currency (None when the text names none, as in "24.00"),
    to the penny, each once in order: "£24" -> (Decimal("24.00"), "GBP")."""
    found = []
    for match in _AMOUNT.finditer(fold(text)):
        number = match.group("lead") or match.group("trail") or match.group("bare")
        marker = match.group("sym") or match.group("code") or match.group("word") or ""
        value = _money(number)
        if value is not None:
            found.append((value, _SYMBOLS.get(marker) or _WORDS.get(marker)))
    return _unique(found)


def _money(number: str) -> Decimal | None:
    amount = Price.fromstring(number).amount
    if amount is None:
        return None
    try:
        return amount.quantize(Decimal("0.01"))
    except InvalidOperation:  # more digits than a Decimal context holds
        return None


# --- deadlines --------------------------------------------------------------------------------

_WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_WEEKDAY = (
    r"(?:mon(?:day)?|tue(?:s|sday)?|wed(?:s|nesday)?|thu(?:rs?|rsday)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?)"
)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_ORDINAL = r"\d{1,2}(?:st|nd|rd|th)?"
_DAY_OF_MONTH = rf"(?:the\s+)?{_ORDINAL}(?:\s+(?:of\s+)?{_MONTH})?|{_MONTH}\s+{_ORDINAL}|\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?"
_WHEN = (
    # a weekday with its date ("Friday 11 December") is read by the date
    rf"(?:{_WEEKDAY},?\s+)?(?P<date>{_DAY_OF_MONTH})(?![\w/:])"
    rf"|(?:(?:this|next|the|on)\s+)?(?P<weekday>{_WEEKDAY})\b|(?:the\s+)?(?:this\s+)?(?P<weekend>weekend|end\s+of\s+(?:the|this)\s+week)\b"
    r"|(?P<day_after>the\s+day\s+after\s+tomorrow)|(?P<tomorrow>tomorrow|tmrw|tmr|tomoz|2moro)\b|(?P<today>today|tonight|tonite)\b"
    r"|(?P<xmas>(?:christmas|xmas)(?:\s+(?:eve|day))?)\b"
    r"|(?P<within>(?:with)?in\s+(?:\d+|a|one|two|three|four|five|six|seven)\s+days?)\b"
)
_LEAD = r"(?P<lead>by|before|b4|for|until|till|til|no\s+later\s+than|in\s+time\s+for|latest)"
_DEADLINE = re.compile(
    rf"(?:\b(?:{_LEAD}\s+(?:(?:the\s+)?(?:latest|end\s+of\s+)?(?:on\s+)?)?|(?P<need>need(?:s|ed)?|want|get|have)\s+"
    rf"(?:it|them|one|this|that|a\s+new\s+one|a\s+\w+|the\s+\w+|another(?:\s+\w+)?)\s+(?:for\s+(?:a|an|my|the|our)\s+\w+(?:\s+\w+)?\s+)?"
    rf"(?:(?P<need_lead>on|by|before|b4|for|until|till)\s+(?:the\s+)?)?))?(?<![\w/])(?:{_WHEN})"
    r"(?:\s+(?P<latest>at\s+the\s+latest|latest)\b)?",
    re.I,
)
# What shipping promised, not what the customer needs: "it was due by Tuesday".
_PROMISED = re.compile(r"\b(?:was|were|is|supposed|meant|due|promised|expected|estimated|eta|should\s+have|arrived|delivered|came|ordered|placed|bought|since)\b[^.!?]{0,25}$")
_WEEKEND_FRIDAY = 4


def deadline(text: str, now: datetime) -> date | None:
    """The last acceptable delivery date the text asks for, relative to `now`: "by Sunday" is the
    coming Sunday (today when it is Sunday), "before Sunday" the day before it, "tomorrow",
    "by the 12th", "before the weekend" (the coming Friday, as the policy reads it). A date a
    shipment was promised for ("it was due by Tuesday") or one already past is not a deadline."""
    folded = fold(text)
    today = now.date()
    for match in _DEADLINE.finditer(folded):
        if not (match.group("lead") or match.group("need") or match.group("latest") or match.group("within")):
            continue
        if match.group("lead") and _PROMISED.search(folded[max(0, match.start() - 60) : match.start()]):
            continue
        day = _day(match, today)
        if day is None:
            continue
        lead = (match.group("lead") or match.group("need_lead") or "").lower()
        if lead in ("before", "b4") and not match.group("weekend"):
            day -= timedelta(days=1)
        if day >= today:
            return day
    return None


def _day(match: re.Match[str], today: date) -> date | None:
    if weekday := match.group("weekday"):
        return _coming(today, _WEEKDAYS[weekday[:3].lower()])
    if match.group("weekend"):
        return _coming(today, _WEEKEND_FRIDAY)
    if match.group("day_after"):
        return today + timedelta(days=2)
    if match.group("tomorrow"):
        return today + timedelta(days=1)
    if match.group("today"):
        return today
    if xmas := match.group("xmas"):
        christmas = date(today.year, 12, 24 if "eve" in xmas else 25)
        return christmas if christmas >= today else christmas.replace(year=today.year + 1)
    phrase = match.group("date") or match.group("within")
    return _parsed(re.sub(r"^the\s+", "", phrase.lower()), today)


def _coming(today: date, weekday: int) -> date:
    """The next `weekday` on or after `today`."""
    return today + timedelta(days=(weekday - today.weekday()) % 7)


@lru_cache(maxsize=4096)
def _parsed(phrase: str, today: date) -> date | None:
    """A date phrase read by `dateparser`, in the future from `today`, day before month."""
    if phrase.isdigit():  # "by 3" is an hour, not the 3rd
        return None
    base = datetime(today.year, today.month, today.day)
    settings = {"PREFER_DATES_FROM": "future", "RELATIVE_BASE": base, "DATE_ORDER": "DMY", "RETURN_AS_TIMEZONE_AWARE": False}
    try:
        parsed = dateparser.parse(phrase, languages=["en"], settings=settings)
    except (ValueError, OverflowError):
        return None
    return parsed.date() if parsed else None


# --- quantities -----------------------------------------------------------------------------

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "single": 1, "two": 2, "both": 2, "pair": 2, "couple": 2, "three": 3, "four": 4,
    "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "dozen": 12,
}
_COUNT = r"(?P<count>\d{1,3}|one|single|two|both|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a\s+pair|a\s+couple|a\s+dozen)"
_QUANTITY = re.compile(
    rf"(?<![\w£$€.#/-])(?:x\s?(?P<times>\d{{1,3}})\b|(?P<times_after>\d{{1,3}})\s?x\b|(?P<all>all\s+)?{_COUNT}(?:\s+(?:of\s+)?(?P<what>(?:the|my|them|those|these|which|it)\b|\w+))?)",
    re.I,
)
_NOT_COUNTED = re.compile(
    r"(?:days?|weeks?|months?|years?|hours?|hrs?|mins?|minutes?|times?|charges?|payments?|transactions?|debits?|"
    r"emails?|calls?|messages?|stars?|am|pm|o'?clock|pence|p|quid|pounds?|dollars?|bucks|euros?|percent|"
    r"st|nd|rd|th|kg|g|ml|l|cm|mm|m|in|inch|inches|ft|%|of\s+you|orders?|refunds?|people|agents?)$"
)
# "charged x2", "£28.50 x 2": how often money was taken, not how many items.
_CHARGED_BEFORE = re.compile(r"(?:\b(?:charged|billed|paid|debited|taken|took|charge|payment)\w*\s*(?:me\s*)?|\d(?:[.,]\d{2})?\s*(?:[£€$]|eur|gbp|usd)?\s*)$")
_REPLY_COUNT = re.compile(
    r"(?<![\w£$€.#/-])(?:\d{1,3}|one|single|two|both|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"(?:a\s+)?(?:pair|couple|dozen))(?![\w.,/-])",
    re.I,
)
_DUAL_ORDER_ID = re.compile(r"[a-z]{1,3}-?\d{3,}", re.I)


def quantity(text: str, catalogue: Sequence[CatalogueItem] = ()) -> int | None:
    """How many items the post is about, when it says: "two of the mugs", "both of them", "x3",
    "3 mugs"; a count of days, charges, pounds or orders is not one."""
    folded = fold(text)
    for match in _QUANTITY.finditer(folded):
        if times := match.group("times") or match.group("times_after"):
            if not _CHARGED_BEFORE.search(folded[max(0, match.start() - 20) : match.start()]):
                return _positive(int(times))
            continue
        what = (match.group("what") or "").lower()
        following = _NEXT_WORD.match(folded, match.end())
        if what in _DETERMINERS and following and _NOT_COUNTED.match(following.group(1)):
            continue  # "one of my orders", "both of the charges"
        if _NOT_COUNTED.match(what) or not (match.group("all") or _names_thing(what, catalogue)):
            continue
        if _in_a_name(match.group("count"), what, catalogue):
            continue  # "my set of 4 wine glasses" is one set
        return _count(match.group("count"))
    return None


def reply_quantity(text: str) -> int | None:
    """The count a private reply gives: "just one", "2", "both of them", "a couple"."""
    folded = _DUAL_ORDER_ID.sub(" ", fold(text))
    match = _REPLY_COUNT.search(folded)
    return _count(match.group()) if match else None


_DETERMINERS = frozenset({"the", "my", "them", "those", "these", "which", "it"})
_NEXT_WORD = re.compile(r"\s+(\w+)")


def _names_thing(word: str, catalogue: Sequence[CatalogueItem]) -> bool:
    """Whether the word after a count names what was bought: "of the mugs", "items", "mugs"."""
    if word in _DETERMINERS:
        return True
    return _stem(word) in _THING_WORDS or any(_stem(word) in _tokens(item.name) for item in catalogue)


_THING_WORDS = frozenset({"item", "piece", "one", "unit", "product", "box", "pack", "set", "bottle"})


def _in_a_name(count: str, word: str, catalogue: Sequence[CatalogueItem]) -> bool:
    """Whether "<count> <word>" is part of an item's name ("Set of 4 wine glasses")."""
    phrase = re.compile(rf"\b{re.escape(count.lower())}\s+{re.escape(word)}")
    return any(phrase.search(fold(item.name)) for item in catalogue)


def _count(word: str) -> int | None:
    word = re.sub(r"^a\s+", "", word.lower().strip())
    value = int(word) if word.isdigit() else _NUMBER_WORDS.get(word)
    return _positive(value)


def _positive(value: int | None) -> int | None:
    return value if value and value > 0 else None


# --- catalogue items ------------------------------------------------------------------------

_WORD = re.compile(r"[a-z0-9]+")
_NAME_FILLER = frozenset({"the", "a", "an", "of", "and", "with", "for", "in", "x", "set", "pack", "edition"})


def items(text: str, catalogue: Sequence[CatalogueItem] = ()) -> tuple[str, ...]:
    """The SKUs of the catalogue items the text names, in the order it names them: an item is
    named by its SKU, or by its head noun ("the mug" -> "Stoneware mug", plural or singular), or
    by two of its other words; where several share the named words, those matching the most are
    kept (all of them on a tie, for the order's lines to decide)."""
    text, found = _named_skus(text, catalogue)
    positions: dict[str, int] = {}
    for index, word in enumerate(_WORD.findall(fold(text))):
        positions.setdefault(_stem(word), index)
    best: dict[str, tuple[int, list[tuple[int, str]]]] = {}  # head noun -> (score, [(position, sku)])
    for item in catalogue:
        name, head = _tokens(item.name), _head(item.name)
        if head is None or item.sku in (sku for _, sku in found):
            continue
        matched = [token for token in name if token in positions]
        if head not in positions and len(matched) < 2:
            continue
        score = len(matched) + (1 if head in positions else 0)
        # Where the item is named: its most telling word ("stoneware" of "the stoneware one").
        specific = [positions[token] for token in matched if token != head]
        where = min(specific) if specific else positions[head]
        key = head if head in positions else f"words:{item.sku}"
        score_now, named_now = best.get(key, (0, []))
        if score > score_now:
            best[key] = (score, [(where, item.sku)])
        elif score == score_now:
            best[key] = (score, named_now + [(where, item.sku)])
    return _unique(sku for _, sku in sorted(found + [entry for _, named in best.values() for entry in named]))


def reply_item(text: str, catalogue: Sequence[CatalogueItem] = ()) -> str | None:
    """The one item a private reply names: as `items` reads it, or else the only item that has
    the reply's words ("the stoneware one", "the blue one"); None when it names none or several."""
    named = items(text, catalogue)
    if named:
        return named[0] if len(named) == 1 else None
    words = {_stem(word) for word in _WORD.findall(fold(text))} - _NAME_FILLER - _THING_WORDS
    overlap = {item.sku: len(words & set(_tokens(item.name))) for item in catalogue}
    most = max(overlap.values(), default=0)
    best = [sku for sku, count in overlap.items() if count == most]
    return best[0] if most and len(best) == 1 else None


def _named_skus(text: str, catalogue: Sequence[CatalogueItem]) -> tuple[str, list[tuple[int, str]]]:
    """The text with the SKUs it names blanked out (so "MUG-01" does not also name every mug), and
    those SKUs with the word position where each stood."""
    found = []
    for item in catalogue:
        if not item.sku.strip():
            continue
        named = re.search(rf"(?<![\w-]){re.escape(item.sku)}(?![\w-])", text, re.I)
        if named:
            text = text[: named.start()] + " \x00 " + text[named.end() :]
            found.append((len(_WORD.findall(fold(text[: named.start()]))), item.sku))
    return text, found


@lru_cache(maxsize=4096)
def _tokens(name: str) -> tuple[str, ...]:
    return tuple(_stem(word) for word in _WORD.findall(fold(name)) if word not in _NAME_FILLER and not word.isdigit())


_QUALIFIER = re.compile(r"\s*(?:\(|\[|,|\s[-–/|]\s).*$", re.S)


@lru_cache(maxsize=4096)
def _head(name: str) -> str | None:
    """The noun an item is named by: the last word before a qualifier ("Mug (blue)" -> "mug",
    "Stoneware mug - green" -> "mug", "Dinner plates, set of 6" -> "plate")."""
    words = _tokens(_QUALIFIER.sub("", name)) or _tokens(name)
    return words[-1] if words else None


@lru_cache(maxsize=16384)
def _stem(word: str) -> str:
    """A word's singular: "mugs" -> "mug", "glasses" -> "glass", "batteries" -> "battery",
    "knives" -> "knife"."""
    if len(word) <= 3 or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("ves"):
        return word[:-3] + "fe" if word[:-3].endswith("i") else word[:-3] + "f"
    if word.endswith(("ches", "shes", "sses", "xes", "zes")):
        return word[:-2]
    return word[:-1] if word.endswith("s") else word


# --- addresses ----------------------------------------------------------------------------

_STREET = (
    r"(?:street|st|road|rd|avenue|ave|lane|ln|close|drive|dr|way|place|pl|court|ct|crescent|terrace|gardens|"
    r"grove|square|sq|hill|row|mews|walk|park|boulevard|blvd|green|flat|apartment|apt|unit|house|cottage)"
)
_ADDRESS_BODY = rf"(?:flat\s+\d+\w?,?\s+)?\d+[a-z]?,?\s+[a-z][\w' -]{{0,40}}?\b{_STREET}\b[\w ,'.-]{{0,80}}"
# Street, then number, then postcode and town, as much of Europe writes it: "Hauptstr. 21, 50667 Köln".
_STREET_FIRST_BODY = r"(?:[^\W\d_][\w'.-]{0,40}\s+){1,4}\d+[a-z]?,\s*\d{4,5}(?:\s?[a-z]{2})?\s+[^\W\d_][\w ,'.-]{0,80}"
_ADDRESS_IN_POST = re.compile(
    rf"(?:address\s*(?:(?:on|for)\s+(?:my\s+|the\s+)?(?:order\s+)?#?\w+\s+)?(?:is|to|:|should\s+be|=)|(?:send|deliver|ship|post|redirect)\w*\s+(?:it|them|this|that|my\s+order|the\s+\w+\s+)?\s*to|(?:can|could)\s+it\s+go\s+to)\s+(?P<address>{_ADDRESS_BODY}|{_STREET_FIRST_BODY})",
    re.I,
)
_SIGN_OFF = r"\s-\s|\binstead\b|\bplease\b|\bpls\b|\bthanks?\b|\bthank\s+you\b|\bcheers\b|\bta\b"
_ADDRESS_END = re.compile(rf"\s*(?:{_SIGN_OFF}|[.!?]\s|[.!?]?$).*$", re.I | re.S)
# A reply is the address and perhaps a sign-off: "Hauptstr. 21" keeps its abbreviation.
_REPLY_END = re.compile(rf"\s*(?:{_SIGN_OFF}|[.!?]\s+(?=[A-Z][a-z]*\s*[!.]?\s*$)|[.!?]+\s*$).*$", re.I | re.S)
_REPLY_LEAD = re.compile(
    r"^\s*(?:(?:yes|yeah|yep|sure|ok(?:ay)?|hi|hello)\b[,.!]?\s*)?"
    r"(?:it'?s|it\s+is|(?:my|the)\s+(?:new\s+)?(?:delivery\s+|shipping\s+)?address\s+is|new\s+address(?:\s+is)?|address(?:\s+is)?|"
    r"(?:please\s+|pls\s+|can\s+you\s+)?(?:send|deliver|ship|post)\s+(?:it|them|the\s+\w+)?\s*to)?[\s:,-]*",
    re.I,
)


# A street word, a comma between parts, or a postcode: "12 of them" is not an address.
_ADDRESS_SHAPE = re.compile(
    rf"\b{_STREET}\b|\w\s*,\s*\w|\b[A-Z]{{1,2}}\d[A-Z\d]?\s*\d[A-Z]{{2}}\b|\b\d{{5}}(?:-\d{{4}})?\b", re.I
)


def address(text: str) -> str | None:
    """A new delivery address the post gives: "send it to 5 Elm Road, Bath instead"."""
    match = _ADDRESS_IN_POST.search(text.translate(_QUOTES))
    if not match:
        return None
    found = match.group("address")
    number = re.search(r"\d", found)
    at = number.start() if number else 0  # the end is looked for after the number: "Hauptstr." ends no sentence
    return _trimmed(found[at:], prefix=found[:at])


def reply_address(text: str) -> str | None:
    """The address a private reply gives: the reply less its lead-in ("it's", "send it to") and
    its sign-off, when what is left has a house number and more than one word."""
    body = _trimmed(_REPLY_LEAD.sub("", text.translate(_QUOTES), count=1), _REPLY_END)
    if not body or "@" in body or not re.search(r"\d", body) or len(re.findall(r"[^\W\d_]{2,}", body)) < 2:
        return None
    return body if _ADDRESS_SHAPE.search(body) else None


def _trimmed(address_text: str, end: re.Pattern[str] = _ADDRESS_END, prefix: str = "") -> str | None:
    """The address less its sign-off or the sentence after it; `prefix` (the street before a
    house number) is kept whole."""
    body = (prefix + end.sub("", address_text if prefix else address_text.strip())).strip(" ,;:-")
    return " ".join(body.split()) or None


def _unique(values: Iterable[_T]) -> tuple[_T, ...]:
    """The values each once, in their first order."""
    return tuple(dict.fromkeys(values))
