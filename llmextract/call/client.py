"""The model call: instructor over `AsyncOpenAI`, one policy owning retries (see retry.py).

This is the boundary where openai/instructor/vcrpy errors become llmextract errors (read
and translated by failures.py).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from llmextract.call.aio_transport import default_transport
from llmextract.call.failures import (
    brief_message,
    context_room,
    failed_usage,
    form_rejection,
    last_completion,
    no_tool_call_in,
    refused,
    root_of,
    translate,
    truncated,
    usage_of,
)
from llmextract.call.memo import OUR_CALL, ModelCheckMemo
from llmextract.call.modes import (
    INSTRUCTOR_MODES,
    MAX_TOKENS_CAP,
    Form,
    FormChooser,
    budget_parameter,
    max_tokens_for,
)
from llmextract.call.pace import Pace, PacedTransport
from llmextract.call.poster import ChatPoster, instructor_client, prepared_tools
from llmextract.call.prompts import Prompt
from llmextract.call.ratelimit import RateLimiter, estimate_tokens
from llmextract.call.retry import (
    CallBudget,
    RetryPolicy,
    server_reason,
)
from llmextract.config import Settings
from llmextract.errors import (
    ModelError,
    ModelOutputError,
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
            transport = PacedTransport(default_transport(pool), self.pace)
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
        # instructor calls this in place of openai's `create`: the same request, without
        # openai's per-call walk of the body (call/poster.py, issue 16).
        self.poster = ChatPoster(self._openai)
        self.forms = FormChooser(settings)
        # Wrapping once spares instructor regenerating the JSON schema on every call.
        self.schema = schema
        self._response_model = instructor.openai_schema(schema)
        self._json_schema: dict[str, Any] | None = None
        # instructor's TOOLS request for the schema, prepared once (poster.py)
        self._prepared = prepared_tools(self.poster.create, self._response_model)
        self.max_tokens = settings.max_tokens or max_tokens_for(schema, settings.model)
        self._budget_parameter = budget_parameter(settings)
        self._views: dict[tuple[str, type[BaseModel]], ModelClient] = {}
        ModelCheckMemo.acquire()
        self._memo_held = True

    def view(self, prompt: Prompt, schema: type[BaseModel]) -> ModelClient:
        """This client asking for `schema` with `prompt` (a long document's final summary
        request): the same connection pool, pace and form chooser, so what `--mode auto`
        learned holds for both. Closed with this client; never close a view itself."""
        key = (prompt.id, schema)
        found = self._views.get(key)
        if found is None:
            found = copy.copy(self)
            found.prompt, found.schema = prompt, schema
            found._response_model = self._instructor.openai_schema(schema)
            found._json_schema = None
            found._prepared = prepared_tools(self.poster.create, found._response_model)
            found.max_tokens = self.settings.max_tokens or max_tokens_for(
                schema, self.settings.model)
            found._memo_held = False
            self._views[key] = found
        return found

    def _client_for(self, form: Form) -> Any:
        name = INSTRUCTOR_MODES[form]
        if name not in self._clients:
            self._clients[name] = instructor_client(self._openai, name, self.poster.create)
        return self._clients[name]

    async def _before_request(self, request: Any) -> None:
        await self.limiter.acquire(estimate_tokens(len(request.content or b"")))

    async def aclose(self) -> None:
        if self._memo_held:
            self._memo_held = False
            ModelCheckMemo.release()
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
                root = root_of(exc)
                if no_tool_call_in(root):
                    recovered = self._from_content(exc, policy)
                    if recovered is not None:
                        forms.tools_ignored()
                        return _plus(recovered, spent)
                    nxt = None if refused(exc) else forms.tools_ignored()
                    if nxt is not None:
                        spent += failed_usage(exc, policy)
                        form = nxt
                        continue
                elif truncated(root):
                    forms.worked(form)
                    if budget.can_retry_length() and max_tokens < MAX_TOKENS_CAP:
                        budget.truncated()
                        spent += failed_usage(exc, policy)
                        brief = [brief_message(max_tokens)]
                        max_tokens = min(MAX_TOKENS_CAP, max_tokens * 2)
                        continue
                    raise self._error(exc, policy, spent, max_tokens=max_tokens) from exc
                elif (room := context_room(root, max_tokens)) is not None:
                    if room and not budget.context_fitted:  # prompt + budget over the limit
                        budget.context_fitted = True
                        spent += failed_usage(exc, policy)
                        max_tokens = room
                        continue
                elif form_rejection(root) and forms.auto:
                    reason = server_reason(root) or ""
                    if reason in reasons:  # two forms refused alike: not about the form
                        forms.forget(reason)
                    else:
                        reasons.add(reason)
                        nxt = forms.refused(form, reason)
                        if nxt is not None and nxt != form:
                            spent += failed_usage(exc, policy)
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
        ours = OUR_CALL.set(True)
        try:
            kwargs = self.request_kwargs(form, text, followup, max_tokens)
            prepared = self._prepared if form == "tools" else None
            if prepared is not None:
                result, completion = await prepared.create_with_completion(
                    kwargs, policy.retrying())
            else:
                result, completion = await self._client_for(form).chat.completions \
                    .create_with_completion(**kwargs, max_retries=policy.retrying())
        finally:
            OUR_CALL.reset(ours)
            self.pace.note_reasks(policy.reasks)  # for the end-of-run report
        summary = self.schema.model_validate(result.model_dump())
        usage = usage_of(getattr(completion, "usage", None), policy.attempts)
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
        return translate(exc, policy, self.settings, max_tokens, spent)

    def _from_content(self, exc: Exception, policy: RetryPolicy) -> ModelAnswer | None:
        """Servers that ignore `tool_choice` (several local ones) answer in the message
        content instead of a tool call: take that JSON when it fits the schema."""
        completion = last_completion(exc)
        try:
            content = completion.choices[0].message.content
            start, end = content.index("{"), content.rindex("}") + 1
            summary = self.schema.model_validate_json(content[start:end])
        except (AttributeError, IndexError, TypeError, ValueError):
            return None
        usage = usage_of(getattr(completion, "usage", None), policy.failures)
        return ModelAnswer(summary=summary, usage=usage,
                           model=str(getattr(completion, "model", "") or self.settings.model))


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

    async def extract(self, text: str, followup: list[dict[str, str]] | None = None, *,
                      task: tuple[Prompt, type[BaseModel]] | None = None) -> ModelAnswer:
        """`ModelClient.extract`; `task` (a prompt and a schema) asks for another schema
        than the run's through the same client (`ModelClient.view`)."""
        if self._client is None:
            self._client = ModelClient(self.settings, self.prompt, self.schema, self.pace)
        client = self._client if task is None else self._client.view(*task)
        return await client.extract(text, followup)

    async def aclose(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            await client.aclose()
