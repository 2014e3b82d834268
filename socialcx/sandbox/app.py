"""The sandbox: one aiohttp app answering every channel's API, and the routes that drive it.

Each request to a platform route counts against its rate-limit bucket, must carry credentials,
and may meet a fault; then the channel's route set answers from the scenario's posts, showing
only those the clock has reached. Control routes, for the CLI and other processes:

    GET    /_sandbox/                    scenario, account, simulated now, posts per channel, routes
    GET    /_sandbox/clock               {"now": "2026-11-25T09:00:00Z", "speed": 60.0}
    GET    /_sandbox/truth?channel=x     the truth of every mention visible so far, oldest first
    GET    /_sandbox/faults              the faults waiting
    POST   /_sandbox/faults              {"route": "x.search", "kind": "429", "times": 2}
    DELETE /_sandbox/faults?route=x.*    drop faults (all without `route`)
    GET    /_sandbox/limits              the rate-limit budget of each bucket
    PUT    /_sandbox/limits/{bucket}     {"limit": 100000, "seconds": 900}
    GET    /_sandbox/ledger              every write the stand-in shop took, in order
    GET    /_sandbox/private?channel=x&to=jane_d    what our account sent jane_d privately
    POST   /_sandbox/private             {"channel": "x", "from": "jane_d", "text": …, "at": …}

A sandbox given a shop state also serves the commerce API at `/shop/v1` (`shop.py`), with the
same faults; its routes need a bearer token but spend no rate limit.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import threading
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

from aiohttp import web

from socialcx.channels import Channel
from socialcx.clock import Clock, SimulatedClock, SystemClock
from socialcx.sandbox.base import (
    FAULT,
    ApiError,
    ChannelApi,
    Handler,
    PrivateRecord,
    Route,
    stored,
)
from socialcx.sandbox.bluesky import BlueskyApi
from socialcx.sandbox.faults import ITEM_FAULTS, Fault, Faults
from socialcx.sandbox.hackernews import HackerNewsApi
from socialcx.sandbox.limits import Budget, RateLimits, RateState
from socialcx.sandbox.mastodon import MastodonApi
from socialcx.sandbox.posts import Post, Timeline, visible_key
from socialcx.sandbox.reddit import RedditApi
from socialcx.sandbox.rss import RssApi
from socialcx.sandbox.scenario import Scenario, Truth, load_scenario
from socialcx.sandbox.shop import Shop, ShopState
from socialcx.sandbox.x import XApi

__all__ = ["Sandbox", "serve"]

_log = logging.getLogger(__name__)

T = TypeVar("T")

_APIS: tuple[type[ChannelApi], ...] = (XApi, RedditApi, MastodonApi, BlueskyApi, HackerNewsApi, RssApi)
_SHUTDOWN_SECONDS = 1.0  # answers still running at shutdown (a `slow` fault) are cut after this


class Sandbox:
    """A world of posts behind the platforms' APIs: a scenario, a clock, faults and rate limits.

    Tests run it on a `ManualClock` and move time themselves; `serve` runs it on a
    `SimulatedClock`. Rate-limit windows use `wall` (epoch seconds), the time clients sleep in.

        sandbox = Sandbox(load_scenario("quiet", start=clock.now()), clock=clock)
        with sandbox.in_thread() as base_url:
            sandbox.faults.add(route="x.search", kind="503")
            ...
    """

    def __init__(
        self,
        scenario: Scenario,
        *,
        clock: Clock,
        wall: Callable[[], float] = time.time,
        shop: ShopState | None = None,
    ) -> None:
        self.scenario = scenario
        self.clock = clock
        posts: defaultdict[Channel, list[Post]] = defaultdict(list)
        for post in scenario.posts:
            posts[post.channel].append(stored(post))
        self.timelines = {channel: Timeline(channel, posts[channel]) for channel in Channel}
        self.private = {channel: Timeline(channel) for channel in Channel}
        self.apis = [api(self) for api in _APIS]
        self._routes = {route.name: (api, route) for api in self.apis for route in api.routes()}
        self.shop = Shop(shop, clock=clock) if shop is not None else None
        self._shop_routes = {route.name: route for route in self.shop.routes()} if self.shop else {}
        self.faults = Faults(
            {name: route.lists_posts for name, (_, route) in self._routes.items()}
            | {name: False for name in self._shop_routes}
        )
        budgets = {bucket: budget for api in self.apis for bucket, budget in api.budgets.items()}
        self.limits = RateLimits(budgets, wall=wall)
        self._wall = wall
        self._loop: asyncio.AbstractEventLoop | None = None  # serving `in_thread`, when it does

    def truth(self, channel: Channel | None = None) -> list[Truth]:
        """The truth of every generated mention the clock has reached, oldest first."""
        now = self.clock.now()
        return [
            truth
            for truth in self.scenario.truth.values()
            if truth.created_at <= now and (channel is None or truth.channel is channel)
        ]

    def write_private(
        self, channel: Channel, handle: str, text: str, at: datetime | None = None
    ) -> str:
        """Have `handle` send our account a private message on `channel` at `at` (default now;
        a later time shows up once the clock reaches it), as the platform's own app would; the
        message's id. `handle` is anyone who posted on the channel (a scenario's author, or a
        post's), or a newcomer. ValueError for a channel without private messages."""
        api = self._private_api(channel)
        when = at or self.clock.now()
        return self._serialized(lambda: api.message_name(api.written_to_us(handle, text, when).id))

    def private_messages_to(self, channel: Channel, handle: str) -> list[PrivateRecord]:
        """Every private message our account sent to `handle` on `channel`, oldest first."""
        return self._private_records(channel, handle, to_them=True)

    def private_messages_from(self, channel: Channel, handle: str) -> list[PrivateRecord]:
        """Every private message `handle` sent our account on `channel`, oldest first."""
        return self._private_records(channel, handle, to_them=False)

    def _private_records(
        self, channel: Channel, handle: str, *, to_them: bool
    ) -> list[PrivateRecord]:
        api = self._private_api(channel)
        us = self.scenario.account.id

        def records() -> list[PrivateRecord]:
            person = api.person(handle=handle)
            return [
                PrivateRecord.of(message, api.message_name)
                for message in self.private[channel].posts()
                if person is not None
                and (message.parent_author if to_them else message.author) == person
                and (message.author.id == us) is to_them
            ]

        return self._serialized(records)

    def _serialized(self, work: Callable[[], T]) -> T:
        """Do `work` on the loop serving `in_thread`, when there is one: between two answers,
        never in the middle of one (the timelines are not for two threads at once)."""
        loop = self._loop
        if loop is None or _running_loop() is loop:
            return work()

        async def on_loop() -> T:
            return work()

        return asyncio.run_coroutine_threadsafe(on_loop(), loop).result()

    def _private_api(self, channel: Channel) -> ChannelApi:
        api = next(api for api in self.apis if api.channel is channel)
        if not api.private_messages:
            raise ValueError(
                f"{channel} has no private messages: write to someone on another channel"
            )
        return api

    def app(self) -> web.Application:
        """A fresh aiohttp application over this sandbox's state."""

        @web.middleware
        async def platform(request: web.Request, handler: Handler) -> web.StreamResponse:
            name = request.match_info.route.name or ""
            if self.shop is not None and name in self._shop_routes:
                return await self._answer_shop(request, handler, self.shop, name)
            found = self._routes.get(name)
            if found is None:  # a control route
                return await handler(request)
            return await self._answer(request, handler, *found)

        app = web.Application(middlewares=[platform])
        for route in [route for _, route in self._routes.values()] + list(self._shop_routes.values()):
            app.router.add_route(route.method, route.path, route.handler, name=route.name)
        app.router.add_get("/_sandbox/", self._summary)
        app.router.add_get("/_sandbox/clock", self._clock)
        app.router.add_get("/_sandbox/truth", self._truth)
        app.router.add_get("/_sandbox/faults", self._faults)
        app.router.add_post("/_sandbox/faults", self._add_fault)
        app.router.add_delete("/_sandbox/faults", self._clear_faults)
        app.router.add_get("/_sandbox/limits", self._limits)
        app.router.add_put("/_sandbox/limits/{bucket}", self._set_limit)
        app.router.add_get("/_sandbox/ledger", self._ledger)
        app.router.add_get("/_sandbox/private", self._private_sent)
        app.router.add_post("/_sandbox/private", self._private_write)
        return app

    @asynccontextmanager
    async def listen(self, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
        """Serve on `host`:`port` (0: a free port) while the block runs; yields the base URL."""
        runner = web.AppRunner(self.app(), access_log=None, shutdown_timeout=_SHUTDOWN_SECONDS)
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
            yield f"http://{host}:{runner.addresses[0][1]}"
        finally:
            await runner.cleanup()

    @contextmanager
    def in_thread(self, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
        """Serve from a background thread with its own event loop, for synchronous callers such as
        tests driving tweepy or praw; yields the base URL."""
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="socialcx-sandbox", daemon=True)
        thread.start()
        serving = self.listen(host, port)
        try:
            base_url = asyncio.run_coroutine_threadsafe(serving.__aenter__(), loop).result()
            self._loop = loop
            try:
                yield base_url
            finally:
                self._loop = None
                asyncio.run_coroutine_threadsafe(serving.__aexit__(None, None, None), loop).result()
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join()
            loop.close()

    async def _answer(
        self, request: web.Request, handler: Handler, api: ChannelApi, route: Route
    ) -> web.StreamResponse:
        """A platform route's answer: credentials, the rate-limit window, then any fault due."""
        now = self._wall()
        state = self.limits.consume(route.bucket)
        headers = api.rate_headers(state)
        if not api.authorized(request, route):
            response: web.StreamResponse = api.error(401, "Unauthorized")
        elif state.exceeded:
            response = api.error(429, "Too Many Requests")
        else:
            fault = self.faults.take(route.name)
            if fault and fault.kind == "429":
                spent = RateState(
                    state.limit, max(state.used, state.limit), now + fault.seconds, now
                )
                headers = api.rate_headers(spent)
            response = await _spoiled(request, handler, api, fault)
        response.headers.update(headers)
        return response

    async def _answer_shop(
        self, request: web.Request, handler: Handler, shop: Shop, name: str
    ) -> web.StreamResponse:
        """A shop route's answer: credentials, then any fault due. A `slow` answer is late after
        the write is done, as when a shop's answer is lost on the way back."""
        if not shop.authorized(request):
            return shop.error(401, "send the API token as Authorization: Bearer <token>")
        return await _spoiled(request, handler, shop, self.faults.take(name), late_after=True)

    async def _ledger(self, request: web.Request) -> web.Response:
        return web.json_response(self.shop.ledger if self.shop else [])

    async def _private_sent(self, request: web.Request) -> web.Response:
        try:
            channel = Channel(request.query.get("channel", ""))
            sent = self.private_messages_to(channel, request.query["to"])
        except (ValueError, KeyError) as exc:
            return _refused(f"name a channel and the handle written `to`: {exc}")
        return web.json_response([record.to_json() for record in sent])

    async def _private_write(self, request: web.Request) -> web.Response:
        try:
            fields = await request.json()
            at = fields.get("at")
            message_id = self.write_private(
                Channel(fields["channel"]),
                str(fields["from"]),
                str(fields["text"]),
                datetime.fromisoformat(at.replace("Z", "+00:00")) if at else None,
            )
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            return _refused(f"not a private message (channel, from, text, at?): {exc}")
        return web.json_response({"id": message_id}, status=201)

    async def _summary(self, request: web.Request) -> web.Response:
        until = visible_key(self.clock.now())
        channels = {
            api.channel.value: {"visible": api.timeline.count(until), "total": len(api.timeline)}
            for api in self.apis
        }
        summary = {
            "scenario": self.scenario.name,
            "account": self.scenario.account.handle,
            "now": _iso(self.clock.now()),
            "channels": channels,
            "routes": sorted(self._routes),
        }
        return web.json_response(summary)

    async def _clock(self, request: web.Request) -> web.Response:
        speed = self.clock.speed if isinstance(self.clock, SimulatedClock) else None
        return web.json_response({"now": _iso(self.clock.now()), "speed": speed})

    async def _truth(self, request: web.Request) -> web.Response:
        name = request.query.get("channel")
        try:
            channel = Channel(name) if name else None
        except ValueError:
            return _refused(f"unknown channel {name!r}")
        return web.json_response([_truth_json(truth) for truth in self.truth(channel)])

    async def _faults(self, request: web.Request) -> web.Response:
        return web.json_response([fault.to_json() for fault in self.faults.active()])

    async def _add_fault(self, request: web.Request) -> web.Response:
        try:
            fields = await request.json()
            fault = self.faults.add(**fields)
        except (ValueError, TypeError) as exc:
            return _refused(f"not a fault: {exc}")
        return web.json_response(fault.to_json(), status=201)

    async def _clear_faults(self, request: web.Request) -> web.Response:
        return web.json_response({"cleared": self.faults.clear(request.query.get("route", "*"))})

    async def _limits(self, request: web.Request) -> web.Response:
        budgets = self.limits.budgets()
        return web.json_response(
            {bucket: dataclasses.asdict(budget) for bucket, budget in budgets.items()}
        )

    async def _set_limit(self, request: web.Request) -> web.Response:
        try:
            fields = await request.json()
            budget = Budget(int(fields["limit"]), float(fields["seconds"]))
            self.limits.set(request.match_info["bucket"], budget)
        except (ValueError, TypeError, KeyError) as exc:
            return _refused(f"not a budget: {exc}")
        return web.json_response(dataclasses.asdict(budget))


class _Errors(Protocol):
    def error(self, status: int, message: str) -> web.Response: ...


async def _spoiled(
    request: web.Request,
    handler: Handler,
    api: _Errors,
    fault: Fault | None,
    *,
    late_after: bool = False,
) -> web.StreamResponse:
    """The handler's answer as `fault` leaves it: replaced, late, cut short, or items changed.
    A `slow` answer waits before the handler runs, or after it with `late_after`."""
    kind = fault.kind if fault else None
    if kind in ("429", "500", "503"):
        return api.error(int(kind), "the sandbox was told to fail this request")
    if fault and kind == "slow" and not late_after:
        await asyncio.sleep(fault.seconds)
    if fault and kind in ITEM_FAULTS:
        request[FAULT] = fault
    try:
        response = await handler(request)
    except ApiError as exc:
        return api.error(exc.status, exc.message)
    if fault and kind == "slow" and late_after:
        await asyncio.sleep(fault.seconds)
    if (
        kind == "malformed"
        and isinstance(response, web.Response)
        and isinstance(response.body, bytes)
    ):
        cut = response.body[: len(response.body) // 2]
        return web.Response(body=cut, status=response.status, content_type=response.content_type)
    return response


def _running_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop running in this thread, if any."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _truth_json(truth: Truth) -> dict[str, Any]:
    return dataclasses.asdict(truth) | {
        "channel": truth.channel.value,
        "created_at": _iso(truth.created_at),
    }


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _refused(message: str) -> web.Response:
    return web.json_response({"error": message}, status=400)


async def serve(
    host: str = "127.0.0.1",
    port: int = 8765,
    scenario: str | Path = "default",
    speed: float = 60.0,
    seed: int = 0,
    *,
    start: datetime | None = None,
    account: str = "acme",
    on_ready: Callable[[str], None] | None = None,
    shop: ShopState | None = None,
) -> None:
    """Run the sandbox until cancelled: what `socialcx sandbox` runs.

    `scenario` is a name (`default`, `quiet`, `bench`) or a JSONL file to replay; simulated time
    starts at `start` (default: now, to the minute) and runs `speed` times faster than the wall
    clock; `on_ready` is called with the base URL once it listens. Raises ValueError for an
    unknown scenario and OSError when the port is taken.
    """
    origin = start or SystemClock().now().replace(second=0, microsecond=0)
    world = load_scenario(scenario, start=origin, seed=seed, account=account)
    sandbox = Sandbox(world, clock=SimulatedClock(origin, speed), shop=shop)
    async with sandbox.listen(host, port) as base_url:
        _log.info("sandbox %r serving on %s, %sx real time", sandbox.scenario.name, base_url, speed)
        if on_ready is not None:
            on_ready(base_url)
        await asyncio.Event().wait()
