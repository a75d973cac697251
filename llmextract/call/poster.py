"""instructor over the openai client, without the work that is the same on every call.

openai's `chat.completions.create` passes every request body through `async_maybe_transform`,
a recursive walk of the whole body against its TypedDicts (messages, and the response
model's tool schema: ~95 nodes for `ArticleSummary`), which renames aliased keys and drops
omitted ones. For chat completion parameters there are no aliased keys, so on JSON data the
walk returns what it was given: ~0.34 ms of CPU per request for nothing (issue 16;
`python bench/client_path.py`).

`ChatPoster` is the `create` function instructor calls (through instructor's own
`patch_v2`, so instructor's request preparation, parsing, re-asks and retry loop are
unchanged). It builds the same body, in the same key order as openai's `create` (read once
from its parameter type, `body_order`), and sends it with the same client's `post` (same
headers, auth, timeouts, transport, errors, and a `ChatCompletion` back). Anything it is
not sure of (streaming, an argument it does not know, a message that is not plain JSON
data) goes to openai's own `create`, looked up only then: `client.chat` imports all of
openai's API resources, ~0.23 s of CPU that a run otherwise never pays.
`tests/test_poster.py` compares the bytes of both paths.

`PreparedTools` does, once per response model, the TOOLS-mode preparation instructor's
`create_with_completion` repeats on every call (checking the model for async validators,
building its tool definition, a templating pass with no context, a cache key with no
cache): a further ~0.06 ms per request (instructor's async-validator check is memoised in
call/memo.py already). Each call then runs instructor's own loop, `retry_async_v2`
(the request, parsing, validation, re-asks, retries and instructor's exceptions, all
unchanged), with the prepared tool definition and the call's messages.
"""

from __future__ import annotations

import inspect
from typing import Any

__all__ = ["ChatPoster", "PreparedTools", "body_order", "instructor_client", "prepared_tools"]

_OPTIONS = ("extra_headers", "extra_query", "extra_body", "timeout")
_JSON_LEAVES = (str, int, float, bool, type(None))


def _plain(value: Any, depth: int = 0) -> bool:
    """True when `value` is JSON data (dicts with str keys, lists, str, numbers, None)."""
    if isinstance(value, _JSON_LEAVES):
        return True
    if depth > 8:
        return False
    if type(value) is dict:
        return all(type(k) is str and _plain(v, depth + 1) for k, v in value.items())
    if type(value) is list:
        return all(_plain(v, depth + 1) for v in value)
    return False


class ChatPoster:
    """`create(**kwargs)`, for instructor: openai's `chat.completions.create`, minus the walk."""

    def __init__(self, client: Any) -> None:
        from openai._base_client import make_request_options
        from openai.types.chat import ChatCompletion

        self._client = client
        self._make_options = make_request_options
        self._cast_to = ChatCompletion
        self._order = body_order()
        self._known = frozenset(self._order) | frozenset(_OPTIONS)
        self._security = "security" in inspect.signature(make_request_options).parameters
        self.posted = 0  # requests sent by the short path (tests read it)

    async def _create(self, **kwargs: Any) -> Any:
        """openai's own `create`. `client.chat` imports every one of openai's API resources
        (~0.23 s of CPU), so only a request the short path does not take pays for it."""
        return await self._client.chat.completions.create(**kwargs)

    def _short(self, kwargs: dict[str, Any]) -> bool:
        if "stream" in kwargs or not self._known.issuperset(kwargs):
            return False  # a stream, or an argument the body order does not know
        messages = kwargs.get("messages")
        if type(messages) is not list or not _plain(messages):
            return False
        tools = kwargs.get("tools")
        if tools is not None and (type(tools) is not list or not all(type(t) is dict
                                                                      for t in tools)):
            return False
        return all(_plain(v) for k, v in kwargs.items()
                   if k not in ("messages", "tools", "timeout"))

    async def create(self, **kwargs: Any) -> Any:
        if not self._short(kwargs):
            return await self._create(**kwargs)
        from openai import NOT_GIVEN, Omit

        body = {name: kwargs[name] for name in self._order
                if name in kwargs and not isinstance(kwargs[name], Omit)}
        options: dict[str, Any] = {
            "extra_headers": kwargs.get("extra_headers"),
            "extra_query": kwargs.get("extra_query"),
            "extra_body": kwargs.get("extra_body"),
            "timeout": kwargs.get("timeout", NOT_GIVEN),
        }
        if self._security:
            options["security"] = {"bearer_auth": True}
        self.posted += 1
        return await self._client.post("/chat/completions", body=body,
                                       options=self._make_options(**options),
                                       cast_to=self._cast_to)


