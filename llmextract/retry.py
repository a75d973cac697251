"""The one retry owner: a fresh tenacity policy per model call.

The openai client's own retries are off (`max_retries=0`) and instructor receives this
policy as its `max_retries`, so every HTTP attempt of a call passes through here:

- transport failures (429, 408/409, 5xx, timeouts, connection errors) are retried up to
  `max_transport_retries` times with exponential backoff and jitter, honouring
  `Retry-After`/`retry-after-ms` up to `retry_after_cap` seconds;
- invalid answers (schema validation, broken JSON) are re-asked at once, up to
  `max_reasks` times (instructor appends the validation error to the conversation);
- everything else (refusals, truncation, 4xx, a request missing from a replayed cassette)
  is final.

A policy counts its own attempts, so it must never be shared between calls (NOTES: a shared
`AsyncRetrying` corrupts its counts under concurrency).
"""

from __future__ import annotations

import json
import random
from typing import Literal

from tenacity import AsyncRetrying, RetryCallState, stop_never

from llmextract.config import Settings

Kind = Literal["parse", "transport", "cassette", "final"]

__all__ = ["RetryPolicy", "cassette_miss", "classify", "retry_after_seconds"]


def cassette_miss(exc: BaseException | None) -> bool:
    """True when vcrpy refused a request that the replayed cassette does not hold."""
    seen = 0
    while exc is not None and seen < 10:
        if type(exc).__name__ == "CannotOverwriteExistingCassetteException":
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def classify(exc: BaseException) -> Kind:
    import openai
    import pydantic

    if cassette_miss(exc):
        return "cassette"
    if isinstance(exc, (pydantic.ValidationError, json.JSONDecodeError)):
        return "parse"
    if type(exc).__name__ == "ResponseParsingError" and "No tool call" in str(exc):
        return "final"  # answered in prose/content: read by llm.py, not re-asked
    if type(exc).__name__ in {"ResponseParsingError", "AsyncValidationError"}:
        return "parse"
    if isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError)):
        return "transport"
    if isinstance(exc, openai.APIStatusError):
        code = exc.status_code
        return "transport" if code in (408, 409, 429) or code >= 500 else "final"
    return "final"


def retry_after_seconds(exc: BaseException) -> float | None:
    """Seconds the server asked us to wait (`retry-after-ms` or `retry-after`), if any."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        raw = headers.get(name)
        if raw is None:
            continue
        try:
            return max(0.0, float(raw) * scale)
        except ValueError:
            continue  # an HTTP-date: fall back to our own backoff
    return None


class RetryPolicy:
    """Counts attempts of one call and decides retries; build one per call."""

    def __init__(self, settings: Settings, rng: random.Random | None = None) -> None:
        self.settings = settings
        self.reasks = 0
        self.transport_retries = 0
        self.failures = 0
        self._rng = rng or random.Random()

    @property
    def attempts(self) -> int:
        """HTTP requests made by a call that succeeded (the failed ones plus the last)."""
        return self.failures + 1

    def should_retry(self, state: RetryCallState) -> bool:
        outcome = state.outcome
        if outcome is None or not outcome.failed:
            return False
        exc = outcome.exception()
        if exc is None:
            return False
        self.failures += 1
        kind = classify(exc)
        if kind == "parse" and self.reasks < self.settings.max_reasks:
            self.reasks += 1
            return True
        if kind == "transport" and self.transport_retries < self.settings.max_transport_retries:
            self.transport_retries += 1
            return True
        return False

    def wait_seconds(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome is not None else None
        if exc is None or classify(exc) != "transport":
            return 0.0
        asked = retry_after_seconds(exc)
        if asked is not None:
            delay = min(asked, self.settings.retry_after_cap)
        else:
            s = self.settings
            ceiling = min(s.backoff_cap, s.backoff_base * 2 ** (self.transport_retries - 1))
            delay = self._rng.uniform(ceiling / 2, ceiling)
        return delay

    def retrying(self) -> AsyncRetrying:
        return AsyncRetrying(
            retry=self.should_retry, wait=self.wait_seconds, stop=stop_never, reraise=True
        )
