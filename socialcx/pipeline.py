"""The one chain that follows the storing of mentions (triaged inside ingest, same transaction):

    judge spikes (open incidents) ─▶ queue their alert mail ─▶ route (statements too) (responder: auto-reply, resolve, draft, inbox)
        ─▶ resolve (read private answers, move the conversations, send private messages) ─▶ send the outbox

`socialcx poll` runs the whole chain once after its pass (`Pipeline.after_poll`). The daemon
(`socialcx run`, and the demo, which runs the daemon) runs each link as a job of its own, on its
own schedule, and wakes the next when there is work: the links are these methods either way, so
the two cannot drift apart. Sending the mail is not part of the chain: the daemon's mail job and
`socialcx mail send` deliver what was queued.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Collection, Mapping, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from connectors.base import Connector
from socialcx.care.outbox import SendReport, send_pending
from socialcx.care import surge
from socialcx.care.conversations import Reader, advance, default_reader
from socialcx.care.private import PrivateReport, read_private, send_private
from socialcx.care.systems import CommerceSystem, HttpCommerceSystem
from socialcx.care.playbook import Playbook
from socialcx.care.responder import route
from socialcx.channels import Channel
from socialcx.clock import Clock
from socialcx.config import Settings
from socialcx.ops.alerts import queue_alert_emails
from socialcx.spikes.incidents import Incident, evaluate

__all__ = ["AfterPoll", "Judged", "Pipeline", "Resolved"]


@dataclass(frozen=True, slots=True)
class Judged:
    """The alerts whose state changed as the closed buckets were judged, and the emails queued."""

    changed: list[Incident]
    mail_queued: int


@dataclass(frozen=True, slots=True)
class Resolved:
    """What one resolve link did: answers read, conversations moved, private messages sent."""

    read: int = 0
    moved: tuple[int, ...] = ()
    private: PrivateReport = PrivateReport()
    plan_ms: float = 0.0  # wall time from reading the answers to the plans stored (before sending)


@dataclass(frozen=True, slots=True)
class AfterPoll:
    """What one run of the whole chain did."""

    judged: Judged
    decisions: list[sa.Row[Any]]
    sent: SendReport
    resolved: Resolved = Resolved()


class Pipeline:
    """The chain over one store, with the settings, clock and playbook every link needs."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        clock: Clock,
        playbook: Playbook,
        *,
        commerce: CommerceSystem | None = None,
        reader: Reader | None = None,
    ) -> None:
        self.settings, self.engine, self.clock, self.playbook = settings, engine, clock, playbook
        if reader is None and playbook.policy is not None:
            reader = default_reader()  # the needs model fitted now, not inside the first case's plan time
        self.commerce, self.reader = commerce, reader

    def judge_spikes(self) -> Judged:
        """Judge the buckets that closed and settled, open an incident for each new alert (its
        statement drafted, for the alert email to carry), and queue the alert emails that follow
        (idempotent: an alert event is mailed once)."""
        spikes = self.settings.spikes
        changed = evaluate(self.engine, clock=self.clock, bucket=spikes.bucket, settle=spikes.settle)
        with self.engine.begin() as connection:
            surge.sync(connection, self.playbook, self.clock.now())
        return Judged(changed, queue_alert_emails(self.engine, self.settings, self.clock))

    def route(self) -> list[sa.Row[Any]]:
        """Route every triaged mention not routed yet (an auto-reply queued, a draft, or the
        inbox); the decisions, as `socialcx.care.responder.route` returns them."""
        return route(self.engine, self.settings, self.playbook, self.clock)

    async def send(self, connectors: Mapping[Channel, Connector | Sequence[Connector]] | None = None) -> SendReport:
        """Send the replies due in the outbox, once each (with `connectors` when the caller keeps them open)."""
        return await send_pending(self.engine, self.settings, self.clock, connectors=connectors or {})

    async def resolve(
        self, connectors: Mapping[Channel, Connector] | None = None, *, only: Collection[int] | None = None
    ) -> Resolved:
        """Read the customers' private answers, move every conversation that is due (or those of
        `only`), through the commerce system within the playbook's policy, and send the private
        messages due."""
        policy, commerce = self.playbook.policy, self.commerce
        if policy is None or (commerce is None and not self.settings.commerce.base_url):
            return Resolved()
        started = time.perf_counter()
        read = await read_private(self.engine, self.settings, self.clock, connectors)
        async with AsyncExitStack() as stack:
            if commerce is None:
                config = self.settings.commerce
                token = self.settings.secret(config.token_env) or ""
                commerce = await stack.enter_async_context(HttpCommerceSystem(str(config.base_url), token))
            moved = await advance(
                self.engine, commerce, policy, self.clock.now(), reader=self.reader, sla=self.settings.inbox, only=only
            )
        plan_ms = (time.perf_counter() - started) * 1000
        private = await send_private(self.engine, self.settings, self.clock, connectors)
        return Resolved(read, tuple(moved), private, round(plan_ms, 3))

    async def after_poll(self) -> AfterPoll:
        """The whole chain once, in order, blocking links in a worker thread."""
        judged = await asyncio.to_thread(self.judge_spikes)
        decisions = await asyncio.to_thread(self.route)
        resolved = await self.resolve()
        return AfterPoll(judged, decisions, await self.send(), resolved)
