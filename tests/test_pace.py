"""Issue 15: at the model server's own pace (`-j auto`, adaptive timeouts, nothing wasted).

Real CLI runs against the fake server's one-slot, slow-model and 16-slot profiles, asserting
what the server received; bounds are generous (a loaded 2-core box): precise numbers are in
bench/pace.py. Plus the controller's rules on a synthetic clock."""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from llmextract import Extractor
from llmextract.call.pace import Pace
from llmextract.fakeserver import FakeServer, FaultPlan

from .conftest import ARTICLES
from .test_batch import lines_of, make_articles, start

ITEM = re.compile(r"Editor's note: item (\d+)\.")


def run_cli(folder: Path, srv: FakeServer, *extra: str) -> tuple[list[dict[str, Any]], str]:
    out = folder.parent / "out.jsonl"
    proc = start([str(folder), "--base-url", srv.base_url, "--no-cache", "-o", str(out),
                  *extra], folder.parent / "cache")
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    return lines_of(out), err


def items_received(srv: FakeServer) -> Counter[int]:
    """How many requests the server received for each article (by its 'item N' note)."""
    seen: Counter[int] = Counter()
    for body in srv.requests:
        text = json.dumps(body["messages"])
        found = {int(m) for m in ITEM.findall(text)}
        assert len(found) == 1, found
        seen[found.pop()] += 1
    return seen


# -- the fake server's profiles ------------------------------------------------------------

def post_raw(srv: FakeServer, text: str) -> float:
    body = json.dumps({"model": "m", "messages": [{"role": "user", "content": text}]})
    request = urllib.request.Request(srv.base_url + "/chat/completions", data=body.encode(),
                                     headers={"Content-Type": "application/json"})
    started = time.monotonic()
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
    return time.monotonic() - started


def test_one_slot_profile_answers_one_at_a_time_in_arrival_order() -> None:
    with FakeServer(latency=0.3, slots=1) as srv:
        took: dict[int, float] = {}

        def call(i: int) -> None:
            took[i] = post_raw(srv, f"article {i}")

        threads = []
        for i in range(3):
            threads.append(threading.Thread(target=call, args=(i,)))
            threads[-1].start()
            time.sleep(0.05)  # arrival order 0, 1, 2
        for t in threads:
            t.join()
        stats = srv.stats
        contents = [b["messages"][0]["content"] for b in srv.requests]
    assert contents == ["article 0", "article 1", "article 2"]  # exactly these, in order
    assert stats["completions"] == 3 and stats["by_status"] == {"200": 3}
    assert stats["max_in_flight"] == 3 and stats["max_serving"] == 1
    assert took[0] < took[1] < took[2]  # each waited for the one before
    assert took[2] >= 0.7  # ~3 x 0.3 s less the 0.1 s it arrived late


def test_slow_model_profile_takes_longer_for_longer_prompts() -> None:
    with FakeServer(slots=1, seconds_per_kchar=0.2) as srv:
        short = post_raw(srv, "x" * 100)
        long = post_raw(srv, "x" * 3000)
        bodies = srv.requests
    assert [len(b["messages"][0]["content"]) for b in bodies] == [100, 3000]
    assert long >= 0.55 and long > short + 0.4  # 0.6 s vs 0.02 s


# -- -j auto against one slot: one request per article, no timeouts -----------------------

def test_one_slot_server_gets_exactly_one_request_per_article(tmp_path: Path) -> None:
    """The old fixed -j 8 queued 8 requests behind one slot (8 x 0.3 s > --timeout 2):
    timeouts and resends. -j auto finds the one slot."""
    make_articles(tmp_path / "in", 20)
    with FakeServer(latency=0.3, slots=1) as srv:
        records, err = run_cli(tmp_path / "in", srv, "--timeout", "2")
        stats = srv.stats
        received = items_received(srv)
    assert [r["status"] for r in records] == ["ok"] * 20
    assert received == Counter(range(20))  # each article's request exactly once
    assert stats["completions"] == 20 and stats["by_status"] == {"200": 20}
    assert stats["max_serving"] == 1 and stats["max_in_flight"] <= 5
    assert "no request retried" in err and "-j auto" in err


