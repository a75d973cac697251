"""The model call: instructor over `AsyncOpenAI`, one policy owning retries (see retry.py).

This is the boundary where openai/instructor/vcrpy errors become llmextract errors.
"""

from __future__ import annotations

import contextvars
import re
import threading
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel

from llmextract.call.modes import (
    INSTRUCTOR_MODES,
    MAX_TOKENS_CAP,
    Form,
    FormChooser,
    budget_parameter,
    max_tokens_for,
)
from llmextract.call.pace import Pace, PacedTransport
from llmextract.call.prompts import Prompt
from llmextract.call.ratelimit import RateLimiter, estimate_tokens
from llmextract.call.retry import (
    CallBudget,
    RetryPolicy,
    classify,
    is_rejection,
    no_tool_call,
    server_reason,
)
from llmextract.config import Settings
from llmextract.errors import (
    CassetteMissError,
    ModelError,
    ModelOutputError,
    ModelUnavailableError,
)
from llmextract.schemas.news import ArticleSummary
from llmextract.schemas.record import Usage

if TYPE_CHECKING:
    import openai

__all__ = ["LazyModelClient", "ModelAnswer", "ModelClient"]

@dataclass(frozen=True)
class ModelAnswer:
    summary: BaseModel  # an instance of the run's schema (ArticleSummary by default)
    usage: Usage
    model: str


def _usage_of(raw: Any, requests: int) -> Usage:
    details = getattr(raw, "prompt_tokens_details", None)
    return Usage(
        requests=requests,
        prompt_tokens=int(getattr(raw, "prompt_tokens", 0) or 0),
        completion_tokens=int(getattr(raw, "completion_tokens", 0) or 0),
        cached_prompt_tokens=int(getattr(details, "cached_tokens", 0) or 0),
    )


_OUR_CALL: contextvars.ContextVar[bool] = contextvars.ContextVar("llmextract_call",
                                                                  default=False)


class _ModelCheckMemo:
    """instructor walks the whole response model looking for async validators on every call
    (about 1 ms per article here, ~385 node visits, twice per call). The answer never
    changes for a class, so our calls remember the classes that passed.

    Scoped to our own calls: the memo is installed only while a `ModelClient` is open
    (counted, so concurrent clients share it), is used only inside our requests (a context
    variable says so; anyone else's call goes straight to instructor's function), and the
    original is put back when the last client closes. Skipped if instructor moves it."""

    _lock = threading.Lock()
    _users = 0
    _original: Any = None
    _passed: ClassVar[weakref.WeakSet[type]] = weakref.WeakSet()

    @classmethod
    def _memo(cls, response_model: Any) -> None:
        original = cls._original
        if not _OUR_CALL.get() or original is None:
            return (original or _instructor_check())(response_model)  # type: ignore[no-any-return]
        if isinstance(response_model, type) and response_model in cls._passed:
            return None
        original(response_model)
        if isinstance(response_model, type):
            cls._passed.add(response_model)
        return None

    @classmethod
    def acquire(cls) -> None:
        module = _validators_module()
        if module is None:  # pragma: no cover - another instructor layout
            return
        with cls._lock:
            if cls._users == 0:
                cls._original = module.reject_async_validators
                module.reject_async_validators = cls._memo
            cls._users += 1

    @classmethod
    def release(cls) -> None:
        module = _validators_module()
        if module is None:  # pragma: no cover
            return
        with cls._lock:
            cls._users = max(0, cls._users - 1)
            if cls._users == 0 and cls._original is not None:
                if module.reject_async_validators == cls._memo:  # a bound method: not `is`
                    module.reject_async_validators = cls._original
                cls._original = None


def _validators_module() -> Any:
    try:
        from instructor.v2.validation import async_validators
    except ImportError:  # pragma: no cover - another instructor layout
        return None
    return async_validators


def _instructor_check() -> Any:
    return _validators_module().reject_async_validators


