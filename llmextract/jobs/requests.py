"""Request lines and answer parsing: the online path's own code on both ends.

A request's `body` is captured from the online path itself: the run's `ModelClient` builds
the call (`request_kwargs`: prompt, form, max_tokens, temperature), instructor prepares it
for the mode and the openai client serialises it, exactly as for `summarize`; a transport
that never sends takes the bytes. They go into the line verbatim, so the body is byte for
byte what the online path would send.

An answer (the `response.body` of an output line, a chat.completion) is parsed by
instructor's `process_response` for the same mode, then validated into the schema the way
`ModelClient` does it.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from llmextract.call.client import ModelAnswer
from llmextract.call.failures import usage_of
from llmextract.call.modes import INSTRUCTOR_MODES, Form
from llmextract.call.prompts import Prompt
from llmextract.config import Settings

if TYPE_CHECKING:
    from llmextract.call.client import ModelClient

__all__ = ["BATCH_FORMS", "URL", "Parsed", "RequestBuilder", "custom_id", "parse_answer"]

URL = "/v1/chat/completions"
BATCH_FORMS: tuple[Form, ...] = ("tools", "json_schema")
_UNSAFE = re.compile(r"[^A-Za-z0-9._:-]+")


def custom_id(article_id: str, text: str) -> str:
    """Stable per article id and text: the id (made safe, cut to 40 characters) and 20 hex
    digits of sha256 over the whole id and the text. The same article gives the same id in
    every run, so a rerun of submit recognises it."""
    digest = hashlib.sha256(f"{article_id}\x00{text}".encode("utf-8", "surrogatepass"))
    return f"{_UNSAFE.sub('_', article_id)[:40]}~{digest.hexdigest()[:20]}"


class _Captured(BaseException):
    """Raised by the capturing transport with the request's bytes (a BaseException, so no
    retry layer mistakes it for a failure worth retrying)."""

    def __init__(self, body: bytes) -> None:
        super().__init__("captured")
        self.body = body


def _capture_transport() -> Any:
    from llmextract.call.aio_transport import httpx_flavour

    httpx = httpx_flavour()

    class CaptureTransport(httpx.AsyncBaseTransport):  # type: ignore[misc,name-defined]
        async def handle_async_request(self, request: Any) -> Any:
            raise _Captured(bytes(request.content))

    return CaptureTransport()


class RequestBuilder:
    """The request bodies the online path would send, one article at a time."""

    def __init__(self, settings: Settings, prompt: Prompt, schema: type[BaseModel]) -> None:
        from llmextract.call.client import ModelClient

        self.form: Form = settings.mode  # type: ignore[assignment]
        self.client: ModelClient = ModelClient(settings, prompt, schema,
                                               transport=_capture_transport())
        self.max_tokens = self.client.max_tokens

    async def body(self, text: str) -> bytes:
        """The JSON body (bytes, one line: JSON escapes every newline)."""
        kwargs = self.client.request_kwargs(self.form, text, [], self.max_tokens)
        create = self.client._client_for(self.form).chat.completions.create_with_completion
        try:
            await create(**kwargs, max_retries=0)
        except _Captured as got:
            return got.body
        raise AssertionError("the capturing transport let a request through")

    async def line(self, cid: str, text: str) -> bytes:
        body = await self.body(text)
        head = json.dumps({"custom_id": cid, "method": "POST", "url": URL})
        return head[:-1].encode("utf-8") + b', "body": ' + body + b"}\n"

    async def aclose(self) -> None:
        await self.client.aclose()


@dataclass
class Parsed:
    """What one answer gave: a ModelAnswer, or why not (`error`) with what can re-ask it."""

    answer: ModelAnswer | None = None
    error: str | None = None
    usage: Any = None
    reask: list[dict[str, Any]] | None = None  # follow-up messages for an online re-ask


def parse_answer(body: dict[str, Any], request: dict[str, Any] | None, form: Form,
                 response_model: type[BaseModel], schema: type[BaseModel],
                 model: str) -> Parsed:
    """Parse a chat.completion `body` as `ModelClient._call` does; on a validation error the
    follow-up messages instructor's re-ask would add (when the request is at hand)."""
    import instructor
    from instructor.processing import handle_reask_kwargs, process_response
    from openai.types.chat import ChatCompletion

    mode = getattr(instructor.Mode, INSTRUCTOR_MODES[form])
    try:
        completion = ChatCompletion.model_validate(body)
    except ValueError as exc:
        return Parsed(error=f"the answer is not a chat completion: {str(exc)[:200]}")
    usage = usage_of(getattr(completion, "usage", None), 1)
    try:
        result = process_response(completion, response_model=response_model, stream=False,
                                   strict=False, mode=mode)
        summary = schema.model_validate(result.model_dump())
    except Exception as exc:
        name = type(exc).__name__
        if name == "IncompleteOutputException":
            why = "the answer was truncated (finish_reason=length)"
        elif name == "ValidationError":
            count = getattr(exc, "error_count", lambda: 0)()
            why = f"the answer did not match the schema ({count} validation errors)"
        else:
            why = f"{name}: {str(exc)[:200]}"
        reask = None
        if request is not None and name in ("ValidationError", "JSONDecodeError"):
            try:
                sent = list(request["messages"])
                asked = handle_reask_kwargs({**request, "messages": list(sent)}, mode,
                                            completion, exc)
                reask = list(asked["messages"][len(sent):])
            except Exception:  # another instructor layout: re-asked afresh instead
                reask = None
        return Parsed(error=why, usage=usage, reask=reask)
    return Parsed(answer=ModelAnswer(summary=summary, usage=usage,
                                     model=str(completion.model or model)), usage=usage)
