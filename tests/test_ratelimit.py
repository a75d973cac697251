"""--rpm/--tpm spacing, on its own and over HTTP."""

from __future__ import annotations

import asyncio
import itertools
import time

from llmextract import Extractor
from llmextract.call.ratelimit import RateLimiter, estimate_tokens
from llmextract.fakeserver import FakeServer

from .conftest import ARTICLES


def test_requests_are_spaced_not_bursted() -> None:
    limiter = RateLimiter(rpm=1200)  # one every 50 ms

    async def go() -> list[float]:
        stamps: list[float] = []

        async def one() -> None:
            await limiter.acquire()
            stamps.append(time.monotonic())

        await asyncio.gather(*(one() for _ in range(6)))
        return stamps

    stamps = sorted(asyncio.run(go()))
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    assert min(gaps) >= 0.04 and stamps[-1] - stamps[0] >= 0.24


def test_tokens_per_minute_slow_down_big_requests() -> None:
    limiter = RateLimiter(tpm=60_000)  # 1,000 tokens a second

    async def go() -> float:
        start = time.monotonic()
        for _ in range(3):
            await limiter.acquire(200)
        return time.monotonic() - start

    assert asyncio.run(go()) >= 0.35  # 3 x 200 tokens at 1,000/s, the first one free
    assert estimate_tokens(4000) == 1000 + 800


def test_no_limit_means_no_wait() -> None:
    limiter = RateLimiter()
    start = time.monotonic()
    asyncio.run(limiter.acquire(10**9))
    assert time.monotonic() - start < 0.05 and not limiter.active


def test_rpm_applies_to_real_requests() -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted(ARTICLES.glob("*.txt"))[:4]]
    with FakeServer() as srv:
        ex = Extractor(base_url=srv.base_url, api_key="sk-test", concurrency=4, rpm=600,
                       use_cache=False)
        start = time.monotonic()
        results = list(ex.summarize_many(texts))
        elapsed = time.monotonic() - start
    assert [r.status for r in results] == ["ok"] * 4
    assert elapsed >= 0.3  # 4 requests at 10 a second: at least 3 gaps of 0.1 s
