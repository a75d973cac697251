"""Long documents (docs/long-documents.md): an article over the input budget goes in
chunks, extracted concurrently, grounded against the whole article and merged; a server's
context-length refusal splits further. At the HTTP level: the fake server and cassettes."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, Field

from llmextract import Extractor, Merge, Name, Stated, Verbatim
from llmextract.call.failures import context_exceeded
from llmextract.fakeserver import FakeServer, FaultPlan
from llmextract.fakeserver.answers import article_text
from llmextract.schemas.record import Result, Span
from llmextract.text.chunks import default_overlap, split_text
from llmextract.text.tokens import estimate_tokens

from .conftest import ROOT, cli, records
from .longdoc import long_document
from .record_cassettes import LONG_MODELS, long_cassette
from .test_modes import _status_error

KEY = "sk-test-not-a-key"


def _overlap(a: Span | None, b: Span | None) -> bool:
    return a is not None and b is not None and a[0] < b[1] and b[0] < a[1]


def _run(srv: FakeServer, text: str, **kw: Any) -> Result:
    kw.setdefault("use_cache", False)
    with Extractor(base_url=srv.base_url, api_key=KEY, backoff_base=0.01, **kw) as ex:
        return ex.summarize(text, id="doc")


# -- the 60,000-word document, replayed ------------------------------------------------------

@pytest.mark.parametrize("model", LONG_MODELS)
def test_the_long_document(model: str) -> None:
    """Recorded by `python tests/record_cassettes.py --long` under the default budget of a
    small local model (SmolLM2, 8,192 tokens of context) and of a large one: every planted
    figure and quotation once, at its global span."""
    text, planted = long_document()
    with Extractor(model=model, replay=long_cassette(model)) as ex:
        result = ex.summarize(text, id="harbour_report")
    assert result.status == "ok", result.error
    info, summary = result.chunks, result.summary
    assert info is not None and summary is not None
    assert info.max_input_tokens == {"smollm2": 2_795, "gpt-4o-mini": 6_144}[model]
    assert info.count == len(split_text(text, info.max_input_tokens)) > 10
    assert info.summary_request and info.failed == info.split_on_context == 0
    assert result.usage.requests == info.count + 1 and info.merged > 0
    for fact in planted:
        items = summary.figures if fact.kind == "figure" else summary.quotes
        at = [i for i in items if _overlap(i.span, fact.span)]
        assert len(at) == 1, (fact, at)  # found, and not twice
        assert at[0].span == fact.span and at[0].text == fact.text
    for kind in (summary.figures, summary.quotes):  # no item twice at all
        assert not any(_overlap(a.span, b.span) for a, b in pairwise(kind))
    assert {p.where for p in planted} >= {"start", "middle", "end", "repeated"}
    assert len([f for f in summary.figures if f.text == "$3.4 million"]) == 2
    # a planted quotation was cut by a chunk boundary (and was found whole, above)
    chunks = split_text(text, info.max_input_tokens, default_overlap(info.max_input_tokens))
    assert any(p.span[0] < a.end < p.span[1] and b.start <= p.span[0]
               for p in planted for a, b in pairwise(chunks))
    assert summary.summary and summary.key_points and result.summary_support


# -- chunks through the fake server ---------------------------------------------------------

def _report(words: int) -> str:
    text, _ = long_document(words=words, seed=1)
    return text


def test_an_article_within_the_budget_goes_whole() -> None:
    text = _report(3_000)
    with FakeServer() as srv:
        result = _run(srv, text)
        assert srv.stats["completions"] == 1
        assert srv.requests[0]["messages"][1]["content"].count(text.strip()) == 1
    assert result.chunks is None and result.usage.requests == 1


def test_chunks_go_concurrently_within_j() -> None:
    text = _report(6_000)
    with FakeServer(latency=0.15) as srv, Extractor(
            base_url=srv.base_url, api_key=KEY, use_cache=False, max_input_tokens=600,
            concurrency=3) as ex:
        result = ex.summarize(text)
        assert ex.pace is not None and ex.pace.stats.max_in_flight == 3  # never above -j
        stats = srv.stats
    assert result.status == "ok" and result.chunks is not None and result.chunks.count >= 6
    assert stats["max_serving"] >= 3  # the server had several chunks at once
    assert stats["completions"] == result.usage.requests == result.chunks.count + 1


def test_the_final_summary_request() -> None:
    """One request over the chunks' summaries (and key points while they fit the budget),
    with the DocumentSummary schema; its prose is checked against the whole article."""
    text = _report(6_000)
    with FakeServer() as srv:
        wide = _run(srv, text, max_input_tokens=1_500)
        last_wide = srv.requests[-1]
        narrow = _run(srv, text, max_input_tokens=600)
        last_narrow = srv.requests[-1]
    assert last_wide["tool_choice"]["function"]["name"] == "DocumentSummary"
    for result, last in ((wide, last_wide), (narrow, last_narrow)):
        assert result.chunks is not None and result.chunks.summary_request
        digest = article_text(last["messages"])
        assert digest.startswith("Part 1 of ") and digest.count("Part ") == result.chunks.count
        assert estimate_tokens(digest) <= result.chunks.max_input_tokens
        assert result.summary is not None and result.summary.summary
        assert all(s.spans for s in result.summary_support)  # checked against the article
    lines = [len(block.splitlines()) for block in article_text(last_wide["messages"])
             .split("\n\n")]
    assert max(lines) > 2  # key points were sent (one line each) where they fit


@pytest.mark.parametrize("style", ["openai", "llamacpp", "vllm"])
def test_a_context_length_refusal_splits_further(style: str) -> None:
    """Each server's refusal of a prompt over its context (the fake server refuses prompts
    over 9,000 characters, in that server's words): the refused chunk is halved and sent
    again, and the record says so."""
    text = _report(4_500)
    _, planted = long_document(words=4_500, seed=1)
    with FakeServer(faults=FaultPlan(context_chars=9_000, context_style=style)) as srv:
        result = _run(srv, text, max_input_tokens=4_000)
        refused = srv.stats["by_status"]["400"]
    info, summary = result.chunks, result.summary
    assert result.status == "ok" and info is not None and summary is not None
    assert info.split_on_context == refused >= 1 and info.failed == 0
    assert result.usage.requests == refused + info.count + 1
    spans = {i.span for i in [*summary.figures, *summary.quotes]}
    assert all(p.span in spans for p in planted)


def test_an_article_sent_whole_and_refused_is_split() -> None:
    text = _report(3_000)
    with FakeServer(faults=FaultPlan(context_chars=8_000, context_style="llamacpp")) as srv:
        result = _run(srv, text)
        first = srv.requests[0]["messages"][1]["content"]
    assert text.strip() in first  # sent whole first: within the default budget
    assert result.status == "ok" and result.chunks is not None
    assert result.chunks.split_on_context >= 1 and result.chunks.count >= 2


def test_a_failed_chunk_loses_its_items_only(tmp_path: Path) -> None:
    text = _report(4_500)
    chunks = split_text(text, 1_000, default_overlap(1_000))
    middle = chunks[len(chunks) // 2]
    others = [text[c.start:c.end] for c in chunks if c != middle]
    own = next(u for u in text[middle.start:middle.end].split(". ") if len(u) > 40
               and not any(u in o for o in others))
    (tmp_path / "answers").mkdir()
    (tmp_path / "answers" / "fail.json").write_text(json.dumps(
        {"match": own, "answers": [{"summary": "x"}], "faults": ["500"] * 9}))
    with FakeServer(answers_dir=tmp_path / "answers") as srv:
        result = _run(srv, text, max_input_tokens=1_000, max_transport_retries=1)
    assert result.status == "ok" and result.chunks is not None
    assert result.chunks.failed == 1 and result.chunks.count == len(chunks)
    assert f"characters {middle.start}-{middle.end}) failed" in result.warnings[0]
    assert result.review is not None and result.review.startswith("1 of ")
    assert result.usage.requests == len(chunks) - 1 + 2 + 1  # the failed one: 2 tries


def test_the_cache_key_covers_the_chunking(tmp_path: Path) -> None:
    text = _report(4_500)
    with FakeServer() as srv:
        first = _run(srv, text, max_input_tokens=800, use_cache=True, cache_dir=tmp_path)
        again = _run(srv, text, max_input_tokens=800, use_cache=True, cache_dir=tmp_path)
        other = _run(srv, text, max_input_tokens=1_200, use_cache=True, cache_dir=tmp_path)
    assert not first.cached and again.cached and not other.cached
    assert first.chunks is not None and other.chunks is not None
    assert first.chunks.count > other.chunks.count


@pytest.mark.parametrize("model", ["gpt-4.1", "gpt-5", "gpt-4o-mini", "o3-mini", "gpt-4",
                                   "gpt-3.5-turbo", "llama3.1:8b", "llama3", "qwen2.5:7b",
                                   "mistral", "smollm2", "some-unknown-model"])
def test_no_shipped_article_is_split_by_default(model: str) -> None:
    from llmextract.call.prompts import load_prompt
    from llmextract.config import Settings
    from llmextract.pipeline.long import Chunking
    from llmextract.schemas.news import ArticleSummary

    folders = [ROOT / "seeds", ROOT / "tests" / "articles", ROOT / "tests" / "data"
               / "holdout" / "articles", ROOT.parent / "shared" / "corpus" / "articles"]
    texts = [p.read_text(encoding="utf-8") for d in folders if d.is_dir()
             for p in sorted(d.glob("*.txt"))]
    assert len(texts) >= 16
    for max_tokens in (None, 1_024):  # the default, and what bench/real_model.py sends
        chunking = Chunking(Settings(model=model, max_tokens=max_tokens),
                            load_prompt("summarize"), ArticleSummary)
        assert chunking.budget >= 2_795
        assert all(chunking.plan(t) is None for t in texts)


def test_max_input_tokens_is_validated(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text(_report(1_500))
    proc = cli("summarize", str(article), "--max-input-tokens", "100", "--engine", "rules")
    assert proc.returncode == 2
    assert "--max-input-tokens must be at least 256" in proc.stderr
    with FakeServer() as srv:
        proc = cli("summarize", str(article), "--max-input-tokens", "300", "--base-url",
                   srv.base_url, "--no-cache", env={"OPENAI_API_KEY": KEY})
    [record] = records(proc.stdout)
    assert proc.returncode == 0 and record["chunks"]["max_input_tokens"] == 300
    assert record["usage"]["requests"] == record["chunks"]["count"] + 1


# -- the servers' words for "over the context" ----------------------------------------------

@pytest.mark.parametrize(("status", "body", "over"), [
    # OpenAI (and Azure): by code
    (400, {"error": {"message": "This model's maximum context length is 128000 tokens. "
                     "However, your messages resulted in 130512 tokens.", "param": "messages",
                     "type": "invalid_request_error", "code": "context_length_exceeded"}}, True),
    # llama-cpp-python: the same code, its own numbers
    (400, {"error": {"message": "This model's maximum context length is 8192 tokens. However, "
                     "you requested 9437 tokens (8413 in the messages, 1024 in the "
                     "completion).", "type": "invalid_request_error",
                     "code": "context_length_exceeded"}}, True),
    # llama.cpp's server (llama-server): by type; an older build's words
    (400, {"error": {"code": 400, "type": "exceed_context_size_error", "n_ctx": 4096,
                     "n_prompt_tokens": 4476, "message": "request (4476 tokens) exceeds the "
                     "available context size (4096 tokens), try increasing it"}}, True),
    (400, {"error": {"code": 400, "type": "invalid_request_error", "message": "the request "
                     "exceeds the available context size, try increasing it"}}, True),
    # vLLM: only the words
    (400, {"object": "error", "type": "BadRequestError", "code": 400, "message": "The decoder "
           "prompt (length 9000) is longer than the maximum model length of 8192."}, True),
    # Hugging Face TGI
    (422, {"error": "Input validation error: `inputs` tokens + `max_new_tokens` must be <= "
                    "4096. Given: 5000 `inputs` tokens and 1000 `max_new_tokens`"}, True),
    # not about length
    (400, {"error": {"message": "response_format type 'json_schema' is not supported"}}, False),
    (429, {"error": {"message": "Too many tokens per minute", "code": "rate_limit_exceeded"}},
     False),
    (500, {"error": {"message": "maximum context length is 8192"}}, False),
])
def test_context_refusals_are_recognised(status: int, body: Any, over: bool) -> None:
    assert context_exceeded(_status_error(status, body)) is over


# -- a user schema in chunks ----------------------------------------------------------------

class Spending(BaseModel):
    """Money the board agreed to spend."""

    text: Annotated[str, Verbatim] = Field(description="The amount as printed.")
    amount: Annotated[float, Stated] = Field(description="The amount in dollars.")


class HarbourReport(BaseModel):
    """What a harbour authority's report says."""

    authority: Annotated[str, Name] = Field(description="The authority, as named.")
    largest: Annotated[float | None, Stated, Merge("max")] = Field(
        default=None, description="The largest amount, in dollars.")
    first_speaker: Annotated[str | None, Name] = Field(
        default=None, description="The first person quoted.")
    spending: list[Spending] = Field(default_factory=list, description="Every amount.")


