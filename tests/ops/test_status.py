"""`socialcx status` as data: counts per watch, and the triage of what is stored."""

from __future__ import annotations

from socialcx import Batch, Channel, ingest
from socialcx.config import Settings
from socialcx.mention import Mention
from socialcx.ops.status import IntentSummary, status_report
from socialcx.triage import Triage


class _Triager:
    version = "stub@1"

    def triage(self, texts):
        return [
            Triage(
                "billing_problem" if "charged" in text else "order_status", 0.9, "maybe" in text,
                "negative", -0.5, "high", "en", ("legal_threat",) if "lawyer" in text else (), "where" in text,
            )
            for text in texts
        ]


def test_status_counts_mentions_and_summarises_their_triage(engine, clock):
    texts = ["where is my order", "charged twice, my lawyer will call", "maybe charged twice?"]
    items = [Mention(external_id=str(n), text=t, created_at="2026-11-25T08:00:00Z") for n, t in enumerate(texts)]
    ingest(engine, Batch(Channel.X, "acme", items, cursor="2"), clock=clock, triage=_Triager())
    settings = Settings(watches=[{"name": "acme", "channels": ["x"], "keywords": ["acme"]}])

    report = status_report(engine, settings, clock)

    assert report.total_mentions == 3
    assert [(w.channel, w.watch, w.mentions) for w in report.watches] == [("x", "acme", 3)]
    assert report.intents == [
        IntentSummary("billing_problem", 2, 0, 1, 1),
        IntentSummary("order_status", 1, 1, 0, 0),
    ]
