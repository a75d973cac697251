"""The one retry owner: a fresh tenacity policy per model call.

The openai client's own retries are off (`max_retries=0`) and instructor receives this
policy as its `max_retries`, so every HTTP attempt of a call passes through here:

- transport failures (429, 408/409, 5xx, timeouts, connection errors) are retried up to
  `max_transport_retries` times with exponential backoff and jitter, honouring
  `Retry-After`/`retry-after-ms` up to `retry_after_cap` seconds; against a local
  endpoint (`Settings.local_endpoint`) a read timeout draws on the article's `CallBudget`;
- a deterministic rejection (HTTP 400/404/422, or a 5xx whose body says a parameter is
  invalid or unsupported, as llama-cpp-python answers an unknown `response_format`) is
  never resent unchanged: it is final here (`--mode auto` may then try another form, see
  llmextract.call.modes), and `server_reason` gives the server's words for the error message;
- invalid answers (schema validation, broken JSON) are re-asked at once, up to
  `max_reasks` times (instructor appends the validation error to the conversation); against
  a local endpoint each re-ask also draws on the article's `CallBudget`;
- everything else (refusals, truncation, 4xx, a request missing from a replayed cassette)
  is final.

A policy counts its own attempts, so it must never be shared between calls (NOTES: a shared
`AsyncRetrying` corrupts its counts under concurrency).
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from tenacity import AsyncRetrying, RetryCallState, stop_never

from llmextract.config import Settings

Kind = Literal["parse", "transport", "cassette", "final"]

__all__ = ["CallBudget", "RetryPolicy", "cassette_miss", "classify", "is_rejection",
           "no_tool_call", "retry_after_seconds", "scrub", "server_reason"]

REASON_CHARS = 300
"""How much of a server's error message goes into our error message."""

# A 5xx whose body says one of these is the server refusing the request as written (an
# unknown or unsupported parameter), not a passing failure: resending it cannot help.
_INVALID_REQUEST = re.compile(
    r"input should be|validation error|invalid (?:param|value|request|argument|type|"
    r"response_format|schema)|unsupported|not supported|unknown (?:field|param|argument)|"
    r"unrecognized|extra (?:fields|inputs) (?:are )?not permitted|is not a valid|"
    r"field required|missing required", re.IGNORECASE)
_SECRETS = (
    re.compile(r"\b(?:sk|pk|rk)-[A-Za-z0-9_\-]{6,}"),
    re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=\-]+"),
    re.compile(r"(?i)\b(api[_-]?key|x-api-key|authorization|token)([\"']?\s*[:=]\s*[\"']?)"
               r"(?!bearer\b)[^\s\"',}]+"),
)


