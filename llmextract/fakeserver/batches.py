"""The fake server's Batch API: `/v1/files` and `/v1/batches`, as OpenAI serves them.

    POST /v1/files                    multipart upload (`purpose`, `file`)
    GET  /v1/files[?purpose=batch]    list
    GET  /v1/files/{id}               retrieve
    GET  /v1/files/{id}/content       the file's bytes
    POST /v1/batches                  create (input_file_id, endpoint, completion_window)
    GET  /v1/batches                  list (newest first)
    GET  /v1/batches/{id}             retrieve (each retrieve may advance the state)
    POST /v1/batches/{id}/cancel      cancel

States: validating -> in_progress -> finalizing -> completed, moved one step every
`BatchPlan.step_polls` retrieves of that batch, or every `step_seconds` (whichever is
set; both: whichever comes first). A cancelled batch goes cancelling -> cancelled at the
next step; `expire` ends in_progress in `expired` with the first half of the lines answered
and the rest in the error file (`batch_expired`), as OpenAI does.

Answers come from the same `AnswerBook` and `build_completion` as chat completions, so a
request answered online and in a batch gets the same answer. An answer file's fault
script (its first entry) applies: "invalid"/"length"/"refusal"/"empty" shape the answer,
"429"/"500"/"503"/"timeout"/"reset" put the line into the error file.
"""

from __future__ import annotations

import hashlib
import json
import random
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from llmextract.fakeserver.completions import build_completion
from llmextract.fakeserver.faults import scripted_fault
from llmextract.fakeserver.multipart import parse_multipart
from llmextract.fakeserver.peer_formats import peer_selection

if TYPE_CHECKING:
    from llmextract.fakeserver.answers import AnswerBook

__all__ = ["BatchPlan", "BatchStore", "Reply"]

_ERROR_FAULTS = ("429", "500", "503", "timeout", "reset")
_TERMINAL = ("completed", "failed", "expired", "cancelled")


@dataclass
class BatchPlan:
    """How the fake Batch API behaves (reassignable while the server runs).

    step_polls: retrieves of a batch that move it one state on (0: never by polls).
    step_seconds: seconds after which it moves one state on (None: never by time).
    error_rate: share of lines (drawn from their custom_id) that go to the error file.
    expire: batches expire while in progress (half the lines answered).
    fail_validation: batches fail validation (status "failed", `errors` set).
    max_file_bytes: uploads larger than this are refused with HTTP 413.
    fail_creates: the next N batch creations answer HTTP 500 without creating.
    lose_creates: the next N creations create the batch, then answer HTTP 500 (the
        client never learns the id: a crash between create and its record).
    """

    step_polls: int = 1
    step_seconds: float | None = None
    error_rate: float = 0.0
    expire: bool = False
    fail_validation: bool = False
    max_file_bytes: int = 200 * 1024 * 1024
    fail_creates: int = 0
    lose_creates: int = 0


@dataclass
class Reply:
    status: int
    body: bytes
    content_type: str = "application/json"


@dataclass
class _File:
    id: str
    filename: str
    purpose: str
    data: bytes
    created_at: int

    def info(self) -> dict[str, Any]:
        return {"id": self.id, "object": "file", "bytes": len(self.data),
                "created_at": self.created_at, "filename": self.filename,
                "purpose": self.purpose, "status": "processed", "status_details": None}


