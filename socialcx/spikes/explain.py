"""What a spike is about: surging terms against the week before, sample mentions, and the mix.

Terms are ranked by the log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi &
Quinn 2008, "Fightin' Words"): a term's rate in the surge against its rate in the baseline, each
smoothed towards its overall rate, divided by its standard error. Unlike a plain ratio, this
does not crown a word seen twice and never before, and unlike raw counts it does not crown the
brand's own name, which is in every mention.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from socialcx.spikes.counts import ALL, SeriesKey
from socialcx.store import Mention, MentionTriage

__all__ = ["explain", "surging_terms", "terms_of"]

BASELINE = timedelta(days=7)
_BASELINE_SAMPLE = 5_000  # the most recent baseline mentions read; plenty for term rates
_WINDOW_LIMIT = 5_000
_SAMPLES = 5
_TERMS = 8
_MIN_Z = 1.96  # a term must surge beyond chance at about 95 %
_PRIOR_WEIGHT = 500.0  # pseudo-mentions' worth of words in the informative prior

_URL = re.compile(r"https?://\S+|www\.\S+")
_TOKEN = re.compile(r"#?[^\W\d_][\w'’-]*", re.UNICODE)
_STOPWORDS = frozenset(
    """a about after again all also am an and any are as at be been before being but by can could
    did do does doing don't for from get got had has have having he her here him his how i i'm if in
    into is it it's its just me more most my no not now of off on once only or other our out over
    own same she so some such than that that's the their them then there these they this those
    through to too under until up very was we were what when where which while who why will with
    would you your yours im ive dont cant didnt isnt wasnt still again really""".split()
)


def explain(connection: Connection, key: SeriesKey, start: datetime, end: datetime) -> dict[str, Any]:
    """The explanation stored with an alert: surging terms, five sample mentions (most reach
    first), and the intent, sentiment and channel mix of the series' mentions in [start, end)."""
    window = _mentions(connection, key, start, end, slice_=key.slice, limit=_WINDOW_LIMIT, newest_first=False)
    baseline = _mentions(connection, key, start - BASELINE, start, slice_=ALL, limit=_BASELINE_SAMPLE, newest_first=True)
    terms = surging_terms([row["text"] for row in window], [row["text"] for row in baseline])
    intents = Counter(row["intent"] for row in window if row["intent"])
    samples = sorted(window, key=lambda row: (-(row["author_followers"] or 0), row["created_at"]))[:_SAMPLES]
    intent = key.slice.removeprefix("intent:") if key.slice.startswith("intent:") else _top(intents)
    return {
        "topic": _topic(terms, intent, key),
        "intent": intent,
        "window": [start.isoformat(), end.isoformat()],
        "mentions": len(window),
        "terms": terms,
        "samples": [_sample(row) for row in samples],
        "intents": dict(intents.most_common()),
        "sentiments": dict(Counter(row["sentiment"] for row in window if row["sentiment"]).most_common()),
        "channels": dict(Counter(row["channel"] for row in window).most_common()),
    }


def terms_of(text: str) -> list[str]:
    """The words and hashtags of a post, lower-cased, without links, handles, numbers or stopwords."""
    words = _TOKEN.findall(_URL.sub(" ", re.sub(r"@\w+", " ", text)).lower())
    return [word for word in words if word.startswith("#") or (len(word) > 2 and word not in _STOPWORDS)]


def surging_terms(surge: Iterable[str], baseline: Iterable[str], *, limit: int = _TERMS) -> list[dict[str, Any]]:
    """Terms used more in `surge` than in `baseline`, by log-odds z-score, strongest first.

    Each term counts once per post, so one post repeating a word cannot make it surge.
    """
    ours = Counter(term for text in surge for term in set(terms_of(text)))
    theirs = Counter(term for text in baseline for term in set(terms_of(text)))
    n_ours, n_theirs = sum(ours.values()), sum(theirs.values())
    if not n_ours:
        return []
    total = ours + theirs
    n_total = n_ours + n_theirs
    ranked = []
    for term, count in ours.items():
        if count < 2:
            continue
        alpha = _PRIOR_WEIGHT * total[term] / n_total
        a0 = _PRIOR_WEIGHT
        delta = _log_odds(count, n_ours, alpha, a0) - _log_odds(theirs[term], n_theirs, alpha, a0)
        z = delta / math.sqrt(1 / (count + alpha) + 1 / (theirs[term] + alpha))
        if z >= _MIN_Z:
            ranked.append({"term": term, "count": count, "baseline": theirs[term], "z": round(z, 2)})
    ranked.sort(key=lambda entry: (-entry["z"], entry["term"]))
    return ranked[:limit]


def _log_odds(count: float, total: float, alpha: float, a0: float) -> float:
    return math.log((count + alpha) / max(total + a0 - count - alpha, 1e-9))


def _mentions(
    connection: Connection, key: SeriesKey, start: datetime, end: datetime, *, slice_: str, limit: int, newest_first: bool
) -> list[dict[str, Any]]:
    mention, triage = Mention.__table__, MentionTriage.__table__
    query = (
        sa.select(
            mention.c.channel, mention.c.external_id, mention.c.author_handle, mention.c.author_followers,
            mention.c.text, mention.c.url, mention.c.created_at, triage.c.intent, triage.c.sentiment,
        )
        .select_from(mention.outerjoin(triage, triage.c.mention_id == mention.c.id))
        .where(mention.c.watch == key.watch, mention.c.created_at >= start, mention.c.created_at < end)
        .order_by(mention.c.created_at.desc() if newest_first else mention.c.created_at)
        .limit(limit)
    )
    if key.channel != ALL:
        query = query.where(mention.c.channel == key.channel)
    if slice_ == "human":
        query = query.where(triage.c.routine.is_(False))
    elif slice_ == "negative":
        query = query.where(triage.c.sentiment == "negative")
    elif slice_.startswith("intent:"):
        query = query.where(triage.c.intent == slice_.removeprefix("intent:"))
    return [dict(row) for row in connection.execute(query).mappings()]


def _sample(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "channel": row["channel"],
        "external_id": row["external_id"],
        "author_handle": row["author_handle"],
        "author_followers": row["author_followers"],
        "text": row["text"][:280],
        "url": row["url"],
        "created_at": row["created_at"].isoformat(),
    }


def _top(counts: Counter[str]) -> str | None:
    return counts.most_common(1)[0][0] if counts else None


def _topic(terms: list[dict[str, Any]], intent: str | None, key: SeriesKey) -> str:
    """A few words for a subject line: the strongest surging term, else the intent, else the slice."""
    if terms:
        return f'"{terms[0]["term"]}"'
    if intent:
        return intent.replace("_", " ")
    return key.slice if key.slice != ALL else key.watch
