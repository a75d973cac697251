"""End to end over the project's own test articles, replayed from a cassette
(pytest-recording). The model answers were written by hand (tests/answers/) with planted
mistakes listed under "expect"; this checks the pipeline refuses each one and keeps the
truth.

Re-record (starts the fake server): python -m pytest tests/test_articles.py --record-mode=rewrite
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from llmextract import Extractor
from llmextract.schemas.record import Result
from llmextract.text.fold import fold_plain

from .conftest import ANSWERS, ARTICLES, CASSETTES

CASES = sorted(p.stem for p in ARTICLES.glob("*.txt") if (ANSWERS / f"{p.stem}.json").exists())
REPLAY_BASE_URL = "http://127.0.0.1:8765/v1"  # never contacted on replay


@pytest.fixture(scope="module")
def base_url(request: pytest.FixtureRequest) -> Iterator[str]:
    if request.config.getoption("--record-mode") in (None, "none"):
        yield REPLAY_BASE_URL
        return
    from llmextract.fakeserver import FakeServer

    with FakeServer(answers_dir=ANSWERS, port=8765) as srv:
        yield srv.base_url


def run(name: str, base_url: str, **kw: Any) -> tuple[Result, str, dict[str, Any]]:
    text_path = ARTICLES / f"{name}.txt"
    expect = json.loads((ANSWERS / f"{name}.json").read_text())["expect"]
    result = Extractor(base_url=base_url, api_key="sk-test-not-a-key", **kw).summarize(
        text_path)
    return result, text_path.read_text(encoding="utf-8"), expect


def norm(s: str) -> str:
    return fold_plain(s).strip(" .,\"'")


def kept(items: list[Any], attr: str = "text") -> set[str]:
    return {norm(getattr(i, attr)) for i in items if i.source in ("llm", "both")}


def dropped_texts(result: Result, field: str, key: str = "text") -> set[str]:
    return {norm(d.item[key]) for d in result.dropped if d.field == field}


@pytest.mark.vcr
@pytest.mark.parametrize("name", CASES)
def test_planted_mistakes_are_refused_and_truth_kept(name: str, base_url: str) -> None:
    result, text, expect = run(name, base_url)
    assert result.status == "ok", result.error
    s = result.summary
    assert s is not None
    figures, quotes, entities = kept(s.figures), kept(s.quotes), kept(s.entities, "name")

    for bad in expect.get("invented_figures", []):
        assert norm(bad) not in figures and norm(bad) in dropped_texts(result, "figures")
    for bad in expect.get("contradicted_figures", []):
        reasons = [d.reason for d in result.dropped if d.field == "figures"
                   and norm(d.item["text"]) == norm(bad)]
        assert reasons and "contradicts" in reasons[0], (bad, reasons)
    for bad in expect.get("fabricated_quotes", []):
        assert norm(bad) not in quotes and norm(bad) in dropped_texts(result, "quotes")
    for para in expect.get("paraphrased_quotes", []):
        original = expect.get("paraphrase_of", {}).get(para)
        # either refused, or replaced by the article's own words
        assert norm(para) not in quotes or norm(para) == norm(original or "")
    for bad in expect.get("invented_entities", []):
        assert norm(bad) not in entities
        assert norm(bad) in dropped_texts(result, "entities", "name")

    for good in expect.get("true_figures", []):
        assert norm(good) in figures, f"true figure {good!r} lost"
    for good in expect.get("true_quotes", []):
        assert norm(good) in quotes, f"true quote {good!r} lost"
    for good in expect.get("true_entities", []):
        assert any(norm(good) in e or e in norm(good) for e in entities), good

    for q in s.quotes:
        assert q.text in text  # verbatim
    for item in [*s.figures, *s.quotes]:
        assert item.span is not None and text[item.span[0]:item.span[1]] == item.text
    for e in s.entities:
        assert e.span is not None and text[e.span[0]:e.span[1]] == e.name
    if "published" in expect:
        assert (s.published.isoformat() if s.published else None) == expect["published"]


@pytest.mark.vcr
def test_reask_after_invalid_answer(base_url: str) -> None:
    result, _, _ = run("court_curly", base_url)
    assert result.status == "ok" and result.usage.requests == 2


@pytest.mark.vcr
def test_hostile_article_reaches_the_model_intact(base_url: str) -> None:
    result, text, _ = run("hostile_template", base_url)
    assert result.status == "ok" and result.summary is not None
    assert "{{ council_budget }}" in text and "{% raw %}" in text
    cassette = CASSETTES / "tests" / "test_hostile_article_reaches_the_model_intact.yaml"
    if not cassette.exists():
        pytest.skip("recording: the cassette is written when the test ends")
    interactions = yaml.safe_load(cassette.read_text(encoding="utf-8"))["interactions"]
    sent = json.loads(interactions[0]["request"]["body"])
    user = sent["messages"][-1]["content"]
    assert text in user  # byte for byte: no template engine touched it
    for q in result.summary.quotes:
        assert q.text in text


def test_cassettes_hold_no_secret() -> None:
    files = [*CASSETTES.glob("*.yaml"), *(CASSETTES / "tests").glob("*.yaml")]
    assert len(files) > len(CASES)
    for path in files:
        body = path.read_text(encoding="utf-8")
        assert "sk-" not in body and "authorization" not in body.lower(), path
