"""The responder's fixtures: mentions stored with a chosen triage, a playbook that answers
`order_status` automatically, and settings whose watch names our account @acme."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

from socialcx import Channel, connect
from socialcx.care.playbook import Playbook, load_playbook
from socialcx.config import Settings, load_settings
from socialcx.sandbox import Budget, Sandbox, ScenarioSpec, generate
from socialcx.store import Alert, Decision, InboxItem, Mention, MentionTriage, OutboxReply
from tests.connectors.conftest import CREDENTIAL_VALUES, CREDENTIALS

PLAYBOOK = """\
variables:
  order_link: "https://acme.example/orders"
max_age_minutes: 240
max_turns: 1
caps: {hour: 100, day: 1000}
defaults:
  min_confidence: 0.8
  channels: [x, reddit, mastodon, bluesky]
  per_author: {hour: 1, day: 3}
  per_channel: {hour: 30, day: 300}
intents:
  order_status:
    mode: auto
    templates:
      - "Hi @{author}, follow your order at {order_link}"
      - "@{author} your order's tracking is at {order_link}"
  store_info:
    mode: draft
    templates:
      - "Hi @{author}, we're open 9 to 6."
"""


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def _module_engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[sa.Engine]:
    """One migrated store per backend for a whole test module: migrating a fresh database for
    every test costs more than the tests themselves."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('responder') / 'socialcx.db'}"
    else:
        url = request.getfixturevalue("postgres").new_database()
    engine = connect(url)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(_module_engine: sa.Engine) -> sa.Engine:
    """The module's store, emptied before each test."""
    with _module_engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(table.delete())
    return _module_engine


@pytest.fixture
def settings() -> Settings:
    return Settings(watches=[{"name": "acme", "handles": ["@acme"], "keywords": ["acme"]}])


@pytest.fixture
def write_playbook(tmp_path: Path) -> Callable[[str], Playbook]:
    def write(text: str = PLAYBOOK) -> Playbook:
        path = tmp_path / "playbook.yaml"
        path.write_text(text, encoding="utf-8")
        return load_playbook(path)

    return write


@pytest.fixture
def playbook(write_playbook) -> Playbook:
    return write_playbook(PLAYBOOK)


_ids = itertools.count(1000)


@pytest.fixture
def add_mention(engine: sa.Engine, clock) -> Callable[..., int]:
    """Store a mention with its triage (a routine, confident order_status question by default)."""

    def add(**fields: Any) -> int:
        triage = {
            "intent": "order_status", "confidence": 0.95, "abstained": False, "sentiment": "neutral",
            "sentiment_score": 0.0, "urgency": "normal", "language": "en", "risks": [], "routine": True,
            "model_version": "test", "triaged_at": clock.now(),
        }
        for key in list(fields):
            if key in triage:
                triage[key] = fields.pop(key)
        external_id = str(next(_ids))
        mention = {
            "channel": "x", "external_id": external_id, "watch": "acme", "author_id": f"u{external_id}",
            "author_handle": f"jess{external_id}", "author_name": "Jess", "author_followers": 120,
            "text": "@acme where is my order?", "url": None, "created_at": clock.now() - timedelta(minutes=5),
            "fetched_at": clock.now(), "language": "en", "in_reply_to_id": None, "conversation_id": external_id,
            "raw": {},
        } | fields
        with engine.begin() as connection:
            mention_id = connection.execute(sa.insert(Mention.__table__).values(**mention).returning(Mention.__table__.c.id)).scalar_one()
            connection.execute(sa.insert(MentionTriage.__table__).values(mention_id=mention_id, **triage))
        return mention_id

    return add


OUTAGE = (
    "@acme checkout broken for anyone else? #acmedown",
    "is the @acme app down?? can't check out",
    "@acme website keeps giving me an error at payment",
    "@acme site is down AGAIN. been trying to order for an hour",
)


