"""Reading a failed model call: what went wrong (no tool call, a refusal, a truncated
answer, a prompt over the context, a form the server rejects), what it cost, and the
llmextract error it becomes (this is where openai/instructor/vcrpy errors are translated).
Also what a completion's usage block says (`usage_of`)."""

from __future__ import annotations

import re
from typing import Any

from llmextract.call.retry import (
    RetryPolicy,
    classify,
    is_rejection,
    no_tool_call,
    server_reason,
)
from llmextract.config import Settings
from llmextract.errors import (
    CassetteMissError,
    ContextLengthError,
    ModelError,
    ModelOutputError,
    ModelUnavailableError,
)
from llmextract.schemas.record import Usage


def usage_of(raw: Any, requests: int) -> Usage:
    details = getattr(raw, "prompt_tokens_details", None)
    return Usage(
        requests=requests,
        prompt_tokens=int(getattr(raw, "prompt_tokens", 0) or 0),
        completion_tokens=int(getattr(raw, "completion_tokens", 0) or 0),
        cached_prompt_tokens=int(getattr(details, "cached_tokens", 0) or 0),
    )


def last_completion(exc: BaseException) -> Any:
    completion = getattr(exc, "last_completion", None)
    if completion is None:
        attempts = getattr(exc, "failed_attempts", None) or []
        completion = attempts[-1].completion if attempts else None
    return completion


def no_tool_call_in(exc: BaseException) -> bool:
    return no_tool_call(exc)


def refused(exc: BaseException) -> bool:
    """The model declined (a `refusal` in the message): not a server ignoring tools."""
    try:
        return bool(last_completion(exc).choices[0].message.refusal)
    except (AttributeError, IndexError, TypeError):
        return False


_CONTEXT_LIMIT = re.compile(r"context (?:length|window|size) (?:is |of )?\(?(\d+)", re.I)
_PROMPT_SIZE = re.compile(r"(\d+) in the messages|request has (\d+) input tokens|"
                          r"(\d+) tokens? in the prompt", re.I)
_MIN_ROOM = 256


def context_room(exc: BaseException, max_tokens: int) -> int | None:
    """For a rejection that says prompt plus `max_tokens` exceed the model's context (vLLM,
    OpenAI, llama.cpp wordings): the budget that fits (0: none does); None for any other
    error. Such a rejection is about the article's length, never about the form."""
    if not is_rejection(exc):
        return None
    reason = server_reason(exc) or ""
    limit = _CONTEXT_LIMIT.search(reason)
    if limit is None:
        return 0 if context_exceeded(exc) else None
    prompt = _PROMPT_SIZE.search(reason)
    if prompt is None:
        return 0
    used = int(next(g for g in prompt.groups() if g))
    room = int(limit.group(1)) - used - 16
    return room if _MIN_ROOM <= room < max_tokens else 0


# How servers say that the prompt is over the model's context. By code or type first:
# OpenAI, Azure and llama-cpp-python answer 400 with code "context_length_exceeded";
# llama.cpp's server (llama-server) 400 with type "exceed_context_size_error". vLLM answers
# 400 with type "BadRequestError": only its words tell ("This model's maximum context length
# is 8192 tokens. However, you requested ..."; newer: "... your request has N input tokens",
# "The decoder prompt (length N) is longer than the maximum model length of M"), as they
# do for older llama.cpp builds, LM Studio and Hugging Face TGI.
_CONTEXT_CODES = frozenset(("context_length_exceeded", "exceed_context_size_error",
                            "string_above_max_length"))
_CONTEXT_WORDS = re.compile(
    r"maximum context length|context length exceeded|exceeds? (?:the )?(?:available )?"
    r"context (?:size|window|length)|longer than the maximum model length|"
    r"context (?:window|length) of only|max_new_tokens`? must be <=|input is too long|"
    r"prompt is too long|too many (?:input )?tokens", re.I)


def context_exceeded(exc: BaseException) -> bool:
    """The server refused the request because its prompt is over the model's context (see
    `_CONTEXT_CODES` and `_CONTEXT_WORDS` for the servers' codes and wordings). Said by a
    400/413/422 only: a 5xx or a 429 about tokens is about load, not length."""
    import openai

    if not isinstance(exc, openai.APIStatusError) or exc.status_code not in (400, 413, 422):
        return False
    body = exc.body if isinstance(exc.body, dict) else {}
    error = body.get("error")
    inner: dict[str, object] = error if isinstance(error, dict) else body
    marks = {str(inner.get(key) or "").lower() for key in ("code", "type")}
    if marks & _CONTEXT_CODES:
        return True
    return bool(_CONTEXT_WORDS.search(server_reason(exc) or ""))


def form_rejection(exc: BaseException) -> bool:
    """A rejection that may be about the form: 400/422, or a 5xx naming an invalid or
    unsupported parameter (not 404: a wrong URL or model is wrong in every form)."""
    import openai

    return is_rejection(exc) and not isinstance(exc, openai.NotFoundError)


def truncated(exc: BaseException) -> bool:
    from instructor.core import IncompleteOutputException

    return isinstance(exc, IncompleteOutputException)


def brief_message(max_tokens: int) -> dict[str, str]:
    return {"role": "user", "content": (
        f"Your previous answer was cut off at {max_tokens} tokens. Answer again, briefly: "
        "the same structure, only the most important items, short descriptions, nothing "
        "repeated.")}


def failed_usage(exc: BaseException, policy: RetryPolicy) -> Usage:
    total = getattr(exc, "total_usage", None)
    usage = usage_of(total, policy.failures)
    if usage.prompt_tokens == 0:
        usage = usage_of(getattr(last_completion(exc), "usage", None), policy.failures)
    return usage


def root_of(exc: BaseException) -> BaseException:
    """The error that decided the outcome (instructor wraps it in InstructorRetryException)."""
    from instructor.core import InstructorRetryException

    if isinstance(exc, InstructorRetryException) and exc.__cause__ is not None:
        return exc.__cause__
    return exc


def describe(exc: BaseException, settings: Settings, max_tokens: int | None = None) -> str:
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


def translate(exc: Exception, policy: RetryPolicy, settings: Settings,
               max_tokens: int | None = None, spent: Usage | None = None
               ) -> ModelError | Exception:
    root = root_of(exc)
    kind = classify(root)
    if kind == "cassette":
        where = settings.replay or settings.record
        named = f"cassette {where}" if where else "the cassette being replayed"
        return CassetteMissError(
            f"request not found in {named}: the article or prompt changed since it was "
            "recorded; re-record it with --record (see README, 'Cassettes')"
        )
    # every failed request passed through a policy; `spent`: earlier forms or budgets
    usage = failed_usage(exc, policy) + (spent or Usage())
    attempts = usage.requests
    message = (f"{describe(root, settings, max_tokens)} "
               f"(after {attempts} request{'s' if attempts > 1 else ''})")
    cls: type[ModelError] = (
        ModelUnavailableError if kind == "transport" or is_status(root) else ModelOutputError)
    if context_exceeded(root):
        cls = ContextLengthError
    return cls(message, attempts=attempts, usage=usage)


def is_status(exc: BaseException) -> bool:
    import openai

    return isinstance(exc, openai.APIStatusError)
