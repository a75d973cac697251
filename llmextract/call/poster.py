"""instructor over the openai client, without openai's per-call walk of the request body.

openai's `chat.completions.create` passes every request body through `async_maybe_transform`,
a recursive walk of the whole body against its TypedDicts (messages, and the response
model's tool schema: ~95 nodes for `ArticleSummary`), which renames aliased keys and drops
omitted ones. For chat completion parameters there are no aliased keys, so on JSON data the
walk returns what it was given: ~0.35 ms of CPU per request for nothing (issue 16).

`ChatPoster` is the `create` function instructor calls (through instructor's own
`patch_v2`, so instructor's request preparation, parsing, re-asks and retry loop are
unchanged). It builds the same body, in the same key order as openai's `create` (read once
from its signature), and sends it with the same client's `post` (same headers, auth,
timeouts, transport, errors, and a `ChatCompletion` back). Anything it is not sure of
(streaming, an argument it does not know, a message that is not plain JSON data) goes to
openai's own `create`. `tests/test_poster.py` compares the bytes of both paths.
"""

from __future__ import annotations

import inspect
from typing import Any

__all__ = ["ChatPoster", "instructor_client"]

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
        self._create = client.chat.completions.create
        self._make_options = make_request_options
        self._cast_to = ChatCompletion
        params = inspect.signature(type(client.chat.completions).create).parameters
        self._order = tuple(name for name, p in params.items()
                            if p.kind is inspect.Parameter.KEYWORD_ONLY
                            and name not in _OPTIONS)
        self._known = frozenset(self._order) | frozenset(_OPTIONS)
        self._security = "security" in inspect.signature(make_request_options).parameters
        self.posted = 0  # requests sent by the short path (tests read it)

    def _short(self, kwargs: dict[str, Any]) -> bool:
        if kwargs.get("stream") or not self._known.issuperset(kwargs):
            return False
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