def test_slow_model_with_varied_articles_gets_one_request_each(tmp_path: Path) -> None:
    make_articles(tmp_path / "in", 10)
    with FakeServer(latency=0.02, slots=1, seconds_per_kchar=0.02) as srv:
        records, err = run_cli(tmp_path / "in", srv, "--timeout", "1.5")
        received = items_received(srv)
        stats = srv.stats
    assert [r["status"] for r in records] == ["ok"] * 10
    assert received == Counter(range(10))
    assert stats["by_status"] == {"200": 10}
    assert "no request retried" in err


# -- growth, shrinking and caps -----------------------------------------------------------

def test_sixteen_slots_reach_twelve_in_flight_quickly(tmp_path: Path) -> None:
    make_articles(tmp_path / "in", 120)
    with FakeServer(latency=0.2, slots=16) as srv:
        records, _ = run_cli(tmp_path / "in", srv)
        stats = srv.stats
    assert len(records) == 120 and all(r["status"] == "ok" for r in records)
    assert stats["completions"] == 120
    assert stats["max_in_flight"] >= 12
    assert stats["reached_at"]["12"] < 5.0, stats["reached_at"]  # ~1 s on an idle machine


def test_jobs_n_caps_what_is_in_flight(tmp_path: Path) -> None:
    make_articles(tmp_path / "in", 30)
    with FakeServer(latency=0.05, slots=16) as srv:
        records, err = run_cli(tmp_path / "in", srv, "-j", "3")
        stats = srv.stats
    assert len(records) == 30 and stats["completions"] == 30
    assert stats["max_in_flight"] <= 3
    assert "(-j 3;" in err


def test_a_burst_of_429s_shrinks_the_limit() -> None:
    sources = sorted(ARTICLES.glob("*.txt"))
    texts = [sources[i % len(sources)].read_text(encoding="utf-8") + f"\nNote {i}.\n"
             for i in range(150)]
    with FakeServer(latency=0.1, slots=16) as srv:
        ex = Extractor(base_url=srv.base_url, api_key="sk-test", use_cache=False,
                       backoff_base=0.01)
        armed: dict[str, float] = {}

        def arm() -> None:
            """After 40 answers (as the server counts them: the consumer may lag behind),
            every new request gets one 429 before its answer, to the end of the run."""
            while srv.stats["completions"] < 40:
                time.sleep(0.002)
            armed["at"] = time.monotonic()
            srv.faults = FaultPlan(rate=1.0, kinds=["429"], max_consecutive=1,
                                   retry_after=0, retry_after_ms=10)

        threading.Thread(target=arm, daemon=True).start()
        statuses = [result.status for result in ex.summarize_many(texts)]
        pace = ex.pace
        stats = srv.stats
    assert pace is not None and "at" in armed
    assert statuses == ["ok"] * 150
    assert stats["by_status"]["429"] >= 10  # the burst happened
    history = list(pace.history)
    peak = max(limit for at, limit in history if at < armed["at"])
    assert peak >= 4  # it had grown
    after = [limit for at, limit in history if at >= armed["at"]]
    assert after and min(after) <= peak // 2, history  # and came down
    assert pace.stats.retried["429"] >= 10
    assert "after HTTP 429" in (pace.report() or "")


# -- the controller's rules on a synthetic clock ------------------------------------------

