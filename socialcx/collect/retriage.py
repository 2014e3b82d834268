"""Re-running triage over stored mentions after the model changed.

Each chunk of mentions is re-triaged and replaced in one transaction, and mentions already
triaged by this model version are skipped, so an interrupted run simply resumes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from socialcx.clock import Clock
from socialcx.collect.ingest import Triager, store_triage
from socialcx.store import Mention, MentionTriage

__all__ = ["RetriageReport", "retriage"]

_CHUNK = 2_000


@dataclass(frozen=True, slots=True)
class RetriageReport:
    """What a re-run changed: mentions re-triaged, of which had no triage before, and how many
    got another intent or flipped between routine and needs-a-human."""

    version: str
    mentions: int = 0
    newly_triaged: int = 0
    changed_intent: int = 0
    changed_routine: int = 0


def retriage(
    engine: Engine,
    model: Triager,
    *,
    clock: Clock,
    since: datetime | None = None,
    on_chunk: Callable[[RetriageReport], None] | None = None,
    chunk: int = _CHUNK,
) -> RetriageReport:
    """Triage again, with `model`, every stored mention (created at or after `since`) that this
    model version has not triaged yet, replacing the earlier results."""
    mention, triage = Mention.__table__, MentionTriage.__table__
    query = (
        sa.select(mention.c.id, mention.c.text, triage.c.intent, triage.c.routine)
        .select_from(mention.outerjoin(triage, triage.c.mention_id == mention.c.id))
        .where(sa.or_(triage.c.model_version.is_(None), triage.c.model_version != model.version))
        .order_by(mention.c.id)
        .limit(chunk)
    )
    if since is not None:
        query = query.where(mention.c.created_at >= since)
    report, after = RetriageReport(model.version), 0
    while True:
        with engine.connect() as connection:
            rows = connection.execute(query.where(mention.c.id > after)).all()
        if not rows:
            return report
        results = model.triage([row.text for row in rows])
        with engine.begin() as connection:
            connection.execute(sa.delete(triage).where(triage.c.mention_id.in_([row.id for row in rows])))
            store_triage(connection, {row.id: result for row, result in zip(rows, results)}, version=model.version, now=clock.now())
        report = RetriageReport(
            model.version,
            mentions=report.mentions + len(rows),
            newly_triaged=report.newly_triaged + sum(row.intent is None for row in rows),
            changed_intent=report.changed_intent
            + sum(row.intent is not None and row.intent != result.intent for row, result in zip(rows, results)),
            changed_routine=report.changed_routine
            + sum(row.routine is not None and row.routine != result.routine for row, result in zip(rows, results)),
        )
        if on_chunk is not None:
            on_chunk(report)
        after = rows[-1].id
