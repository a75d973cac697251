"""The one exception tree of llmextract.

    LLMExtractError                 root: catch this to catch everything of ours
    ├── UsageError                  bad options or configuration (CLI exit status 2)
    ├── InputError                  an article could not be read (record status "error")
    ├── PromptError                 a prompt file is missing or malformed
    ├── CassetteError               a cassette cannot be used (missing file, bad YAML)
    │   └── CassetteMissError       a request the replayed cassette does not hold
    └── ModelError                  the model could not give a usable answer after retries
        ├── ModelUnavailableError   transport: 429/5xx/timeouts/connection errors
        │   └── ContextLengthError  the prompt is over the model's context (split and retry)
        └── ModelOutputError        invalid, truncated, refused or empty answers

Third-party errors (openai, instructor, vcrpy) are translated into this tree at one boundary,
`llmextract.call.client` (the translation itself: `llmextract.call.failures`). Messages
never contain API keys or the prompt.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from llmextract.schemas.record import Usage

__all__ = [
    "CassetteError",
    "CassetteMissError",
    "ContextLengthError",
    "InputError",
    "LLMExtractError",
    "ModelError",
    "ModelOutputError",
    "ModelUnavailableError",
    "PromptError",
    "UsageError",
]


class LLMExtractError(Exception):
    """Root of every error llmextract raises on purpose."""


class UsageError(LLMExtractError):
    """Bad options or configuration; the message says what to change."""


class InputError(LLMExtractError):
    """An article could not be read or is unusable (empty, binary, too long)."""


class PromptError(LLMExtractError):
    """A prompt file is missing or does not match the prompt format."""


class CassetteError(LLMExtractError):
    """A cassette file cannot be used."""


class CassetteMissError(CassetteError):
    """A request was not found in the cassette being replayed (never retried)."""


class ModelError(LLMExtractError):
    """The model gave no usable answer; carries what the attempts cost."""

    def __init__(self, message: str, *, attempts: int = 0, usage: Usage | None = None) -> None:
        super().__init__(message)
        self.attempts = attempts
        self.usage = usage


class ModelUnavailableError(ModelError):
    """Rate limits, server errors, timeouts or connection failures outlasted the retries."""


class ContextLengthError(ModelUnavailableError):
    """The server refused the prompt as longer than the model's context (OpenAI's
    `context_length_exceeded`, llama.cpp's `exceed_context_size_error`, vLLM's "maximum
    context length"): the pipeline splits the text further instead of giving up."""


class ModelOutputError(ModelError):
    """The answers were invalid, truncated, refused or empty after the re-asks."""
