"""The app around the route sets: control routes, the entry point the CLI runs, and its clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
import requests
import tweepy

from socialcx import ManualClock
from socialcx.clock import SimulatedClock
from socialcx.sandbox import Sandbox, app, serve


def test_the_summary_says_what_is_loaded(sandbox: Sandbox, base_url: str) -> None:
    summary = requests.get(f"{base_url}/_sandbox/").json()
    assert (summary["scenario"], summary["account"], summary["now"]) == (
        "custom",
        "acme",
        "2026-11-23T18:00:00Z",
    )
    assert 0 < summary["channels"]["x"]["visible"] < summary["channels"]["x"]["total"]
    assert {"x.search", "x.mentions", "reddit.comments", "reddit.reply"} <= set(summary["routes"])
    assert requests.get(f"{base_url}/_sandbox/clock").json() == {
        "now": "2026-11-23T18:00:00Z",
        "speed": None,
    }


def test_faults_are_driven_over_http(base_url: str, x: tweepy.Client) -> None:
    added = requests.post(
        f"{base_url}/_sandbox/faults", json={"route": "x.search", "kind": "503", "times": 2}
    )
    assert added.status_code == 201 and added.json()["times"] == 2
    with pytest.raises(tweepy.TwitterServerError):
        x.search_recent_tweets("acme")
    assert [fault["fired"] for fault in requests.get(f"{base_url}/_sandbox/faults").json()] == [1]
    assert requests.delete(f"{base_url}/_sandbox/faults", params={"route": "x.*"}).json() == {
        "cleared": 1
    }
    assert x.search_recent_tweets("acme").data

    for wrong in (
        {"route": "x.nothing", "kind": "503"},
        {"route": "x.me", "kind": "deleted"},
        {"kind": "503"},
    ):
        refused = requests.post(f"{base_url}/_sandbox/faults", json=wrong)
        assert refused.status_code == 400 and refused.json()["error"].startswith("not a fault")


def test_rate_limit_budgets_are_set_over_http(base_url: str, x: tweepy.Client) -> None:
    assert requests.get(f"{base_url}/_sandbox/limits").json()["x.search"] == {
        "limit": 450,
        "seconds": 900,
    }
    assert requests.put(f"{base_url}/_sandbox/limits/x.search", json={"limit": 1, "seconds": 60}).ok
    x.search_recent_tweets("acme")
    with pytest.raises(tweepy.TooManyRequests):
        x.search_recent_tweets("acme")
    assert (
        requests.put(
            f"{base_url}/_sandbox/limits/x.nothing", json={"limit": 1, "seconds": 60}
        ).status_code
        == 400
    )


def test_truth_is_filtered_by_channel(base_url: str) -> None:
    truths = requests.get(f"{base_url}/_sandbox/truth", params={"channel": "reddit"}).json()
    assert truths and {truth["channel"] for truth in truths} == {"reddit"}
    assert requests.get(f"{base_url}/_sandbox/truth", params={"channel": "fax"}).status_code == 400


def test_serve_runs_a_scenario_on_simulated_time_until_cancelled(monkeypatch: pytest.MonkeyPatch) -> None:
    start = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    wall = [1000.0]  # the wall seconds the sandbox's clock reads, moved by the test alone

    class OnTestWall(SimulatedClock):
        def __init__(self, start: datetime, speed: float) -> None:
            super().__init__(start, speed, wall=lambda: wall[0])

    monkeypatch.setattr(app, "SimulatedClock", OnTestWall)

    async def run() -> tuple[dict, dict]:
        ready: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        server = asyncio.create_task(
            serve(port=0, scenario="quiet", speed=3600.0, seed=1, start=start, on_ready=ready.set_result)
        )
        await asyncio.wait({ready, server}, return_when=asyncio.FIRST_COMPLETED)
        if server.done():
            server.result()  # it stopped before listening: raise why
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{ready.result()}/_sandbox/") as answer:
                summary = await answer.json()
            wall[0] += 0.5  # half a wall second: half an hour at 3600 times
            async with session.get(f"{ready.result()}/_sandbox/clock") as answer:
                clock = await answer.json()
        server.cancel()
        with pytest.raises(asyncio.CancelledError):
            await server
        return summary, clock

    summary, clock = asyncio.run(run())
    served = summary["channels"]["x"]["total"] + summary["channels"]["reddit"]["total"]
    assert summary["scenario"] == "quiet" and served > 100
    assert summary["now"] == "2026-11-23T09:00:00Z"
    assert clock == {"now": "2026-11-23T09:30:00Z", "speed": 3600.0}


def test_a_simulated_clock_runs_faster_than_the_wall() -> None:
    wall = iter([100.0, 100.0, 160.0]).__next__
    clock = SimulatedClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC), speed=60, wall=wall)
    assert clock.now() == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert clock.now() == datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    with pytest.raises(ValueError):
        SimulatedClock(datetime(2026, 11, 23), speed=60)
    with pytest.raises(ValueError):
        SimulatedClock(datetime(2026, 11, 23, tzinfo=UTC), speed=0)


def test_two_sandboxes_serve_side_by_side(sandbox: Sandbox, base_url: str) -> None:
    other = Sandbox(sandbox.scenario, clock=ManualClock(datetime(2026, 11, 23, 1, 0, tzinfo=UTC)))
    with other.in_thread() as other_url:
        assert other_url != base_url
        ours, theirs = (requests.get(f"{url}/_sandbox/").json() for url in (base_url, other_url))
        assert ours["channels"]["x"]["visible"] > theirs["channels"]["x"]["visible"]