class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def serve_one_slot(pace: Pace, clock: Clock, service: float, n: int) -> list[int]:
    """Drive `pace` against a simulated one-slot FIFO server; the limit after each answer."""

    async def main() -> list[int]:
        limits: list[int] = []
        free_at = 0.0

        async def one(i: int) -> None:
            nonlocal free_at
            ticket = await pace.acquire(f"k{i}")
            done = max(free_at, clock.now) + service
            free_at = done
            while clock.now < done:  # time moves only when every task waits
                await asyncio.sleep(0)
            pace.release(ticket, "ok")
            limits.append(pace.limit)

        async def tick() -> None:
            while len(limits) < n:
                clock.now += service / 20
                for _ in range(20):
                    await asyncio.sleep(0)

        await asyncio.gather(tick(), *(one(i) for i in range(n)))
        return limits

    return asyncio.run(main())


def test_against_one_slot_the_limit_stays_small() -> None:
    clock = Clock()
    pace = Pace(64, ceiling=60.0, clock=clock)
    limits = serve_one_slot(pace, clock, 0.2, 60)
    assert max(limits) <= 4 and limits[-1] <= 3


def test_a_slow_one_slot_model_never_gets_a_second_request() -> None:
    """40 s a request and --timeout 60: a second request in flight would wait 40 s and
    time out; the timeout cap keeps the limit at 1."""
    clock = Clock()
    pace = Pace(64, ceiling=60.0, clock=clock)
    limits = serve_one_slot(pace, clock, 40.0, 6)
    assert limits == [1] * 6 and pace.stats.max_in_flight == 1


def test_timeout_adapts_to_the_model_within_floor_and_ceiling() -> None:
    clock = Clock()
    pace = Pace(8, ceiling=60.0, floor=1.0, clock=clock)

    async def answers(latency: float, count: int) -> None:
        for i in range(count):
            ticket = await pace.acquire(f"a{i}")
            clock.now += latency
            pace.release(ticket, "ok")

    asyncio.run(answers(0.5, 2))
    assert pace.timeout_for(1) == 60.0  # too few answers yet: the ceiling
    asyncio.run(answers(0.5, 5))
    assert pace.timeout_for(1) == pytest.approx(2.0)  # 4 x the median of 0.5 s
    assert pace.timeout_for(3) == pytest.approx(6.0)  # two service times ahead of it
    assert Pace(8, ceiling=0.5, floor=10.0).floor == 0.5  # the ceiling wins


def test_a_timed_out_request_is_resent_only_after_its_ghost_is_gone() -> None:
    clock = Clock()
    pace = Pace(4, ceiling=1.0, clock=clock)

    async def main() -> list[str]:
        order: list[str] = []
        first = await pace.acquire("same")
        clock.now = 1.0
        pace.release(first, "timeout")  # halves the limit (2 -> 1 at most), leaves a ghost
        assert pace.limit == 1 and pace.occupied == 1

        async def resend() -> None:
            ticket = await pace.acquire("same")
            order.append("resent")
            pace.release(ticket, "ok")

        task = asyncio.create_task(resend())
        await asyncio.sleep(0.2)
        order.append("still waiting")  # the ghost holds the slot and the key
        await asyncio.wait_for(task, 2.0)  # the ghost expires after its timeout (1 s)
        return order

    assert asyncio.run(main()) == ["still waiting", "resent"]
    assert pace.stats.retried["timeout"] == 1 and pace.stats.failures["timeout"] == 1


def test_a_429_or_503_halves_the_limit_once_per_round() -> None:
    clock = Clock()
    pace = Pace(64, ceiling=60.0, auto=False, start=8, clock=clock)

    async def main() -> None:
        tickets = [await pace.acquire(f"k{i}") for i in range(8)]
        clock.now = 1.0
        pace.release(tickets[0], "429")
        assert pace.limit == 4  # halved at once
        pace.release(tickets[1], "503")
        assert pace.limit == 4  # sent before the cut: the same round, no second cut
        for ticket in tickets[2:]:
            pace.release(ticket, "cancelled")  # our side gave up: no sample, no cut
        later = await pace.acquire("k-later")
        clock.now = 2.0
        pace.release(later, "503")
        assert pace.limit == 2  # a request sent after the cut cuts again

    asyncio.run(asyncio.wait_for(main(), 5))
