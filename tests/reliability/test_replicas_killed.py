"""Two `socialcx run` replicas on PostgreSQL against the sandbox, one of them killed (`kill -9`)
at random every few seconds and started again: at the end every scenario mention is stored
once, every mention the playbook answers is answered once on the platform, and every email
(an alert's among them) reaches the mail server once."""

from __future__ import annotations

import asyncio
import json
import random
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from socialcx import Channel, ManualClock, SystemClock, connect
from socialcx.collect.poller import poll_once
from socialcx.config import load_settings
from socialcx.sandbox import Sandbox, ScenarioSpec, generate
from socialcx.store import Decision, Email, Mention, OutboxReply
from tests.care.responder.conftest import our_replies
from tests.ops.alerts.conftest import add_alert, mail_server  # noqa: F401  (a fixture)
from tests.service.daemon.test_shutdown import start, truth, write_config

pytestmark = pytest.mark.postgresql

RUNNER = "tests.reliability.replica"
REPLICAS = 2
CYCLES = 4  # kill -9 of a random replica, 1 to 4 s after the last one was back, and its restart
UNFOLD = 30.0  # wall seconds over which the scenario's day comes out on the sandbox
START_WITHIN = 90.0  # wall seconds for a replica to start (imports take ~10 s on a busy machine)
SETTLE = 45.0  # wall seconds, after the scenario and the cycles, for the work to be done
INTERVAL = 10  # seconds between polls of a watch in `write_config` (the least socialcx allows)

PLAYBOOK = """\
variables: {order_link: "https://acme.example/orders"}
max_age_minutes: 10080
caps: {hour: 10000, day: 100000}
defaults:
  min_confidence: 0.8
  channels: [x]
  per_author: {hour: 1, day: 1}  # one reply an author: X refuses the same text twice
  per_channel: {hour: 10000, day: 100000}
intents:
  order_status:
    mode: auto
    templates:
      - "Hi @{author}, follow your order at {order_link}"
"""


def _config(folder: Path, database_url: str, base_url: str, mail_port: int) -> Path:
    """The daemon tests' config (X and Hacker News on the sandbox, polled every 10 s), on
    `database_url`, with the playbook above and mail to `mail_port`."""
    (folder / "playbook.yaml").write_text(PLAYBOOK, encoding="utf-8")
    config = write_config(folder, base_url, 0)
    text = config.read_text(encoding="utf-8")
    config.write_text(
        f'database_url = "{database_url}"\nplaybook = "playbook.yaml"\n{text}\n'
        f'[mail]\nhost = "127.0.0.1"\nport = {mail_port}\nrecipients = ["care@example.com"]\n',
        encoding="utf-8",
    )
    return config


def _wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
    return True


def _findable(config: Path, database: Path) -> list[tuple[str, str]]:
    """What one undisturbed poll stores: the scenario's mentions the platforms' searches return
    (the sandbox also posts some with the brand misspelt, which no search for it finds)."""
    settings = load_settings(config).model_copy(update={"database_url": f"sqlite:///{database}"})
    engine = connect(settings.database)
    asyncio.run(poll_once(settings, engine, SystemClock()))
    found = sorted(map(tuple, _column(engine, sa.select(Mention.channel, Mention.external_id))))
    engine.dispose()
    return found


def _started(log: Path) -> int:
    """How many times the replica writing `log` has started serving."""
    return log.read_text(errors="replace").count('"message": "daemon started')


def _unfold(clock: ManualClock, span: timedelta, seconds: float) -> None:
    """Move the sandbox's clock through `span` in `seconds` of wall time, a quarter second at a time."""
    steps = int(seconds / 0.25)
    for _ in range(steps):
        time.sleep(0.25)
        clock.advance(span / steps)


def _poll_gaps(logs: list[Path]) -> dict[str, float]:
    """By channel, the shortest wall time between the ends of two polls of the watch, whichever
    replicas made them."""
    lines = [json.loads(line) for log in logs for line in log.read_text(errors="replace").splitlines() if line.startswith("{")]
    ends: dict[str, list[datetime]] = {}
    for line in lines:
        if line["message"].startswith("polled:"):
            ends.setdefault(line["channel"], []).append(datetime.fromisoformat(line["time"].replace("Z", "+00:00")))
    return {
        channel: min((later - earlier).total_seconds() for earlier, later in zip(sorted(times), sorted(times)[1:]))
        for channel, times in ends.items()
    }


def _tails(logs: list[Path]) -> str:
    return "\n".join(log.read_text(errors="replace")[-3000:] for log in logs)


def _column(engine: sa.Engine, query: sa.Select) -> list:
    with engine.connect() as connection:
        return list(connection.execute(query))