def _dollars(phrase: str) -> float:
    """"$12.3 million" -> 12300000.0"""
    return float(phrase.split()[0][1:]) * 1e6


def _answers(text: str, budget: int, folder: Path) -> list[tuple[int, int]]:
    """One answer file per chunk: the amounts that stand whole in it, matched on words
    only that chunk holds. Returns the chunks."""
    _, planted = long_document(words=6_000, seed=1)
    chunks = split_text(text, budget, default_overlap(budget))
    folder.mkdir()
    for k, c in enumerate(chunks):
        mine = [p for p in planted if p.kind == "figure" and c.start <= p.span[0]
                and p.span[1] <= c.end]
        others = [text[o.start:o.end] for o in chunks if o != c]
        own = next(u for u in text[c.start:c.end].split(". ") if len(u) > 40
                   and text.count(u) == 1 and not any(u in o for o in others))
        amounts = [_dollars(p.text) for p in mine]
        answer = {"authority": "Northport Harbour Authority",
                  "largest": max(amounts, default=None),
                  "first_speaker": None if k else "Maria Okafor",
                  "spending": [{"text": p.text, "amount": a} for p, a in zip(
                      mine, amounts, strict=True)]}
        (folder / f"c{k:02}.json").write_text(json.dumps(
            {"match": own, "schema": "HarbourReport", "answers": [answer]}))
    return [(c.start, c.end) for c in chunks]


