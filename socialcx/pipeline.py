"""The one chain that follows the storing of mentions (triaged inside ingest, same transaction):

    judge spikes (open incidents) ─▶ queue their alert mail ─▶ route (statements too) (responder: auto-reply, draft, inbox) ─▶ send the outbox

`socialcx poll` runs the whole chain once after its pass (`Pipeline.after_poll`). The daemon
(`socialcx run`, and the demo, which runs the daemon) runs each link as a job of its own, on its
own schedule, and wakes the next when there is work: the links are these methods either way, so
the two cannot drift apart. Sending the mail is not part of the chain: the daemon's mail job and
`socialcx mail send` deliver what was queued.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from connectors.base import Connector
from socialcx.care.outbox import SendReport, send_pending
from socialcx.care import surge
from socialcx.care.playbook import Playbook
from socialcx.care.responder import route
from socialcx.channels import Channel
from socialcx.clock import Clock
from socialcx.config import Settings
from socialcx.ops.alerts import queue_alert_emails
from socialcx.spikes.incidents import Incident, evaluate

__all__ = ["AfterPoll", "Judged", "Pipeline"]


@dataclass(frozen=True, slots=True)
class Judged:
    """The alerts whose state changed as the closed buckets were judged, and the emails queued."""

    changed: list[Incident]
    mail_queued: int


@dataclass(frozen=True, slots=True)
class AfterPoll:
    """What one run of the whole chain did."""

    judged: Judged
    decisions: list[sa.Row[Any]]
    sent: SendReport


class Pipeline:
    """The chain over one store, with the settings, clock and playbook every link needs."""

    def __init__(self, settings: Settings, engine: Engine, clock: Clock, playbook: Playbook) -> None:
        self.settings, self.engine, self.clock, self.playbook = settings, engine, clock, playbook

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

    async def after_poll(self) -> AfterPoll:
        """The whole chain once, in order, blocking links in a worker thread."""
        judged = await asyncio.to_thread(self.judge_spikes)
        decisions = await asyncio.to_thread(self.route)
        return AfterPoll(judged, decisions, await self.send())