def body_order() -> tuple[str, ...]:
    """The keys of a chat completion body in the order openai's `create` writes them: the
    order of its parameters, which is that of its parameter type (`stream` aside, which
    that type adds last and the short path never sends). Read from the type, as the
    method's signature would need openai's API resources imported (tests/test_poster.py
    checks that the two orders agree)."""
    from openai.types.chat.completion_create_params import CompletionCreateParamsBase

    return tuple(CompletionCreateParamsBase.__annotations__)


def instructor_client(client: Any, mode_name: str, create: Any) -> Any:
    """What `instructor.from_openai(client, mode=...)` builds, with `create` in place of
    `client.chat.completions.create`; `from_openai` itself when instructor's layout differs."""
    import instructor

    mode = getattr(instructor.Mode, mode_name)
    try:
        from instructor.v2.core.client import AsyncInstructor
        from instructor.v2.core.patch import patch_v2
        from instructor.v2.core.providers import Provider
        from instructor.v2.core.registry import mode_registry, normalize_mode
        from instructor.v2.providers.openai import handlers  # noqa: F401  (registers modes)
    except ImportError:  # pragma: no cover - another instructor layout
        return instructor.from_openai(client, mode=mode)
    normalized = normalize_mode(Provider.OPENAI, mode)
    if not mode_registry.is_registered(Provider.OPENAI, normalized):  # pragma: no cover
        return instructor.from_openai(client, mode=mode)
    patched = patch_v2(func=create, provider=Provider.OPENAI, mode=normalized)
    return AsyncInstructor(client=client, create=patched, provider=Provider.OPENAI,
                           mode=normalized)


class PreparedTools:
    """instructor's TOOLS-mode request for one response model, prepared once; see the module
    docstring. `create_with_completion(kwargs, max_retries)` takes what instructor's method
    of that name takes and returns what it returns."""

    def __init__(self, create: Any, response_model: Any) -> None:
        from instructor import Mode
        from instructor.v2.core.providers import Provider
        from instructor.v2.core.registry import mode_registry
        from instructor.v2.core.response_model import prepare_response_model
        from instructor.v2.core.retry import retry_async_v2
        from instructor.v2.providers.openai import handlers  # noqa: F401  (registers modes)

        self._create = create
        self._retry = retry_async_v2
        self._provider, self._mode = Provider.OPENAI, Mode.TOOLS
        found = mode_registry.get_handlers(Provider.OPENAI, Mode.TOOLS)
        self._convert = found.message_converter
        self.response_model, template = found.request_handler(
            response_model=prepare_response_model(response_model), kwargs={})
        self._tools = {k: v for k, v in template.items() if k != "messages"}

    async def create_with_completion(self, kwargs: dict[str, Any], max_retries: Any
                                     ) -> tuple[Any, Any]:
        request = {k: v for k, v in kwargs.items() if k not in ("response_model", "strict")}
        request.update(self._tools)
        messages = list(request.get("messages", []))
        request["messages"] = (self._convert(messages, autodetect_images=False)
                               if self._convert is not None else messages)
        result = await self._retry(
            func=self._create, response_model=self.response_model, provider=self._provider,
            mode=self._mode, context=None, max_retries=max_retries, args=(), kwargs=request,
            strict=kwargs.get("strict", True))
        return result, result._raw_response


def prepared_tools(create: Any, response_model: Any) -> PreparedTools | None:
    """A `PreparedTools`, or None where instructor's layout differs (instructor's own
    `create_with_completion` is used then)."""
    try:
        return PreparedTools(create, response_model)
    except (ImportError, AttributeError):  # pragma: no cover - another instructor layout
        return None
