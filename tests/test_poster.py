"""call/poster.py: instructor's `create` without openai's body walk sends the very bytes
openai's own `create` sends (so every cassette replays unchanged), and hands anything it
is not sure of to openai's `create`."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx2 as httpx
import openai
import pytest
from openai.types.chat import ChatCompletionMessage

from llmextract.call.poster import ChatPoster, instructor_client
from llmextract.fakeserver import FakeServer
from llmextract.schemas.news import ArticleSummary

ANSWER = {
    "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "m",
    "choices": [{"index": 0, "finish_reason": "stop", "message": {
        "role": "assistant", "content": None, "tool_calls": [{
            "id": "call_1", "type": "function", "function": {
                "name": "ArticleSummary",
                "arguments": json.dumps({"title": "T", "summary": "S.", "key_points": []}),
            }}]}}],
    "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
}


class Capture:
    """An HTTP-level fake: records each request's headers and bytes, answers ANSWER."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, json=ANSWER)


def _client(capture: Capture) -> openai.AsyncOpenAI:
    http = openai.DefaultAsyncHttpxClient(transport=httpx.MockTransport(capture.handler))
    return openai.AsyncOpenAI(api_key="sk-test-not-real", base_url="http://fake.test/v1",
                              max_retries=0, http_client=http)


TOOLS = [{"type": "function", "function": {"name": "ArticleSummary", "description": "d",
                                           "parameters": {"type": "object", "properties": {
                                               "title": {"type": "string"}}}}}]
MESSAGES = [{"role": "system", "content": "Extract."},
            {"role": "user", "content": "<article>\nÉté « 1 100 » — 61,9 %\n</article>"}]
REASK = [*MESSAGES,
         {"role": "assistant", "content": None, "tool_calls": [
             {"id": "call_1", "type": "function",
              "function": {"name": "ArticleSummary", "arguments": "{}"}}]},
         {"role": "tool", "tool_call_id": "call_1", "content": "Validation error: title"}]

CASES: list[dict[str, Any]] = [
    dict(model="gpt-4o-mini", messages=MESSAGES, tools=TOOLS, max_tokens=2000,
         tool_choice={"type": "function", "function": {"name": "ArticleSummary"}}),
    dict(model="m", messages=MESSAGES, temperature=0.0, max_completion_tokens=512,
         response_format={"type": "json_object"},
         extra_body={"response_format": {"type": "json_object", "schema": {"a": 1}}}),
    dict(model="m", messages=REASK, tools=TOOLS, tool_choice="auto", max_tokens=64,
         extra_headers={"X-Trace": "1"}, timeout=30.0),
]


def _headers(request: httpx.Request) -> dict[str, str]:
    return {k: v for k, v in request.headers.items() if k.lower() != "x-stainless-retry-count"}


@pytest.mark.parametrize("kwargs", CASES)
def test_short_path_sends_the_bytes_openai_sends(kwargs: dict[str, Any]) -> None:
    async def run() -> tuple[Capture, Capture, ChatPoster, Any, Any]:
        ours, theirs = Capture(), Capture()
        poster = ChatPoster(_client(ours))
        mine = await poster.create(**kwargs)
        reference = await _client(theirs).chat.completions.create(**kwargs)
        return ours, theirs, poster, mine, reference

    ours, theirs, poster, mine, reference = asyncio.run(run())
    assert poster.posted == 1
    assert ours.requests[0].content == theirs.requests[0].content
    assert ours.requests[0].url == theirs.requests[0].url
    assert _headers(ours.requests[0]) == _headers(theirs.requests[0])
    assert ours.requests[0].extensions.get("timeout") == theirs.requests[0].extensions.get(
        "timeout")
    assert mine == reference  # the same ChatCompletion back


def test_what_it_is_not_sure_of_goes_to_openais_create() -> None:
    message = ChatCompletionMessage(role="assistant", content="earlier answer")

    async def run() -> tuple[Capture, ChatPoster]:
        capture = Capture()
        poster = ChatPoster(_client(capture))
        # a message that is an openai model, not JSON data: openai's transform serialises it
        await poster.create(model="m", messages=[*MESSAGES, message])
        with pytest.raises(TypeError):  # an argument openai does not know: openai's error
            await poster.create(model="m", messages=MESSAGES, not_a_parameter=1)
        return capture, poster

    capture, poster = asyncio.run(run())
    assert poster.posted == 0
    body = json.loads(capture.requests[0].content)
    assert body["messages"][-1] == {"role": "assistant", "content": "earlier answer"}


