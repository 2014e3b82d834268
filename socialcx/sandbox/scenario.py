"""Scenarios: the mentions a sandbox serves, generated from a seed or replayed from a file.

A generated scenario is a reproducible stream: the same spec, start, seed and account give the
same mentions, to the character. Volume follows a daily and weekly rhythm (hours in UTC: quiet
at 4am, busiest around noon and early evening, calmer at weekends); the mix holds routine
questions, complaints, praise, spam and chatter, in the way people write on social media; and
incidents add a surge about one topic. Every generated mention has a `Truth` (its intent, whether
it is routine, which incident it belongs to) that the API never shows: tests and the demo read
it from `Scenario.truth`, `Sandbox.truth()` or `GET /_sandbox/truth`.

    >>> scenario = load_scenario("default", start=datetime(2026, 11, 23, tzinfo=UTC), seed=7)
    >>> first = scenario.posts[0]
    >>> scenario.truth[(first.channel, first.id)].intent   # e.g. 'order_status'
"""

from __future__ import annotations

import itertools
import json
import random
import re
import zlib
from collections import Counter, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any

from socialcx.channels import Channel
from socialcx.sandbox import phrases
from socialcx.sandbox.posts import Author, Post, PostKind, post_id, post_key

__all__ = [
    "CHANNEL_MIX",
    "ROUTINE_INTENTS",
    "SCENARIOS",
    "Incident",
    "Scenario",
    "ScenarioSpec",
    "Truth",
    "generate",
    "load_scenario",
    "relative_volume",
    "replay",
]

ROUTINE_INTENTS = frozenset(
    {"order_status", "shipping_delay", "refund", "store_hours", "account_access"}
)
# Where a brand's mentions land, as shares of all of them.
CHANNEL_MIX: Mapping[Channel, float] = MappingProxyType(
    {
        Channel.X: 0.55,
        Channel.REDDIT: 0.2,
        Channel.MASTODON: 0.1,
        Channel.BLUESKY: 0.08,
        Channel.HACKERNEWS: 0.04,
        Channel.RSS: 0.03,
    }
)


@dataclass(frozen=True, slots=True)
class Truth:
    """What a generated mention really is: the answer key for triage, spikes and the responder.

    `routine` is true for a routine intent with no risk raised, outside any incident.
    """

    channel: Channel
    external_id: str
    created_at: datetime
    intent: str
    routine: bool
    incident: str | None
    sentiment: str
    language: str
    risks: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Incident:
    """A surge of `mentions` about one `topic` (a key of `phrases.INCIDENTS`), starting `at` after
    the scenario start, rising fast and fading over `duration`."""

    topic: str
    at: timedelta
    duration: timedelta
    mentions: int


@dataclass(frozen=True, slots=True)
class ScenarioSpec:
    """The shape of a generated scenario: `mentions` spread over `days` by the rhythm, plus the
    incidents' own, each on a channel drawn by the relative weights of `channels`."""

    days: int
    mentions: int
    incidents: tuple[Incident, ...] = ()
    channels: Mapping[Channel, float] = field(default_factory=lambda: CHANNEL_MIX)


SCENARIOS: dict[str, ScenarioSpec] = {
    "default": ScenarioSpec(
        days=2,
        mentions=2_000,
        incidents=(Incident("checkout-outage", timedelta(hours=37), timedelta(hours=3), 300),),
    ),
    "quiet": ScenarioSpec(days=1, mentions=200),
    "bench": ScenarioSpec(  # 50,000 mentions in all
        days=7,
        mentions=48_000,
        incidents=(
            Incident("checkout-outage", timedelta(days=2, hours=13), timedelta(hours=3), 1_200),
            Incident("double-charge", timedelta(days=5, hours=10), timedelta(hours=6), 800),
        ),
    ),
}


@dataclass(frozen=True, slots=True)
class Scenario:
    """The posts of a scenario, oldest first, with our account and the truth of each mention
    (by channel and id; replayed mentions have none)."""

    name: str
    start: datetime
    account: Author
    posts: tuple[Post, ...]
    truth: Mapping[tuple[Channel, str], Truth]


def load_scenario(
    scenario: str | Path, *, start: datetime, seed: int = 0, account: str = "acme"
) -> Scenario:
    """A named scenario (`default`, `quiet`, `bench`) generated from `start`, or a JSONL file
    replayed from `start`. Raises ValueError for anything else."""
    if isinstance(scenario, str) and scenario in SCENARIOS:
        return generate(SCENARIOS[scenario], name=scenario, start=start, seed=seed, account=account)
    path = Path(scenario)
    if path.suffix == ".jsonl" and path.is_file():
        return replay(path, start=start)
    raise ValueError(
        f"unknown scenario {str(scenario)!r}: use one of {', '.join(SCENARIOS)}, "
        "or a .jsonl file to replay"
    )


