"""The retry layer over real HTTP: the project's fake server, the real openai + instructor
clients, counting the HTTP calls each scenario costs."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from llmextract import Extractor
from llmextract.fakeserver import FakeServer, FaultPlan

ARTICLE = (
    "## Harbour ferry strike ends after 9 days\n\n"
    "OSLO, June 2 (Reuters) - Ferry crews in Oslo returned to work on Monday after a "
    "nine-day strike that stranded around 40,000 commuters a day, the union said.\n\n"
    "\u201cWe got a fair deal and we are going back,\u201d union leader Kari Holm told "
    "reporters. The operator agreed to a 4 percent pay rise.\n"
)
GOOD = {
    "title": "Harbour ferry strike ends after 9 days",
    "publisher": "Reuters",
    "authors": [],
    "published": None,
    "url": None,
    "summary": "Oslo ferry crews ended a nine-day strike after a pay deal.",
    "key_points": ["Crews returned to work on Monday.", "The operator agreed a 4% rise."],
    "figures": [
        {"text": "around 40,000 commuters", "value": 40000, "unit": "people",
         "describes": "commuters stranded daily", "qualifier": "approximately",
         "attributed_to": "the union"},
        {"text": "4 percent pay rise", "value": 4, "unit": "percent",
         "describes": "pay rise", "qualifier": "exact", "attributed_to": None},
    ],
    "quotes": [{"text": "We got a fair deal and we are going back", "speaker": "Kari Holm"}],
    "entities": [{"name": "Oslo", "type": "location"}, {"name": "Kari Holm", "type": "person"}],
    "topics": ["labour", "transport"],
}
INVALID = {"title": "x", "figures": [{"text": "around 40,000 commuters", "value": "many"}]}


def write_answers(folder: Path, answers: list[Any], faults: list[str | None] | None = None
                  ) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data: dict[str, Any] = {"match": "Harbour ferry strike ends", "answers": answers}
    if faults is not None:
        data["faults"] = faults
    (folder / "ferry.json").write_text(json.dumps(data))
    return folder


@pytest.fixture
def server(tmp_path: Path) -> Iterator[FakeServer]:
    srv = FakeServer(answers_dir=write_answers(tmp_path / "answers", [GOOD]),
                     faults=FaultPlan(retry_after=1, retry_after_ms=150, slow_seconds=5))
    with srv:
        yield srv


def use(srv: FakeServer, tmp_path: Path, answers: list[Any],
        faults: list[str | None] | None = None) -> None:
    srv.book = type(srv.book)(write_answers(tmp_path / "a2", answers, faults))
    srv.reset_stats()
    srv.reset_counters()


def extractor(srv: FakeServer, **kw: Any) -> Extractor:
    kw.setdefault("backoff_base", 0.01)
    return Extractor(base_url=srv.base_url, api_key="sk-test-not-a-key", **kw)


def test_clean_answer_is_one_request(server: FakeServer) -> None:
    result = extractor(server).summarize(ARTICLE)
    assert result.status == "ok"
    assert result.usage.requests == 1 and server.stats["completions"] == 1
    assert result.usage.prompt_tokens > 0 and result.usage.completion_tokens > 0


def test_429_with_retry_after_is_waited_then_succeeds(server: FakeServer, tmp_path: Path
                                                      ) -> None:
    use(server, tmp_path, [GOOD], ["429", None])
    start = time.monotonic()
    result = extractor(server).summarize(ARTICLE)
    assert result.status == "ok"
    assert server.stats["completions"] == 2 and result.usage.requests == 2
    assert time.monotonic() - start >= 0.15  # retry-after-ms honoured


def test_500_then_success(server: FakeServer, tmp_path: Path) -> None:
    use(server, tmp_path, [GOOD], ["500", None])
    result = extractor(server).summarize(ARTICLE)
    assert result.status == "ok" and server.stats["completions"] == 2


def test_invalid_then_valid_reasks_with_the_validation_error(server: FakeServer,
                                                             tmp_path: Path) -> None:
    use(server, tmp_path, [INVALID, GOOD])
    result = extractor(server).summarize(ARTICLE)
    assert result.status == "ok"
    assert server.stats["completions"] == 2 and result.usage.requests == 2
    second = json.dumps(server.requests[1])
    assert "summary" in second and "validation error" in second.lower()
    assert len(server.requests[1]["messages"]) == len(server.requests[0]["messages"]) + 2


def test_reasks_are_bounded_then_fallback(server: FakeServer, tmp_path: Path) -> None:
    use(server, tmp_path, [INVALID])
    # local_retries=5: as a hosted endpoint, bounded by max_reasks alone
    result = extractor(server, max_reasks=2, local_retries=5).summarize(ARTICLE)
    assert result.status == "fallback" and result.engine == "rules"
    assert server.stats["completions"] == 3 and result.usage.requests == 3
    assert result.error is not None and "schema" in result.error.message


def test_a_local_endpoint_gets_one_extra_request_per_article(
        server: FakeServer, tmp_path: Path) -> None:
    """The fake server is on 127.0.0.1: a local endpoint. An invalid answer is re-asked
    once, then the rules stand in (a slow local model is not sent the same work again and
    again), even with max_reasks=2; a truncated answer after that re-ask is not retried."""
    use(server, tmp_path, [INVALID])
    result = extractor(server, max_reasks=2).summarize(ARTICLE)
    assert result.status == "fallback" and result.usage.requests == 2
    assert server.stats["completions"] == 2
    assert result.error is not None and "schema" in result.error.message


def test_truncated_answer_is_asked_once_more_briefly_then_falls_back(
        server: FakeServer, tmp_path: Path) -> None:
    # the script truncates the first arrival of every body; the second request is a new
    # body (twice the budget, an instruction to be brief) and is truncated too
    use(server, tmp_path, [GOOD], ["length"])
    result = extractor(server).summarize(ARTICLE)
    assert result.status == "fallback" and server.stats["completions"] == 2
    assert result.usage.requests == 2
    first, second = server.requests
    assert (first["max_tokens"], second["max_tokens"]) == (3072, 6144)
    assert "cut off at 3072 tokens" in second["messages"][-1]["content"]
    assert result.error is not None
    assert "truncated at 6144 tokens" in result.error.message
    assert "after 2 requests" in result.error.message
    assert result.summary is not None and result.summary.figures  # the rules' summary


@pytest.mark.parametrize("fault", ["refusal", "empty", "malformed"])
def test_unusable_answers_fall_back_never_crash(server: FakeServer, tmp_path: Path,
                                                fault: str) -> None:
    use(server, tmp_path, [GOOD], [fault] * 5)
    result = extractor(server).summarize(ARTICLE)
    assert result.status == "fallback" and result.summary is not None
    assert 1 <= server.stats["completions"] <= 5


def test_persistent_5xx_gives_fallback_after_bounded_retries(server: FakeServer,
                                                              tmp_path: Path) -> None:
    use(server, tmp_path, [GOOD], ["503"] * 10)
    result = extractor(server, max_transport_retries=3).summarize(ARTICLE)
    assert result.status == "fallback"
    assert server.stats["completions"] == 4 and result.usage.requests == 4
    assert result.error is not None and result.error.type == "ModelUnavailableError"


def test_timeout_is_retried(server: FakeServer, tmp_path: Path) -> None:
    use(server, tmp_path, [GOOD], ["timeout", None])
    result = extractor(server, timeout=0.5).summarize(ARTICLE)
    assert result.status == "ok" and server.stats["completions"] == 2


def test_connection_reset_is_retried(server: FakeServer, tmp_path: Path) -> None:
    use(server, tmp_path, [GOOD], ["reset", None])
    result = extractor(server).summarize(ARTICLE)
    assert result.status == "ok" and server.stats["completions"] == 2


def test_unreachable_endpoint_falls_back(tmp_path: Path) -> None:
    ex = Extractor(base_url="http://127.0.0.1:9/v1", api_key="sk-x", backoff_base=0.01,
                   max_transport_retries=1)
    result = ex.summarize(ARTICLE)
    assert result.status == "fallback" and result.usage.requests == 2


@pytest.mark.parametrize("mode", ["json_schema", "json", "md_json"])
def test_other_modes(server: FakeServer, mode: str) -> None:
    result = extractor(server, mode=mode).summarize(ARTICLE)
    assert result.status == "ok", result.error


def test_concurrent_calls_count_their_own_attempts(server: FakeServer, tmp_path: Path) -> None:
    use(server, tmp_path, [INVALID, GOOD])
    texts = [ARTICLE + f"\nEditor's note {i}.\n" for i in range(6)]
    results = list(extractor(server, concurrency=6).summarize_many(texts))
    assert [r.usage.requests for r in results] == [2] * 6
    assert server.stats["completions"] == 12
