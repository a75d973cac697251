"""Reading result records defensively: any field of a record may be missing or malformed.

A record comes as a dict (a JSONL line) or a `Result`; everything here tolerates wrong types
so that one bad record never stops a report.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from llmextract.run.costs import estimate_cost

Record = Mapping[str, Any]

STATUSES = ("ok", "fallback", "error")
SOURCES = ("llm", "rules", "both")
# summary list -> (short code used in element ids, kind label, the key holding the words)
KINDS: dict[str, tuple[str, str, str]] = {
    "quotes": ("q", "quote", "text"),
    "figures": ("f", "figure", "text"),
    "entities": ("e", "entity", "name"),
}

__all__ = [
    "KINDS",
    "SOURCES",
    "STATUSES",
    "Overview",
    "Record",
    "as_record",
    "int_of",
    "items_of",
    "mapping",
    "overview",
    "reason_category",
    "row_attrs",
    "source_key",
    "status_key",
    "text_of",
    "valid_span",
]


def as_record(obj: object) -> dict[str, Any]:
    """A plain dict for a dict or a `Result` (or any Pydantic model); a stand-in otherwise."""
    if isinstance(obj, Mapping):
        return dict(obj)
    dump = getattr(obj, "model_dump", None)
    if callable(dump):
        try:
            data = dump(mode="json")
        except Exception:  # a broken model must not stop the report
            data = None
        if isinstance(data, dict):
            return data
    return {"status": "error", "error": {
        "type": "ReportError", "message": f"not a result record ({type(obj).__name__})"}}


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


def mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def items_of(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def int_of(value: object) -> int:
    """A non-negative int, or 0 for anything else."""
    if isinstance(value, bool) or not isinstance(value, int):
        return 0
    return max(value, 0)


def status_key(record: Record) -> str:
    status = record.get("status")
    return status if isinstance(status, str) and status in STATUSES else "other"


def source_key(item: Mapping[str, Any]) -> str:
    source = item.get("source")
    return source if isinstance(source, str) and source in SOURCES else "unknown"


def valid_span(span: object, length: int) -> tuple[int, int] | None:
    """(start, end) when `span` is two ints with 0 <= start < end <= length, else None."""
    if not isinstance(span, (list, tuple)) or len(span) != 2:
        return None
    start, end = span
    if any(isinstance(x, bool) or not isinstance(x, int) for x in (start, end)):
        return None
    if 0 <= start < end <= length:
        return start, end
    return None


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

    def add(self, record: Record) -> None:
        self.articles += 1
        review = record.get("review")
        if isinstance(review, str) and review.strip():
            self.to_review += 1
        self.by_status[status_key(record)] += 1
        engine = record.get("engine")
        self.by_engine[engine if isinstance(engine, str) and engine else "none"] += 1
        if record.get("cached") is True:
            self.cached += 1
        usage = mapping(record.get("usage"))
        prompt, completion = int_of(usage.get("prompt_tokens")), int_of(
            usage.get("completion_tokens"))
        self.requests += int_of(usage.get("requests"))
        self.prompt_tokens += prompt
        self.completion_tokens += completion
        if prompt or completion:
            model = record.get("model")
            model_name = model if isinstance(model, str) else None
            cost = estimate_cost(model_name, prompt, completion)
            if cost is None:
                self.unpriced[model_name or "no model named"] += 1
            else:
                self.cost += cost
        for drop in items_of(record.get("dropped")):
            drop = mapping(drop)
            name = text_of(drop.get("field"), 40) or "?"
            self.dropped[(name, reason_category(drop.get("reason")))] += 1


def overview(records: Iterable[Record]) -> Overview:
    total = Overview()
    for record in records:
        total.add(record)
    return total


def row_attrs(target: str, marks: Mapping[str, Any]) -> str:
    """A table row's attributes: linked to its words when `target` was marked in the text."""
    if target in marks:
        return f' id="{target}-row" data-target="{target}"'
    return ' title="not located in the text"'
