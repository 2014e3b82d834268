"""The resolution benchmark's runner: each case of `bench/cases/*.jsonl` through the real path.

For every case: a sandbox whose only post is the case's, on the case's channel, created at the
case's `now`; the stand-in shop loaded from the case's `shop` and served over HTTP beside the
channels (`HttpCommerceSystem` talks to it for real); one store for the whole run, emptied
between cases. Then the daemon's links, in order: poll (the connector, ingest and triage),
route (the responder), send the public reply, resolve (private answers read, conversations
moved, private messages sent). A scripted customer reads each private message we send, and
answers every question it asks from the case's `answers` (no entry: no answer); the links run
again, until nothing new is asked. The clock is a `ManualClock` held at the case's `now` (the
policy's windows, such as 30 days of refunds, are measured from it, so it does not move), so a
case takes a fraction of a second and two runs give the same results.

Each result is one line of Contract 3: `id`, `outcome`, `ledger`, `told` (every message to the
customer, public and private, in order), `public`, `asked`, and `plan_ms` (the wall time from
the customer's last message to the plan: the resolve pass that followed it).
"""

from __future__ import annotations

import asyncio
import re
import tempfile
import tomllib
from collections.abc import Iterable, Iterator
from contextlib import AsyncExitStack
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from connectors import connector_class
from connectors.base import Connector
from socialcx.care import wording
from socialcx.care.playbook import Playbook, playbook_for
from socialcx.channels import Channel
from socialcx.clock import ManualClock
from socialcx.collect.ingest import Triager
from socialcx.collect.poller import poll_once
from socialcx.config import SANDBOX_SECRETS, Settings, sandbox_config, sandbox_secrets
from socialcx.pipeline import Pipeline
from socialcx.sandbox import Budget, Sandbox, Scenario, shop_state
from socialcx.sandbox.posts import Author, Post, post_id, post_key
from socialcx.store import ConversationRow, Mention, OutboxReply, PrivateMessageRow, connect

__all__ = ["RESULT_FIELDS", "run_cases"]

RESULT_FIELDS = ("id", "outcome", "ledger", "told", "public", "asked", "plan_ms")
_ROUNDS = 6  # question-and-answer rounds before a case is cut short
_FEED = "/feeds/reviews.xml"
_HANDLE = re.compile(r"(?:@|\bu/)(\w[\w.-]*\w|\w)")  # @acme, u/acme; a Bluesky handle is a domain: @acme.bsky.social
_WORD = re.compile(r"\b[A-Za-z]{3,}\b")  # whole words: the watch's keyword must match as one


def run_cases(cases: Iterable[dict[str, Any]], *, triage: Triager | None = None) -> Iterator[dict[str, Any]]:
    """Run each case through the real path, in order; one result per case (see the module
    docstring). `triage` defaults to the shipped model, loaded once for the run."""
    if triage is None:
        from socialcx.triage import default_model

        triage = default_model()
    with tempfile.TemporaryDirectory(prefix="socialcx-resolve-bench-") as folder:
        bench = _Bench(Path(folder), triage)
        try:
            for case in cases:
                yield asyncio.run(bench.run(case))
        finally:
            bench.engine.dispose()


class _Bench:
    """What every case shares: the store (emptied between cases), the playbook, the triage model
    and the sandbox config, read once."""

    def __init__(self, folder: Path, triage: Triager) -> None:
        self.folder, self.triage = folder, triage
        self.config = tomllib.loads(sandbox_config())
        self.engine = connect(f"sqlite:///{folder / 'bench.db'}")
        self.playbook: Playbook = playbook_for(Settings())

    async def run(self, case: dict[str, Any]) -> dict[str, Any]:
        _empty(self.engine)
        now = datetime.fromisoformat(case["now"].replace("Z", "+00:00"))
        channel = Channel(case["channel"])
        author, brand = _author(case["post"]["author"], channel), _brand(case["post"]["text"], channel)
        clock = ManualClock(now)
        sandbox = Sandbox(
            _scenario(channel, brand, author, case["post"]["text"], now),
            clock=clock, wall=lambda: clock.now().timestamp(), shop=shop_state(case["shop"]),
        )
        sandbox.limits.set("reddit", Budget(1_000_000, 600))  # praw paces itself by what is left
        async with sandbox.listen() as base_url, AsyncExitStack() as stack:
            settings = self._settings(base_url, channel, brand, case["post"]["text"])
            connectors = {channel: connector_class(channel)(settings.channels.get(channel), settings, clock=clock)}
            stack.push_async_callback(connectors[channel].aclose)
            pipeline = Pipeline(settings, self.engine, clock, self.playbook)
            private = connector_class(channel).capabilities.private_messages
            await poll_once(settings, self.engine, clock, channels=(channel,), connectors=connectors, triage=self.triage)
            await asyncio.to_thread(pipeline.route)
            await pipeline.send(connectors)
            plan_ms = await _timed_resolve(pipeline, connectors)
            await pipeline.send(connectors)
            asked = 0  # our private messages the customer has read
            for _ in range(_ROUNDS):
                ours = sandbox.private_messages_to(channel, author.handle) if private else []
                answers, asked = _answers(ours[asked:], case.get("answers") or {}), len(ours)
                if not answers:
                    break
                for text in answers:
                    sandbox.write_private(channel, author.handle, text, clock.now())
                plan_ms = await _timed_resolve(pipeline, connectors)
        return _result(self.engine, case["id"], sandbox, plan_ms)

    def _secrets(self, brand: str) -> Path:
        """The sandbox's placeholder credentials, logging in to Bluesky as the case's account (the
        stand-in refuses any other handle)."""
        path = self.folder / f"{brand}.{SANDBOX_SECRETS}"
        if not path.exists():
            handle = f"{brand}.bsky.social"
            text = re.sub(r"(?m)^SANDBOX_BLUESKY_HANDLE=.*$", f"SANDBOX_BLUESKY_HANDLE={handle}", sandbox_secrets())
            path.write_text(text, encoding="utf-8")
        return path

    def _settings(self, base_url: str, channel: Channel, brand: str, text: str) -> Settings:
        """The sandbox config pointed at this case's sandbox and shop, with a watch that finds
        the case's post (our handle where the post names it, else a word of it)."""
        data = dict(self.config)
        data["secrets_file"] = str(self._secrets(brand))
        data["data_dir"] = str(self.folder)
        data["database_url"] = str(self.engine.url)
        data["channels"] = {name: dict(config, base_url=base_url) for name, config in self.config["channels"].items()}
        data["commerce"] = {"base_url": f"{base_url}/shop/v1", "token_env": "SANDBOX_X_BEARER_TOKEN"}
        word = max(_WORD.findall(text), key=len, default=brand)
        data["watches"] = [
            {"name": "brand", "channels": ["x", "mastodon", "bluesky"], "handles": [f"@{brand}"]},
            {"name": "elsewhere", "channels": ["reddit", "hackernews", "rss"], "subreddits": [brand], "keywords": [word], "feeds": [_FEED]},
        ]
        return Settings(**data)


