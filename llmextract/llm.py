"""The model call: instructor over `AsyncOpenAI`, one policy owning retries (see retry.py).

This is the boundary where openai/instructor/vcrpy errors become llmextract errors.
"""

from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from llmextract.config import Settings
from llmextract.errors import (
    CassetteMissError,
    ModelError,
    ModelOutputError,
    ModelUnavailableError,
)
from llmextract.pace import Pace, PacedTransport
from llmextract.prompts import Prompt
from llmextract.ratelimit import RateLimiter, estimate_tokens
from llmextract.record import Usage
from llmextract.retry import RetryPolicy, classify
from llmextract.schema import ArticleSummary

if TYPE_CHECKING:
    import openai

__all__ = ["LazyModelClient", "ModelAnswer", "ModelClient"]

_MODES = {"tools": "TOOLS", "json_schema": "JSON_SCHEMA", "json": "JSON", "md_json": "MD_JSON"}


@dataclass(frozen=True)
class ModelAnswer:
    summary: BaseModel  # an instance of the run's schema (ArticleSummary by default)
    usage: Usage
    model: str


def _usage_of(raw: Any, requests: int) -> Usage:
    return Usage(
        requests=requests,
        prompt_tokens=int(getattr(raw, "prompt_tokens", 0) or 0),
        completion_tokens=int(getattr(raw, "completion_tokens", 0) or 0),
    )


def _quiet_instructor() -> None:
    # instructor logs every failed attempt at ERROR, model output included; our records
    # say what failed instead.
    logging.getLogger("instructor").setLevel(logging.CRITICAL)


def _memoize_instructor_model_check() -> None:
    """instructor walks the whole response model looking for async validators on every call
    (about 1 ms per article here, ~385 node visits, twice per call). The answer never
    changes for a class, so remember the classes that passed. A performance shim on one
    instructor function; skipped if instructor moves it."""
    try:
        from instructor.v2.validation import async_validators as av
    except ImportError:  # pragma: no cover - another instructor layout
        return
    original = av.reject_async_validators
    if getattr(original, "_llmextract_memo", False):
        return
    passed: weakref.WeakSet[type] = weakref.WeakSet()

    def reject_async_validators(response_model: Any) -> None:
        if isinstance(response_model, type) and response_model in passed:
            return
        original(response_model)
        if isinstance(response_model, type):
            passed.add(response_model)

    reject_async_validators._llmextract_memo = True  # type: ignore[attr-defined]
    av.reject_async_validators = reject_async_validators


class ModelClient:
    """One shared `AsyncOpenAI` client (connection pool sized for the run's concurrency)."""

    def __init__(self, settings: Settings, prompt: Prompt,
                 schema: type[BaseModel] = ArticleSummary, pace: Pace | None = None) -> None:
        import instructor
        import openai

        _quiet_instructor()
        _memoize_instructor_model_check()
        self.settings = settings
        self.prompt = prompt
        pool = settings.max_in_flight + 4
        self.limiter = RateLimiter(settings.rpm, settings.tpm)
        hooks = {"request": [self._before_request]} if self.limiter.active else {}
        # Every HTTP attempt is admitted by the run's Pace (adaptive concurrency/timeouts).
        self.pace = pace or Pace.for_settings(settings)
        transport = PacedTransport(_httpx().AsyncHTTPTransport(limits=_limits(pool)), self.pace)
        http_client = openai.DefaultAsyncHttpxClient(  # the httpx flavour openai is built on
            transport=transport,  # type: ignore[arg-type]  # duck-typed: httpx or httpx2
            timeout=settings.timeout, follow_redirects=True,
            event_hooks=hooks,
        )
        self._openai: openai.AsyncOpenAI = openai.AsyncOpenAI(
            api_key=settings.client_key,
            base_url=settings.base_url,
            max_retries=0,
            timeout=settings.timeout,
            http_client=http_client,
        )
        mode = getattr(instructor.Mode, _MODES[settings.mode])
        self._client = instructor.from_openai(self._openai, mode=mode)
        # Wrapping once spares instructor regenerating the JSON schema on every call.
        self.schema = schema
        self._response_model = instructor.openai_schema(schema)

    async def _before_request(self, request: Any) -> None:
        await self.limiter.acquire(estimate_tokens(len(request.content or b"")))

    async def aclose(self) -> None:
        await self._openai.close()

    async def extract(self, text: str, followup: list[dict[str, str]] | None = None
                      ) -> ModelAnswer:
        """One article -> a validated instance of the schema, or a `ModelError` subclass.
        `followup` messages are appended to the conversation (a grounding re-ask)."""
        policy = RetryPolicy(self.settings)
        kwargs: dict[str, Any] = {}
        if self.settings.temperature is not None:
            kwargs["temperature"] = self.settings.temperature
        try:
            result, completion = await self._client.chat.completions.create_with_completion(
                model=self.settings.model,
                messages=[*self.prompt.messages(text), *(followup or [])],  # type: ignore[list-item]
                response_model=self._response_model,
                max_retries=policy.retrying(),
                strict=False,  # "7" for 7 is accepted, not re-asked (costs a request)
                **kwargs,
            )
        except Exception as exc:  # translated here, at the one boundary
            self.pace.note_reasks(policy.reasks)
            recovered = self._from_content(exc, policy)
            if recovered is not None:
                return recovered
            raise _translate(exc, policy, self.settings) from exc
        self.pace.note_reasks(policy.reasks)
        summary = self.schema.model_validate(result.model_dump())
        usage = _usage_of(getattr(completion, "usage", None), policy.attempts)
        return ModelAnswer(summary=summary, usage=usage,
                           model=str(getattr(completion, "model", "") or self.settings.model))


    def _from_content(self, exc: Exception, policy: RetryPolicy) -> ModelAnswer | None:
        """Servers that ignore `tool_choice` (several local ones) answer in the message
        content instead of a tool call: take that JSON when it fits the schema."""
        if "No tool call" not in str(_root(exc)):
            return None
        completion = getattr(exc, "last_completion", None)
        if completion is None:
            attempts = getattr(exc, "failed_attempts", None) or []
            completion = attempts[-1].completion if attempts else None
        try:
            content = completion.choices[0].message.content  # type: ignore[union-attr]
            start, end = content.index("{"), content.rindex("}") + 1
            summary = self.schema.model_validate_json(content[start:end])
        except (AttributeError, IndexError, TypeError, ValueError):
            return None
        usage = _usage_of(getattr(completion, "usage", None), policy.failures)
        return ModelAnswer(summary=summary, usage=usage,
                           model=str(getattr(completion, "model", "") or self.settings.model))