def test_replicas_killed_at_random_lose_nothing_and_do_nothing_twice(postgres, tmp_path, mail_server):  # noqa: F811
    now = datetime.now(UTC).replace(microsecond=0)
    clock = ManualClock(now - timedelta(days=1))  # the sandbox's: the scenario's day comes out as it runs
    spec = ScenarioSpec(days=1, mentions=400, channels={Channel.X: 0.7, Channel.HACKERNEWS: 0.3})
    sandbox = Sandbox(generate(spec, start=clock.now(), seed=23), clock=clock, wall=lambda: clock.now().timestamp())
    database_url = postgres.migrated_database()
    engine = connect(database_url)
    with engine.begin() as connection:  # an alert as the detector leaves it, for the replicas to mail
        add_alert(connection, now - timedelta(minutes=10))
    logs = [tmp_path / f"replica-{n}.log" for n in range(REPLICAS)]
    chance = random.Random(23)
    kills = 0

    expected: list[tuple[str, str]] = []

    def unfinished() -> dict[str, int]:
        """What is left to do: scenario mentions not stored (or stored beyond the scenario), mentions
        not routed, replies and emails not sent."""
        stored = set(map(tuple, _column(engine, sa.select(Mention.channel, Mention.external_id))))
        return {
            "missing": len(set(expected) - stored), "unexpected": len(stored - set(expected)),
            "unrouted": len(_column(engine, sa.select(Mention.id).where(Mention.id.not_in(sa.select(Decision.mention_id))))),
            "unsent": len(_column(engine, sa.select(OutboxReply.id).where(OutboxReply.state != "sent"))),
            "unmailed": len(_column(engine, sa.select(Email.id).where(Email.state != "sent"))),
        }

    with sandbox.in_thread() as base_url:
        config = _config(tmp_path, database_url, base_url, mail_server.port)
        replicas = [start(config, log, RUNNER) for log in logs]
        try:
            assert _wait_for(lambda: all(_started(log) == 1 for log in logs), START_WITHIN), "no start:\n" + _tails(logs)
            unfolding = threading.Thread(target=_unfold, args=(clock, timedelta(days=1), UNFOLD), daemon=True)
            unfolding.start()
            for _ in range(CYCLES):
                time.sleep(chance.uniform(1.0, 4.0))
                assert all(replica.poll() is None for replica in replicas), "a replica exited:\n" + _tails(logs)
                victim = chance.randrange(REPLICAS)
                replicas[victim].kill()  # SIGKILL: no clean-up, its leases lapse
                replicas[victim].wait(timeout=10)
                kills += 1
                starts = _started(logs[victim])
                replicas[victim] = start(config, logs[victim], RUNNER)
                assert _wait_for(lambda: _started(logs[victim]) > starts, START_WITHIN), "no restart:\n" + _tails(logs)
            unfolding.join()
            scenario = truth(base_url)
            expected = _findable(config, tmp_path / "alone.db")
            finished = _wait_for(lambda: not any(unfinished().values()), SETTLE)
        finally:
            for replica in replicas:
                replica.send_signal(signal.SIGTERM)
            for replica in replicas:
                try:
                    replica.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    replica.kill()
        assert finished, f"the replicas did not finish the work in time: {unfinished()}\n" + _tails(logs)

    stored = _column(engine, sa.select(Mention.channel, Mention.external_id))
    auto = _column(engine, sa.select(Mention.external_id).join(Decision, Decision.mention_id == Mention.id).where(Decision.outcome == "auto_reply"))
    replies = {external_id: len(our_replies(sandbox, Channel.X, external_id)) for channel, external_id in stored if channel == "x"}
    answered = sorted(external_id for external_id, count in replies.items() if count)
    emails = _column(engine, sa.select(Email.kind, Email.message_id))
    received = Counter(message["Message-ID"] for message in mail_server.received)
    gaps = _poll_gaps(logs)
    engine.dispose()
    print(
        f"\nreliability: {REPLICAS} replicas on PostgreSQL, {kills} kill -9 cycles; mentions: {len(scenario)} in the scenario, "
        f"{len(expected)} found by search, {len(stored)} stored ({len(stored) - len(set(stored))} twice); "
        f"replies: {len(auto)} auto-answerable, {len(answered)} answered ({sum(count - 1 for count in replies.values() if count > 1)} twice); "
        f"emails: {len(emails)} ({sum(kind == 'alert' for kind, _ in emails)} alerts), {sum(received.values())} received "
        f"({sum(count - 1 for count in received.values())} twice); shortest time between two polls of a watch: {gaps}"
    )
    assert sorted(map(tuple, stored)) == expected  # each stored once: lost 0, duplicated 0
    assert auto and answered == sorted(external_id for (external_id,) in auto)
    assert set(replies.values()) <= {0, 1}  # answered once on the platform
    assert any(kind == "alert" for kind, _ in emails)
    assert received == Counter({message_id: 1 for _, message_id in emails})  # each email once
    # Each watch polled once an interval (the lease is kept 9 s of the 10 from a poll's start), not once a replica.
    assert gaps.keys() == {"x", "hackernews"} and min(gaps.values()) >= INTERVAL / 2
