"""Fault plans for the fake server: which request gets which failure.

A fault is chosen per request either by a *script* (the ``faults`` list of the matched answer
file: the n-th arrival of the same request body gets ``faults[n]``) or by a *rate*
(`FaultPlan.rate`: a deterministic pseudo-random draw from the seed, the body hash and n).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = [
    "CONTEXT_STYLES",
    "FAULT_KINDS",
    "REFUSAL_TEXT",
    "FaultPlan",
    "check_kinds",
    "context_payload",
    "error_payload",
    "scripted_fault",
]

FAULT_KINDS: tuple[str, ...] = (
    "429",
    "500",
    "503",
    "timeout",
    "reset",
    "malformed",
    "invalid",
    "length",
    "refusal",
    "empty",
    "notool",
)
"""Every fault kind the server can serve."""

REFUSAL_TEXT = "I'm sorry, but I can't help with that request."

_ERRORS: dict[str, tuple[str, str, str]] = {
    "429": (
        "Rate limit reached for requests (fake server). Please retry after a short wait.",
        "requests",
        "rate_limit_exceeded",
    ),
    "500": (
        "The server had an error while processing your request (fake server).",
        "server_error",
        "internal_error",
    ),
    "503": (
        "The engine is currently overloaded, please try again later (fake server).",
        "server_error",
        "service_unavailable",
    ),
}


def check_kinds(kinds: Sequence[str | None]) -> None:
    """Raise ValueError naming any entry that is not a known fault kind (None is allowed)."""
    bad = [k for k in kinds if k is not None and k not in FAULT_KINDS]
    if bad:
        raise ValueError(f"unknown fault kind(s) {bad}; known: {', '.join(FAULT_KINDS)}")


def error_payload(kind: str) -> dict[str, object]:
    """The OpenAI-style error body for an HTTP-status fault (429, 500, 503)."""
    message, type_, code = _ERRORS[kind]
    return {"error": {"message": message, "type": type_, "code": code, "param": None}}


CONTEXT_STYLES: tuple[str, ...] = ("openai", "llamacpp", "vllm")
"""How `FaultPlan.context_chars` refuses a prompt: the bodies of OpenAI (code
`context_length_exceeded`, as llama-cpp-python and Azure answer too), llama.cpp's server
(type `exceed_context_size_error`, with `n_prompt_tokens` and `n_ctx`) and vLLM (only the
words say it)."""


def context_payload(style: str, prompt_tokens: int, n_ctx: int) -> dict[str, object]:
    """The HTTP 400 body of a prompt over the context, in a server's `style`."""
    if style == "llamacpp":
        return {"error": {
            "code": 400, "type": "exceed_context_size_error",
            "message": f"request ({prompt_tokens} tokens) exceeds the available context "
                       f"size ({n_ctx} tokens), try increasing it",
            "n_prompt_tokens": prompt_tokens, "n_ctx": n_ctx}}
    if style == "vllm":
        return {"object": "error", "type": "BadRequestError", "param": None, "code": 400,
                "message": f"This model's maximum context length is {n_ctx} tokens. "
                           f"However, your request has {prompt_tokens} input tokens. Please "
                           "reduce the length of the input messages."}
    return {"error": {
        "message": f"This model's maximum context length is {n_ctx} tokens. However, your "
                   f"messages resulted in {prompt_tokens} tokens. Please reduce the length "
                   "of the messages.",
        "type": "invalid_request_error", "param": "messages",
        "code": "context_length_exceeded"}}


@dataclass
class FaultPlan:
    """How often and how the server misbehaves.

    rate: probability (0..1) that a completion request faults, drawn deterministically from
        (seed, hash of the request body, how many times that body arrived before).
    kinds: the kinds drawn from, uniformly (see FAULT_KINDS).
    seed: makes two servers with the same plan fault on the same requests.
    max_consecutive: never rate-fault the same body more than this many times in a row,
        so a client that retries at least this many times always gets through
        (None: no limit). Scripted faults ignore it.
    retry_after / retry_after_ms: the `retry-after` (int seconds) and `retry-after-ms`
        headers of a 429.
    slow_seconds: how long a `timeout` fault stalls before answering normally.
    context_chars: refuse every request whose messages hold more characters than this
        (HTTP 400, before any other fault), as a server refuses a prompt over its context;
        None: no limit. The limit it states is `context_chars // 4` tokens.
    context_style: the refusal's body, one of CONTEXT_STYLES.
    """

    rate: float = 0.0
    kinds: Sequence[str] = field(default_factory=lambda: ("429", "500"))
    seed: int = 0
    max_consecutive: int | None = 2
    retry_after: int = 1
    retry_after_ms: int = 1000
    slow_seconds: float = 30.0
    context_chars: int | None = None
    context_style: str = "openai"

    def __post_init__(self) -> None:
        if self.context_style not in CONTEXT_STYLES:
            raise ValueError(f"unknown context style {self.context_style!r}; known: "
                             f"{', '.join(CONTEXT_STYLES)}")
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"fault rate must be within [0, 1], got {self.rate}")
        self.kinds = tuple(self.kinds)
        check_kinds(self.kinds)
        if self.rate > 0 and not self.kinds:
            raise ValueError("a positive fault rate needs at least one fault kind")

    def draw(self, body_hash: str, repeat: int, consecutive: int) -> str | None:
        """The fault for the `repeat`-th arrival (0-based) of a body, or None.

        `consecutive` is how many of the immediately preceding arrivals of this body were
        faulted; at `max_consecutive` the request is let through.
        """
        if self.rate <= 0 or not self.kinds:
            return None
        if self.max_consecutive is not None and consecutive >= self.max_consecutive:
            return None
        rng = random.Random(f"{self.seed}:{body_hash}:{repeat}")
        if rng.random() >= self.rate:
            return None
        return rng.choice(list(self.kinds))


def scripted_fault(script: Sequence[str | None], repeat: int) -> str | None:
    """`script[repeat]`, or None past its end."""
    if 0 <= repeat < len(script):
        return script[repeat]
    return None