class ModelClient:
    """One shared `AsyncOpenAI` client (connection pool sized for the run's concurrency),
    and the run's `FormChooser` (which structured-output form requests use)."""

    def __init__(self, settings: Settings, prompt: Prompt,
                 schema: type[BaseModel] = ArticleSummary, pace: Pace | None = None, *,
                 transport: Any = None) -> None:
        """`transport`: an httpx transport for the connection pool, used as is (llmextract.jobs
        captures the request bodies the online path would send with one); by default a
        pooled transport admitted by the run's `Pace`."""
        import instructor
        import openai

        self.settings = settings
        self.prompt = prompt
        pool = settings.max_in_flight + 4
        self.limiter = RateLimiter(settings.rpm, settings.tpm)
        hooks = {"request": [self._before_request]} if self.limiter.active else {}
        # Every HTTP attempt is admitted by the run's Pace (adaptive concurrency/timeouts).
        self.pace = pace or Pace.for_settings(settings)
        if transport is None:
            transport = PacedTransport(_httpx().AsyncHTTPTransport(limits=_limits(pool)),
                                       self.pace)
        http_client = openai.DefaultAsyncHttpxClient(  # the httpx flavour openai is built on
            transport=transport,  # duck-typed: httpx or httpx2
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
        self._instructor = instructor
        self._clients: dict[str, Any] = {}
        self.forms = FormChooser(settings)
        # Wrapping once spares instructor regenerating the JSON schema on every call.
        self.schema = schema
        self._response_model = instructor.openai_schema(schema)
        self._json_schema: dict[str, Any] | None = None
        self.max_tokens = settings.max_tokens or max_tokens_for(schema, settings.model)
        self._budget_parameter = budget_parameter(settings)
        _ModelCheckMemo.acquire()
        self._memo_held = True

    def _client_for(self, form: Form) -> Any:
        name = INSTRUCTOR_MODES[form]
        if name not in self._clients:
            mode = getattr(self._instructor.Mode, name)
            self._clients[name] = self._instructor.from_openai(self._openai, mode=mode)
        return self._clients[name]

    async def _before_request(self, request: Any) -> None:
        await self.limiter.acquire(estimate_tokens(len(request.content or b"")))

    async def aclose(self) -> None:
        if self._memo_held:
            self._memo_held = False
            _ModelCheckMemo.release()
        self.forms.close()
        await self._openai.close()

    async def extract(self, text: str, followup: list[dict[str, str]] | None = None
                      ) -> ModelAnswer:
        """One article -> a validated instance of the schema, or a `ModelError` subclass.
        `followup` messages are appended to the conversation (a grounding re-ask).

        While `--mode auto` has not settled on a form, one article at a time probes (the
        others wait here), so a run never fires a burst of requests that all fail alike."""
        forms = self.forms
        while not forms.settled:
            async with forms.lock:
                if not forms.settled:
                    return await self._extract(text, followup or [])
        return await self._extract(text, followup or [])

    async def _extract(self, text: str, followup: list[dict[str, str]]) -> ModelAnswer:
        forms = self.forms
        form = forms.current
        budget = CallBudget(self.settings.local_endpoint, self.settings.local_retries)
        spent = Usage()
        max_tokens = self.max_tokens
        brief: list[dict[str, str]] = []
        reasons: set[str] = set()  # the server's reasons for refusing forms
        while True:
            policy = RetryPolicy(self.settings, budget=budget)
            try:
                answer = await self._call(form, text, [*followup, *brief], max_tokens, policy)
            except Exception as exc:  # translated here, at the one boundary
                root = _root(exc)
                if _no_tool_call(root):
                    recovered = self._from_content(exc, policy)
                    if recovered is not None:
                        forms.tools_ignored()
                        return _plus(recovered, spent)
                    nxt = None if _refused(exc) else forms.tools_ignored()
                    if nxt is not None:
                        spent += _failed_usage(exc, policy)
                        form = nxt
                        continue
                elif _truncated(root):
                    forms.worked(form)
                    if budget.can_retry_length() and max_tokens < MAX_TOKENS_CAP:
                        budget.truncated()
                        spent += _failed_usage(exc, policy)
                        brief = [_brief_message(max_tokens)]
                        max_tokens = min(MAX_TOKENS_CAP, max_tokens * 2)
                        continue
                    raise self._error(exc, policy, spent, max_tokens=max_tokens) from exc
                elif (room := _context_room(root, max_tokens)) is not None:
                    if room and not budget.context_fitted:  # prompt + budget over the limit
                        budget.context_fitted = True
                        spent += _failed_usage(exc, policy)
                        max_tokens = room
                        continue
                elif _form_rejection(root) and forms.auto:
                    reason = server_reason(root) or ""
                    if reason in reasons:  # two forms refused alike: not about the form
                        forms.forget(reason)
                    else:
                        reasons.add(reason)
                        nxt = forms.refused(form, reason)
                        if nxt is not None and nxt != form:
                            spent += _failed_usage(exc, policy)
                            form = nxt
                            continue
                error = self._error(exc, policy, spent)
                if isinstance(error, ModelOutputError):
                    forms.worked(form)  # the server took the form; the answer was the problem
                raise error from exc
            forms.worked(form)
            return _plus(answer, spent)

    async def _call(self, form: Form, text: str, followup: list[dict[str, str]],
                    max_tokens: int, policy: RetryPolicy) -> ModelAnswer:
        ours = _OUR_CALL.set(True)
        try:
            result, completion = await self._client_for(form).chat.completions \
                .create_with_completion(**self.request_kwargs(form, text, followup, max_tokens),
                                        max_retries=policy.retrying())
        finally:
            _OUR_CALL.reset(ours)
            self.pace.note_reasks(policy.reasks)  # for the end-of-run report
        summary = self.schema.model_validate(result.model_dump())
        usage = _usage_of(getattr(completion, "usage", None), policy.attempts)
        return ModelAnswer(summary=summary, usage=usage,
                           model=str(getattr(completion, "model", "") or self.settings.model))

    def request_kwargs(self, form: Form, text: str, followup: list[dict[str, Any]],
                       max_tokens: int) -> dict[str, Any]:
        """What one request passes to instructor's `create_with_completion` (all but
        `max_retries`): the same for the online path and a batch job's request files."""
        kwargs: dict[str, Any] = {self._budget_parameter: max_tokens}
        if self.settings.temperature is not None:
            kwargs["temperature"] = self.settings.temperature
        if form == "json_object_schema":
            if self._json_schema is None:
                self._json_schema = self._response_model.model_json_schema()
            # instructor's JSON mode sends {"type": "json_object"}; the request body's
            # extra fields replace it with the form llama.cpp constrains with a grammar.
            kwargs["extra_body"] = {
                "response_format": {"type": "json_object", "schema": self._json_schema}}
        return dict(
            model=self.settings.model,
            messages=[*self.prompt.messages(text), *followup],
            response_model=self._response_model,
            strict=False,  # "7" for 7 is accepted, not re-asked (costs a request)
            **kwargs,
        )

    def _error(self, exc: Exception, policy: RetryPolicy, spent: Usage,
               max_tokens: int | None = None) -> ModelError | Exception:
        return _translate(exc, policy, self.settings, max_tokens, spent)

    def _from_content(self, exc: Exception, policy: RetryPolicy) -> ModelAnswer | None:
        """Servers that ignore `tool_choice` (several local ones) answer in the message
        content instead of a tool call: take that JSON when it fits the schema."""
        completion = _last_completion(exc)
        try:
            content = completion.choices[0].message.content
            start, end = content.index("{"), content.rindex("}") + 1
            summary = self.schema.model_validate_json(content[start:end])
        except (AttributeError, IndexError, TypeError, ValueError):
            return None
        usage = _usage_of(getattr(completion, "usage", None), policy.failures)
        return ModelAnswer(summary=summary, usage=usage,
                           model=str(getattr(completion, "model", "") or self.settings.model))


def _last_completion(exc: BaseException) -> Any:
    completion = getattr(exc, "last_completion", None)
    if completion is None:
        attempts = getattr(exc, "failed_attempts", None) or []
        completion = attempts[-1].completion if attempts else None
    return completion


def _no_tool_call(exc: BaseException) -> bool:
    return no_tool_call(exc)


def _refused(exc: BaseException) -> bool:
    """The model declined (a `refusal` in the message): not a server ignoring tools."""
    try:
        return bool(_last_completion(exc).choices[0].message.refusal)
    except (AttributeError, IndexError, TypeError):
        return False


_CONTEXT_LIMIT = re.compile(r"context (?:length|window|size) (?:is |of )?\(?(\d+)", re.I)
_PROMPT_SIZE = re.compile(r"(\d+) in the messages|request has (\d+) input tokens|"
                          r"(\d+) tokens? in the prompt", re.I)
_MIN_ROOM = 256


def _context_room(exc: BaseException, max_tokens: int) -> int | None:
    """For a rejection that says prompt plus `max_tokens` exceed the model's context (vLLM,
    OpenAI, llama.cpp wordings): the budget that fits (0: none does); None for any other
    error. Such a rejection is about the article's length, never about the form."""
    if not is_rejection(exc):
        return None
    reason = server_reason(exc) or ""
    limit = _CONTEXT_LIMIT.search(reason)
    if limit is None:
        return None
    prompt = _PROMPT_SIZE.search(reason)
    if prompt is None:
        return 0
    used = int(next(g for g in prompt.groups() if g))
    room = int(limit.group(1)) - used - 16
    return room if _MIN_ROOM <= room < max_tokens else 0


def _form_rejection(exc: BaseException) -> bool:
    """A rejection that may be about the form: 400/422, or a 5xx naming an invalid or
    unsupported parameter (not 404: a wrong URL or model is wrong in every form)."""
    import openai

    return is_rejection(exc) and not isinstance(exc, openai.NotFoundError)


def _truncated(exc: BaseException) -> bool:
    from instructor.core import IncompleteOutputException

    return isinstance(exc, IncompleteOutputException)


def _brief_message(max_tokens: int) -> dict[str, str]:
    return {"role": "user", "content": (
        f"Your previous answer was cut off at {max_tokens} tokens. Answer again, briefly: "
        "the same structure, only the most important items, short descriptions, nothing "
        "repeated.")}


def _failed_usage(exc: BaseException, policy: RetryPolicy) -> Usage:
    total = getattr(exc, "total_usage", None)
    usage = _usage_of(total, policy.failures)
    if usage.prompt_tokens == 0:
        usage = _usage_of(getattr(_last_completion(exc), "usage", None), policy.failures)
    return usage


def _plus(answer: ModelAnswer, spent: Usage) -> ModelAnswer:
    if not spent.requests:
        return answer
    return ModelAnswer(summary=answer.summary, usage=answer.usage + spent, model=answer.model)


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
            client, self._client = self._client, None
            await client.aclose()


def _httpx() -> Any:
    """The httpx flavour openai is built on (httpx2 for openai 3.x, else httpx)."""
    import openai._base_client as base

    return getattr(base, "httpx2", None) or getattr(base, "httpx")  # noqa: B009


def _limits(pool: int) -> Any:
    return _httpx().Limits(max_connections=pool, max_keepalive_connections=pool)


def _root(exc: BaseException) -> BaseException:
    """The error that decided the outcome (instructor wraps it in InstructorRetryException)."""
    from instructor.core import InstructorRetryException

    if isinstance(exc, InstructorRetryException) and exc.__cause__ is not None:
        return exc.__cause__
    return exc


def _describe(exc: BaseException, settings: Settings, max_tokens: int | None = None) -> str:
    import openai
    from instructor.core import IncompleteOutputException

    if isinstance(exc, openai.APIStatusError):
        reason = server_reason(exc, (settings.api_key,))
        return f"HTTP {exc.status_code} from the model endpoint" + (
            f": {reason}" if reason else "")
    if isinstance(exc, openai.APITimeoutError):
        return "the model endpoint timed out"
    if isinstance(exc, openai.APIConnectionError):
        return "could not connect to the model endpoint"
    name = type(exc).__name__
    import pydantic

    if isinstance(exc, IncompleteOutputException):
        at = f" at {max_tokens} tokens" if max_tokens else ""
        return f"the answer was truncated{at} (finish_reason=length; raise --max-tokens)"
    if isinstance(exc, pydantic.ValidationError):
        count = getattr(exc, "error_count", lambda: 0)()
        return f"the answer did not match the schema ({count} validation errors)"
    if isinstance(exc, AssertionError):
        return f"the model gave no structured answer: {str(exc)[:200]}"
    return f"{name}: {str(exc)[:200]}"


def _translate(exc: Exception, policy: RetryPolicy, settings: Settings,
               max_tokens: int | None = None, spent: Usage | None = None
               ) -> ModelError | Exception:
    root = _root(exc)
    kind = classify(root)
    if kind == "cassette":
        where = settings.replay or settings.record
        named = f"cassette {where}" if where else "the cassette being replayed"
        return CassetteMissError(
            f"request not found in {named}: the article or prompt changed since it was "
            "recorded; re-record it with --record (see README, 'Cassettes')"
        )
    # every failed request passed through a policy; `spent`: earlier forms or budgets
    usage = _failed_usage(exc, policy) + (spent or Usage())
    attempts = usage.requests
    message = (f"{_describe(root, settings, max_tokens)} "
               f"(after {attempts} request{'s' if attempts > 1 else ''})")
    cls = ModelUnavailableError if kind == "transport" or _is_status(root) else ModelOutputError
    return cls(message, attempts=attempts, usage=usage)


def _is_status(exc: BaseException) -> bool:
    import openai

    return isinstance(exc, openai.APIStatusError)
