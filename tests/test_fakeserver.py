"""The fake OpenAI-compatible server, driven by the real openai + instructor clients over HTTP
and by raw http.client for the faults."""

from __future__ import annotations

import asyncio
import http.client
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import instructor
import openai
import pytest
from instructor.core import IncompleteOutputException, InstructorRetryException

from llmextract.fakeserver import (
    FAULT_KINDS,
    MINIMAL_MATCH,
    RULES_MATCH,
    FakeServer,
    FaultPlan,
)
from llmextract.schemas.news import ArticleSummary

from .conftest import interruptible

pytestmark = pytest.mark.block_network(allowed_hosts=["127\\.0\\.0\\.1"])

ANSWERS = Path(__file__).parent / "data" / "answers_example"
HARBOUR = "Harbour bridge reopens after two-year refit"
LIGHTHOUSE = "Lighthouse keeper retires after 40 years"
FERRY = "Ferry timetable changes from June"
ROOT = Path(__file__).resolve().parents[1]

logging.getLogger("instructor").setLevel(logging.CRITICAL)


def article(headline: str, body: str = "It happened on Thursday. Officials confirmed it.") -> str:
    return f"Summarise this article.\n<article>\n{headline}\n{body}\n</article>"


def messages(headline: str) -> list[dict[str, Any]]:
    return [
        {"role": "system", "content": "You summarise news articles."},
        {"role": "user", "content": article(headline)},
    ]


@pytest.fixture
def srv() -> Iterator[FakeServer]:
    with FakeServer(ANSWERS) as server:
        yield server


def extract(
    server: FakeServer,
    headline: str,
    mode: instructor.Mode = instructor.Mode.TOOLS,
    max_retries: int = 0,
    timeout: float = 5.0,
    client_retries: int = 0,
) -> tuple[ArticleSummary, Any]:
    async def go() -> tuple[ArticleSummary, Any]:
        client = openai.AsyncOpenAI(
            base_url=server.base_url, api_key="test", max_retries=client_retries, timeout=timeout
        )
        try:
            ic = instructor.from_openai(client, mode=mode)
            return await ic.chat.completions.create_with_completion(
                model="fake-model",
                response_model=ArticleSummary,
                max_retries=max_retries,
                messages=messages(headline),  # type: ignore[arg-type]
            )
        finally:
            await client.close()

    return asyncio.run(go())


def post(
    server: FakeServer, payload: dict[str, Any] | bytes, timeout: float = 5.0
) -> tuple[int, dict[str, str], bytes]:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    try:
        conn.request("POST", "/v1/chat/completions", body, {"Content-Type": "application/json"})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def get_json(server: FakeServer, path: str) -> Any:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        conn.request("GET", path)
        return json.loads(conn.getresponse().read())
    finally:
        conn.close()


def tools_request(headline: str = HARBOUR, **extra: Any) -> dict[str, Any]:
    wrapped: Any = instructor.openai_schema(ArticleSummary)
    schema = wrapped.openai_schema
    return {
        "model": "gpt-test",
        "messages": messages(headline),
        "tools": [{"type": "function", "function": schema}],
        "tool_choice": {"type": "function", "function": {"name": "ArticleSummary"}},
        **extra,
    }


# -- answers ------------------------------------------------------------------------------


def test_tools_mode_gets_authored_answer(srv: FakeServer) -> None:
    summary, completion = extract(srv, HARBOUR)
    assert summary.publisher == "Example Wire"
    assert summary.figures[0].value == 120_000_000
    assert str(summary.published) == "2024-05-02"
    assert completion.choices[0].finish_reason == "tool_calls"
    call = completion.choices[0].message.tool_calls[0]
    assert call.id.startswith("call_") and call.function.name == "ArticleSummary"
    assert completion.usage.prompt_tokens > 30 and completion.usage.completion_tokens > 50
    stats = srv.stats
    assert stats["completions"] == 1 and stats["by_match"] == {"01_harbour_bridge": 1}


def test_reask_serves_next_answer_with_error_text(srv: FakeServer) -> None:
    summary, _ = extract(srv, LIGHTHOUSE, max_retries=1)
    assert summary.figures[0].value == 40 and summary.entities[0].name == "Tom Reed"
    assert srv.stats["completions"] == 2
    second = srv.requests[1]
    roles = [m["role"] for m in second["messages"]]
    assert roles == ["system", "user", "assistant", "tool"]
    error_text = second["messages"][-1]["content"]
    assert "summary" in error_text and "Field required" in error_text
    assert "figures.0.value" in error_text


