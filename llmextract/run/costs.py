"""What a run cost: a small table of model prices and the arithmetic.

Prices are USD per 1 million tokens (input, output), OpenAI list prices as of 2025; they
change, so `--price IN,OUT` overrides them. Prompt tokens the provider served from its
prompt cache (`usage.prompt_tokens_details.cached_tokens`) are priced at the model's cached
input rate (`CACHED_PRICES`; half the input price when not listed, or with `--price`).
A dated or suffixed model name ("gpt-4o-mini-2024-07-18") takes the price of the longest
name in the table that it starts with, followed by "-" or nothing: "gpt-4o" is not priced
as "gpt-4", and an unknown model is reported as unknown (None) rather than priced wrongly.
"""

from __future__ import annotations

import math

PRICES: dict[str, tuple[float, float]] = {
    # GPT-5 family
    "gpt-5": (1.25, 10.00),
    "gpt-5-mini": (0.25, 2.00),
    "gpt-5-nano": (0.05, 0.40),
    # GPT-4.1 family
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    # GPT-4o family
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-2024-05-13": (5.00, 15.00),
    "gpt-4o-mini": (0.15, 0.60),
    "chatgpt-4o-latest": (5.00, 15.00),
    # older GPT-4 / GPT-3.5
    "gpt-4-turbo": (10.00, 30.00),
    "gpt-4": (30.00, 60.00),
    "gpt-4-32k": (60.00, 120.00),
    "gpt-3.5-turbo": (0.50, 1.50),
    # reasoning models
    "o1": (15.00, 60.00),
    "o1-mini": (1.10, 4.40),
    "o1-pro": (150.00, 600.00),
    "o3": (2.00, 8.00),
    "o3-mini": (1.10, 4.40),
    "o3-pro": (20.00, 80.00),
    "o4-mini": (1.10, 4.40),
}

CACHED_PRICES: dict[str, float] = {  # USD per 1M cached input tokens
    "gpt-5": 0.125, "gpt-5-mini": 0.025, "gpt-5-nano": 0.005,
    "gpt-4.1": 0.50, "gpt-4.1-mini": 0.10, "gpt-4.1-nano": 0.025,
    "gpt-4o": 1.25, "gpt-4o-mini": 0.075,
    "o1": 7.50, "o1-mini": 0.55, "o3": 0.50, "o3-mini": 0.55, "o4-mini": 0.275,
}
CACHED_SHARE = 0.5  # cached input tokens at half the input price when the table has none

PRICE_HELP = "USD per 1M input tokens and per 1M output tokens, e.g. 0.15,0.60"

BATCH_SHARE = 0.5  # the Batch API's price: half the list price (OpenAI, 2025)

__all__ = ["BATCH_SHARE", "CACHED_PRICES", "PRICES", "PRICE_HELP", "batch_price",
           "cached_price", "estimate_cost", "lookup_price", "parse_price", "price_option"]


def _known_name(model: str | None) -> str | None:
    if not model:
        return None
    name = model.strip().lower().rsplit("/", 1)[-1]
    best: str | None = None
    for known in PRICES:
        if (name == known or name.startswith(known + "-")) and (
                best is None or len(known) > len(best)):
            best = known
    return best


def lookup_price(model: str | None) -> tuple[float, float] | None:
    """The (input, output) price of `model` per 1M tokens, or None when it is not known.

    The name is matched case-insensitively, after any "provider/" prefix, against the
    longest entry of `PRICES` that it equals or starts with followed by "-".
    """
    best = _known_name(model)
    return PRICES[best] if best is not None else None


def cached_price(model: str | None, price: tuple[float, float]) -> float:
    """USD per 1M cached input tokens: the model's listed cached rate, else half of the
    input price `price[0]`."""
    best = _known_name(model)
    if best is not None and best in CACHED_PRICES and PRICES[best] == price:
        return CACHED_PRICES[best]
    return price[0] * CACHED_SHARE


def price_option(text: str | None) -> tuple[float, float] | None:
    """The `--price` option of a command: None when not given; a `UsageError` naming the
    option when it does not parse."""
    if not text:
        return None
    from llmextract.errors import UsageError

    try:
        return parse_price(text)
    except ValueError as exc:
        raise UsageError(f"--price: {exc}") from None


def parse_price(text: str) -> tuple[float, float]:
    """Parse a `--price IN,OUT` value (USD per 1M input / output tokens).

    Raises ValueError with a message fit to show the user when `text` is not two
    non-negative finite numbers separated by a comma (a leading "$" on each is allowed).
    """
    parts = [p.strip().removeprefix("$").strip() for p in text.split(",")]
    if len(parts) != 2 or not all(parts):
        raise ValueError(f"expected IN,OUT ({PRICE_HELP}), got {text!r}")
    prices: list[float] = []
    for label, part in zip(("input", "output"), parts, strict=True):
        try:
            value = float(part)
        except ValueError:
            raise ValueError(f"{label} price {part!r} is not a number "
                             f"(expected IN,OUT: {PRICE_HELP})") from None
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"{label} price must be a non-negative number, got {part!r}")
        prices.append(value)
    return prices[0], prices[1]


def estimate_cost(model: str | None, prompt_tokens: int, completion_tokens: int,
                  override: tuple[float, float] | None = None, *,
                  cached_tokens: int = 0) -> float | None:
    """USD for the given token counts at `override` or `model`'s price; None when unknown.
    `cached_tokens` (part of `prompt_tokens`) are priced at the cached input rate."""
    price = override if override is not None else lookup_price(model)
    if price is None:
        return None
    cached = max(0, min(cached_tokens, prompt_tokens))
    return ((prompt_tokens - cached) * price[0] + cached * cached_price(model, price)
            + completion_tokens * price[1]) / 1_000_000


def batch_price(model: str | None) -> tuple[float, float] | None:
    """USD per 1M input / output tokens through the Batch API: `BATCH_SHARE` of the list
    price; None when the model's price is unknown."""
    price = lookup_price(model)
    if price is None:
        return None
    return price[0] * BATCH_SHARE, price[1] * BATCH_SHARE
