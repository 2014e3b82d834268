"""Faults on demand: what a platform does on a bad day, per route, a given number of times.

    >>> fault = sandbox.faults.add(route="x.search", kind="429", times=2, seconds=30)
    >>> sandbox.faults.add(route="reddit.*", kind="503")

Answer faults replace or spoil the whole answer: `429` (with the platform's rate-limit headers,
reset `seconds` ahead), `500`, `503`, `slow` (answers `seconds` late, past a client's timeout) and
`malformed` (JSON cut in half). Item faults change a listing page and apply only to routes that
list posts: `missing_fields` (`items` posts each lose a field the client needs), `duplicates`
(`items` posts already read come again: the end of the previous page, or on a first page the
newest of the previous poll below `since_id` or `before`), `deleted` and `removed` (`items` posts
are deleted by their author or removed by a moderator, for good: X leaves them out, Reddit shows
`[deleted]` or `[removed]`) and `end_early` (the page keeps `items` posts and says there is
nothing more).
"""

from __future__ import annotations

import fnmatch
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal, get_args

__all__ = ["ANSWER_FAULTS", "ITEM_FAULTS", "Fault", "FaultKind", "Faults"]

FaultKind = Literal[
    "429",
    "500",
    "503",
    "slow",
    "malformed",
    "missing_fields",
    "duplicates",
    "deleted",
    "removed",
    "end_early",
]
ANSWER_FAULTS: frozenset[str] = frozenset({"429", "500", "503", "slow", "malformed"})
ITEM_FAULTS: frozenset[str] = frozenset(get_args(FaultKind)) - ANSWER_FAULTS

_DEFAULT_SECONDS = {"429": 60.0, "slow": 30.0}


@dataclass(slots=True)
class Fault:
    """One fault waiting on the routes `route` matches (a name like `x.search`, or a pattern like
    `reddit.*`). `times` is how many answers it spoils (None: until cleared); `fired` counts
    them."""

    route: str
    kind: FaultKind
    times: int | None = 1
    seconds: float = 0.0
    items: int = 2
    fired: int = 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class Faults:
    """The faults waiting on one sandbox. Safe to drive from any thread while it serves.

    `routes` names every route and whether it lists posts, so a typo or an item fault on a route
    without items fails at once instead of never firing.
    """

    def __init__(self, routes: Mapping[str, bool]) -> None:
        self._routes = dict(routes)
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(
        self,
        route: str,
        kind: FaultKind,
        *,
        times: int | None = 1,
        seconds: float | None = None,
        items: int = 2,
    ) -> Fault:
        """Queue a fault; faults on the same route fire in the order they were added."""
        if kind not in get_args(FaultKind):
            raise ValueError(
                f"unknown fault kind {kind!r}; use one of {', '.join(get_args(FaultKind))}"
            )
        matched = fnmatch.filter(self._routes, route)
        if not matched:
            raise ValueError(
                f"no route matches {route!r}; routes are {', '.join(sorted(self._routes))}"
            )
        if kind in ITEM_FAULTS and not any(self._routes[name] for name in matched):
            raise ValueError(f"{kind!r} changes listed posts, and {route!r} lists none")
        if times is not None and times < 1:
            raise ValueError("times must be at least 1, or None for until cleared")
        if items < 1:
            raise ValueError("items must be at least 1")
        if seconds is None:
            seconds = _DEFAULT_SECONDS.get(kind, 0.0)
        fault = Fault(route, kind, times, seconds, items)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self, route: str = "*") -> int:
        """Drop the faults whose route pattern `route` matches; return how many."""
        with self._lock:
            kept = [fault for fault in self._faults if not fnmatch.fnmatch(fault.route, route)]
            dropped = len(self._faults) - len(kept)
            self._faults = kept
        return dropped

    def active(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def take(self, route: str) -> Fault | None:
        """The fault for one answer on `route`, if any, counted as fired."""
        with self._lock:
            for fault in self._faults:
                if fnmatch.fnmatchcase(route, fault.route) and (
                    fault.kind in ANSWER_FAULTS or self._routes[route]
                ):
                    fault.fired += 1
                    if fault.times is not None and fault.fired >= fault.times:
                        self._faults.remove(fault)
                    return fault
        return None
