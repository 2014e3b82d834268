"""`socialcx run` as one replica of the reliability suite: a stand-in triage model that answers
order questions (the shipped model takes half a minute to load, and the suite is about the
replicas, not triage), and the daemon's waits cut to seconds so that a short scenario runs every
step many times. Run as `python -m tests.reliability.replica --config FILE run`.

The waits cut are the routing, outbox and mail intervals, and the leases of a poll (a minute in
production), a reply and an email being sent (5 minutes each, so that only a dead process's
lapse): a replica killed in the middle of one of those is taken over in 15 s instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import socialcx.care.outbox
import socialcx.collect.poller
import socialcx.ops.alerts
import socialcx.service.daemon
import socialcx.triage
from socialcx.cli import main
from socialcx.triage import Triage

LEASE = timedelta(seconds=15)


class AnswersOrders:
    """Sure of every question about an order (routine: the playbook answers it), unsure of the rest."""

    version = "test"

    def triage(self, texts: Sequence[str]) -> list[Triage]:
        return [
            Triage("order_status", 0.95, False, "neutral", 0.0, "normal", "en", (), True)
            if "order" in text.lower()
            else Triage("order_status", 0.2, True, "neutral", 0.0, "normal", "en", (), False)
            for text in texts
        ]


if __name__ == "__main__":
    socialcx.triage.default_model = AnswersOrders
    socialcx.service.daemon.ROUTE_SECONDS = socialcx.service.daemon.OUTBOX_SECONDS = 2
    socialcx.service.daemon.MAIL_SECONDS = 2
    socialcx.collect.poller.POLL_LEASE = socialcx.care.outbox.LEASE = socialcx.ops.alerts.LEASE = LEASE
    main()
