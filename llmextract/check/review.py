"""Trust at a glance: what the model gave, what survived, and when a person should look.

The review rule (docs/grounding.md), every reason that applies, joined by "; ":

- `error`: the record has no summary;
- `fallback` after a model failure: the model's answer was not used (a run without a model
  is not flagged: the rules were asked for);
- more than half of the model's items (figures, quotes, entities; or a user schema's
  checked values) were refused;
- the model gave no item at all, only prose;
- the model's summary or key points were refused (or missing) and the rules' digest
  stands in;
- more than half of the model's prose sentences and key points were refused.
"""

from __future__ import annotations

from llmextract.schemas.news import ArticleSummary
from llmextract.schemas.record import (
    GroundedEntity,
    GroundedFigure,
    GroundedQuote,
    Result,
    Summary,
    Trust,
)

ITEM_FIELDS = ("figures", "quotes", "entities")

__all__ = ["ITEM_FIELDS", "item_trust", "review_reason"]


def item_trust(answer: ArticleSummary, summary: Summary, n_dropped: int) -> Trust:
    """The item counts of a news record (prose counts are added by the caller)."""
    items: list[GroundedFigure | GroundedQuote | GroundedEntity] = [
        *summary.figures, *summary.quotes, *summary.entities]
    return Trust(
        model_items=len(answer.figures) + len(answer.quotes) + len(answer.entities),
        kept=sum(1 for i in items if i.source in ("llm", "both")),
        dropped=n_dropped,
        confirmed_by_rules=sum(1 for i in items if i.source == "both"),
        added_by_rules=sum(1 for i in items if i.source == "rules"),
    )


def review_reason(result: Result) -> str | None:
    """Why a person should look at this record, or None (the rule above)."""
    if result.status == "error":
        kind = result.error.type if result.error else "unknown"
        return f"no summary ({kind})"
    if result.status == "fallback":
        if result.error is None:
            return None
        return f"the model's answer was not used ({result.error.type}): rules only"
    t = result.trust
    if t is None:
        return None
    reasons: list[str] = []
    if t.model_items and t.dropped * 2 > t.model_items:
        reasons.append(f"most of the model's items are unsupported ({t.dropped} of "
                       f"{t.model_items} dropped)")
    if not t.model_items and result.summary is not None:
        reasons.append("the model gave only prose (no figures, quotes or entities)")
    if t.prose_from_rules:
        reasons.append("the model's prose was unsupported or missing: the rules' digest "
                       "stands in")
    prose = t.prose_kept + t.prose_dropped
    if prose and t.prose_dropped * 2 > prose:
        reasons.append(f"most of the model's prose is unsupported ({t.prose_dropped} of "
                       f"{prose} sentences dropped)")
    return "; ".join(reasons) or None