@dataclass
class _Batch:
    id: str
    input_file_id: str
    endpoint: str
    window: str
    metadata: dict[str, str] | None
    created_at: int
    status: str = "validating"
    polls: int = 0
    moved_at: float = field(default_factory=time.monotonic)
    times: dict[str, int] = field(default_factory=dict)
    output_file_id: str | None = None
    error_file_id: str | None = None
    counts: dict[str, int] = field(default_factory=lambda: {
        "total": 0, "completed": 0, "failed": 0})
    errors: list[dict[str, Any]] | None = None
    answers: list[tuple[Any, ...]] | None = None  # (line, answered[, custom_id]), worked out aside

    def info(self) -> dict[str, Any]:
        t = self.times
        return {
            "id": self.id, "object": "batch", "endpoint": self.endpoint,
            "errors": None if self.errors is None else {"object": "list",
                                                        "data": self.errors},
            "input_file_id": self.input_file_id, "completion_window": self.window,
            "status": self.status, "output_file_id": self.output_file_id,
            "error_file_id": self.error_file_id, "created_at": self.created_at,
            "in_progress_at": t.get("in_progress"), "expires_at": self.created_at + 86400,
            "finalizing_at": t.get("finalizing"), "completed_at": t.get("completed"),
            "failed_at": t.get("failed"), "expired_at": t.get("expired"),
            "cancelling_at": t.get("cancelling"), "cancelled_at": t.get("cancelled"),
            "request_counts": dict(self.counts), "metadata": self.metadata,
        }


