"""At the model server's own pace: adaptive concurrency and timeouts (issue 15, `-j auto`).

One `Pace` per run and endpoint gates every HTTP attempt to the model (first tries,
retries and re-asks alike) through `PacedTransport`, and learns from each attempt's outcome
and latency. The rule (see docs/concurrency.md for the numbers behind it):

- *Service time.* `base` is the median latency of recent answers to requests sent while
  we did not expect any of our own requests to be queued ahead of them (at most `capacity`
  in flight, counting the abandoned ones the server may still be computing).
- *Queue estimate (Little's law, as in TCP Vegas).* Over a window of fresh answers (sent
  at the current limit) with mean latency `m` and mean in-flight `n`, the server was
  working on `busy = n * base / m` of them; the other `q = n - busy` waited in its queue.
- *Control.* `q` small (<= max(0.5, 0.2 n)): grow, doubling per window until the first
  queue shows (slow start), then +1 per window; only when the limit was actually used.
  `q` large (> max(1.5, 0.4 n)): shrink to `busy + 1`. In between: hold. A timeout, 429,
  503 or 504 halves the limit at once, at most once per window of requests.
- *Never past the timeout.* The limit never exceeds what the timeout can absorb if the
  server answered one at a time per estimated slot: `capacity * timeout / (1.5 * slow)`,
  `slow` the 90th percentile of the service times seen.
  Against a one-slot server at 40 s and `--timeout 60` that is 1.
- *Timeouts measure the model.* A request's timeout is `--timeout` until three answers
  have been seen, then `max(floor, 4 * base * ahead, 1.5 * slowest recent answer)` capped
  at `--timeout`, where `ahead = max(1, n / capacity)` counts the service times the server
  needs before it can answer this one.
- *Nothing wasted.* A timed-out request stays counted as a *ghost* in flight (the server
  may still be computing it) until an answer to a request sent after it arrives or its
  timeout has passed once more; an identical request is never sent while its ghost (or an
  identical live request) is in flight, and retries wait for the halved limit, ahead of
  new articles.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import math
import statistics
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from llmextract.config import AUTO_MAX

__all__ = ["AUTO_MAX", "Pace", "PacedTransport", "Ticket"]

START = 1  # a one-slot server at 40 s a request cannot take a second one under 60 s
CONGESTION = frozenset({"timeout", "429", "503", "504"})
TIMEOUT_K = 4.0  # a request may take this many median service times before it is late
TIMEOUT_MAX_K = 1.5  # ... and never less than 1.5 x the slowest recent answer
QUEUE_SAFETY = 1.5  # limit <= capacity * timeout / (1.5 * base)
_REASONS = {"timeout": "a timeout", "connection": "a connection error"}


@dataclass
class Ticket:
    """One HTTP attempt admitted by the controller."""

    key: str
    n: int  # requests in flight (ghosts included) once this one was sent
    sent: float
    timeout: float


@dataclass
class _Ghost:
    key: str
    sent: float
    handle: asyncio.TimerHandle | None = None


@dataclass
class _Waiter:
    key: str
    future: asyncio.Future[None]


@dataclass
class PaceStats:
    sent: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    retried: Counter[str] = field(default_factory=Counter)
    reasks: int = 0
    low: int = 0
    high: int = 0
    max_in_flight: int = 0


class Pace:
    """The concurrency limit and per-request timeout of one endpoint (see the module doc).

    `max_limit`: `-j N` (or AUTO_MAX for `-j auto`); the limit adapts within [1, N].
    `ceiling`: `--timeout`; `floor`: the shortest adaptive timeout.
    """

    def __init__(self, max_limit: int, ceiling: float, *, floor: float = 10.0,
                 auto: bool = True, start: int = START,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_limit = max(1, max_limit)
        self.auto = auto
        self.ceiling = ceiling
        self.floor = min(floor, ceiling)
        self._clock = clock
        self.limit = max(1, min(start, self.max_limit))
        self.in_flight = 0  # our live requests
        self.capacity = 1.0  # requests the server works on at once (estimated)
        self.slow_start = True
        self._base: deque[float] = deque(maxlen=64)  # service latencies
        self._recent: deque[float] = deque(maxlen=32)  # every answer's latency
        self._window: list[tuple[float, int]] = []
        self._epoch = -math.inf  # answers to requests sent before it judge no limit
        self._last_cut = -math.inf
        self._active: Counter[str] = Counter()  # keys of live requests and ghosts
        self._ghosts: list[_Ghost] = []
        self._retries: deque[_Waiter] = deque()
        self._new: deque[_Waiter] = deque()
        self._failed: dict[str, str] = {}  # key -> why its last attempt failed
        self.stats = PaceStats(low=self.limit, high=self.limit)
        self.history: deque[tuple[float, int]] = deque([(clock(), self.limit)], maxlen=1000)

    @classmethod
    def for_settings(cls, settings: Any) -> Pace:
        jobs = settings.concurrency
        auto = jobs == "auto"
        # `-j N` starts at N (the user said so; a queue, a timeout, 429 or 503 still shrink
        # it); `-j auto` starts at START and finds the pace.
        return cls(AUTO_MAX if auto else int(jobs), float(settings.timeout),
                   floor=float(getattr(settings, "timeout_floor", 10.0)), auto=auto,
                   start=START if auto else int(jobs))

    # -- admission ------------------------------------------------------------------------
    @property
    def occupied(self) -> int:
        return self.in_flight + len(self._ghosts)

    async def acquire(self, key: str) -> Ticket:
        """Wait for a slot (retries first) with no identical request in flight."""
        retry = key in self._failed
        if not (self._retries or self._new) and self._free(key):
            self._take(key)
        else:
            waiter = _Waiter(key, asyncio.get_running_loop().create_future())
            (self._retries if retry else self._new).append(waiter)
            try:
                await waiter.future
            except asyncio.CancelledError:
                if waiter.future.done() and not waiter.future.cancelled():
                    self._give_back(key)  # granted, then cancelled before it could run
                else:
                    with contextlib.suppress(ValueError):
                        (self._retries if retry else self._new).remove(waiter)
                raise
        reason = self._failed.pop(key, None)
        if reason is not None:
            self.stats.retried[reason] += 1
        self.stats.sent += 1
        n = self.occupied
        self.stats.max_in_flight = max(self.stats.max_in_flight, self.in_flight)
        return Ticket(key=key, n=n, sent=self._clock(), timeout=self.timeout_for(n))

    def _free(self, key: str) -> bool:
        return self.occupied < self.limit and not self._active[key]

    def _take(self, key: str) -> None:
        self.in_flight += 1
        self._active[key] += 1

    def _give_back(self, key: str) -> None:
        self.in_flight -= 1
        self._drop_key(key)
        self._wake()

    def _drop_key(self, key: str) -> None:
        self._active[key] -= 1
        if self._active[key] <= 0:
            del self._active[key]

    def _wake(self) -> None:
        for queue in (self._retries, self._new):
            for waiter in list(queue):
                if self.occupied >= self.limit:
                    return
                if waiter.future.done():
                    queue.remove(waiter)
                elif not self._active[waiter.key]:
                    queue.remove(waiter)
                    self._take(waiter.key)
                    waiter.future.set_result(None)

    # -- outcomes -------------------------------------------------------------------------
    def release(self, ticket: Ticket, outcome: str) -> None:
        """`outcome`: "ok" (an HTTP 200), "timeout", an HTTP status ("429", "503", ...),
        "connection", or "cancelled" (our side gave up: no sample)."""
        now = self._clock()
        self.in_flight -= 1
        self._drop_key(ticket.key)
        if outcome == "ok":
            self._answered(ticket, now - ticket.sent)
        elif outcome != "cancelled":
            self.stats.failures[outcome] += 1
            self._failed[ticket.key] = outcome
            if outcome == "timeout":
                self._haunt(ticket, now)
            if outcome in CONGESTION and ticket.sent >= self._last_cut:
                self._last_cut = now
                self.slow_start = False
                self._set(self.limit // 2)
        self._wake()

    def _haunt(self, ticket: Ticket, now: float) -> None:
        """The server may still be computing a request we gave up on: count it in flight
        until a later request is answered, or its timeout has passed once more."""
        ghost = _Ghost(ticket.key, ticket.sent)
        self._ghosts.append(ghost)
        self._active[ticket.key] += 1
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        ghost.handle = loop.call_later(max(0.0, ticket.timeout), self._lay, ghost)

    def _lay(self, ghost: _Ghost) -> None:
        if ghost in self._ghosts:
            self._ghosts.remove(ghost)
            if ghost.handle is not None:
                ghost.handle.cancel()
            self._drop_key(ghost.key)
            self._wake()

    def _answered(self, ticket: Ticket, latency: float) -> None:
        for ghost in [g for g in self._ghosts if g.sent <= ticket.sent]:
            self._lay(ghost)  # a FIFO server has moved past it
        self._recent.append(latency)
        if ticket.n <= max(1, math.floor(self.capacity + 1e-9)):
            self._base.append(latency)
        if ticket.sent >= self._epoch:
            self._window.append((latency, ticket.n))
        if len(self._window) >= max(1, math.ceil(self.limit / 2)):
            self._judge()

    def _judge(self) -> None:
        window, self._window = self._window, []
        latencies = [lat for lat, _ in window]
        ns = [n for _, n in window]
        mean = statistics.fmean(latencies)
        n = statistics.fmean(ns)
        base = self.base if self._base else min(latencies)
        busy = min(n, n * base / mean) if mean > 0 else n
        queued = n - busy
        self.capacity = max(1.0, busy)
        new = self.limit
        if queued <= max(0.5, 0.2 * n):
            if max(ns) >= self.limit:  # grow only a limit that was used
                new = self.limit * 2 if self.slow_start else self.limit + 1
        elif queued > max(1.5, 0.4 * n):
            self.slow_start = False
            new = min(self.limit - 1, math.floor(busy) + 1)
        self._set(min(new, self.queue_cap()))

    def queue_cap(self) -> int:
        """The most requests in flight that the timeout can absorb if each of the server's
        `capacity` slots answered its share one at a time."""
        slow = self.slow
        if slow <= 1e-6:
            return self.max_limit
        return max(1, math.floor(self.capacity * self.ceiling / (QUEUE_SAFETY * slow)))

    def _set(self, new: int) -> None:
        new = max(1, min(self.max_limit, new))
        if new != self.limit:
            self.limit = new
            self._epoch = self._clock()
            self._window = []
            self.stats.low = min(self.stats.low, new)
            self.stats.high = max(self.stats.high, new)
            self.history.append((self._epoch, new))
            self._wake()

    # -- timeouts ------------------------------------------------------------------------
    @property
    def base(self) -> float:
        """The median service time seen (seconds); 0 before any answer."""
        pool = self._base or self._recent
        return statistics.median(pool) if pool else 0.0

    @property
    def slow(self) -> float:
        """A long service time (the 90th percentile of those seen, the longest while fewer
        than ten): a local model's time grows with the length of its answer, and a request
        queued behind a long answer must still fit in the timeout (SmolLM2 on 2 cores:
        5-60 s; with the median, -j auto let two in and timed out the second)."""
        pool = self._base or self._recent
        if not pool:
            return 0.0
        if len(pool) < 10:
            return max(pool)
        return statistics.quantiles(pool, n=10)[-1]

    def timeout_for(self, n: int) -> float:
        """The read timeout of a request sent with `n` in flight (itself included)."""
        if len(self._recent) < 3:
            return self.ceiling
        ahead = max(1.0, n / self.capacity)
        late = max(self.floor, TIMEOUT_K * self.base * ahead,
                   TIMEOUT_MAX_K * max(self._recent))
        return min(self.ceiling, late)

    # -- report --------------------------------------------------------------------------
    def note_reasks(self, count: int) -> None:
        self.stats.reasks += count

    def report(self) -> str | None:
        """One line for the end of a run, or None when no request was sent."""
        s = self.stats
        if not s.sent:
            return None
        cap = "-j auto" if self.auto else f"-j {self.max_limit}"
        span = f"{s.low}" if s.low == s.high else f"{s.low}-{s.high}"
        line = (f"llmextract: concurrency {span} ({cap}; ended at {self.limit}, at most "
                f"{s.max_in_flight} in flight)")
        reasons = [f"{n} after {_REASONS.get(why, 'HTTP ' + why)}"
                   for why, n in sorted(s.retried.items(), key=lambda kv: -kv[1])]
        if s.reasks:
            reasons.append(f"{s.reasks} re-ask{'s' if s.reasks != 1 else ''} of an invalid "
                           "answer")
        total = sum(s.retried.values()) + s.reasks
        if total:
            line += (f"; {total} request{'s' if total != 1 else ''} retried: "
                     + ", ".join(reasons))
        else:
            line += "; no request retried"
        return line


def _outcome(status: int) -> str:
    return "ok" if status < 400 else str(status)


class PacedTransport:
    """An httpx async transport that admits each POST through a `Pace` and gives it the
    adaptive read timeout. Wraps the real transport (vcrpy patches that one)."""

    def __init__(self, inner: Any, pace: Pace) -> None:
        self.inner = inner
        self.pace = pace

    async def handle_async_request(self, request: Any) -> Any:
        if request.method != "POST":
            return await self.inner.handle_async_request(request)
        try:
            key = hashlib.sha256(request.content).hexdigest()
        except Exception:  # a streamed body: no identity to compare
            key = f"stream-{id(request)}"
        ticket = await self.pace.acquire(key)
        timeouts = dict(request.extensions.get("timeout") or {})
        read = timeouts.get("read")
        timeouts["read"] = ticket.timeout if read is None else min(read, ticket.timeout)
        request.extensions["timeout"] = timeouts
        try:
            response = await self.inner.handle_async_request(request)
        except asyncio.CancelledError:
            self.pace.release(ticket, "cancelled")
            raise
        except Exception as exc:
            name = type(exc).__name__
            self.pace.release(ticket, "timeout" if name.endswith("Timeout") else "connection")
            raise
        self.pace.release(ticket, _outcome(int(response.status_code)))
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()

    async def __aenter__(self) -> PacedTransport:
        await self.inner.__aenter__()
        return self

    async def __aexit__(self, *args: Any) -> None:
        await self.inner.__aexit__(*args)