async def _timed_resolve(pipeline: Pipeline, connectors: dict[Channel, Connector]) -> float:
    """One resolve pass, and how long it took to reach the plan (answers read, plans stored)."""
    return (await pipeline.resolve(connectors)).plan_ms


def _answers(unread: list[Any], answers: dict[str, str]) -> list[str]:
    """The scripted customer's replies to the private messages it has not read yet: for each
    question in them, the case's answer to it, if it has one."""
    replies = [answers[field] for message in unread for field in wording.asked_in(message.text) if answers.get(field)]
    return list(dict.fromkeys(replies))


def _result(engine: Engine, case_id: str, sandbox: Sandbox, plan_ms: float) -> dict[str, Any]:
    conversations, outbox, private, mentions = (
        ConversationRow.__table__, OutboxReply.__table__, PrivateMessageRow.__table__, Mention.__table__,
    )
    with engine.connect() as connection:
        conversation = connection.execute(sa.select(conversations)).first()
        public = list(connection.execute(
            sa.select(outbox.c.text).join(mentions, mentions.c.id == outbox.c.mention_id).where(outbox.c.state == "sent").order_by(outbox.c.id)
        ).scalars())
        told = list(connection.execute(
            sa.select(private.c.text).where(private.c.direction == "out", private.c.state == "sent").order_by(private.c.id)
        ).scalars())
    outcome = "handed_over"
    if conversation is not None and conversation.state in ("resolved", "needs_approval", "awaiting_customer"):
        outcome = conversation.state
    shop = sandbox.shop
    return {
        "id": case_id,
        "outcome": outcome,
        "ledger": list(shop.ledger) if shop else [],
        "told": public + told,
        "public": public,
        "asked": list(conversation.asked) if conversation is not None else [],
        "plan_ms": plan_ms,
    }


def _empty(engine: Engine) -> None:
    """Every table emptied (the schema kept): the next case starts from nothing."""
    with engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            if table.name != "alembic_version":
                connection.execute(table.delete())


def _brand(text: str, channel: Channel) -> str:
    """Our account: the first handle the post names (without its Mastodon instance), else `acme`."""
    match = _HANDLE.search(text)
    return _local(match.group(1), channel) if match else "acme"


def _author(name: str, channel: Channel) -> Author:
    """The customer as the platform shows them; a stable numeric id from the handle."""
    handle = _local(name, channel)
    return Author(str(sum(ord(ch) * 31**i for i, ch in enumerate(name)) % 10**12 + 10**12), handle, handle, 100)


def _local(handle: str, channel: Channel) -> str:
    """A handle as the sandbox keeps its people: a Bluesky handle under bsky.social by its name
    (the stand-in serves every account there)."""
    return handle.removesuffix(".bsky.social") if channel is Channel.BLUESKY else handle


def _scenario(channel: Channel, brand: str, author: Author, text: str, now: datetime) -> Scenario:
    """A world holding one post: the case's, shaped as the channel's generated posts are."""
    key = post_key(now, 0)
    external_id = post_id(channel, key)
    fields: dict[str, Any] = {"conversation_id": external_id}
    body = text
    if channel is Channel.REDDIT:
        fields |= {"community": brand, "title": text[:300]}
        body = ""
    elif channel is Channel.HACKERNEWS:
        fields["title"] = text[:80]
    elif channel is Channel.RSS:
        fields |= {"community": _FEED, "title": text[:80]}
    post = Post(channel, key, external_id, now, author, body, "en", "post", **fields)
    account = Author("900000000001", brand, f"{brand} support", 25_000)
    return Scenario("resolve-bench", now, account, (post,), {})
