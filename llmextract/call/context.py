"""How much article text one request may carry: the per-model input budget.

`--max-input-tokens N` (`Settings.max_input_tokens`) is the most estimated tokens of article
text (llmextract.text.tokens) one request carries; the instructions and the schema come on
top. A longer article is split into chunks (llmextract.text.chunks). Without the option the
budget comes from the model's context window (`CONTEXT_WINDOWS`, matched on the model name;
`UNKNOWN_CONTEXT` for a model not in the table):

    budget = min(RECALL_CAP, 90% of (context - output budget - instructions and schema))

`RECALL_CAP` (6,144 tokens, about 4,500 English words) keeps a chunk's answer within the
output budget and the model's attention on the whole chunk even where the context is far
larger: the news summary's output budget is 3,072 tokens (call.modes.max_tokens_for), and
its hand-written model answers in tests/answers run at 0.3 to 2.9 times the estimated
tokens of their (dense, short) news articles: a chunk of twice the output budget is as much
as one answer can cover when the text is a tenth as dense, as reports and transcripts are
(a denser text: lower `--max-input-tokens`; a truncated answer is asked once more with
twice the output budget, see call.modes).
Over the whole table the smallest default is SmolLM2's (8,192 tokens of context, served by
bench/real_model.py with `--n_ctx 8192`): about 2,800 tokens with the news prompt, four
times the longest seed or corpus article (about 620).
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel

from llmextract.call.prompts import Prompt
from llmextract.config import MIN_INPUT_TOKENS
from llmextract.text.tokens import estimate_tokens

__all__ = ["CONTEXT_WINDOWS", "MIN_INPUT_TOKENS", "RECALL_CAP", "UNKNOWN_CONTEXT",
           "context_window", "default_input_budget", "prompt_overhead"]

CONTEXT_WINDOWS: tuple[tuple[str, int], ...] = (
    # (pattern searched in the lower-cased model name, context window in tokens); the first
    # match wins, so the more specific names come first
    (r"gpt-4\.1", 1_047_576),
    (r"gpt-5", 400_000),
    (r"gpt-4o|gpt-4-turbo", 128_000),
    (r"(?:^|/)o[134](?:-|$)", 200_000),
    (r"gpt-4", 8_192),
    (r"gpt-3\.5", 16_385),
    (r"llama-?3\.[123]", 131_072),
    (r"llama-?3", 8_192),
    (r"qwen-?2\.5|qwen-?3", 32_768),
    (r"mistral|mixtral", 32_768),
    (r"smollm2", 8_192),
)
UNKNOWN_CONTEXT = 8_192
"""A model not in the table: what llama.cpp and vLLM setups commonly serve. A server that
says no (its context-length error) makes the pipeline split further anyway."""
RECALL_CAP = 6_144
_SHARE = 0.9  # of the room left in the context: the estimate may be low by up to 7%
_FLOOR = 1_024  # a default never goes below this: the server's error splits further


def context_window(model: str) -> int | None:
    """The context window of `model` from `CONTEXT_WINDOWS`, or None when it is unknown."""
    name = model.strip().lower()
    for pattern, tokens in CONTEXT_WINDOWS:
        if re.search(pattern, name):
            return tokens
    return None


def prompt_overhead(prompt: Prompt, schema: type[BaseModel]) -> int:
    """Estimated tokens of one request besides the article: the prompt's messages and the
    schema (sent as a tool, a response format or in the system message)."""
    messages = prompt.messages("")
    shape: Any = schema.model_json_schema()
    text = "\n".join(m["content"] for m in messages) + json.dumps(shape)
    return estimate_tokens(text) + 8 * len(messages)


def default_input_budget(model: str, output_tokens: int, overhead: int) -> int:
    """The input budget when none is given (see the module docstring)."""
    context = context_window(model) or UNKNOWN_CONTEXT
    room = int((context - output_tokens - overhead) * _SHARE)
    return max(_FLOOR, min(RECALL_CAP, room))