def test_instructor_runs_its_loop_over_the_short_path() -> None:
    """instructor's own preparation, parsing and validation, with our create underneath."""
    async def run() -> tuple[Capture, ChatPoster, Any, Any]:
        capture = Capture()
        client = _client(capture)
        poster = ChatPoster(client)
        patched = instructor_client(client, "TOOLS", poster.create)
        result, completion = await patched.chat.completions.create_with_completion(
            model="m", messages=MESSAGES, response_model=ArticleSummary, max_retries=0)
        return capture, poster, result, completion

    capture, poster, result, completion = asyncio.run(run())
    assert poster.posted == 1 and len(capture.requests) == 1
    assert isinstance(result, ArticleSummary) and result.title == "T"
    assert completion.usage.total_tokens == 15
    body = json.loads(capture.requests[0].content)
    assert body["tool_choice"] == {"type": "function", "function": {"name": "ArticleSummary"}}
    assert list(body) == ["messages", "model", "tool_choice", "tools"]


class Sequence(Capture):
    """Answers an invalid tool call first (no title), then ANSWER."""

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if len(self.requests) % 2 == 1:
            bad = json.loads(json.dumps(ANSWER))
            bad["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"] = "{}"
            return httpx.Response(200, json=bad)
        return httpx.Response(200, json=ANSWER)


def test_prepared_tools_re_asks_as_instructor_does() -> None:
    """The prepared path runs instructor's loop: an invalid answer is re-asked with the
    messages instructor writes, byte for byte what `create_with_completion` sends."""
    from llmextract.call.poster import PreparedTools

    async def run() -> tuple[Sequence, Sequence, Any, Any]:
        ours, theirs = Sequence(), Sequence()
        client = _client(ours)
        prepared = PreparedTools(ChatPoster(client).create, ArticleSummary)
        mine = await prepared.create_with_completion(
            dict(model="m", messages=MESSAGES, response_model=ArticleSummary, strict=False,
                 max_tokens=64), max_retries=1)
        reference = await instructor_client(_client(theirs), "TOOLS", ChatPoster(
            _client(theirs)).create).chat.completions.create_with_completion(
            model="m", messages=MESSAGES, response_model=ArticleSummary, strict=False,
            max_tokens=64, max_retries=1)
        return ours, theirs, mine, reference

    ours, theirs, mine, reference = asyncio.run(run())
    assert len(ours.requests) == len(theirs.requests) == 2
    assert [r.content for r in ours.requests] == [r.content for r in theirs.requests]
    second = json.loads(ours.requests[1].content)["messages"]
    assert len(second) > len(MESSAGES)  # the re-ask carries the error back
    assert mine[0].model_dump() == reference[0].model_dump() and mine[0].title == "T"
    assert mine[1].usage.total_tokens == reference[1].usage.total_tokens == 30  # both attempts


def test_the_body_order_is_the_order_of_openais_create() -> None:
    """`body_order` reads openai's parameter type, not `create`'s signature (which needs all
    of openai's API resources imported): the two must agree, `stream` aside (the short
    path never sends it)."""
    import inspect

    from openai.resources.chat.completions import AsyncCompletions

    from llmextract.call.poster import body_order

    params = inspect.signature(AsyncCompletions.create).parameters
    signature = [name for name, p in params.items() if p.kind is inspect.Parameter.KEYWORD_ONLY
                 and name not in ("extra_headers", "extra_query", "extra_body", "timeout")]
    assert list(body_order()) == [name for name in signature if name != "stream"]
    assert "stream" in signature


def test_a_model_run_never_imports_openais_api_resources(tmp_path: Path) -> None:
    """A whole run against the fake server: no `client.chat`, so none of openai's ~100
    resource modules (~0.23 s of CPU at start-up)."""
    article = tmp_path / "a.txt"
    article.write_text("Harbor bridge closes\n\nThe harbor bridge closes for 14 weeks, "
                       "the city said on Monday.\n", encoding="utf-8")
    code = ("import sys\nfrom llmextract.cli import main\n"
            f"main(['summarize', {str(article)!r}, '--base-url', sys.argv[1], '--no-cache',"
            " '-o', sys.argv[2]])\n"
            "print('openai.resources' in sys.modules)")
    with FakeServer() as server:
        done = subprocess.run([sys.executable, "-c", code, server.base_url,
                               str(tmp_path / "out.jsonl")], capture_output=True, text=True,
                              env={**os.environ, "OPENAI_API_KEY": "sk-test"}, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
    record = json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8"))
    assert record["status"] == "ok" and record["engine"].startswith("llm")
