"""`NumberMatch`: one number-bearing phrase found in a text (llmextract.text.numbers for
English, llmextract.text.intl_numbers for other languages)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["NumberMatch"]


@dataclass(frozen=True)
class NumberMatch:
    """One number-bearing phrase: `text == searched_text[start:end]`."""

    start: int
    end: int
    text: str
    value: float | None
    unit: str | None
    qualifier: str