def _json(status: int, payload: Any) -> Reply:
    return Reply(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"))


def _error(status: int, message: str, type_: str = "invalid_request_error",
           code: str | None = None) -> Reply:
    return _json(status, {"error": {"message": message, "type": type_, "code": code,
                                    "param": None}})


class BatchStore:
    """Files and batches of one fake server, in memory, thread-safe."""

    def __init__(self, book: AnswerBook, note: str, plan: BatchPlan | None = None) -> None:
        self.book = book
        self.note = note
        self.plan = plan if plan is not None else BatchPlan()
        self.files: dict[str, _File] = {}
        self.batches: dict[str, _Batch] = {}
        self.lock = threading.RLock()
        self._n = 0

    def _next(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}{self._n:06d}"

    # -- routing ------------------------------------------------------------------------
    def handle(self, method: str, path: str, query: str, headers: Any, body: bytes
               ) -> Reply | None:
        """The reply for a files/batches route, or None when `path` is none of them."""
        parts = [p for p in path.split("/") if p]
        if parts and parts[0] == "v1":
            parts = parts[1:]
        if not parts or parts[0] not in ("files", "batches"):
            return None
        with self.lock:
            if parts[0] == "files":
                return self._files(method, parts[1:], query, headers, body)
            return self._batches(method, parts[1:], query, body)

    def _files(self, method: str, rest: list[str], query: str, headers: Any,
               body: bytes) -> Reply:
        if method == "POST" and not rest:
            return self._upload(headers.get("Content-Type") or "", body)
        if method == "GET" and not rest:
            purpose = None
            for item in query.split("&"):
                k, _, v = item.partition("=")
                if k == "purpose":
                    purpose = v
            data = [f.info() for f in self.files.values()
                    if purpose is None or f.purpose == purpose]
            return _json(200, {"object": "list", "data": data, "has_more": False})
        found = self.files.get(rest[0]) if rest else None
        if found is None:
            return _error(404, f"No such File object: {rest[0] if rest else ''}")
        if method == "GET" and len(rest) == 1:
            return _json(200, found.info())
        if method == "GET" and len(rest) == 2 and rest[1] == "content":
            return Reply(200, found.data, "application/octet-stream")
        return _error(404, f"no route for {method} /v1/files/{'/'.join(rest)}")

    def _upload(self, content_type: str, body: bytes) -> Reply:
        if not content_type.lower().startswith("multipart/form-data"):
            return _error(400, "an upload must be multipart/form-data")
        try:
            fields = parse_multipart(content_type, body)
        except ValueError as exc:
            return _error(400, str(exc))
        purpose = fields.get("purpose", (None, b""))[1].decode("utf-8", "replace")
        if "file" not in fields:
            return _error(400, "missing the 'file' field")
        filename, data = fields["file"]
        if purpose != "batch":
            return _error(400, f"unsupported purpose {purpose!r} (this server takes 'batch')")
        if len(data) > self.plan.max_file_bytes:
            return _error(413, f"File is too large: {len(data)} bytes; the maximum is "
                          f"{self.plan.max_file_bytes} bytes", code="file_too_large")
        file = _File(self._next("file-"), filename or "upload.jsonl", purpose, data,
                     int(time.time()))
        self.files[file.id] = file
        return _json(200, file.info())

    def _batches(self, method: str, rest: list[str], query: str, body: bytes) -> Reply:
        if method == "POST" and not rest:
            return self._create(body)
        if method == "GET" and not rest:
            return self._list(query)
        batch = self.batches.get(rest[0]) if rest else None
        if batch is None:
            return _error(404, f"No such Batch object: {rest[0] if rest else ''}")
        if method == "GET" and len(rest) == 1:
            batch.polls += 1
            self._advance(batch)
            return _json(200, batch.info())
        if method == "POST" and rest[1:] == ["cancel"]:
            if batch.status not in _TERMINAL and batch.status != "cancelling":
                self._move(batch, "cancelling")
            return _json(200, batch.info())
        return _error(404, f"no route for {method} /v1/batches/{'/'.join(rest)}")

    def _list(self, query: str) -> Reply:
        """Newest first, `limit` (default 20, at most 100) after the id `after`."""
        params = dict(item.partition("=")[::2] for item in query.split("&") if item)
        try:
            limit = min(max(int(params.get("limit") or 20), 1), 100)
        except ValueError:
            return _error(400, "limit must be an integer")
        ordered = sorted(self.batches.values(), key=lambda b: b.id, reverse=True)
        ids = [b.id for b in ordered]
        if params.get("after") in ids:
            ordered = ordered[ids.index(params["after"]) + 1:]
        data = [b.info() for b in ordered[:limit]]
        return _json(200, {"object": "list", "data": data, "has_more": len(ordered) > limit,
                           "first_id": data[0]["id"] if data else None,
                           "last_id": data[-1]["id"] if data else None})

    def _create(self, body: bytes) -> Reply:
        try:
            request = json.loads(body)
            file_id = request["input_file_id"]
        except (ValueError, KeyError, TypeError):
            return _error(400, "the body must be an object with an input_file_id")
        if file_id not in self.files:
            return _error(400, f"No such File object: {file_id}")
        endpoint = request.get("endpoint")
        if endpoint != "/v1/chat/completions":
            return _error(400, f"unsupported endpoint {endpoint!r}")
        if request.get("completion_window") != "24h":
            return _error(400, "completion_window must be '24h'")
        if self.plan.fail_creates > 0:
            self.plan.fail_creates -= 1
            return _error(500, "The server had an error creating the batch", "server_error")
        batch = _Batch(self._next("batch_"), file_id, endpoint, "24h",
                       request.get("metadata"), int(time.time()))
        batch.counts["total"] = sum(1 for line in self.files[file_id].data.splitlines()
                                    if line.strip())
        self.batches[batch.id] = batch
        threading.Thread(target=self._work, args=(batch,), daemon=True,
                         name=f"fakeserver:{batch.id}").start()
        if self.plan.lose_creates > 0:
            self.plan.lose_creates -= 1
            return _error(500, "The server had an error after creating the batch",
                          "server_error")
        return _json(200, batch.info())

    # -- the state machine --------------------------------------------------------------
    def _move(self, batch: _Batch, status: str) -> None:
        batch.status = status
        batch.times[status] = int(time.time())
        batch.moved_at = time.monotonic()
        batch.polls = 0

    def _due(self, batch: _Batch) -> bool:
        plan = self.plan
        by_polls = plan.step_polls > 0 and batch.polls >= plan.step_polls
        by_time = plan.step_seconds is not None and (
            time.monotonic() - batch.moved_at >= plan.step_seconds)
        return by_polls or by_time

    def _advance(self, batch: _Batch) -> None:
        if batch.status in _TERMINAL or not self._due(batch):
            return
        if batch.status == "cancelling":
            self._move(batch, "cancelled")
        elif batch.status == "validating":
            if self.plan.fail_validation:
                batch.errors = [{"code": "invalid_request", "line": 1, "param": None,
                                 "message": "the fake server was told to fail validation"}]
                self._move(batch, "failed")
            else:
                self._move(batch, "in_progress")
        elif batch.status == "in_progress":
            if self.plan.expire and batch.answers is not None:
                self._run(batch, share=0.5)
                self._move(batch, "expired")
            elif not self.plan.expire:
                self._move(batch, "finalizing")
        elif batch.status == "finalizing" and batch.answers is not None:
            self._run(batch, share=1.0)
            self._move(batch, "completed")

    def _work(self, batch: _Batch) -> None:
        """Answer every line, in a thread of its own (a poll never waits for the model)."""
        answers: list[tuple[Any, ...]] = []
        for n, raw in enumerate(self.files[batch.input_file_id].data.splitlines()):
            if not raw.strip():
                continue
            try:
                line = json.loads(raw)
                custom_id = str(line["custom_id"])
                request = line["body"]
            except (ValueError, KeyError, TypeError):
                answers.append((self._line(f"line-{n + 1}", None, {
                    "code": "invalid_json_line", "message": f"line {n + 1} is not a request"}),
                    False))
                continue
            answers.append((*self._answer(custom_id, request), custom_id))
        with self.lock:
            batch.answers = answers

    def _run(self, batch: _Batch, share: float) -> None:
        """The output and error files (the first `share` of the lines answered; the rest
        expire)."""
        assert batch.answers is not None
        cut = int(len(batch.answers) * share) if share < 1 else len(batch.answers)
        out: list[bytes] = []
        err: list[bytes] = []
        for n, (reply, ok, *rest) in enumerate(batch.answers):
            if n >= cut and rest:
                err.append(self._line(str(rest[0]), None, {
                    "code": "batch_expired",
                    "message": "This request could not be executed before the completion "
                               "window expired."}))
                continue
            (out if ok else err).append(reply)
        batch.counts["completed"] = len(out)
        batch.counts["failed"] = len(err)
        if out:
            batch.output_file_id = self._store(f"{batch.id}_output.jsonl", out)
        if err:
            batch.error_file_id = self._store(f"{batch.id}_error.jsonl", err)

    def _store(self, name: str, lines: list[bytes]) -> str:
        file = _File(self._next("file-"), name, "batch_output", b"".join(lines),
                     int(time.time()))
        self.files[file.id] = file
        return file.id

    def _line(self, custom_id: str, response: dict[str, Any] | None,
              error: dict[str, Any] | None) -> bytes:
        rid = hashlib.sha256(custom_id.encode("utf-8")).hexdigest()[:24]
        line = {"id": f"batch_req_{rid}", "custom_id": custom_id, "response": response,
                "error": error}
        return json.dumps(line, ensure_ascii=False).encode("utf-8") + b"\n"

    def _answer(self, custom_id: str, request: Any) -> tuple[bytes, bool]:
        from llmextract.fakeserver.answers import requested_schema

        if not isinstance(request, dict) or not isinstance(request.get("messages"), list):
            return self._line(custom_id, {"status_code": 400, "request_id": "req_bad",
                                          "body": {"error": {
                                              "message": "the body has no messages list",
                                              "type": "invalid_request_error"}}},
                              None), False
        raw = json.dumps(request, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        body_hash = hashlib.sha256(raw).hexdigest()
        selection = peer_selection(request) or self.book.select(
            request["messages"], requested_schema(request))
        fault = scripted_fault(selection.faults, 0) if selection.faults else None
        if fault == "malformed":  # a batch line is whole JSON or absent
            fault = None
        rate = self.plan.error_rate
        if fault is None and rate > 0 and random.Random(custom_id).random() < rate:
            fault = "500"
        if fault in _ERROR_FAULTS:
            status = 429 if fault == "429" else 500
            return self._line(custom_id, {"status_code": status,
                                          "request_id": f"req_{body_hash[:16]}",
                                          "body": {"error": {
                                              "message": "The server had an error while "
                                                         "processing your request.",
                                              "type": "server_error"}}}, None), False
        payload = build_completion(request, body_hash, selection.answer, fault, self.note)
        return self._line(custom_id, {"status_code": 200,
                                      "request_id": f"req_{body_hash[:16]}",
                                      "body": payload}, None), True
