"""Profiles of known OpenAI-compatible servers: what each accepts and how it says no.

    generic   (default) accepts every form, honours tool_choice
    openai    accepts every form; reports `prompt_tokens_details.cached_tokens` for a
              system message it has seen before (prompt caching)
    llamacpp  llama-cpp-python 0.3 (`python -m llama_cpp.server`) with the model's own chat
              template, serving a small model: ignores `tools`/`tool_choice` and answers
              JSON in the message content; `response_format` type must be "text" or
              "json_object" (a `schema` beside it is honoured): json_schema gets HTTP 500
              with the request validation message in an OpenAI-style body; json_object
              without a schema lets the small model run on until `max_tokens`
              (finish_reason "length") or, without `max_tokens`, past any timeout
    ollama    Ollama's /v1: ignores `tool_choice` (answers in the content), accepts
              json_schema and json_object; errors as {"error": {"message", ...}}
    vllm      vLLM's OpenAI server: honours a named tool_choice, accepts json_schema and
              json_object; errors as {"object": "error", "message", "type":
              "BadRequestError", "param": null, "code": 400}; refuses a request whose
              prompt plus `max_tokens` exceed `max_model_len` (8,192 tokens)

Shapes checked against llama-cpp-python 0.3.36 (its source and a running server: the
json_schema error body is copied from it), and the documented shapes of Ollama and vLLM.
Whether llama-cpp-python honours a forced tool_choice with the model's own template depends
on the setup: a user's run saw it ignored (what this profile serves); with SmolLM2-135M and
short articles it was honoured, which `--mode auto` takes as it comes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["PROFILES", "Profile", "Refusal"]


@dataclass(frozen=True)
class Refusal:
    status: int
    payload: dict[str, Any]


@dataclass(frozen=True)
class Profile:
    name: str
    formats: tuple[str, ...] = ("text", "json_object", "json_schema")
    tools_ignored: bool = False
    runaway_without_schema: bool = False
    prompt_cache: bool = False
    max_model_len: int | None = None
    error_style: str = "openai"  # openai | llamacpp | vllm

    def refuse(self, request: Mapping[str, Any], prompt_tokens: int) -> Refusal | None:
        """The error this server answers `request` with, or None when it takes it."""
        fmt = request.get("response_format")
        kind = fmt.get("type") if isinstance(fmt, Mapping) else None
        if kind is not None and kind not in self.formats:
            return self._bad_format(str(kind))
        budget = request.get("max_tokens") or request.get("max_completion_tokens")
        if self.max_model_len and isinstance(budget, int) and (
                prompt_tokens + budget > self.max_model_len):
            return self._error(400, (
                f"This model's maximum context length is {self.max_model_len} tokens. "
                f"However, you requested {prompt_tokens + budget} tokens ({prompt_tokens} "
                f"in the messages, {budget} in the completion). Please reduce the length "
                "of the messages or completion."))
        return None

    def runs_away(self, request: Mapping[str, Any]) -> bool:
        """A small model given json_object without a schema (no grammar) keeps going."""
        fmt = request.get("response_format")
        return (self.runaway_without_schema and isinstance(fmt, Mapping)
                and fmt.get("type") == "json_object" and "schema" not in fmt)

    def _bad_format(self, kind: str) -> Refusal:
        if self.error_style == "llamacpp":
            # llama-cpp-python turns the request's validation error into a 500, its text
            # as FastAPI prints it, followed by a traceback line (as a running 0.3.36 does)
            allowed = " or ".join(repr(f) for f in self.formats)
            detail = ("1 validation error:\n  {'type': 'literal_error', 'loc': ('body', "
                      f"'response_format', 'type'), 'msg': \"Input should be {allowed}\", "
                      f"'input': {kind!r}, 'ctx': {{'expected': \"{allowed}\"}}}}\n\n"
                      '  File "llama_cpp/server/app.py", line 376, in '
                      "create_chat_completion\n    POST /v1/chat/completions")
            return self._error(500, detail)
        return self._error(400, f"response_format type {kind!r} is not supported")

    def _error(self, status: int, message: str) -> Refusal:
        if self.error_style == "vllm":
            return Refusal(status, {"object": "error", "message": message,
                                    "type": "BadRequestError", "param": None, "code": status})
        type_ = "internal_server_error" if status >= 500 else "invalid_request_error"
        return Refusal(status, {"error": {"message": message, "type": type_, "param": None,
                                          "code": None}})


PROFILES: dict[str, Profile] = {
    "generic": Profile("generic"),
    "openai": Profile("openai", prompt_cache=True),
    "llamacpp": Profile("llamacpp", formats=("text", "json_object"), tools_ignored=True,
                        runaway_without_schema=True, error_style="llamacpp"),
    "ollama": Profile("ollama", tools_ignored=True),
    "vllm": Profile("vllm", max_model_len=8192, error_style="vllm"),
}