def test_a_user_schema_in_chunks(tmp_path: Path) -> None:
    """List fields gather every chunk's items once (an amount in an overlap is given by
    two chunks), other fields take the first chunk's value, or their `Merge` rule's."""
    text, planted = long_document(words=6_000, seed=1)
    chunks = _answers(text, 800, tmp_path / "answers")
    in_overlap = [p for p in planted if p.kind == "figure" for a, b in pairwise(chunks)
                  if b[0] <= p.span[0] and p.span[1] <= a[1]]
    assert len(in_overlap) == 2  # at this budget: given by two chunks each
    with FakeServer(answers_dir=tmp_path / "answers") as srv:
        result = _run(srv, text, schema=HarbourReport, max_input_tokens=800)
    assert result.status == "ok" and result.data is not None and result.chunks is not None
    assert result.chunks.count == len(chunks) >= 3 and result.chunks.merged == 2
    assert result.usage.requests == len(chunks)  # no final summary request
    data = result.data
    assert data["authority"] == "Northport Harbour Authority"
    assert data["first_speaker"] == "Maria Okafor"
    figures = [p for p in planted if p.kind == "figure"]
    assert data["largest"] == max(_dollars(p.text) for p in figures)
    assert [s["text"] for s in data["spending"]] == [p.text for p in figures]
    spans = [(e.path, e.span) for e in result.evidence if e.path.endswith(".text")]
    assert spans == [(f"spending.{i}.text", p.span) for i, p in enumerate(figures)]


def test_merge_rules_are_checked() -> None:
    with pytest.raises(ValueError, match="unknown merge rule"):
        Merge("average")
    assert Merge(sum).pick([1, 2]) == 3 and Merge("longest").pick(["a", "abc"]) == "abc"