# Relative volume per hour of the day (UTC) and per weekday (Monday first).
_DAILY = (
    0.25,
    0.15,
    0.1,
    0.08,
    0.07,
    0.1,
    0.25,
    0.6,
    1.0,
    1.3,
    1.45,
    1.55,
    1.6,
    1.55,
    1.45,
    1.35,
    1.3,
    1.35,
    1.45,
    1.5,
    1.35,
    1.05,
    0.7,
    0.4,
)
_WEEKLY = (1.1, 1.05, 1.0, 1.0, 0.95, 0.8, 0.75)
_INTENT_WEIGHTS = {
    "order_status": 16,
    "shipping_delay": 10,
    "refund": 8,
    "store_hours": 6,
    "account_access": 5,
    "complaint": 17,
    "praise": 12,
    "spam": 8,
    "other": 18,
}
_SENTIMENT = {
    "shipping_delay": "negative",
    "account_access": "negative",
    "complaint": "negative",
    "outage": "negative",
    "praise": "positive",
}
_LANGUAGE_WEIGHTS = {"en": 86, "es": 5, "fr": 3, "de": 3, "pt": 3}
_RISKY_INTENTS = ROUTINE_INTENTS | {"complaint"}
_INTENTS, _INTENT_CUMULATIVE = (
    tuple(_INTENT_WEIGHTS),
    tuple(itertools.accumulate(_INTENT_WEIGHTS.values())),
)
_LANGUAGES = tuple(_LANGUAGE_WEIGHTS)
_LANGUAGE_CUMULATIVE = tuple(itertools.accumulate(_LANGUAGE_WEIGHTS.values()))
_RISK_FLAGS = tuple(sorted(phrases.RISKS))
_SLOT = re.compile(r"\{(\w+)\}")
_TITLE_CHARS = 300  # Reddit's limit on a submission title
_HN_TITLE_CHARS = 80  # Hacker News's limit on a story title
_HN_PREFIXES = ("Ask HN: ", "Tell HN: ", "")
FEEDS = ("reviews", "blog", "alerts")  # where blogs and review sites write about the brand
_BLOG_TITLES = (
    "My experience with {brand}",
    "A few words about {brand}",
    "{brand}: what happened",
    "Notes on {brand} customer service",
    "{brand}, again",
)
_HASHTAG_RATE = {Channel.X: 0.12, Channel.MASTODON: 0.3, Channel.BLUESKY: 0.08}  # Mastodon loves tags
_ALPHANUMERIC = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def generate(
    spec: ScenarioSpec,
    *,
    start: datetime,
    seed: int = 0,
    account: str = "acme",
    name: str = "custom",
) -> Scenario:
    """Generate a scenario from `start`; the same arguments always give the same scenario."""
    rng = random.Random(seed)
    arrivals: list[tuple[float, Incident | None]] = [
        (offset, None) for offset in _rhythm(rng, spec, start)
    ]
    for incident in spec.incidents:
        if incident.topic not in phrases.INCIDENTS:
            raise ValueError(
                f"unknown incident topic {incident.topic!r}; "
                f"topics are {', '.join(phrases.INCIDENTS)}"
            )
        span = incident.duration.total_seconds()
        arrivals += [
            (incident.at.total_seconds() + span * rng.betavariate(1.5, 4.0), incident)
            for _ in range(incident.mentions)
        ]
    arrivals.sort(key=lambda arrival: arrival[0])
    writer = _Writer(rng, account, authors=max(50, min(20_000, len(arrivals) // 3)))
    channels = tuple(spec.channels)
    shares = tuple(itertools.accumulate(spec.channels.values()))
    posts, truth = [], {}
    for seq, (offset, incident) in enumerate(arrivals):
        created_at = start + timedelta(milliseconds=round(offset * 1000))
        channel = rng.choices(channels, cum_weights=shares)[0]
        post, found = writer.mention(channel, post_key(created_at, seq), created_at, incident)
        posts.append(post)
        truth[(channel, post.id)] = found
    return Scenario(name, start, writer.account, tuple(posts), truth)


def relative_volume(moment: datetime) -> float:
    """How busy the brand's channels are at `moment` (UTC) by the rhythm: 1.0 is 8am on a Wednesday."""
    return _DAILY[moment.hour] * _WEEKLY[moment.weekday()]


def _rhythm(rng: random.Random, spec: ScenarioSpec, start: datetime) -> list[float]:
    """Seconds after `start` of the background mentions, drawn hour by hour from the rhythm."""
    hours = spec.days * 24
    weights = [relative_volume(start + timedelta(hours=hour, minutes=30)) for hour in range(hours)]
    slots = rng.choices(
        range(hours), cum_weights=list(itertools.accumulate(weights)), k=spec.mentions
    )
    return [(slot + rng.random()) * 3600 for slot in slots]


class _Writer:
    """Writes mentions the way people do: templates filled in, then typos, emojis, hashtags, links,
    lower case and the odd risky sentence, all drawn from one seeded random source."""

    def __init__(self, rng: random.Random, account: str, *, authors: int) -> None:
        self.rng = rng
        self.brand = account
        self.account = _account_author(account)
        self.authors = self._authors(authors, phrases.FIRST_NAMES, phrases.WORDS)
        self.spammers = self._authors(
            max(5, authors // 50), phrases.SPAM_WORDS, ("bot", "x", "pro")
        )
        self.threads: deque[Post] = deque(
            maxlen=5
        )  # recent Reddit submissions in the brand's subreddit
        self.stories: deque[Post] = deque(maxlen=5)  # recent Hacker News stories

    def _authors(self, count: int, first: tuple[str, ...], second: tuple[str, ...]) -> list[Author]:
        rng, handles, authors = self.rng, set(), []
        while len(authors) < count:
            style = rng.randrange(3)
            one, two = rng.choice(first), rng.choice(second)
            handle = (
                f"{one}_{two}",
                f"{one}{rng.randrange(10, 9999)}",
                f"{two}_{one}{rng.randrange(10, 99)}",
            )[style][:15].rstrip("_")  # one handle on every channel: X allows 15 characters
            if handle in handles:
                continue
            handles.add(handle)
            name = one.title() if style else f"{one.title()} {two.title()}"
            followers = int(rng.lognormvariate(5.0, 1.5))
            authors.append(Author(str(rng.randrange(10**8, 10**18)), handle, name, followers))
        return authors

    def mention(
        self, channel: Channel, key: int, created_at: datetime, incident: Incident | None
    ) -> tuple[Post, Truth]:
        rng = self.rng
        if incident:
            intent, templates = phrases.INCIDENTS[incident.topic]
        else:
            intent = rng.choices(_INTENTS, cum_weights=_INTENT_CUMULATIVE)[0]
            templates = phrases.TEMPLATES[intent]
        language = rng.choices(_LANGUAGES, cum_weights=_LANGUAGE_CUMULATIVE)[0]
        language = language if language in templates else "en"
        sentiment = _SENTIMENT.get(intent, "neutral")
        author = rng.choice(self.spammers if intent == "spam" else self.authors)
        threads = {Channel.REDDIT: self.threads, Channel.HACKERNEWS: self.stories}.get(channel)
        kind: PostKind = "comment" if threads and rng.random() < 0.7 else "post"
        fill = self._filler(channel, kind, author)
        text = _SLOT.sub(fill, rng.choice(templates[language]))
        risks: tuple[str, ...] = ()
        if language == "en" and intent in _RISKY_INTENTS and rng.random() < 0.05:
            risk = rng.choice(_RISK_FLAGS)
            risks = (risk,)
            text += rng.choice((". ", ", ", " - ")) + _SLOT.sub(
                fill, rng.choice(phrases.RISKS[risk])
            )
        text = self._decorate(text, channel, sentiment, intent, fill)
        score = int(rng.paretovariate(1.5)) - 1 + author.followers // 2_000
        post = self._post(channel, key, created_at, author, text, language, kind, score)
        truth = Truth(
            channel=channel,
            external_id=post.id,
            created_at=created_at,
            intent=intent,
            routine=intent in ROUTINE_INTENTS and not risks and incident is None,
            incident=incident.topic if incident else None,
            sentiment=sentiment,
            language=language,
            risks=risks,
        )
        return post, truth

    def _filler(
        self, channel: Channel, kind: PostKind, author: Author
    ) -> Callable[[re.Match[str]], str]:
        """The slot values of one mention, drawn as the template asks for them."""
        rng = self.rng

        def fill(slot: re.Match[str]) -> str:
            name = slot.group(1)
            if name == "brand":
                return self._brand(channel, kind)
            if name == "brand_name":
                return self.brand
            if name == "order":
                return rng.choice(("#A", "#", "order no. ")) + str(rng.randrange(1000, 999999))
            if name == "link":
                host = "https://t.co/" if channel is Channel.X else "https://bit.ly/"
                return host + "".join(rng.choices(_ALPHANUMERIC, k=10))
            if name == "digits":
                return str(rng.randrange(100, 999))
            if name == "handle":
                return author.handle
            return rng.choice(phrases.SLOTS[name])

        return fill

    def _brand(self, channel: Channel, kind: PostKind) -> str:
        """How people name the brand: mostly a mention on X; on Mastodon a mention, else its
        hashtag or name; on Bluesky a mention of the full handle or the name; by name on Reddit
        (or `u/` in comments), Hacker News and blogs."""
        roll = self.rng.random()
        if channel is Channel.X:
            return (
                f"@{self.brand}"
                if roll < 0.85
                else f"@{self.brand.title()}"
                if roll < 0.95
                else self.brand
            )
        if channel is Channel.MASTODON:
            return (
                f"@{self.brand}"
                if roll < 0.7
                else f"#{self.brand}"
                if roll < 0.85
                else self.brand.title()
            )
        if channel is Channel.BLUESKY:
            return f"@{self.brand}.bsky.social" if roll < 0.65 else self.brand.title()
        if channel is Channel.REDDIT and kind == "comment" and roll < 0.35:
            return f"u/{self.brand}"
        return self.brand.title()

    def _decorate(
        self,
        text: str,
        channel: Channel,
        sentiment: str,
        intent: str,
        fill: Callable[[re.Match[str]], str],
    ) -> str:
        rng = self.rng
        if intent == "complaint" and rng.random() < 0.08:
            text += " " + _SLOT.sub(fill, "{link}")
        if intent != "spam" and rng.random() < 0.35:
            text += " " + rng.choice(phrases.EMOJIS[sentiment])
        if channel in _HASHTAG_RATE and intent != "spam" and rng.random() < _HASHTAG_RATE[channel]:
            text += " " + rng.choice(phrases.TAGS[sentiment])
        if rng.random() < 0.12:
            text = _typo(rng, text)
        if rng.random() < 0.25:
            text = text.lower()
        return text

    def _post(
        self,
        channel: Channel,
        key: int,
        created_at: datetime,
        author: Author,
        text: str,
        language: str,
        kind: PostKind,
        score: int,
    ) -> Post:
        """The post itself; on Reddit a comment joins a recent thread in the brand's subreddit and a
        submission goes there or to a general subreddit, its text as the title."""
        external_id = post_id(channel, key)
        fields: dict[str, Any] = {"conversation_id": external_id}
        if channel is Channel.REDDIT and kind == "comment":
            thread = self.rng.choice(self.threads)
            fields = {
                "community": thread.community,
                "in_reply_to": f"t3_{thread.id}",
                "parent_author": thread.author,
                "conversation_id": thread.id,
            }
        elif channel is Channel.REDDIT:
            fields["community"] = (
                self.brand if self.rng.random() < 0.6 else self.rng.choice(phrases.SUBREDDITS)
            )
            fields["title"], text = text[:_TITLE_CHARS], ""
        elif channel is Channel.HACKERNEWS and kind == "comment":
            story = self.rng.choice(self.stories)
            fields = {
                "in_reply_to": story.id,
                "parent_author": story.author,
                "conversation_id": story.id,
            }
        elif channel is Channel.HACKERNEWS:
            fields["title"], text = self._story(text)
        elif channel is Channel.RSS:
            fields["community"] = self.rng.choice(FEEDS)
            fields["title"] = self.rng.choice(_BLOG_TITLES).format(brand=self.brand.title())
        post = Post(
            channel,
            key,
            external_id,
            created_at,
            author,
            text,
            language,
            kind,
            score=score,
            **fields,
        )
        if post.title is not None and post.community == self.brand:
            self.threads.append(post)
        if channel is Channel.HACKERNEWS and kind == "post":
            self.stories.append(post)
        return post

    def _story(self, text: str) -> tuple[str, str]:
        """A Hacker News story's title and text: a short mention may be a link story's title;
        else it is an Ask or Tell HN post, titled with its start."""
        prefix = self.rng.choice(_HN_PREFIXES)
        if not prefix and len(text) <= _HN_TITLE_CHARS:
            return text, ""
        prefix = prefix or "Ask HN: "
        room = _HN_TITLE_CHARS - len(prefix)
        start = text if len(text) <= room else text[: room - 1].rsplit(" ", 1)[0] + "…"
        return prefix + start, text


def _typo(rng: random.Random, text: str) -> str:
    """One slip of the thumb in a longer plain word: two letters swapped, one dropped or doubled."""
    words = text.split(" ")
    candidates = [index for index, word in enumerate(words) if word.isalpha() and len(word) > 3]
    if not candidates:
        return text
    index = rng.choice(candidates)
    word, at = words[index], rng.randrange(1, len(words[index]) - 1)
    swapped = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    words[index] = rng.choice(
        (swapped, word[:at] + word[at + 1 :], word[:at] + word[at] + word[at:])
    )
    return " ".join(words)


def _account_author(handle: str) -> Author:
    """Our brand's own account on every channel, with a stable numeric id."""
    return Author(_numeric_id(f"account:{handle}"), handle, f"{handle.title()} Support", 25_000)


def _utc(moment: datetime) -> datetime:
    """A time without an offset means UTC, as in ingest."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _numeric_id(value: str) -> str:
    """A stable numeric id for a name, as X user ids are numbers."""
    return value if value.isdigit() else str(10**9 + zlib.crc32(value.encode("utf-8")))


def replay(path: Path, *, start: datetime) -> Scenario:
    """The mentions of a JSONL file, moved so the first starts at `start`, gaps kept.

    Reads both `socialcx mentions export --format jsonl` lines and TWCS sample lines
    (`tweet_id`, `brand`, `created_at`, `text`, `brand_reply`). Ids are minted anew so they follow
    time, as the APIs' cursors need; our account is the brand named most often. Raises ValueError
    naming the line of anything else.
    """
    with path.open(encoding="utf-8") as lines:
        mentions = [
            _Replayed.parse(line, f"{path}:{number}")
            for number, line in enumerate(lines, 1)
            if line.strip()
        ]
    if not mentions:
        raise ValueError(f"{path} holds no mentions to replay")
    mentions.sort(key=lambda mention: mention.created_at)
    origin = mentions[0].created_at
    brand = Counter(mention.brand for mention in mentions).most_common(1)[0][0]
    posts = []
    for seq, mention in enumerate(mentions):
        created_at = start + (mention.created_at - origin)
        key = post_key(created_at, seq)
        external_id = post_id(mention.channel, key)
        fields: dict[str, Any] = {"conversation_id": external_id, "kind": mention.kind}
        text = mention.text
        if mention.channel is Channel.REDDIT:
            community = re.search(r"/r/([^/]+)/", mention.url or "")
            fields["community"] = community.group(1) if community else mention.brand
            if mention.kind == "post":
                fields["title"], text = text[:_TITLE_CHARS], ""
        posts.append(
            Post(
                mention.channel,
                key,
                external_id,
                created_at,
                mention.author,
                text,
                mention.language,
                **fields,
            )
        )
    return Scenario(path.stem, start, _account_author(brand), tuple(posts), {})


@dataclass(frozen=True, slots=True)
class _Replayed:
    """One line of a replay file in our terms, whichever of the two formats it is in."""

    channel: Channel
    created_at: datetime
    brand: str
    author: Author
    text: str
    language: str | None
    url: str | None
    kind: PostKind

    @classmethod
    def parse(cls, line: str, where: str) -> _Replayed:
        try:
            item = json.loads(line)
            if "tweet_id" in item:
                handle = f"customer{item['tweet_id']}"
                return cls(
                    channel=Channel.X,
                    created_at=datetime.strptime(item["created_at"], "%a %b %d %H:%M:%S %z %Y"),
                    brand=item["brand"],
                    author=Author(_numeric_id(f"twcs:{item['tweet_id']}"), handle, handle, 0),
                    text=item["text"],
                    language=None,
                    url=None,
                    kind="post",
                )
            channel = Channel(item["channel"])
            handle = item.get("author_handle") or item.get("author_id") or "unknown"
            return cls(
                channel=channel,
                created_at=_utc(datetime.fromisoformat(item["created_at"].replace("Z", "+00:00"))),
                brand=item["watch"],
                author=Author(
                    _numeric_id(item.get("author_id") or handle),
                    handle,
                    item.get("author_name") or handle,
                    item.get("author_followers") or 0,
                ),
                text=item["text"],
                language=item.get("language"),
                url=item.get("url"),
                kind="comment"
                if channel is Channel.REDDIT and not item["external_id"].startswith("t3_")
                else "post",
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"{where}: not a mention to replay ({exc!r})") from None
