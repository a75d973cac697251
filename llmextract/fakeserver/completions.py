"""Chat-completion response bodies in the shape the openai client and instructor expect.

The shape follows the request: `tools` -> a tool call; otherwise JSON in `content`, fenced
as ```json when the request has no `response_format` and its text asks for a markdown code
block (instructor's MD_JSON mode). Everything is derived from the request body's hash, so
the same body always gets the same response body.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from llmextract.fakeserver.answers import message_text
from llmextract.fakeserver.faults import REFUSAL_TEXT

__all__ = ["INVALID_ANSWER", "answer_text", "build_completion", "prompt_chars", "wants_markdown"]

INVALID_ANSWER: dict[str, Any] = {
    "title": "An answer that fails the schema",
    "figures": [{"text": "many people", "value": "many", "describes": "people"}],
    "quotes": [],
}
"""Well-formed JSON that fails ArticleSummary: no `summary`, a figure value "many"."""

_MARKDOWN_HINTS = ("```json", "markdown", "codeblock", "code block")


def wants_markdown(request: Mapping[str, Any]) -> bool:
    """True for instructor's MD_JSON mode: no response_format, text asks for a code block."""
    if request.get("response_format") is not None or request.get("tools"):
        return False
    messages = request.get("messages") or []
    text = "\n".join(
        message_text(m)
        for m in messages
        if isinstance(m, Mapping) and m.get("role") in ("system", "user", "developer")
    ).lower()
    return any(hint in text for hint in _MARKDOWN_HINTS)


def answer_text(answer: Any, markdown: bool) -> str:
    """The answer as the model's text: a string verbatim, an object as JSON (maybe fenced)."""
    if isinstance(answer, str):
        return answer
    text = json.dumps(answer, ensure_ascii=False)
    return f"```json\n{text}\n```" if markdown else text


def prompt_chars(request: Mapping[str, Any]) -> int:
    """Characters of all message texts and tool-call arguments in the request."""
    total = 0
    for message in request.get("messages") or []:
        total += len(message_text(message))
        if isinstance(message, Mapping):
            for call in message.get("tool_calls") or []:
                if isinstance(call, Mapping) and isinstance(call.get("function"), Mapping):
                    total += len(str(call["function"].get("arguments") or ""))
    return total


def _tool_name(request: Mapping[str, Any]) -> str:
    choice = request.get("tool_choice")
    if isinstance(choice, Mapping) and isinstance(choice.get("function"), Mapping):
        name = choice["function"].get("name")
        if isinstance(name, str):
            return name
    for tool in request.get("tools") or []:
        if isinstance(tool, Mapping) and isinstance(tool.get("function"), Mapping):
            name = tool["function"].get("name")
            if isinstance(name, str):
                return name
    return "ArticleSummary"


def _message(request: Mapping[str, Any], text: str, body_hash: str) -> dict[str, Any]:
    if request.get("tools"):
        call = {
            "id": f"call_{body_hash[24:48]}",
            "type": "function",
            "function": {"name": _tool_name(request), "arguments": text},
        }
        return {"role": "assistant", "content": None, "refusal": None, "tool_calls": [call]}
    return {"role": "assistant", "content": text, "refusal": None}


def _envelope(
    request: Mapping[str, Any],
    body_hash: str,
    choices: list[dict[str, Any]],
    completion_chars: int,
    note: str,
    cached_tokens: int | None = None,
) -> dict[str, Any]:
    prompt_tokens = max(1, prompt_chars(request) // 4)
    completion_tokens = max(1, completion_chars // 4) if choices else 0
    usage: dict[str, Any] = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }
    if cached_tokens is not None:
        usage["prompt_tokens_details"] = {"cached_tokens": min(cached_tokens, prompt_tokens)}
    return {
        "id": f"chatcmpl-{body_hash[:24]}",
        "object": "chat.completion",
        "created": 1_700_000_000 + int(body_hash[:6], 16),
        "model": str(request.get("model") or "fake-model"),
        "system_fingerprint": note,
        "choices": choices,
        "usage": usage,
    }


def build_completion(
    request: Mapping[str, Any],
    body_hash: str,
    answer: Any,
    fault: str | None = None,
    note: str = "",
    cached_tokens: int | None = None,
) -> dict[str, Any]:
    """The completion for `answer`, or for one of the body-level faults.

    fault: None (normal), "invalid", "length", "refusal", "empty" or "notool" (the answer as
    message content although tools were requested, as servers that ignore tool_choice do).
    cached_tokens: reported as `usage.prompt_tokens_details.cached_tokens` (None: absent).
    """
    if fault == "empty":
        return _envelope(request, body_hash, [], 0, note, cached_tokens)
    if fault == "refusal":
        message = {"role": "assistant", "content": REFUSAL_TEXT, "refusal": REFUSAL_TEXT}
        choice = {"index": 0, "message": message, "finish_reason": "stop", "logprobs": None}
        return _envelope(request, body_hash, [choice], len(REFUSAL_TEXT), note, cached_tokens)
    markdown = wants_markdown(request)
    finish = "tool_calls" if request.get("tools") else "stop"
    if fault == "invalid":
        text = answer_text(INVALID_ANSWER, markdown)
    elif fault == "length":
        full = answer_text(answer if isinstance(answer, dict) else {"summary": answer}, False)
        text, finish = full[: max(1, len(full) // 2)], "length"
    else:
        text = answer_text(answer, markdown)
    if fault == "notool":
        message = {"role": "assistant", "content": answer_text(answer, True)}
        choice = {"index": 0, "message": message, "finish_reason": "stop", "logprobs": None}
        return _envelope(request, body_hash, [choice], len(text), note, cached_tokens)
    choice = {
        "index": 0,
        "message": _message(request, text, body_hash),
        "finish_reason": finish,
        "logprobs": None,
    }
    return _envelope(request, body_hash, [choice], len(text), note, cached_tokens)
