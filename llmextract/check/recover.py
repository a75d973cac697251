"""Reconciling a user schema's grounded answer with its registered rules (the user-schema
counterpart of llmextract.check.reconcile).

For every list field whose items are objects with marked fields, each item of the answer
gets a `source`: `both` when the rules found an item at the same place in the article
(its `Verbatim`/`Name` spans overlap), else `llm`; an item only the rules found, located in
the article and grounded like the model's, is added with `source: "rules"` (and its
evidence). Pure and deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from llmextract.check.fields import Grounding, item_model, located_kinds
from llmextract.schemas.record import Evidence

__all__ = ["Recovered", "recover"]


@dataclass
class Recovered:
    data: dict[str, Any]
    evidence: list[Evidence]
    confirmed: int = 0  # the answer's items the rules found too (source both)
    added: int = 0  # items only the rules found (source rules)


def _spans(item: dict[str, Any], field: str, marked: list[str],
           evidence: list[Evidence]) -> list[tuple[int, int]]:
    """Where the item's located values stand: evidence under `field.N.<name>` whose
    text is the item's value (kept values are the article's own words)."""
    out = []
    for name in marked:
        value = item.get(name)
        for ev in evidence:
            if (ev.text == value and ev.path.startswith(f"{field}.")
                    and ev.path.endswith(f".{name}")):
                out.append(ev.span)
                break
    return out


def _overlap(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> bool:
    return any(x[0] < y[1] and y[0] < x[1] for x in a for y in b)


def _evidence_of(item: dict[str, Any], field: str, index: int, marked: list[str],
                 evidence: list[Evidence]) -> list[Evidence]:
    out = []
    for name in marked:
        for ev in evidence:
            if (ev.text == item.get(name) and ev.path.startswith(f"{field}.")
                    and ev.path.endswith(f".{name}")):
                out.append(Evidence(path=f"{field}.{index}.{name}", kind=ev.kind, span=ev.span,
                                    text=ev.text))
                break
    return out


def recover(schema: type[BaseModel], model: Grounding, rules: Grounding) -> Recovered:
    """The answer's data with `source` on every object item and the rules' extra items."""
    data = dict(model.data)
    out = Recovered(data=data, evidence=list(model.evidence))
    for field, info in schema.model_fields.items():
        nested = item_model(info.annotation)
        if nested is None or "source" in nested.model_fields:
            continue
        marked = located_kinds(nested)
        mine = [dict(item) for item in (data.get(field) or []) if isinstance(item, dict)]
        where = [_spans(item, field, marked, model.evidence) for item in mine]
        for item in mine:
            item["source"] = "llm"
        for theirs in rules.data.get(field) or []:
            if not isinstance(theirs, dict):
                continue
            spans = _spans(theirs, field, marked, rules.evidence)
            if not spans:
                continue  # only what is located in the article is recovered
            match = next((i for i, s in enumerate(where) if _overlap(s, spans)), None)
            if match is not None:
                if mine[match]["source"] == "llm":
                    mine[match]["source"] = "both"
                    out.confirmed += 1
                continue
            out.evidence.extend(_evidence_of(theirs, field, len(mine), marked,
                                             rules.evidence))
            mine.append({**theirs, "source": "rules"})
            where.append(spans)
            out.added += 1
        data[field] = mine
    return out
