"""Understanding a customer's post: every need it raises, with the facts it names, and what a
private reply gives for one field the plan asked for.

A post can raise several needs ("I was charged twice, my order arrived damaged, and I need a
replacement by Sunday" is a double charge, a damaged item and a replacement, with a deadline).
Needs come from two sources joined: cue rules (the phrasings a care team would write down) and
a multi-label classifier over n-grams trained on the labelled seed set in `models/needs/`
(`NeedsClassifier`), which catches phrasings the rules miss but only speaks when it is sure.
Rules also veto: "no damage at all", "I don't want a refund" keep a need out whatever the model
says. Precision over recall: a need left out is read by a person; a wrong need is acted on.

The entities come from `socialcx.triage.entities` (rules, `price-parser`, `dateparser`). The
step is pure text in, structure out, so another backend (an LLM returning the same
`Understanding`) can stand in for it later.

Example:
    >>> from datetime import datetime, UTC
    >>> u = understand("charged twice and the mug arrived smashed, need a new one by Sunday",
    ...                datetime(2026, 12, 3, 10, tzinfo=UTC), [CatalogueItem("MUG-01", "Stoneware mug")])
    >>> u.needs, u.deadline, u.skus
    (('double_charge', 'damaged_item', 'replacement'), datetime.date(2026, 12, 6), ('MUG-01',))
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal, get_args

from socialcx.triage import entities
from socialcx.triage.entities import CatalogueItem, fold
from socialcx.triage.needs_model import NeedsClassifier, load_seed
from socialcx.triage.risk import risk_flags

__all__ = [
    "NEEDS", "AnswerField", "CatalogueItem", "NeedLabel", "Understanding", "default_needs_model", "parse_answer",
    "understand",
]

NeedLabel = Literal[
    "double_charge", "damaged_item", "wrong_item", "refund", "replacement", "late_delivery", "not_arrived", "cancel",
    "address_change", "account_access", "question",
]
NEEDS: tuple[NeedLabel, ...] = get_args(NeedLabel)
AnswerField = Literal["order_id", "email", "item", "quantity", "deadline", "address"]


@dataclass(frozen=True, slots=True)
class Understanding:
    """Every need of one post, each once in the order the post raises them, and the facts it
    names. `deadline` is the last acceptable delivery date; `address` a new delivery address."""

    needs: tuple[NeedLabel, ...]
    order_ids: tuple[str, ...] = ()
    amounts: tuple[tuple[Decimal, str | None], ...] = ()
    deadline: date | None = None
    skus: tuple[str, ...] = ()
    quantity: int | None = None
    emails: tuple[str, ...] = ()
    address: str | None = None
    legal_threat: bool = False


def understand(text: str, now: datetime, catalogue: Sequence[CatalogueItem] = ()) -> Understanding:
    """The needs and facts of one post written at `now` (deadlines are relative to it)."""
    folded = fold(text)
    return Understanding(
        needs=_needs(text, folded, default_needs_model()),
        order_ids=entities.order_ids(text, catalogue),
        amounts=entities.amounts(text),
        deadline=entities.deadline(text, now),
        skus=entities.items(text, catalogue),
        quantity=entities.quantity(text, catalogue),
        emails=entities.emails(text),
        address=entities.address(text),
        legal_threat=_legal_threat(text),
    )


def parse_answer(
    field: AnswerField, text: str, now: datetime, catalogue: Sequence[CatalogueItem] = ()
) -> str | int | date | None:
    """The value a customer's private reply gives for `field` (order id str, email str, sku str,
    quantity int, deadline date, address str), or None when the reply does not give it."""
    if field == "order_id":
        found = entities.order_ids(text, catalogue)
        bare = re.fullmatch(r"\W*#?\s*(\d{4,12})\W*", text)
        return found[0] if found else (bare.group(1) if bare else None)
    if field == "email":
        return next(iter(entities.emails(text)), None)
    if field == "item":
        return entities.reply_item(text, catalogue)
    if field == "quantity":
        return entities.reply_quantity(text)
    if field == "deadline":
        return entities.deadline(text, now) or entities.deadline(f"by {text}", now)
    if field == "address":
        return entities.reply_address(text)
    raise ValueError(f"unknown answer field {field!r}; expected one of {', '.join(get_args(AnswerField))}")


# --- the model -------------------------------------------------------------------------------

_model: NeedsClassifier | None = None
_model_lock = threading.Lock()


def default_needs_model() -> NeedsClassifier:
    """The needs classifier trained on the shipped seed set, fitted once per process on first
    use (a fraction of a second) and shared by every thread. It also has `dateparser` load its
    tables then (about a second), so that no post pays for them: call it at startup."""
    global _model
    with _model_lock:
        if _model is None:
            texts, labels = load_seed()
            _model = NeedsClassifier().fit(texts, labels)
            entities.deadline("by the 1st of january", datetime(2000, 1, 1))
        return _model


# --- the cue rules -----------------------------------------------------------------------------

def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns))


_NEGATION = re.compile(r"\b(?:not(?!\s+only)|no|never|nothing|without|n't|nt|none|neither|nor|zero)\W+(?:\w+\W+){0,2}$")
_NOT_THE_PRODUCT = re.compile(
    r"\b(?:link|links|website|site|web\s?site|app|page|checkout|promise|promises|record|english|heart|system|"
    r"server|login|search|button|url|form|portal|tracking\s+page|chat|phone\s+line|forum|screen|driver|car|"
    r"bus|train|lift|elevator|escalator|wifi|internet|connection|update|game|software|feature|process|service)\b|\bbroke\s+down\b"
)
_ARRIVAL = r"(?:arrived|arrive|arriving|come|came|turned\s+up|turn\s+up|shown\s+up|showed\s+up|show\s+up|got\s+here|here|been\s+delivered|delivered|received|recieved|recived|got\s+it|got\s+them|had\s+it)"
_PARCEL = r"(?:order|parcel|package|pkg|delivery|item|items|stuff|things?|box|mug|it|them|purchase|shipment|present|gift)"
_CHARGED = r"(?:charged|charge|charging|billed|billing|debited|take|taken|taking|took|paid|pay|payed|deducted|came\s+out|gone\s+out)"
_SPAN = r"(?:[^.!?\n]|\.(?=\d))"  # within one sentence: a decimal point does not end it

_CUES: dict[NeedLabel, re.Pattern[str]] = {
    "double_charge": _any(
        rf"\b{_CHARGED}\b{_SPAN}{{0,40}}?\b(?:twice|two\s+times|2\s?x|x\s?2|2\s+times|double|doubled|three\s+times|3\s+times|x3)\b",
        r"\bdouble[-\s]?(?:charged?|charging|billed|billing|debited|payment|paid|taken|dipped|transaction)\b",
        r"\b(?:two|2|three|3|four|4|several|duplicate|duplicated|double|multiple|repeat|repeated|identical|extra|second)\s+(?:identical\s+|separate\s+|same\s+)?(?:charges?|payments?|transactions?|debits?)\b",
        r"\b(?:two|2)\s+lots\s+of\b",
        r"\b(?:charges?|payments?|transactions?)\s+(?:went|gone|come|came)\s+(?:through|out)\s+twice\b",
        r"\bsame\s+(?:amount|payment|charge)\s+(?:\w+\s+){0,3}?twice\b",
        r"\bcharged\s+(?:me\s+)?(?:for\s+)?(?:it\s+|this\s+|the\s+same\s+\w+\s+)?(?:2|two)\s+times\b",
    ),
    "damaged_item": _any(
        r"\b(?:damaged|damage|broken|broke|smashed|smash|cracked|crack|shattered|dented|crushed|chipped|torn|ripped|"
        r"snapped|bent|leaking|leaked|leaky|faulty|defective|scratched|squashed|mangled|busted|wrecked|"
        r"destroyed|ruined|warped|stained|leaks?|in\s+(?:pieces|bits|shards)|dead\s+on\s+arrival|doa)\b",
        r"\b(?:a|big|huge|small|massive|little)\s+(?:chip|tear|rip)\b|\b(?:chip|tear|rip)\s+(?:in|on|out\s+of|along|across|down)\b",
        r"\b(?:arrived|came|is|are|was|were)\s+dead\b|\bdead\s+(?:keys?|pixels?|out\s+of\s+the\s+box)\b|\bwon'?t\s+(?:turn|switch|power)\s+on\b|\bstopped\s+working\b",
        r"\bsplit\s+(?:\w+\s+)?(?:sidewall|seam|side|down|open|in\s+(?:two|half))\b|\bwith\s+a\s+split\b|"
        r"\b(?:hole|holes|crack|cracks|dent|dents)\s+in\b|\b(?:handle|lid|leg|base|spout|strap)\s+(?:\w+\s+)?(?:off|missing|loose)\b|\b(?:fell|came|snapped)\s+off\b",
    ),
    "wrong_item": _any(
        r"\bwrong\s+(?:\w+\s+)?(?:item|items|product|products|size|sizes|colou?r|colou?rs|thing|things|one|model|book|"
        r"order|stuff|parcel|package|version|flavou?r|style|shoes?|mug|size\w*|variant|edition|pair|game|product)\b",
        r"\bsent\s+(?:me|us)?\s*(?:the\s+)?wrong\b|\bgot\s+the\s+wrong\b|\breceived\s+the\s+wrong\b",
        r"\bnot\s+what\s+i\s+(?:ordered|bought|paid\s+for|asked\s+for)\b|\bisn'?t\s+what\s+i\s+ordered\b",
        r"\b(?:got|received|sent|came|arrived|delivered|shipped|is|was)\b[^.!?\n]{0,40}?\binstead\s+of\b",
        r"\bsomeone\s+else'?s\s+(?:order|parcel|package|item)\b|\bnot\s+(?:my|the)\s+(?:order|item)\s+i\b",
        r"\b(?:mixed|mix)\s+up\s+(?:my\s+|the\s+)?orders?\b|\bmissing\s+(?:item|items|from\s+my\s+order)\b",
        rf"\b(?:i\s+)?(?:ordered|bought|paid\s+for|chose|picked)\s+(?:a|an|the|my|some|\d+)\b{_SPAN}{{0,40}}?(?:\b(?:and|but)|,)\s+(?:you\s+)?(?:got|received|sent|came|delivered|shipped)\b",
        rf"\b(?:got|received|sent\s+me|shipped\s+me|gave\s+me|delivered)\b{_SPAN}{{3,40}}?(?:\b(?:when|but|and)|,)\s+i\s+(?:\w+\s+)?(?:ordered|bought|paid\s+for|picked|chose)\b",
        r"\b(?:came\s+with|sent|got|received|delivered|arrived\s+with|gave\s+me|shipped)\s+(?:me\s+|us\s+)?(?:the\s+|a\s+)?wrong\s+(?!address|postcode|house|flat|number|email|password|card|time|date|day|way|info|information|details|price|amount|country|person|door|street)\w+",
        r"\bnot\s+the\s+(?:\w+\s+){0,2}i\s+(?:ordered|bought|paid\s+for)\b",
        r"\border\s+(?:was|is|came|arrived)\s+(?:all\s+)?(?:wrong|incorrect|incomplete)\b|\b(?:order|it)\s+(?:was\s+|got\s+)?(?:messed|mixed)\s+up\b",
        r"\b(?:\d+|two|three|some|an?)\s+(?:\w+\s+)?(?:items?|things?|pieces?)\s+(?:were\s+|was\s+|are\s+|is\s+)?missing\b|\bmis-?ship\w*\b",
        r"\bforgot\s+to\s+(?:put|include|send|pack)\b",
        r"\b(?:didn'?t|did\s+not|never)\s+(?:order|buy)\b|\b(?:totally|completely|entirely)\s+different\b|\bwhat\s+i\s+actually\s+ordered\b",
    ),
    "refund": _any(
        r"\brefund\w*\b|\breimburs\w+|\b(?:money|cash)\s+back\b|[£$€]\s?\d[\d.,]*\s+back\b|\bwant\s+(?:that|it)\s+(?:money\s+)?back\b",
        r"\bpay\s+(?:me|us)\s+back\b|\bgive\s+(?:me|us)\s+(?:my|our|the)\s+money\b|\bcredit\s+(?:it\s+)?back\b",
        r"\breturn\s+(?:the|my)\s+money\b|\bput\s+(?:it|the\s+money)\s+back\b|\bowe\s+(?:me|us)\b",
        r"\b(?:see|get|getting|receive|waiting\s+(?:for|on))\s+(?:the|my|our)\s+money\b",
        r"\b(?:want|need|get|give\s+(?:me|us))\s+(?:the|my|our|that)\s+(?:extra|duplicate|difference|overpayment|second\s+(?:one|payment|charge)|money|cash)\s+back\b|\bgive\s+(?:the|that)\s+(?:\w+\s+){0,2}back\b",
        r"\brevers(?:e|al\s+of)\s+(?:the|this|that|these|those)\s+charges?\b|\b(?:be|being|get|getting)\s+credited\b|\bcompensat(?:e|ion)\b",
    ),
    "replacement": _any(
        r"\breplace(?:ment|ments|d)?\b|\breplace\s+it\b|\bnew\s+one\b|\banother\s+(?:one|mug|\w+\s+sent)\b",
        r"\bsend\s+(?:me\s+|us\s+)?(?:a\s+|another\s+)?(?:new|fresh|working|proper|intact|replacement)\b",
        r"\bsend\s+(?:me\s+|us\s+)?(?:the\s+right|the\s+correct|one\s+that|another)\b",
        r"\b(?:exchange|swap)\b|\bre-?(?:send|ship|deliver)\w*\b|\bsend\s+(?:it|one|them)\s+again\b",
        r"\bsend\s+(?:me\s+|us\s+)?(?:\w+\s+)?more\b|\b(?:\d+|two|three|four|some)\s+new\s+ones\b|\bneed\s+(?:one|another|a\s+new\s+\w+)\b",
        r"\bsend\s+(?:me\s+|us\s+)?what\s+i\s+(?:actually\s+)?ordered\b|\bneed\s+the\s+(?:right|correct|\w+)\s+one\b",
    ),
    "late_delivery": _any(
        rf"\b(?:still|hasn'?t|has\s+not|haven'?t|have\s+not|not\s+yet|yet\s+to|never|didn'?t|did\s+not|not|nt|hasnt|havent|didnt|still\s+not|still\s+hasn'?t)\s+(?:\w+\s+)?{_ARRIVAL}\b",
        r"\bstill\s+(?:waiting|waitin|no\s+sign|nothing|no\s+(?:order|parcel|package|delivery))\b|\bno\s+sign\s+of\b",
        rf"\bwhere(?:'?s|\s+is|\s+are|\s+the\s+hell\s+is|\s+tf\s+is)\s+(?:my|our|the)\s+(?:\w+\s+)?{_PARCEL}\b",
        r"\b(?:late|delayed|overdue|delay|delays)\b(?!\s+(?:fee|payment|charge|to\b))|\bdays\s+(?:past\s+(?:the\s+)?(?:eta|due)|behind)\b",
        r"\b(?:was|were|supposed\s+to|meant\s+to|should\s+have|should'?ve)\s+(?:be\s+|have\s+)?(?:due|arrive\w*|come|been\s+(?:here|delivered)|be\s+here|be\s+delivered|delivered)\b",
        r"\b(?:stuck|lost)\s+(?:in\s+(?:transit|the\s+post|the\s+mail)|at\s+(?:the\s+)?(?:depot|hub|warehouse))\b|\bmissing\s+(?:parcel|package|order|delivery)\b",
        rf"\bnothing(?:'?s|\s+has|\s+have)?\s+(?:\w+\s+)?{_ARRIVAL}\b|\b(?:days|weeks)\s+and\s+counting\b|\bwhere\s+is\s+it\b",
        r"\bstill\s+(?:not|hasn'?t|has\s+not|haven'?t|isn'?t)\s+(?:even\s+)?(?:been\s+)?(?:shipped|dispatched|sent|posted)\b|"
        r"\b(?:not|hasn'?t|has\s+not|haven'?t|never)\s+(?:even\s+)?(?:been\s+)?(?:shipped|dispatched|sent|posted)\s+(?:after|in|for)\s+(?:\d+|a|two|three)\b",
        r"\bdue\s+(?:on\s+|last\s+)?(?:mon|tue|wed|thu|fri|sat|sun)\w*\b[^?]{0,40}?\b(?:nothing|still|no\s+sign|where)\b",
        r"\b(?:couldn'?t|could\s+not|failed\s+to|didn'?t|did\s+not|never)\s+deliver\b|\bfailed\s+delivery\b|\bhours?\s+late\b|\d+\s*hours?late\b",
        r"\blost\s+(?:my|the|our)\s+(?:package|parcel|order|delivery)\b|\b(?:not|never)\s+(?:gonna|going\s+to)\s+(?:receive|get|arrive)\b",
        r"\b(?:didn'?t|did\s+not|never)\s+(?:get|receive)\s+(?:my|the|our)\s+(?:delivery|order|parcel|package)\b|\bstill\s+(?:no\s+show|says\s+out\s+for\s+delivery)\b",
        r"\bwhen\s+will\s+i\s+(?:receive|get)\s+(?:my|the|it)\b",
        rf"\b(?:is|are)\s+(?:my|the|our)\s+(?:\w+\s+)?{_PARCEL}\s+(?:\w+\s+)?(?:still\s+)?(?:coming|arriving|going\s+to\s+(?:come|arrive)|on\s+(?:its|their|the)\s+way)\b",
        r"\b(?:was|were)\s+(?:promised|expected)\s+(?:for|on|by)\b|\b(?:weeks?|days?)\s+(?:of\s+)?waiting\b|\bwaiting\s+(?:for\s+)?(?:\d+|two|three|four|five|six|a)\s+(?:days|weeks|week)\b",
    ),
    "not_arrived": _any(
        r"\b(?:says|said|saying|shows|showed|showing|marked|claims|claimed|listed|updated|status|tracking)\b[^.!?\n]{0,30}?(?<!be\s)\b(?:delivered|dlvd)\b"
        r"[^.!?\n]{0,60}?\b(?:but|yet|never|not|nothing|no\s+sign|where|nowhere|didn'?t|haven'?t|hasn'?t|isn'?t|can'?t|cannot|no\s+one|nobody)\b",
        r"\b(?:never|not|didn'?t|haven'?t|hasn'?t|still\s+not)\s+(?:\w+\s+)?(?:arrived|received|got\s+it|here|turned\s+up|come)\b"
        r"[^.!?\n]{0,60}?\b(?:says|said|shows|marked|claims|tracking|apparently)\b[^.!?\n]{0,20}?\bdelivered\b",
        r"\bleft\s+(?:it\s+)?(?:with|at|in|behind)\b[^.!?\n]{0,60}?(?:nobody|no\s+one|not\s+there|isn'?t\s+there|nothing)\b|"
        r"\b(?:sent|delivered|went|gone|taken|shipped)\s+(?:it\s+|my\s+order\s+|the\s+order\s+)?to\s+(?:the\s+)?wrong\s+(?:address|house|country|flat|street|door|person|city)\b",
        r"\bsaid\s+to\s+(?:be|have\s+been)\s+delivered\b|\bsigned\s+for\b[^.!?\n]{0,40}?\b(?:wasn'?t\s+me|not\s+me|no\s+one|nobody|someone)\b|\bnowhere\s+to\s+be\s+(?:found|seen)\b",
        r"\"delivered\"|'delivered'|“delivered”|\bdelivered\s+to\s+(?:the\s+)?(?:wrong|someone\s+else|another|a\s+different|my\s+neighbou?r)",
    ),
    "cancel": _any(
        r"\b(?:please|pls|plz|can\s+(?:you|u|i)|could\s+(?:you|u|i)|want\s+to|wanna|need\s+to|like\s+to|how\s+(?:do|can)\s+i|"
        r"i'?d\s+like\s+to|trying\s+to|tried\s+to|let\s+me|help\s+me|just|i\s+wish\s+to|wish\s+to)\s+(?:\w+\s+)?canc(?:el+|le)\b",
        r"\bcanc(?:el+|le)\s+(?:my|the|this|that|it|order|purchase|asap|now|immediately|please|pls)\b",
        r"\b(?:request|want|need|like|process|confirm)\s+(?:a\s+|the\s+|my\s+)?cancel+ation\b|\bdon'?t\s+(?:want|need)\s+(?:it|them|the\s+order|this\s+order)\s+any\s?more\b|\bno\s+longer\s+(?:want|need)\s+(?:it|them|the\s+order)\b",
        r"\bstop\s+(?:my|the|this)\s+order\b",
    ),
    "address_change": _any(
        r"\b(?:change|update|amend|correct|edit|fix|changing|updating)\s+(?:my|the|our)?\s*(?:delivery\s+|shipping\s+|postal\s+|home\s+)?address\b",
        r"\b(?:new|different|correct|right|updated)\s+(?:delivery\s+|shipping\s+)?address\b",
        r"\b(?:wrong|old|incorrect)\s+(?:delivery\s+|shipping\s+)?address\s+(?:on|for|in)\b|\bput\s+(?:in\s+)?(?:the|my|an)\s+(?:wrong|old)\s+address\b",
        r"\b(?:send|deliver|ship|redirect)\w*\s+(?:it|them|this|my\s+order|the\s+\w+)?\s*to\s+(?:my\s+)?(?:work|office|mum'?s|mom'?s|parents'?|new\s+place|\d+[^.!?\n]{0,60})\s*instead\b",
        r"\b(?:moved|moving)\s+(?:house|home|flat|address)\b|\baddress\s+change\b|\bredirect\w*\b",
        r"\b(?:wrong|old|incorrect)\s+(?:postcode|zip\s*code|house\s+number|flat\s+number)\b|\btypo\s+in\s+(?:my|the)\s+(?:address|postcode|zip|house\s+number|street)\b",
        r"\bchange\s+where\s+(?:my\s+order|my\s+parcel|it|the\s+order|my\s+delivery)\s+(?:is\s+going|goes|is\s+(?:being\s+)?(?:sent|delivered))\b",
        r"\b(?:can|could)\s+(?:it|they|you\s+send\s+it)\s+(?:go|be\s+sent|be\s+delivered)\s+to\b[^.!?\n]{0,60}\binstead\b",
    ),
    "account_access": _any(
        r"\b(?:can'?t|cant|cannot|can\s+not|unable\s+to|won'?t\s+let\s+me|wont\s+let\s+me|not\s+able\s+to|couldn'?t|cant)\s+(?:\w+\s+)?(?:log\s?in|login|log\s+on|sign\s?in|sign\s+on|get\s+into|access)\s*(?:to\s+)?(?:my|the|your)?\s*(?:acc|account|profile|app|site|website)?\b",
        r"\blocked\s+out\b|\b(?:account|acc)\s+(?:\w+\s+){0,2}(?:locked|blocked|disabled|suspended)\b",
        r"\b(?:disabled|locked|blocked|suspended)\b[^.!?\n]{0,30}\b(?:log\s?in|sign\s?in|log\s+on)\b",
        r"\b(?:not\s+(?:allowing|letting)\s+me|won'?t\s+allow\s+me)\s+(?:to\s+)?(?:log\s?in|sign\s?in|access)\b|\bdon'?t\s+remember\s+(?:the|my|which)\s+(?:email|password|login)\b",
        r"\b(?:reset|forgot|forgotten|lost|change|recover|remember)\s+(?:my\s+|the\s+)?(?:password|pw|pwd|passcode|login)\b|\bpassword\s+reset\b|\breset\s+(?:links?|e-?mails?)\b",
        r"\blog\s?in\s+(?:page\s+)?(?:is\s+)?(?:broken|not\s+working|down)\b",
        r"\b(?:password|login)\s+(?:doesn'?t|does\s+not|won'?t|isn'?t|not)\s+work\w*\b",
    ),
}
# Explicit refusals keep a need out whatever a cue or the model says.
_REFUSED: dict[NeedLabel, re.Pattern[str]] = {
    "refund": _any(
        r"\b(?:don'?t|do\s+not|dont|not|no\s+need\s+for\s+a|never)\s+(?:\w+\s+){0,2}(?:want|need|asking\s+for|looking\s+for|after)\s+(?:a\s+|the\s+|my\s+|any\s+)?(?:refund|money\s+back)",
        r"(?<!n't\s)(?<!nt\s)(?<!not\s)(?<!never\s)\b(?:already|been|got|was|were|getting\s+refunded|have\s+been|has\s+been|i'?ve\s+been|received\s+(?:a|the|my)|provided\s+(?:me\s+)?(?:a|the|my))\s+(?:\w+\s+)?refund(?:ed)?\b(?![^.!?\n]{0,40}\b(?:but|still|yet|only|twice|when)\b)",
        r"\brefund\s+(?:has\s+|have\s+)?(?:came|come|arrived|landed|went|gone|been)\s+(?:through|in|back|processed)\b",
    ),
    "replacement": _any(
        r"\b(?:don'?t|do\s+not|dont|not|no\s+need\s+for\s+a|never)\s+(?:\w+\s+){0,2}(?:want|need|asking\s+for|looking\s+for|after)\s+(?:a\s+|the\s+|another\s+|any\s+)?(?:replacement|new\s+one|another)",
        r"\bno\s+replacement\b",
    ),
    "damaged_item": _any(r"\b(?:undamaged|no\s+damage|not\s+(?:a\s+)?(?:scratch|mark|dent)\s+on\s+it|perfect\s+condition|mint\s+condition)\b"),
    "cancel": _any(r"\b(?:don'?t|do\s+not|dont|not)\s+(?:\w+\s+)?(?:want|need|going)\s+to\s+cancel\b|\bno\s+need\s+to\s+cancel\b"),
    # the customer's own slip ("ordered the wrong size") is a reason to cancel, not a wrong item sent
    "wrong_item": _any(
        r"\b(?:i|i'?ve|we)\s+(?:\w+\s+)?(?:ordered|picked|chose|bought|selected|put|typed|clicked)\s+(?:in\s+)?(?:the|a)\s+wrong\b",
        r"(?:^|[.!?,;]\s*)(?:i\s+)?ordered\s+the\s+wrong\b|\bordered\s+(?:it|this|that|the\s+\w+)\s+by\s+(?:mistake|accident|acident)\b",
    ),
}
# What a cue is about, read in its clause: a broken link, website or promise is no damaged item,
# a wrong link or wrong information no wrong item, and a wait for a refund, an email or a code no
# late parcel.
_CUE_CHECKS: dict[NeedLabel, re.Pattern[str]] = {
    "damaged_item": _NOT_THE_PRODUCT,
    "wrong_item": re.compile(r"\b(?:link|links|website|site|app|page|url|info|information|number|email|address|answer|answers)\b"),
    "late_delivery": re.compile(
        r"\brefund|\bmoney\b|\brepl(?:y|ies)\b|\bresponses?\b|\be-?mails?\b|\bcall\s*back\b|\bcodes?\b|\banswers?\b|"
        r"\blinks?\b|\breset\b|\bsms\b|\btexts?\b|\bverification\b|\b2fa\b|\botp\b|\bpassword\b"
    ),
}
_SUBSCRIPTION = re.compile(r"\b(?:membership|subscription|account|plan|prime|contract|flight|booking|reservation|trip|ride|service|card|policy|direct\s+debit|taxi)\b")
# A post that asks to cancel and names a wrong address gives a reason; a change is asked in words.
_ADDRESS_REQUEST = re.compile(r"\b(?:change|update|amend|correct|fix|redirect|new\s+address|send\s+it\s+to|deliver\s+(?:it\s+)?to|go\s+to)\b")
_ADDRESS_NOT_DELIVERY = re.compile(r"\be-?mail\s+address\b|\bip\s+address\b")
_QUESTION = re.compile(
    r"\?|^\W*(?:@\w+\s+)*(?:do|does|did|can|could|will|would|is|are|when|how|what|where|which|why|who|any)\b(?!')"
)
_CHARGEBACK = re.compile(r"\bcharge\s?-?backs?\b|\bdispute\s+(?:it|the\s+charge)\s+with\s+my\s+bank\b", re.I)


def _needs(text: str, folded: str, model: NeedsClassifier) -> tuple[NeedLabel, ...]:
    """The post's needs in the order it raises them: cues (less refusals and negations) joined by
    what the model is sure of; a question only when nothing else is asked."""
    found: dict[NeedLabel, int] = {}
    for label, pattern in _CUES.items():
        position = _first_cue(label, pattern, folded)
        if position is not None:
            found[label] = position
    for label in model.sure(text):
        check = _CUE_CHECKS.get(label)  # what keeps a cue out keeps the model's guess out anywhere
        if label not in found and not (check and check.search(folded)):
            found[label] = len(folded)
    for label, refusal in _REFUSED.items():
        if label in found and refusal.search(folded):
            del found[label]
    if "not_arrived" in found:
        found.pop("late_delivery", None)
    if "cancel" in found and not re.search(r"\border", folded):
        where = found["cancel"]  # a membership or a flight cancelled is no order
        if _SUBSCRIPTION.search(_clause(folded, where, where) if where < len(folded) else folded):
            del found["cancel"]
    if "address_change" in found and "cancel" in found and not _ADDRESS_REQUEST.search(folded):
        del found["address_change"]
    if "address_change" in found and _ADDRESS_NOT_DELIVERY.search(folded) and not re.search(r"\b(?:delivery|shipping|postal)\s+address\b", folded):
        del found["address_change"]
    others = [label for label in found if label != "question"]
    if others:
        found.pop("question", None)
    elif _QUESTION.search(folded):
        found.setdefault("question", 0)
    return tuple(sorted(found, key=lambda label: (found[label], NEEDS.index(label))))


def _first_cue(label: NeedLabel, pattern: re.Pattern[str], folded: str) -> int | None:
    """Where the first cue of `label` that is neither negated ("not damaged") nor about the wrong
    thing ("broken link") starts, if any."""
    check = _CUE_CHECKS.get(label)
    for match in pattern.finditer(folded):
        before = folded[max(0, match.start() - 30) : match.start()]
        if label in ("damaged_item", "wrong_item", "double_charge") and _NEGATION.search(before):
            continue
        if check and check.search(_clause(folded, match.start(), match.end())):
            continue
        return match.start()
    return None


_CLAUSE_END = re.compile(r"[.!?;,\n]|\b(?:and|but|also|plus)\b")


def _clause(folded: str, start: int, end: int) -> str:
    """The clause around `folded[start:end]`: from the last punctuation or conjunction before it
    (at most 60 characters back) to the next one after it."""
    before = folded[max(0, start - 60) : start]
    cuts = [m.end() for m in _CLAUSE_END.finditer(before)]
    after = _CLAUSE_END.search(folded, end)
    return before[cuts[-1] if cuts else 0 :] + folded[start : after.start() if after else len(folded)]


def _legal_threat(text: str) -> bool:
    """A threat of legal or regulatory action (lawyers, suing, small claims, trading standards),
    as the triage risk flag reads it; a chargeback is a customer's right with their bank, not one."""
    return "legal_threat" in risk_flags(_CHARGEBACK.sub(" ", text))
