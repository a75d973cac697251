"""--mode auto and the explicit modes against the fake server's profiles of known servers
(llama-cpp-python, Ollama, vLLM, OpenAI): the exact requests each server saw, the records'
status and request counts, the endpoint memory, budgets, timeouts and cached tokens."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openai
import openai._base_client as _base
import pytest

from llmextract import Extractor
from llmextract.call.retry import is_rejection, scrub, server_reason
from llmextract.fakeserver import FakeServer, FaultPlan
from llmextract.pipeline.long import MAX_SPLIT_DEPTH
from llmextract.run.costs import estimate_cost
from llmextract.run.progress import RunStats
from llmextract.schemas.record import Result

from .conftest import ROOT, SEED, cli, records
from .test_model_call import ARTICLE, GOOD, write_answers

KEY = "sk-test-not-a-key-1234567890"


def texts(n: int, tag: str = "") -> list[str]:
    return [ARTICLE + f"\nEditor's note {tag}{i}.\n" for i in range(n)]


def form_of(request: dict[str, Any]) -> str:
    """The structured-output form of one request body."""
    if request.get("tools"):
        return "tools"
    fmt = request.get("response_format")
    if isinstance(fmt, dict):
        if fmt.get("type") == "json_schema":
            return "json_schema"
        return "json_object_schema" if "schema" in fmt else "json"
    return "md_json"


@pytest.fixture
def answers(tmp_path: Path) -> Path:
    return write_answers(tmp_path / "answers", [GOOD])


def served(profile: str, answers: Path, **kw: Any) -> FakeServer:
    return FakeServer(answers_dir=answers, profile=profile, **kw)


def run(srv: FakeServer, items: list[str], cache: Path, **kw: Any) -> list[Result]:
    kw.setdefault("backoff_base", 0.01)
    kw.setdefault("concurrency", 1)
    ex = Extractor(base_url=srv.base_url, api_key=KEY, cache_dir=cache, **kw)
    return list(ex.summarize_many(items))


def memory(cache: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((cache / "endpoints.json").read_text())
    return data


# -- llama-cpp-python (the model's own chat template) ------------------------------------

def test_auto_on_llamacpp_learns_json_object_with_a_schema_and_remembers_it(
        answers: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    cache = tmp_path / "cache"
    with served("llamacpp", answers) as srv:
        results = run(srv, texts(3), cache)
        forms = [form_of(r) for r in srv.requests]
        assert srv.stats["by_status"] == {"200": 3, "500": 1}
        url, port = srv.base_url, srv.port
    # 1: tools ignored, the JSON read from the content; 2: json_schema refused (HTTP 500),
    # json_object with a schema at once; 3: json_object with a schema
    assert forms == ["tools", "json_schema", "json_object_schema", "json_object_schema"]
    assert [r.status for r in results] == ["ok"] * 3
    assert sorted(r.usage.requests for r in results) == [1, 1, 2]
    assert srv.requests[2]["response_format"]["schema"]["title"] == "ArticleSummary"
    err = capfd.readouterr().err
    line = (f"llmextract: {url} (gpt-4o-mini) takes json_object with a schema; "
            "tools were ignored; json_schema was rejected")
    assert err.count("llmextract: http") == 1 and line in err
    entry = memory(cache)[f"{url} (gpt-4o-mini)"]
    assert entry["form"] == "json_object_schema" and entry["confirmed"] is True
    assert "Input should be 'text' or 'json_object'" in entry["rejected"]["json_schema"]

    # a later run starts with what was learned: one request per article
    with served("llamacpp", answers, port=port) as again:
        results = run(again, texts(2, "later run "), cache)
        assert [form_of(r) for r in again.requests] == ["json_object_schema"] * 2
    assert [r.usage.requests for r in results] == [1, 1]
    assert "learned in an earlier run" in capfd.readouterr().err


def test_auto_concurrent_articles_probe_one_at_a_time(answers: Path, tmp_path: Path) -> None:
    with served("llamacpp", answers, latency=0.05) as srv:
        results = run(srv, texts(8), tmp_path / "cache", concurrency=8)
        forms = [form_of(r) for r in srv.requests]
    assert [r.status for r in results] == ["ok"] * 8
    assert forms[:3] == ["tools", "json_schema", "json_object_schema"]
    assert forms.count("json_schema") == 1 and forms.count("tools") == 1
    assert len(forms) == 9  # one extra request in the whole run


def test_explicit_json_schema_on_llamacpp_is_refused_once_with_the_servers_reason(
        answers: Path, tmp_path: Path) -> None:
    with served("llamacpp", answers) as srv:
        [result] = run(srv, texts(1), tmp_path / "cache", mode="json_schema")
        assert srv.stats["completions"] == 1  # a 500 that names an invalid input: not resent
    assert result.status == "fallback" and result.usage.requests == 1
    assert result.error is not None and result.error.type == "ModelUnavailableError"
    message = result.error.message
    assert message.startswith("HTTP 500 from the model endpoint: 1 validation error")
    assert "Input should be 'text' or 'json_object'" in message
    assert message.endswith("(after 1 request)")
    assert not (tmp_path / "cache" / "endpoints.json").exists()  # explicit modes learn nothing


def test_explicit_json_on_llamacpp_sends_a_budget_and_stops_after_two_requests(
        answers: Path, tmp_path: Path) -> None:
    # json_object without a schema: the small model runs on; max_tokens stops it, and the
    # truncated answer is asked once more (twice the budget, briefly), then falls back
    with served("llamacpp", answers) as srv:
        [result] = run(srv, texts(1), tmp_path / "cache", mode="json")
        budgets = [r["max_tokens"] for r in srv.requests]
        assert [r["response_format"] for r in srv.requests] == [{"type": "json_object"}] * 2
    assert budgets == [3072, 6144]
    assert result.status == "fallback" and result.usage.requests == 2
    assert result.error is not None and "truncated at 6144 tokens" in result.error.message


def test_explicit_tools_on_llamacpp_reads_the_content_and_never_switches(
        answers: Path, tmp_path: Path) -> None:
    with served("llamacpp", answers) as srv:
        results = run(srv, texts(2), tmp_path / "cache", mode="tools")
        assert [form_of(r) for r in srv.requests] == ["tools", "tools"]
    assert [(r.status, r.usage.requests) for r in results] == [("ok", 1), ("ok", 1)]


# -- Ollama ------------------------------------------------------------------------------

def test_auto_on_ollama_moves_from_ignored_tools_to_json_schema(
        answers: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    cache = tmp_path / "cache"
    with served("ollama", answers) as srv:
        results = run(srv, texts(3), cache)
        assert [form_of(r) for r in srv.requests] == ["tools", "json_schema", "json_schema"]
        url = srv.base_url
    assert [(r.status, r.usage.requests) for r in results] == [("ok", 1)] * 3
    assert memory(cache)[f"{url} (gpt-4o-mini)"]["form"] == "json_schema"
    assert "takes json_schema; tools were ignored" in capfd.readouterr().err


def test_one_article_run_on_ollama_remembers_that_tools_were_ignored(
        answers: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    cache = tmp_path / "cache"
    with served("ollama", answers) as srv:
        [result] = run(srv, texts(1), cache)
        assert result.status == "ok" and result.usage.requests == 1
        assert "tools were ignored; next: json_schema" in capfd.readouterr().err
        [again] = run(srv, texts(1, "later run "), cache)
        assert form_of(srv.requests[-1]) == "json_schema" and again.status == "ok"


@pytest.mark.parametrize("mode", ["json_schema", "json", "md_json"])
def test_explicit_modes_on_ollama(answers: Path, tmp_path: Path, mode: str) -> None:
    with served("ollama", answers) as srv:
        [result] = run(srv, texts(1), tmp_path / "cache", mode=mode)
        assert [form_of(r) for r in srv.requests] == [mode]
    assert result.status == "ok" and result.usage.requests == 1


# -- vLLM --------------------------------------------------------------------------------

def test_auto_on_vllm_uses_tools_and_says_nothing(
        answers: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    with served("vllm", answers) as srv:
        results = run(srv, texts(2), tmp_path / "cache")
        assert [form_of(r) for r in srv.requests] == ["tools", "tools"]
        assert srv.requests[0]["tool_choice"]["function"]["name"] == "ArticleSummary"
    assert [(r.status, r.usage.requests) for r in results] == [("ok", 1)] * 2
    assert "llmextract: http" not in capfd.readouterr().err


@pytest.mark.parametrize("mode", ["tools", "json_schema", "json"])
def test_explicit_modes_on_vllm(answers: Path, tmp_path: Path, mode: str) -> None:
    with served("vllm", answers) as srv:
        [result] = run(srv, texts(1), tmp_path / "cache", mode=mode)
        assert [form_of(r) for r in srv.requests] == [mode]
    assert result.status == "ok"


def test_vllm_context_limit_lowers_the_budget_once(answers: Path, tmp_path: Path) -> None:
    # prompt (~300 tokens) + 8000 > vLLM's 8192: refused with vLLM's 400, then sent once
    # more with the budget that fits; the form is not blamed
    with served("vllm", answers) as srv:
        [result] = run(srv, texts(1), tmp_path / "cache", max_tokens=8000)
        budgets = [r["max_tokens"] for r in srv.requests]
        assert [form_of(r) for r in srv.requests] == ["tools", "tools"]
        assert srv.stats["by_status"] == {"400": 1, "200": 1}
        url = srv.base_url
    assert budgets[0] == 8000 and 7000 < budgets[1] < 8192 - 100
    assert result.status == "ok" and result.usage.requests == 2
    assert memory(tmp_path / "cache")[f"{url} (gpt-4o-mini)"]["rejected"] == {}


def test_vllm_context_refusal_splits_the_article(answers: Path, tmp_path: Path) -> None:
    # sent whole (a budget far over the article), refused with vLLM's 400 (the prompt alone
    # is over 8192 tokens): the article is split and sent in chunks instead of failing
    huge = ARTICLE + ("More words about the ferry strike. " * 5000)
    with served("vllm", answers) as srv:
        [result] = run(srv, [huge], tmp_path / "cache", mode="tools",
                       max_input_tokens=100_000)
        assert srv.stats["by_status"]["400"] >= 1 and srv.stats["by_status"]["200"] >= 2
        assert len(srv.requests[0]["messages"][1]["content"]) > len(huge)  # whole, first
        completions = srv.stats["completions"]
    assert result.status == "ok" and result.chunks is not None
    assert result.chunks.split_on_context >= 1 and result.chunks.failed == 0
    assert result.usage.requests == completions


def test_vllm_error_shape_reaches_the_message(answers: Path, tmp_path: Path) -> None:
    # every prompt refused as over the context: halved at most MAX_SPLIT_DEPTH times, then
    # the article falls back with the server's own words
    text = "\n\n".join([ARTICLE] * 6)
    with served("vllm", answers, faults=FaultPlan(context_chars=100,
                                                  context_style="vllm")) as srv:
        [result] = run(srv, [text], tmp_path / "cache", mode="tools")
        refused = srv.stats["by_status"]["400"]
        assert srv.stats["by_status"] == {"400": refused}
    assert result.status == "fallback" and result.error is not None
    assert result.error.type == "ContextLengthError" and result.usage.requests == refused
    chunks = result.chunks
    assert chunks is not None and chunks.failed == chunks.count >= 2 ** MAX_SPLIT_DEPTH
    assert refused == chunks.count + chunks.split_on_context  # each split: one refusal
    assert result.error.message.startswith(
        "HTTP 400 from the model endpoint: This model's maximum context length is 25")


# -- budgets and timeouts ----------------------------------------------------------------

def test_max_tokens_is_sized_to_the_schema_and_overridable(answers: Path,
                                                           tmp_path: Path) -> None:
    with served("generic", answers) as srv:
        run(srv, texts(1), tmp_path / "c1")
        run(srv, texts(1), tmp_path / "c2", max_tokens=500, use_cache=False)
        assert [r["max_tokens"] for r in srv.requests] == [3072, 500]


def test_local_read_timeout_is_retried_once(tmp_path: Path) -> None:
    folder = write_answers(tmp_path / "answers", [GOOD], ["timeout"] * 5)
    plan = FaultPlan(slow_seconds=3)
    with FakeServer(answers_dir=folder, faults=plan) as srv:
        [once] = run(srv, texts(1), tmp_path / "cache", timeout=0.4)
        assert srv.stats["completions"] == 2
        srv.reset_stats()
        srv.reset_counters()
        [thrice] = run(srv, texts(1), tmp_path / "cache", timeout=0.4,
                       local_retries=2)
        assert srv.stats["completions"] == 3
    assert once.status == thrice.status == "fallback"
    assert once.usage.requests == 2 and once.error is not None
    assert "timed out" in once.error.message


def test_a_plain_500_is_still_retried(answers: Path, tmp_path: Path) -> None:
    folder = write_answers(tmp_path / "a2", [GOOD], ["500", None])
    with FakeServer(answers_dir=folder) as srv:
        [result] = run(srv, texts(1), tmp_path / "cache")
        assert srv.stats["completions"] == 2
    assert result.status == "ok"


# -- memory only where it belongs ---------------------------------------------------------

def test_no_memory_with_no_cache(answers: Path, tmp_path: Path) -> None:
    with served("llamacpp", answers) as srv:
        run(srv, texts(3), tmp_path / "cache", use_cache=False)
    assert not (tmp_path / "cache" / "endpoints.json").exists()


def test_record_and_replay_neither_read_nor_write_the_memory(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = {"OPENAI_API_KEY": KEY, "LLMEXTRACT_CACHE_DIR": str(cache)}
    cassette = tmp_path / "c.yaml"
    with FakeServer(answers_dir=ROOT / "tests" / "answers", profile="llamacpp") as srv:
        first = cli("summarize", str(SEED), "--base-url", srv.base_url, env=env)
        assert first.returncode == 0, first.stderr
        assert memory(cache)  # tools were ignored: remembered
        before = (cache / "endpoints.json").read_text()
        srv.reset_stats()
        rec = cli("summarize", str(SEED), "--base-url", srv.base_url, "--record",
                  str(cassette), env=env)
        assert rec.returncode == 0, rec.stderr
        assert [form_of(r) for r in srv.requests] == ["tools"]  # not the remembered form
    assert (cache / "endpoints.json").read_text() == before
    replay = cli("summarize", str(SEED), "--replay", str(cassette), env=env)
    assert replay.returncode == 0 and records(replay.stdout)[0]["status"] == "ok"
    assert (cache / "endpoints.json").read_text() == before


# -- the server's reason, scrubbed ---------------------------------------------------------

def _status_error(status: int, body: Any) -> openai.APIStatusError:
    httpx: Any = getattr(_base, "httpx2", None) or getattr(_base, "httpx")  # noqa: B009
    request = httpx.Request("POST", "http://127.0.0.1:1/v1/chat/completions")
    response = httpx.Response(status, json=body, request=request)
    client = openai.OpenAI(api_key="x", base_url="http://127.0.0.1:1/v1")
    return client._make_status_error_from_response(response)  # type: ignore[return-value]


def test_the_reason_is_scrubbed_and_cut() -> None:
    body = {"error": {"message": f"Invalid parameter: key {KEY} / Authorization: Bearer abc.def"
                      f" api_key=hunter2 " + "x" * 400, "type": "invalid_request_error"}}
    reason = server_reason(_status_error(400, body), ("hunter2",))
    assert reason is not None and len(reason) <= 300 and reason.endswith("...")
    assert KEY not in reason and "abc.def" not in reason and "hunter2" not in reason
    assert reason.startswith("Invalid parameter: key sk-*** / Authorization: Bearer ***")
    assert scrub("token=abc123 and sk-proj-AAAAAAAAAA") == "token=*** and sk-***"


@pytest.mark.parametrize(("status", "body", "rejected"), [
    (400, {"error": {"message": "bad"}}, True),
    (422, {"detail": [{"msg": "field required"}]}, True),
    (500, {"error": {"message": "1 validation error: Input should be 'text'"}}, True),
    (500, {"object": "error", "message": "unknown field 'x'", "code": 500}, True),
    (500, {"error": "json: tool_choice not supported"}, True),
    (500, {"error": {"message": "The server had an error"}}, False),
    (503, {"error": {"message": "overloaded"}}, False),
    (429, {"error": {"message": "slow down"}}, False),
])
def test_deterministic_rejections(status: int, body: Any, rejected: bool) -> None:
    assert is_rejection(_status_error(status, body)) is rejected


# -- cached prompt tokens and the prompt's fixed prefix ---------------------------------------

def test_cached_prompt_tokens_are_counted_and_priced(answers: Path, tmp_path: Path) -> None:
    with served("openai", answers) as srv:
        first, second = run(srv, texts(2), tmp_path / "cache")
        a, b = srv.requests
    assert first.usage.cached_prompt_tokens == 0
    assert second.usage.cached_prompt_tokens > 0
    assert second.usage.cached_prompt_tokens < second.usage.prompt_tokens
    # the fixed part (system message, tool schema) comes first and is the same for every
    # article; only the last user message holds the article
    assert a["messages"][0] == b["messages"][0] and a["tools"] == b["tools"]
    assert ARTICLE not in json.dumps(a["messages"][0])
    full = estimate_cost("gpt-4o-mini", 10_000, 1_000)
    cached = estimate_cost("gpt-4o-mini", 10_000, 1_000, cached_tokens=8_000)
    assert full is not None and cached is not None and cached < full
    assert cached == pytest.approx((2_000 * 0.15 + 8_000 * 0.075 + 1_000 * 0.60) / 1e6)
    stats = RunStats()
    stats.add(second)
    report = stats.report("gpt-4o-mini")
    assert f"({second.usage.cached_prompt_tokens:,} cached)" in report


def test_fakeserver_rejects_an_unknown_profile() -> None:
    with pytest.raises(ValueError, match="unknown profile"):
        FakeServer(profile="nope")


def test_fakeserver_command_line_takes_a_profile() -> None:
    from llmextract.fakeserver.__main__ import build_parser

    assert build_parser().parse_args(["--profile", "llamacpp"]).profile == "llamacpp"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--profile", "nope"])
