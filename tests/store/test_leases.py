"""Leases on both backends: one holder at a time, taken over only when it runs out, released on exit."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import sqlalchemy as sa

from socialcx.store.leases import holders, release_lease, replica_id, take_lease


def test_a_lease_has_one_holder_until_it_runs_out(engine, clock):
    now = clock.now()
    assert take_lease(engine, "leader", "a", now=now, until=now + timedelta(seconds=10))
    assert not take_lease(engine, "leader", "b", now=now + timedelta(seconds=9), until=now + timedelta(seconds=19))
    assert take_lease(engine, "leader", "a", now=now + timedelta(seconds=9), until=now + timedelta(seconds=19))  # renewed
    assert not take_lease(engine, "leader", "b", now=now + timedelta(seconds=18), until=now + timedelta(seconds=28))

    assert take_lease(engine, "leader", "b", now=now + timedelta(seconds=19), until=now + timedelta(seconds=29))

    with engine.connect() as connection:
        assert [(row.name, row.holder, row.expires_at) for row in holders(connection)] == [
            ("leader", "b", now + timedelta(seconds=29))
        ]


def test_a_released_lease_is_free_at_once_or_when_kept_until(engine, clock):
    now = clock.now()
    later = now + timedelta(minutes=5)
    take_lease(engine, "poll:x:acme", "a", now=now, until=later)
    take_lease(engine, "leader", "a", now=now, until=later)

    release_lease(engine, "leader", "b")  # not b's to give up
    assert not take_lease(engine, "leader", "b", now=now, until=later)
    release_lease(engine, "leader", "a")
    assert take_lease(engine, "leader", "b", now=now, until=later)

    release_lease(engine, "poll:x:acme", "a", keep_until=now + timedelta(seconds=30))
    assert not take_lease(engine, "poll:x:acme", "b", now=now + timedelta(seconds=29), until=later)
    assert take_lease(engine, "poll:x:acme", "b", now=now + timedelta(seconds=30), until=later)


def test_replicas_racing_for_a_free_lease_get_one_holder(engine, clock):
    now = clock.now()
    names = [f"r{n}" for n in range(8)]
    with ThreadPoolExecutor(8) as pool:
        won = list(pool.map(lambda name: take_lease(engine, "leader", name, now=now, until=now + timedelta(seconds=10)), names))

    assert sum(won) == 1
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT holder FROM lease")).scalars().all() == [names[won.index(True)]]


def test_each_process_is_a_replica_of_its_own():
    assert replica_id() != replica_id()
    assert len(replica_id()) <= 120
