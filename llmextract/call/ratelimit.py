"""Smooth client-side limits on requests and tokens per minute (`--rpm`, `--tpm`).

Requests are spaced out (each request start moves a virtual clock forward by its share of a
minute) instead of being sent in bursts that provoke 429s. Applied to every HTTP request,
retries and re-asks included, through an httpx request hook.
"""

from __future__ import annotations

import asyncio
import time

__all__ = ["RateLimiter", "estimate_tokens"]

COMPLETION_ALLOWANCE = 800  # tokens assumed for an answer we cannot see in advance


def estimate_tokens(body_bytes: int) -> int:
    """Rough tokens of one request: ~4 bytes a token plus an answer allowance."""
    return body_bytes // 4 + COMPLETION_ALLOWANCE


class RateLimiter:
    """Generic cell-rate spacing for requests and tokens; `burst` requests may go at once."""

    def __init__(self, rpm: float | None = None, tpm: float | None = None,
                 burst: int = 1) -> None:
        self.rpm, self.tpm = rpm, tpm
        self._req_gap = 60.0 / rpm if rpm else 0.0
        self._tok_gap = 60.0 / tpm if tpm else 0.0
        self._burst = max(1, burst)
        self._next = time.monotonic()
        self._lock = asyncio.Lock()

    @property
    def active(self) -> bool:
        return bool(self.rpm or self.tpm)

    async def acquire(self, tokens: int = 0) -> None:
        if not self.active:
            return
        async with self._lock:
            now = time.monotonic()
            allowance = self._req_gap * (self._burst - 1)
            start = max(now, self._next - allowance)
            self._next = max(self._next, start) + self._req_gap + tokens * self._tok_gap
        delay = start - now
        if delay > 0:
            await asyncio.sleep(delay)