def scrub(text: str, secrets: Iterable[str | None] = ()) -> str:
    """`text` with API keys (`sk-...`), bearer tokens, `api_key=...` values and the given
    secrets replaced by `***`."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    text = _SECRETS[0].sub("sk-***", text)
    text = _SECRETS[1].sub("Bearer ***", text)
    return _SECRETS[2].sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)


def _body_message(body: Any) -> str | None:
    """The message of an error body in any of the shapes servers use: OpenAI's
    `{"error": {"message"}}` (openai hands over the inner object), vLLM's
    `{"object": "error", "message"}`, Ollama's `{"error": "..."}`, FastAPI's `{"detail"}`."""
    if isinstance(body, str):
        return body
    if isinstance(body, dict):
        for key in ("message", "error", "detail", "msg"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return value
            if isinstance(value, dict | list) and value:
                inner = _body_message(value)
                if inner:
                    return inner
    if isinstance(body, list) and body:
        parts = [_body_message(item) or "" for item in body[:3]]
        return "; ".join(p for p in parts if p) or None
    return None


def server_reason(exc: BaseException, secrets: Iterable[str | None] = ()) -> str | None:
    """The server's own words for an HTTP error (its first `REASON_CHARS` characters, one
    line, secrets scrubbed), or None when it gave none."""
    import openai

    if not isinstance(exc, openai.APIStatusError):
        return None
    text = _body_message(exc.body)
    if not text:
        try:
            text = exc.response.text
        except Exception:  # a streamed or closed response: no body to read
            text = None
    if not text or not text.strip():
        return None
    flat = " ".join(scrub(text, secrets).split())
    return flat if len(flat) <= REASON_CHARS else flat[: REASON_CHARS - 3].rstrip() + "..."


def is_rejection(exc: BaseException) -> bool:
    """The server refused the request as written: 400/404/422, or a 5xx whose body says a
    parameter is invalid or unsupported. Sending it again unchanged cannot help."""
    import openai

    if not isinstance(exc, openai.APIStatusError):
        return False
    code = exc.status_code
    if code in (400, 404, 422):
        return True
    if code >= 500:
        return bool(_INVALID_REQUEST.search(server_reason(exc) or ""))
    return False


@dataclass
class CallBudget:
    """What one article's model call may still spend beyond its first request, across the
    requests of that call (see `llmextract.call.client.ModelClient.extract`).

    Against a local endpoint every extra request draws on one allowance, `local_left`
    (`Settings.local_retries`, default 1), whatever asks for it: a read timeout, a
    truncated answer or an invalid answer (a re-ask). A small local model rarely fixes its
    answer when asked again, and each request costs it the whole prompt again: measured on
    llama-cpp-python with SmolLM2, `--mode json` took 3-4 requests (1 truncation retry and
    2 re-asks) and still fell back. Against a hosted endpoint only the truncation retry is
    counted here (once); re-asks and transport retries follow their own settings. A form
    the server rejected, or a budget lowered to fit its context, is not an extra try of the
    same request and is not counted."""

    local: bool = False
    local_left: int = 1
    length_retries_left: int = 1
    context_fitted: bool = False  # max_tokens was lowered once to fit the model's context

    def _spend_local(self) -> None:
        if self.local:
            self.local_left -= 1

    def can_retry_timeout(self) -> bool:
        return self.local_left > 0

    def can_reask(self) -> bool:
        return not self.local or self.local_left > 0

    def can_retry_length(self) -> bool:
        return self.length_retries_left > 0 and self.can_reask()

    def timed_out(self) -> None:
        """A local read timeout is being retried."""
        self._spend_local()

    def reasked(self) -> None:
        """An invalid answer is being re-asked."""
        self._spend_local()

    def truncated(self) -> None:
        """A truncated answer is being asked again (with a larger budget)."""
        self.length_retries_left -= 1
        self._spend_local()


def cassette_miss(exc: BaseException | None) -> bool:
    """True when vcrpy refused a request that the replayed cassette does not hold."""
    from vcr.errors import CannotOverwriteExistingCassetteException

    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, CannotOverwriteExistingCassetteException):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def no_tool_call(exc: BaseException) -> bool:
    """instructor could not parse the answer because the message carries no tool (or
    function) call at all: the server ignored `tool_choice` and answered in the content."""
    from instructor.core import ResponseParsingError

    if not isinstance(exc, ResponseParsingError) or exc.mode != "TOOLS":
        return False
    response: Any = exc.raw_response
    try:
        message = response.choices[0].message
    except (AttributeError, IndexError, TypeError):
        return False
    return not getattr(message, "tool_calls", None) and (
        getattr(message, "function_call", None) is None)


def classify(exc: BaseException) -> Kind:
    import openai
    import pydantic
    from instructor.core import AsyncValidationError, ResponseParsingError

    if cassette_miss(exc):
        return "cassette"
    if isinstance(exc, (pydantic.ValidationError, json.JSONDecodeError)):
        return "parse"
    if no_tool_call(exc):
        return "final"  # answered in prose/content: read by call/client.py, not re-asked
    if isinstance(exc, (ResponseParsingError, AsyncValidationError)):
        return "parse"
    if isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError)):
        return "transport"
    if isinstance(exc, openai.APIStatusError):
        if is_rejection(exc):
            return "final"
        code = exc.status_code
        return "transport" if code in (408, 409, 429) or code >= 500 else "final"
    return "final"


def _is_timeout(exc: BaseException) -> bool:
    import openai

    return isinstance(exc, openai.APITimeoutError)


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

    def __init__(self, settings: Settings, rng: random.Random | None = None,
                 budget: CallBudget | None = None) -> None:
        self.settings = settings
        self.budget = budget or CallBudget(settings.local_endpoint, settings.local_retries)
        self.reasks = 0
        self.transport_retries = 0
        self.failures = 0
        # the jitter: the process's generator (re-seeded after a fork) unless a test gives
        # its own; seeding a new one from the OS for every call cost ~20 us (issue 16)
        self._uniform = rng.uniform if rng is not None else random.uniform

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
            if not self.budget.can_reask():
                return False
            self.reasks += 1
            self.budget.reasked()
            return True
        if kind != "transport" or self.transport_retries >= self.settings.max_transport_retries:
            return False
        if self.settings.local_endpoint and _is_timeout(exc):
            if not self.budget.can_retry_timeout():
                return False
            self.budget.timed_out()
        self.transport_retries += 1
        return True

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
            delay = self._uniform(ceiling / 2, ceiling)
        return delay

    def retrying(self) -> AsyncRetrying:
        return AsyncRetrying(
            retry=self.should_retry, wait=self.wait_seconds, stop=stop_never, reraise=True
        )