def test_reask_exhausted_raises(srv: FakeServer) -> None:
    with pytest.raises(InstructorRetryException) as info:
        extract(srv, LIGHTHOUSE, max_retries=0)
    assert info.value.n_attempts == 1 and srv.stats["completions"] == 1


@pytest.mark.parametrize(
    "mode", [instructor.Mode.JSON, instructor.Mode.JSON_SCHEMA, instructor.Mode.MD_JSON]
)
def test_content_modes_parse(srv: FakeServer, mode: instructor.Mode) -> None:
    summary, completion = extract(srv, HARBOUR, mode=mode)
    assert summary.title == HARBOUR
    message = completion.choices[0].message
    assert message.tool_calls is None and completion.choices[0].finish_reason == "stop"
    assert message.content.startswith("```json\n") == (mode == instructor.Mode.MD_JSON)
    assert srv.requests[0].get("response_format") is None or mode != instructor.Mode.MD_JSON


def test_verbatim_string_answer_and_text_parts(srv: FakeServer) -> None:
    content = [{"type": "text", "text": "Verbatim answer example: a headline, no tags."}]
    status, _, body = post(srv, {"model": "m", "messages": [{"role": "user", "content": content}]})
    assert status == 200
    answer = json.loads(body)["choices"][0]["message"]["content"]
    assert answer == '{"summary": "an answer sent verbatim", "topics": ["example"]}'


class _FakeRulesSummary:
    def model_dump(self, mode: str = "python") -> dict[str, Any]:
        grounded = {"span": [0, 4], "source": "rules"}
        return {
            "summary": "Echoed by the rules engine.",
            "figures": [{"text": "5", "value": 5, "describes": "things", **grounded}],
            "quotes": [{"text": "We are happy", "speaker": None, **grounded}],
            "entities": [{"name": "Ann Lee", "type": "person", **grounded}],
        }


class _FakeRulesOutput:
    summary = _FakeRulesSummary()


def test_unmatched_article_gets_rules_echo(
    srv: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_rules = types.ModuleType("llmextract.rules")
    fake_rules.extract = lambda text: _FakeRulesOutput()  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "llmextract.rules", fake_rules)
    summary, _ = extract(srv, "Nothing authored matches this headline")
    assert summary.summary == "Echoed by the rules engine."
    assert summary.entities[0].name == "Ann Lee" and summary.figures[0].value == 5
    assert srv.stats["by_match"] == {RULES_MATCH: 1}
    raw = json.loads(post(srv, tools_request("Another unmatched one."))[2])
    args = json.loads(raw["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"])
    for key in ("figures", "quotes", "entities"):
        assert args[key] and all("span" not in i and "source" not in i for i in args[key])


def test_unmatched_article_without_rules_gets_minimal_answer(
    srv: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "llmextract.rules", None)  # import fails
    summary, _ = extract(srv, "No match here. A second sentence follows.")
    assert summary.summary == "No match here." and summary.figures == []
    assert srv.stats["by_match"] == {MINIMAL_MATCH: 1}


def test_response_is_deterministic_and_echoes_model(srv: FakeServer) -> None:
    first = post(srv, tools_request())[2]
    assert post(srv, tools_request())[2] == first
    data = json.loads(first)
    assert data["model"] == "gpt-test" and data["object"] == "chat.completion"
    assert set(data["usage"]) == {"prompt_tokens", "completion_tokens", "total_tokens"}
    assert json.loads(post(srv, tools_request(model="other"))[2])["id"] != data["id"]


def test_models_and_stats_endpoints(srv: FakeServer) -> None:
    async def models() -> list[str]:
        async with openai.AsyncOpenAI(base_url=srv.base_url, api_key="t") as client:
            return [m.id async for m in client.models.list()]

    assert asyncio.run(models()) == ["fake-model"]
    post(srv, tools_request())
    stats = get_json(srv, "/_stats")
    assert stats["requests"] == 2 and stats["completions"] == 1
    assert stats["by_status"] == {"200": 2}
    srv.reset_stats()
    assert srv.stats["requests"] == 0 and srv.requests == []
    status, _, _ = post(srv, b"not json")
    assert status == 400


