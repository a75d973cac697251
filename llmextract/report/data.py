"""What the report draws from typed result records (`Result`, read by
llmextract.schemas.reader): status and source keys, span checks, totals, display text.

Records arrive validated, so field types hold; what may still be wrong is their content:
spans that do not fit the text shown, negative counts, hostile words (escaped on output).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from llmextract.run.costs import estimate_cost
from llmextract.schemas.record import Result, Span

STATUSES = ("ok", "fallback", "error")
SOURCES = ("llm", "rules", "both")
# summary list -> (short code used in element ids, kind label)
KINDS: dict[str, tuple[str, str]] = {
    "quotes": ("q", "quote"),
    "figures": ("f", "figure"),
    "entities": ("e", "entity"),
}

__all__ = [
    "KINDS",
    "SOURCES",
    "STATUSES",
    "Overview",
    "count_of",
    "overview",
    "reason_category",
    "review_of",
    "row_attrs",
    "text_of",
    "valid_span",
]


def text_of(value: object, limit: int = 2000) -> str:
    """Display text for any JSON value ("" for null), cut to `limit` characters."""
    if value is None:
        text = ""
    elif isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (int, float)):
        text = str(value)
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def count_of(value: int) -> int:
    """A count as shown: negative ones (a hand-edited record) as 0."""
    return max(value, 0)


def review_of(record: Result) -> str:
    """The record's review reason ("" when none)."""
    return (record.review or "").strip()


def valid_span(span: Span | None, length: int) -> Span | None:
    """`span` when 0 <= start < end <= length (it fits a text of `length` characters)."""
    if span is None:
        return None
    start, end = span
    return (start, end) if 0 <= start < end <= length else None


_QUOTED = re.compile(r"\s*['\"“‘(].*$", re.S)
_NUMBER = re.compile(r"[-+]?\d[\w.,:+\-]*")


def reason_category(reason: object) -> str:
    """The general part of a drop reason: 'not verbatim: ... 64%' -> 'not verbatim'."""
    text = text_of(reason, 300).split(":", 1)[0]
    text = _NUMBER.sub("N", _QUOTED.sub("", text)).strip()
    return text[:80] or "no reason given"


@dataclass
class Overview:
    """Totals over a run's records."""

    articles: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    by_engine: Counter[str] = field(default_factory=Counter)
    cached: int = 0
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0
    unpriced: Counter[str] = field(default_factory=Counter)  # model -> records not priced
    dropped: Counter[tuple[str, str]] = field(default_factory=Counter)
    text_missing: int = 0
    to_review: int = 0

    def add(self, record: Result) -> None:
        self.articles += 1
        if review_of(record):
            self.to_review += 1
        self.by_status[record.status] += 1
        self.by_engine[record.engine or "none"] += 1
        if record.cached:
            self.cached += 1
        usage = record.usage
        prompt, completion = count_of(usage.prompt_tokens), count_of(usage.completion_tokens)
        self.requests += count_of(usage.requests)
        self.prompt_tokens += prompt
        self.completion_tokens += completion
        if prompt or completion:
            cost = estimate_cost(record.model, prompt, completion)
            if cost is None:
                self.unpriced[record.model or "no model named"] += 1
            else:
                self.cost += cost
        for drop in record.dropped:
            name = text_of(drop.field, 40) or "?"
            self.dropped[(name, reason_category(drop.reason))] += 1


def overview(records: Iterable[Result]) -> Overview:
    total = Overview()
    for record in records:
        total.add(record)
    return total


def row_attrs(target: str, marks: Mapping[str, Any]) -> str:
    """A table row's attributes: linked to its words when `target` was marked in the text."""
    if target in marks:
        return f' id="{target}-row" data-target="{target}"'
    return ' title="not located in the text"'