class LazyModelClient:
    """A `ModelClient` built on the first call: a run served wholly from the cache never
    imports openai or opens a connection (~1 s of start-up saved)."""

    def __init__(self, settings: Settings, prompt: Prompt,
                 schema: type[BaseModel] = ArticleSummary, pace: Pace | None = None) -> None:
        self.settings = settings
        self.prompt = prompt
        self.schema = schema
        self.pace = pace
        self._client: ModelClient | None = None

    async def extract(self, text: str, followup: list[dict[str, str]] | None = None
                      ) -> ModelAnswer:
        if self._client is None:
            self._client = ModelClient(self.settings, self.prompt, self.schema, self.pace)
        return await self._client.extract(text, followup)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()


def _httpx() -> Any:
    """The httpx flavour openai is built on (httpx2 for openai 3.x, else httpx)."""
    import openai._base_client as base

    return getattr(base, "httpx2", None) or getattr(base, "httpx")  # noqa: B009


def _limits(pool: int) -> Any:
    return _httpx().Limits(max_connections=pool, max_keepalive_connections=pool)


def _root(exc: BaseException) -> BaseException:
    """The error that decided the outcome (instructor wraps it in InstructorRetryException)."""
    if type(exc).__name__ == "InstructorRetryException" and exc.__cause__ is not None:
        return exc.__cause__
    return exc


def _describe(exc: BaseException) -> str:
    import openai

    if isinstance(exc, openai.APIStatusError):
        return f"HTTP {exc.status_code} from the model endpoint"
    if isinstance(exc, openai.APITimeoutError):
        return "the model endpoint timed out"
    if isinstance(exc, openai.APIConnectionError):
        return "could not connect to the model endpoint"
    name = type(exc).__name__
    if name == "IncompleteOutputException":
        return "the answer was truncated (finish_reason=length)"
    if name == "ValidationError":
        count = getattr(exc, "error_count", lambda: 0)()
        return f"the answer did not match the schema ({count} validation errors)"
    if isinstance(exc, AssertionError):
        return f"the model gave no structured answer: {str(exc)[:200]}"
    return f"{name}: {str(exc)[:200]}"


def _translate(exc: Exception, policy: RetryPolicy, settings: Settings) -> ModelError | Exception:
    root = _root(exc)
    kind = classify(root)
    if kind == "cassette":
        where = settings.replay or settings.record
        named = f"cassette {where}" if where else "the cassette being replayed"
        return CassetteMissError(
            f"request not found in {named}: the article or prompt changed since it was "
            "recorded; re-record it with --record (see README, 'Cassettes')"
        )
    total = getattr(exc, "total_usage", None)
    usage = _usage_of(total, policy.failures)
    if usage.prompt_tokens == 0:
        last = getattr(exc, "last_completion", None)
        usage = _usage_of(getattr(last, "usage", None), policy.failures)
    attempts = policy.failures  # every failed request passed through the policy
    message = f"{_describe(root)} (after {attempts} request{'s' if attempts > 1 else ''})"
    cls = ModelUnavailableError if kind == "transport" or _is_status(root) else ModelOutputError
    return cls(message, attempts=attempts, usage=usage)


def _is_status(exc: BaseException) -> bool:
    import openai

    return isinstance(exc, openai.APIStatusError)