# -- faults at the HTTP level -------------------------------------------------------------


def faulty(kind: str, **plan: Any) -> FakeServer:
    options: dict[str, Any] = {"rate": 1.0, "kinds": [kind], "max_consecutive": None, **plan}
    return FakeServer(ANSWERS, faults=FaultPlan(**options))


@pytest.mark.parametrize("kind", ["429", "500", "503"])
def test_status_faults_raw(kind: str) -> None:
    with faulty(kind, retry_after=3, retry_after_ms=2500) as server:
        status, headers, body = post(server, tools_request())
        assert server.stats["by_fault"] == {kind: 1}
    assert status == int(kind)
    error = json.loads(body)["error"]
    assert {"message", "type", "code"} <= set(error)
    if kind == "429":
        assert headers["retry-after"] == "3" and headers["retry-after-ms"] == "2500"


@pytest.mark.parametrize("kind", ["invalid", "length", "refusal", "empty", "malformed"])
def test_body_faults_raw(kind: str) -> None:
    with faulty(kind) as server:
        status, _, body = post(server, tools_request())
    assert status == 200
    if kind == "malformed":
        with pytest.raises(ValueError):
            json.loads(body)
        return
    data = json.loads(body)
    if kind == "empty":
        assert data["choices"] == []
        return
    choice = data["choices"][0]
    if kind == "refusal":
        assert choice["message"]["refusal"] and "tool_calls" not in choice["message"]
        assert choice["finish_reason"] == "stop"
        return
    arguments = choice["message"]["tool_calls"][0]["function"]["arguments"]
    if kind == "length":
        assert choice["finish_reason"] == "length"
        with pytest.raises(ValueError):
            json.loads(arguments)
    else:
        parsed = json.loads(arguments)
        assert "summary" not in parsed and parsed["figures"][0]["value"] == "many"


def test_reset_and_timeout_raw() -> None:
    with faulty("reset") as server, pytest.raises(ConnectionError):
        post(server, tools_request())
    with faulty("timeout", slow_seconds=0.3) as server:
        started = time.monotonic()
        status, _, body = post(server, tools_request())
        assert status == 200 and json.loads(body)["choices"]
        assert time.monotonic() - started >= 0.3


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("429", openai.RateLimitError),
        ("500", openai.InternalServerError),
        ("503", openai.InternalServerError),
        ("reset", openai.APIConnectionError),
        ("timeout", openai.APITimeoutError),
        ("malformed", json.JSONDecodeError),
    ],
)
def test_transport_faults_seen_by_openai(kind: str, error: type[Exception]) -> None:
    with faulty(kind, slow_seconds=30) as server:
        started = time.monotonic()
        with pytest.raises(InstructorRetryException) as info:
            extract(server, HARBOUR, timeout=0.2)
        cause = info.value.__cause__
        assert isinstance(cause, error)
        if kind == "429":
            assert isinstance(cause, openai.RateLimitError)
            assert cause.response.headers["retry-after"] == "1"
            assert cause.response.headers["retry-after-ms"] == "1000"
    assert time.monotonic() - started < 2  # the 30 s stall ended with the server


@pytest.mark.parametrize(
    ("kind", "cause"),
    [("invalid", "ValidationError"), ("refusal", "AssertionError"), ("empty", "IndexError")],
)
def test_answer_faults_seen_by_instructor(kind: str, cause: str) -> None:
    with faulty(kind) as server, pytest.raises(InstructorRetryException) as info:
        extract(server, HARBOUR)
    assert type(info.value.__cause__).__name__ == cause


def test_length_fault_is_incomplete_output() -> None:
    with faulty("length") as server, pytest.raises(IncompleteOutputException):
        extract(server, HARBOUR, max_retries=2)


# -- scripts and rates --------------------------------------------------------------------


def test_scripted_faults_per_body(srv: FakeServer) -> None:
    request = tools_request(FERRY)
    statuses = [post(srv, request)[0] for _ in range(4)]
    assert statuses == [429, 500, 200, 200]
    assert post(srv, tools_request(FERRY, model="other"))[0] == 429  # a new body, a new script
    assert srv.stats["by_fault"] == {"429": 2, "500": 1}
    assert srv.stats["by_match"] == {"03_scripted_faults_ferry": 5}


