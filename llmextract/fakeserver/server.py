"""An OpenAI-compatible fake chat-completions server on 127.0.0.1 (stdlib only).

Serves authored answers (see `answers`), with latency and faults (see `faults`), counts
what it served, and shuts down promptly (idle keep-alive sockets and sleeping requests
included).
"""

from __future__ import annotations

import hashlib
import random
import threading
import time
from collections import Counter
from pathlib import Path
from types import TracebackType
from typing import Any

from llmextract.fakeserver.answers import AnswerBook, Selection
from llmextract.fakeserver.batches import BatchPlan, BatchStore
from llmextract.fakeserver.faults import FaultPlan, scripted_fault
from llmextract.fakeserver.handler import FakeHTTPServer
from llmextract.fakeserver.profiles import PROFILES, Profile

__all__ = ["DEFAULT_NOTE", "FakeServer"]

DEFAULT_NOTE = "llmextract-fakeserver"
_MAX_LOGGED = 10_000


class _Ledger:
    """Thread-safe counters: per-body repeats and the served-request statistics."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.repeats: dict[str, int] = {}
        self.consecutive: dict[str, int] = {}
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.requests = 0
            self.completions = 0
            self.by_match: Counter[str] = Counter()
            self.by_fault: Counter[str] = Counter()
            self.by_status: Counter[str] = Counter()
            self.bodies: list[Any] = []
            self.in_flight = 0  # completion requests received and not yet answered
            self.serving = 0  # ... of which being worked on (the rest queue for a slot)
            self.max_in_flight = 0
            self.max_serving = 0
            self.first_at: float | None = None
            self.reached_at: dict[str, float] = {}  # in-flight level -> s after the first

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "requests": self.requests,
                "completions": self.completions,
                "by_match": dict(self.by_match),
                "by_fault": dict(self.by_fault),
                "by_status": dict(self.by_status),
                "max_in_flight": self.max_in_flight,
                "max_serving": self.max_serving,
                "reached_at": dict(self.reached_at),
            }

    def arrive(self) -> None:
        with self.lock:
            now = time.monotonic()
            if self.first_at is None:
                self.first_at = now
            self.in_flight += 1
            if self.in_flight > self.max_in_flight:
                self.max_in_flight = self.in_flight
                self.reached_at[str(self.in_flight)] = round(now - self.first_at, 4)

    def serve(self, delta: int) -> None:
        with self.lock:
            self.serving += delta
            self.max_serving = max(self.max_serving, self.serving)

    def leave(self) -> None:
        with self.lock:
            self.in_flight -= 1

    def admit(
        self, body_hash: str, request: Any, selection: Selection, plan: FaultPlan
    ) -> tuple[int, str | None]:
        """Count a completion request; return (its repeat number, the fault to serve)."""
        with self.lock:
            repeat = self.repeats.get(body_hash, 0)
            self.repeats[body_hash] = repeat + 1
            streak = self.consecutive.get(body_hash, 0)
            if selection.faults:
                fault = scripted_fault(selection.faults, repeat)
            else:
                fault = plan.draw(body_hash, repeat, streak)
            self.consecutive[body_hash] = streak + 1 if fault else 0
            self.completions += 1
            self.by_match[selection.match_name] += 1
            if fault:
                self.by_fault[fault] += 1
            if len(self.bodies) < _MAX_LOGGED:
                self.bodies.append(request)
            return repeat, fault


class FakeServer:
    """The fake OpenAI-compatible server, run in a daemon thread.

    >>> with FakeServer(answers_dir="tests/answers", latency=0.2) as srv:
    ...     client = openai.OpenAI(base_url=srv.base_url, api_key="test")

    answers_dir: directory of authored answer files (None: rules echo only).
    latency / jitter: seconds slept before each answer, +/- a uniform jitter (deterministic
        per request body and repeat).
    faults: a FaultPlan (rate faults and fault parameters); answer files' scripts win.
    model_note: sent as `system_fingerprint` and as the model's `owned_by`.
    profile: behave as a known server: "generic" (default), "openai", "llamacpp",
        "ollama", "vllm" (see llmextract.fakeserver.profiles).
    slots: answer at most this many completions at once and queue the rest in arrival
        order, like a local model server (None: no limit). The "one slot" profile is
        `slots=1`; the "slow model" profile adds `seconds_per_kchar`.
    seconds_per_kchar: extra latency per 1,000 characters of the request's messages (a
        model whose time grows with the prompt).
    batch_plan: how the Batch API (/v1/files, /v1/batches) behaves (see `batches`).
    port: 0 picks a free port. verbose: log each request to stderr.
    `latency`, `jitter` and `faults` may be reassigned while it runs.
    """

    def __init__(
        self,
        answers_dir: str | Path | None = None,
        latency: float = 0.0,
        faults: FaultPlan | None = None,
        model_note: str = DEFAULT_NOTE,
        *,
        jitter: float = 0.0,
        port: int = 0,
        verbose: bool = False,
        profile: str | Profile = "generic",
        slots: int | None = None,
        seconds_per_kchar: float = 0.0,
        batch_plan: BatchPlan | None = None,
    ) -> None:
        if isinstance(profile, str):
            if profile not in PROFILES:
                raise ValueError(f"unknown profile {profile!r}; known: {', '.join(PROFILES)}")
            profile = PROFILES[profile]
        self.profile = profile
        self._prefixes: set[str] = set()
        self._prefix_lock = threading.Lock()
        if slots is not None and slots < 1:
            raise ValueError(f"slots must be at least 1, got {slots}")
        self.slots = slots
        self.seconds_per_kchar = seconds_per_kchar
        self._slot_lock = threading.Condition()
        self._busy = 0
        self._last_ticket = 0  # slots are handed out in arrival order
        self._served_ticket = 0
        self.book = AnswerBook(answers_dir)
        self.latency = latency
        self.jitter = jitter
        self.faults = faults if faults is not None else FaultPlan()
        self.model_note = model_note
        self.verbose = verbose
        self.ledger = _Ledger()
        self.batches = BatchStore(self.book, model_note, batch_plan)
        self._port = port
        self._stopping = threading.Event()
        self._httpd: FakeHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> FakeServer:
        """Bind 127.0.0.1 and serve in a daemon thread; returns self."""
        if self._httpd is not None:
            return self
        self._stopping.clear()
        self._httpd = FakeHTTPServer(self, self._port)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"fakeserver:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close every socket; sleeping requests end at once."""
        httpd, thread = self._httpd, self._thread
        if httpd is None:
            return
        self._stopping.set()
        httpd.shutdown()
        httpd.close_connections()
        httpd.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._httpd = self._thread = None

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- addresses ------------------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the fake server is not running")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """http://127.0.0.1:PORT (no /v1)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """The OpenAI base URL: http://127.0.0.1:PORT/v1."""
        return f"{self.url}/v1"

    # -- statistics -----------------------------------------------------------------------
    @property
    def stats(self) -> dict[str, Any]:
        """A snapshot: requests (HTTP, all routes but /_*), completions, by_match, by_fault,
        by_status."""
        return self.ledger.snapshot()

    @property
    def requests(self) -> list[Any]:
        """The parsed bodies of the completion requests received, in arrival order."""
        with self.ledger.lock:
            return list(self.ledger.bodies)

    def reset_stats(self) -> None:
        """Zero the statistics and forget logged bodies (per-body fault counters stay)."""
        self.ledger.reset()

    def reset_counters(self) -> None:
        """Forget how often each body arrived (restarts fault scripts and draws)."""
        with self.ledger.lock:
            self.ledger.repeats.clear()
            self.ledger.consecutive.clear()

    def cached_tokens(self, request: dict[str, Any]) -> int:
        """Prompt caching as providers do it: the system message (the fixed prefix) counts
        as cached when a request with the same one came before."""
        messages = request.get("messages") or []
        first = messages[0] if messages and isinstance(messages[0], dict) else {}
        if first.get("role") != "system" or not isinstance(first.get("content"), str):
            return 0
        prefix = hashlib.sha256(first["content"].encode("utf-8")).hexdigest()
        with self._prefix_lock:
            seen = prefix in self._prefixes
            self._prefixes.add(prefix)
        return len(first["content"]) // 4 if seen else 0

    # -- timing ---------------------------------------------------------------------------
    def delay(self, body_hash: str, repeat: int) -> float:
        """The latency for one request (deterministic jitter)."""
        if self.jitter <= 0:
            return max(0.0, self.latency)
        rng = random.Random(f"latency:{body_hash}:{repeat}")
        return max(0.0, self.latency + rng.uniform(-self.jitter, self.jitter))

    def size_delay(self, request: dict[str, Any]) -> float:
        """The "slow model" part of the latency: `seconds_per_kchar` per 1,000 characters
        of message content."""
        if self.seconds_per_kchar <= 0:
            return 0.0
        chars = sum(len(str(m.get("content") or "")) for m in request["messages"]
                    if isinstance(m, dict))
        return self.seconds_per_kchar * chars / 1000

    def take_slot(self) -> bool:
        """Wait for a free slot, first come first served (False: the server is stopping)."""
        if self.slots is None:
            return True
        with self._slot_lock:
            self._last_ticket += 1
            ticket = self._last_ticket
            while self._busy >= self.slots or ticket != self._served_ticket + 1:
                if self._stopping.is_set():
                    return False
                self._slot_lock.wait(0.05)
            self._served_ticket = ticket
            self._busy += 1
            self._slot_lock.notify_all()
            return True

    def free_slot(self) -> None:
        if self.slots is None:
            return
        with self._slot_lock:
            self._busy -= 1
            self._slot_lock.notify_all()

    def pause(self, seconds: float) -> bool:
        """Sleep unless the server stops first; False if it is stopping."""
        if seconds > 0:
            return not self._stopping.wait(seconds)
        return not self._stopping.is_set()
