"""The demo: a working install in one command, on embedded defaults.

It writes a config into the demo folder (unless one is there), stores the built-in sample of
mentions through the same `ingest` the pollers use, one batch per channel and watch, and leaves
a database the status command, the exports and the notebooks can read.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from socialcx.channels import Channel
from socialcx.clock import Clock
from socialcx.config import Settings, example_config, load_settings
from socialcx.ingest import Batch, IngestReport, Triager, ingest
from socialcx.store import connect

__all__ = ["DEFAULT_DEMO_DIR", "SAMPLE_MENTIONS", "prepare_demo", "run_demo", "sample_batches"]

DEFAULT_DEMO_DIR = Path("demo-out")
SAMPLE_MENTIONS = Path(__file__).parent / "data" / "sample_mentions.jsonl"


def sample_batches() -> list[Batch]:
    """The built-in sample as the batches a poll would produce, oldest first within each batch;
    each batch's cursor is its newest item's id."""
    grouped: dict[tuple[Channel, str], list[dict]] = defaultdict(list)
    for line in SAMPLE_MENTIONS.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        grouped[(Channel(item.pop("channel")), item.pop("watch"))].append(item)
    batches = []
    for (channel, watch), items in grouped.items():
        items.sort(key=lambda item: str(item.get("created_at")))
        newest = next((item["external_id"] for item in reversed(items) if "external_id" in item), None)
        batches.append(Batch(channel, watch, items, cursor=newest))
    return batches


def prepare_demo(folder: Path) -> Settings:
    """The demo folder's settings, writing its config on first use."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "socialcx.toml"
    if not config.exists():
        config.write_text(example_config(), encoding="utf-8")
    return load_settings(config)


def run_demo(settings: Settings, clock: Clock, triage: Triager | None = None) -> list[IngestReport]:
    """Store the sample through ingest (with its triage) and report what each batch did; a second
    run adds nothing."""
    engine = connect(settings.database)
    try:
        return [
            ingest(
                engine, batch, clock=clock, max_text_chars=settings.thresholds.max_text_chars, triage=triage,
                spike_bucket=settings.spikes.bucket,
            )
            for batch in sample_batches()
        ]
    finally:
        engine.dispose()