def test_openai_client_retries_through_script() -> None:
    with FakeServer(ANSWERS, faults=FaultPlan(retry_after=0, retry_after_ms=10)) as server:
        summary, _ = extract(server, FERRY, client_retries=2)
        assert summary.summary == "The ferry timetable changes from June."
        assert server.stats["completions"] == 3


def fault_sequence(server: FakeServer) -> list[int]:
    out = []
    for i in range(12):
        request = tools_request(f"Unmatched headline number {i}")
        out += [post(server, request)[0] for _ in range(3)]
    return out


def test_rate_faults_are_deterministic() -> None:
    plan: dict[str, Any] = {"rate": 0.5, "kinds": ["429", "500", "503"], "seed": 7}
    runs = []
    for _ in range(2):
        with FakeServer(faults=FaultPlan(**plan)) as server:
            runs.append(fault_sequence(server))
    assert runs[0] == runs[1]
    assert {200, 429, 500, 503} <= set(runs[0])
    with FakeServer(faults=FaultPlan(**{**plan, "seed": 8})) as server:
        assert fault_sequence(server) != runs[0]


def test_max_consecutive_lets_the_third_try_through() -> None:
    with FakeServer(faults=FaultPlan(rate=1.0, kinds=["500"], max_consecutive=2)) as server:
        assert [post(server, tools_request())[0] for _ in range(4)] == [500, 500, 200, 500]


def test_fault_plan_validation() -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        FaultPlan(rate=0.1, kinds=["teapot"])
    with pytest.raises(ValueError):
        FaultPlan(rate=1.5)
    assert set(FAULT_KINDS) >= {"429", "reset", "empty"}


# -- concurrency, shutdown, CLI -----------------------------------------------------------


def test_64_concurrent_requests() -> None:
    async def many(server: FakeServer) -> list[ArticleSummary]:
        client = openai.AsyncOpenAI(base_url=server.base_url, api_key="t", max_retries=0)
        ic = instructor.from_openai(client, mode=instructor.Mode.TOOLS)
        try:
            jobs = [
                ic.chat.completions.create(
                    model="m",
                    response_model=ArticleSummary,
                    max_retries=0,
                    messages=messages(f"{HARBOUR} ({i})"),  # type: ignore[arg-type]
                )
                for i in range(64)
            ]
            return list(await asyncio.gather(*jobs))
        finally:
            await client.close()

    with FakeServer(ANSWERS, latency=0.2) as server:
        started = time.monotonic()
        results = asyncio.run(many(server))
        elapsed = time.monotonic() - started
        assert server.stats["completions"] == 64
    assert len(results) == 64 and all(r.publisher == "Example Wire" for r in results)
    assert elapsed < 1.5, elapsed


def test_stop_is_prompt_with_idle_and_stalled_connections() -> None:
    server = FakeServer(faults=FaultPlan(rate=1.0, kinds=["timeout"], slow_seconds=30)).start()
    idle = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    idle.request("GET", "/v1/models")
    idle.getresponse().read()  # keep-alive: the server thread now waits on this socket
    outcome: list[object] = []

    def stalled() -> None:
        try:
            outcome.append(post(server, tools_request(), timeout=10)[0])
        except (OSError, http.client.HTTPException) as exc:
            outcome.append(exc)

    worker = threading.Thread(target=stalled)
    worker.start()
    time.sleep(0.2)
    started = time.monotonic()
    server.stop()
    worker.join(5)
    idle.close()
    assert time.monotonic() - started < 1.0
    assert outcome and not isinstance(outcome[0], int)


def test_cli_serves_and_stops_on_interrupt() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "llmextract.fakeserver", "--port", "0", "--answers", str(ANSWERS)],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
        preexec_fn=interruptible,
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        assert line.startswith("listening on http://127.0.0.1:") and line.rstrip().endswith("/v1")
        port = int(line.rsplit(":", 1)[1].split("/")[0])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/_stats")
        assert json.loads(conn.getresponse().read())["completions"] == 0
        conn.close()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=5) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()


def test_cli_help_explains_options() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "llmextract.fakeserver", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    ).stdout
    for option in ("--answers", "--latency", "--fault-rate", "--faults", "--slow-seconds"):
        assert option in out
    assert '"match"' in out and "retry-after-ms" in out
