"""An OpenAI-compatible fake chat-completions server on 127.0.0.1 (stdlib only).

Serves authored answers (see `answers`), with latency and faults (see `faults`), counts
what it served, and shuts down promptly (idle keep-alive sockets and sleeping requests
included).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import random
import socket
import struct
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

from llmextract.fakeserver.answers import AnswerBook, Selection, requested_schema
from llmextract.fakeserver.batches import BatchPlan, BatchStore, Reply
from llmextract.fakeserver.completions import build_completion, prompt_chars
from llmextract.fakeserver.faults import FaultPlan, error_payload, scripted_fault
from llmextract.fakeserver.profiles import PROFILES, Profile

__all__ = ["DEFAULT_NOTE", "FakeServer"]

DEFAULT_NOTE = "llmextract-fakeserver"
_COMPLETION_PATHS = ("/v1/chat/completions", "/chat/completions")
_MODELS_PATHS = ("/v1/models", "/models")
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


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 512
    allow_reuse_address = True

    def __init__(self, owner: FakeServer, port: int) -> None:
        self.owner = owner
        self.connections: set[socket.socket] = set()
        self.conn_lock = threading.Lock()
        super().__init__(("127.0.0.1", port), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if self.owner.verbose:
            super().handle_error(request, client_address)

    def close_connections(self) -> None:
        with self.conn_lock:
            conns = list(self.connections)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    # -- plumbing -------------------------------------------------------------------------
    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes: without TCP_NODELAY, Nagle's algorithm
        # and the client's delayed ACK hold the body back ~40 ms on every response.
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.server.conn_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            super().finish()
        with self.server.conn_lock:
            self.server.connections.discard(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.owner.verbose:
            sys.stderr.write(f"fakeserver: {self.address_string()} {format % args}\n")

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        # Counted before the answer goes out: a client that reads /_stats right after its
        # answer arrives must see it (counting after the write raced with that read).
        with self.server.owner.ledger.lock:
            self.server.owner.ledger.by_status[str(status)] += 1
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"), headers)

    def _error(self, status: int, message: str, type_: str = "invalid_request_error") -> None:
        payload = {"error": {"message": message, "type": type_, "code": None, "param": None}}
        self._send_json(status, payload)

    def _batch_api(self, method: str, body: bytes = b"") -> bool:
        """Serve a /v1/files or /v1/batches route (see `batches`); False for others."""
        path, _, query = self.path.partition("?")
        reply: Reply | None = self.server.owner.batches.handle(
            method, path.rstrip("/"), query, self.headers, body)
        if reply is None:
            return False
        self._count_request()
        with self.server.owner.ledger.lock:
            self.server.owner.ledger.by_status[str(reply.status)] += 1
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)
        self.wfile.flush()
        return True

    def _count_request(self) -> None:
        with self.server.owner.ledger.lock:
            self.server.owner.ledger.requests += 1

    # -- routes ---------------------------------------------------------------------------
    def do_GET(self) -> None:
        path = self.path.split("?")[0].rstrip("/")
        owner = self.server.owner
        if path == "/_stats":
            self._send_json(200, owner.stats)
        elif path == "/_requests":
            self._send_json(200, owner.requests)
        elif self._batch_api("GET"):
            return
        elif path in _MODELS_PATHS:
            self._count_request()
            model = {
                "id": "fake-model",
                "object": "model",
                "created": 1_700_000_000,
                "owned_by": owner.model_note,
            }
            self._send_json(200, {"object": "list", "data": [model]})
        else:
            self._count_request()
            self._error(404, f"no route for GET {path}")

    def do_POST(self) -> None:
        self._started = time.monotonic()
        path = self.path.split("?")[0].rstrip("/")
        try:
            body = self._read_body()
        except (OSError, ValueError):
            self.close_connection = True
            return
        if path == "/_reset":
            self.server.owner.reset_stats()
            self._send_json(200, self.server.owner.stats)
            return
        if self._batch_api("POST", body):
            return
        self._count_request()
        if path not in _COMPLETION_PATHS:
            self._error(404, f"no route for POST {path}")
            return
        try:
            request = json.loads(body)
            if not isinstance(request, dict) or not isinstance(request.get("messages"), list):
                raise ValueError("the body must be an object with a 'messages' list")
        except ValueError as exc:
            self._error(400, f"bad request body: {exc}")
            return
        try:
            self._complete(body, request)
        except OSError:  # the client went away (e.g. it timed out first)
            self.close_connection = True

    # -- completions ----------------------------------------------------------------------
    def _complete(self, body: bytes, request: dict[str, Any]) -> None:
        """One completion, in one of the server's `slots` (when set, the others queue, as
        llama.cpp, Ollama and LM Studio do: a client that gives up leaves its request to be
        computed all the same)."""
        ledger = self.server.owner.ledger
        ledger.arrive()
        try:
            if not self.server.owner.take_slot():
                self.close_connection = True
                return
            ledger.serve(1)
            try:
                self._answer(body, request)
            finally:
                ledger.serve(-1)
                self.server.owner.free_slot()
        finally:
            ledger.leave()

    def _answer(self, body: bytes, request: dict[str, Any]) -> None:
        owner = self.server.owner
        if owner.slots is not None:  # the time queued for a slot is not the model's
            self._started = time.monotonic()
        body_hash = hashlib.sha256(body).hexdigest()
        selection = owner.book.select(request["messages"], requested_schema(request))
        repeat, fault = owner.ledger.admit(body_hash, request, selection, owner.faults)
        profile = owner.profile
        refusal = profile.refuse(request, max(1, prompt_chars(request) // 4))
        if refusal is not None:  # the server refuses the request as written, at once
            self._send_json(refusal.status, refusal.payload)
            return
        if fault is None and profile.tools_ignored and request.get("tools"):
            fault = "notool"
        if fault is None and profile.runs_away(request):
            # no grammar: a small model goes on until max_tokens, or past any timeout
            fault = "length" if request.get("max_tokens") else "timeout"
        cached = owner.cached_tokens(request) if profile.prompt_cache else None
        # `latency` is the whole response time, as a remote model's would be: the time spent
        # choosing and computing the answer counts towards it.
        spent = time.monotonic() - self._started
        delay = owner.delay(body_hash, repeat) + owner.size_delay(request)
        if not owner.pause(delay - spent):
            self.close_connection = True
            return
        if fault == "timeout":
            if not owner.pause(owner.faults.slow_seconds):
                self._abort()
                return
            fault = None
        if fault in ("429", "500", "503"):
            self._send_json(int(fault), error_payload(fault), self._fault_headers(fault))
        elif fault == "reset":
            self._abort()
        else:
            body_fault = None if fault == "malformed" else fault
            payload = build_completion(
                request, body_hash, selection.answer, body_fault, owner.model_note, cached
            )
            data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            if fault == "malformed":
                data = data[: max(1, len(data) // 3)]
            self._send(200, data, {"x-request-id": f"req_{body_hash[:16]}"})

    def _fault_headers(self, fault: str) -> dict[str, str]:
        headers = {"x-request-id": "req_fault", "x-should-retry": "true"}
        if fault == "429":
            plan = self.server.owner.faults
            headers["retry-after"] = str(plan.retry_after)
            headers["retry-after-ms"] = str(plan.retry_after_ms)
        return headers

    def _abort(self) -> None:
        """Close the socket abruptly: RST, no response (SO_LINGER 0)."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()


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
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> FakeServer:
        """Bind 127.0.0.1 and serve in a daemon thread; returns self."""
        if self._httpd is not None:
            return self
        self._stopping.clear()
        self._httpd = _HTTPServer(self, self._port)
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