def open_alert(engine: sa.Engine, add_mention: Callable[..., int], clock, *, texts: tuple[str, ...] = OUTAGE, copies: int = 3) -> int:
    """A checkout outage as the detector leaves it: `copies` of each text stored between ten and
    six minutes ago (outage reports, not routed yet), and an open alert whose explanation read
    them; mentions stored after that (by default five minutes ago) are new to the incident."""
    now = clock.now()
    for n in range(copies):
        for index, text in enumerate(texts):
            add_mention(
                text=text, intent="outage_or_bug", routine=False, author_handle=f"seed{n}_{index}",
                created_at=now - timedelta(minutes=9) + timedelta(seconds=n * 10 + index),
            )
    window = [(now - timedelta(minutes=10)).isoformat(), (now - timedelta(minutes=6)).isoformat()]
    with engine.begin() as connection:
        return connection.execute(
            sa.insert(Alert.__table__).values(
                watch="acme", status="open", channel="all", slice="all", topic='"checkout"',
                opened_at=now - timedelta(minutes=5), updated_at=now, observed=90, expected=10, score=8.0, peak=90,
                cold_start=False,
                explanation={
                    "intent": "outage_or_bug", "topic": '"checkout"', "window": window, "mentions": copies * len(texts),
                    "terms": [{"term": "checkout", "count": copies, "baseline": 0, "z": 3.1}], "samples": [],
                    "intents": {"outage_or_bug": copies * len(texts)}, "sentiments": {"negative": copies * len(texts)}, "channels": {"x": copies * len(texts)},
                },
            ).returning(Alert.__table__.c.id)
        ).scalar_one()


def row_of(engine: sa.Engine, model: type[SQLModel], mention_id: int) -> Any:
    """The row of `model`'s table for a mention (each of these tables has one per mention)."""
    table = model.__table__
    with engine.connect() as connection:
        row = connection.execute(sa.select(table).where(table.c.mention_id == mention_id)).mappings().first()
    return model(**row) if row else None


def decision_of(engine: sa.Engine, mention_id: int) -> Decision | None:
    return row_of(engine, Decision, mention_id)


def outbox_of(engine: sa.Engine, mention_id: int, kind: str = "reply") -> OutboxReply | None:
    """The mention's reply in the outbox (or, with `kind="follow_up"`, its incident's follow-up)."""
    table = OutboxReply.__table__
    with engine.connect() as connection:
        row = connection.execute(sa.select(table).where(table.c.mention_id == mention_id, table.c.kind == kind)).mappings().first()
    return OutboxReply(**row) if row else None


def inbox_of(engine: sa.Engine, mention_id: int) -> InboxItem | None:
    return row_of(engine, InboxItem, mention_id)


# -- the sandbox, for replies through the real clients ------------------------------------------

SANDBOX_CHANNELS = (Channel.X, Channel.REDDIT)


@pytest.fixture
def sandbox(clock) -> Sandbox:
    """A small day of traffic on every channel, all of it visible at the clock's time."""
    sandbox = Sandbox(
        generate(ScenarioSpec(days=1, mentions=120), start=clock.now() - timedelta(days=1), seed=11),
        clock=clock,
        wall=lambda: clock.now().timestamp(),
    )
    sandbox.limits.set("reddit", Budget(1_000_000, 600))  # praw paces itself by the budget left
    return sandbox


@pytest.fixture
def sandbox_config(sandbox: Sandbox, engine: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A config file pointing X and Reddit at the sandbox and the store at `engine`; the
    placeholder credentials are set in this process's environment (subprocesses inherit it)."""
    with sandbox.in_thread() as base_url:
        lines = [f"database_url = {engine.url.render_as_string(hide_password=False)!r}", ""]
        for channel in SANDBOX_CHANNELS:
            credentials = []
            for key in CREDENTIALS[channel]:
                env_name = f"SANDBOX_{channel.upper()}_{key.upper()}"
                monkeypatch.setenv(env_name, CREDENTIAL_VALUES.get(key, f"sandbox-{key}"))
                credentials.append(f"{key} = {env_name!r}")
            lines += [f"[channels.{channel}]", "enabled = true", f"base_url = {base_url!r}", f"credentials = {{ {', '.join(credentials)} }}", ""]
        lines += ["[[watches]]", 'name = "acme"', 'channels = ["x", "reddit"]', 'handles = ["@acme"]', 'keywords = ["acme"]', 'subreddits = ["acme"]']
        path = tmp_path / "socialcx.toml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        yield path


@pytest.fixture
def sandbox_settings(sandbox_config: Path) -> Settings:
    return load_settings(sandbox_config)


def our_replies(sandbox: Sandbox, channel: Channel, external_id: str) -> list[str]:
    """The ids of our account's replies to a post, as the platform holds them."""
    account = sandbox.scenario.account.id
    return [
        post.id if channel is not Channel.REDDIT else f"t1_{post.id}"
        for post in sandbox.timelines[channel].posts()
        if post.author.id == account and post.in_reply_to == external_id
    ]
