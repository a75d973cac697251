"""The fake server's HTTP side: the threading server that tracks its connections (so
`FakeServer.stop` can close idle keep-alive sockets) and the request handler: routes,
completions with their faults and delays, and the Batch API routes."""

from __future__ import annotations

import contextlib
import hashlib
import json
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from llmextract.fakeserver.answers import requested_schema
from llmextract.fakeserver.batches import Reply
from llmextract.fakeserver.completions import build_completion, prompt_chars
from llmextract.fakeserver.faults import context_payload, error_payload
from llmextract.fakeserver.peer_formats import peer_selection

if TYPE_CHECKING:
    from llmextract.fakeserver.server import FakeServer

__all__ = ["FakeHTTPServer", "Handler"]

_COMPLETION_PATHS = ("/v1/chat/completions", "/chat/completions")
_MODELS_PATHS = ("/v1/models", "/models")


class FakeHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 512
    allow_reuse_address = True

    def __init__(self, owner: FakeServer, port: int) -> None:
        self.owner = owner
        self.connections: set[socket.socket] = set()
        self.conn_lock = threading.Lock()
        super().__init__(("127.0.0.1", port), Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if self.owner.verbose:
            super().handle_error(request, client_address)

    def close_connections(self) -> None:
        with self.conn_lock:
            conns = list(self.connections)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FakeHTTPServer

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
        selection = peer_selection(request) or owner.book.select(
            request["messages"], requested_schema(request))
        repeat, fault = owner.ledger.admit(body_hash, request, selection, owner.faults)
        profile = owner.profile
        chars, limit = prompt_chars(request), owner.faults.context_chars
        if limit is not None and chars > limit:  # a prompt over the context, at once
            self._send_json(400, context_payload(owner.faults.context_style,
                                                 max(1, chars // 4), limit // 4))
            return
        refusal = profile.refuse(request, max(1, chars // 4))
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
