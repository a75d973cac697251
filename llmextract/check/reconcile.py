"""Reconciliation: merge the grounded model answer with the rule engine's findings.

- Grounded model items are kept (`source: llm`, or `both` when the rules found them too).
- Rule items the engine is confident of (>= `CONFIDENT`) and the model missed are added
  (`source: rules`).
- Stated dates and URLs found in the text win over the model's; the model's metadata that
  the text does not support is dropped with a reason.
- Items are ordered by their position in the article. Pure and deterministic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import lru_cache
from typing import TypeVar

from llmextract.check.grounding import Grounded, Locator
from llmextract.rules import RulesOutput, digest
from llmextract.schemas.news import ArticleSummary
from llmextract.schemas.record import (
    Dropped,
    Engine,
    GroundedEntity,
    GroundedFigure,
    GroundedQuote,
    Span,
    Summary,
)
from llmextract.text.fold import fold_plain

CONFIDENT = 0.7
_MONTHS = [
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
]

__all__ = ["CONFIDENT", "reconcile"]

T = TypeVar("T", GroundedFigure, GroundedQuote, GroundedEntity)


def _overlaps(a: Span | None, b: Span | None) -> bool:
    return a is not None and b is not None and a[0] < b[1] and b[0] < a[1]


def _merge(model: list[T], rules: Sequence[T], confidence: Sequence[float],
           same: type[_Same]) -> tuple[list[T], bool]:
    """Mark model items the rules confirm as `both`; add confident rule-only items.

    Items are updated in place: they were made for this record by grounding and the rules.
    """
    merged = list(model)
    added = False
    by_span = {m.span: m for m in merged if m.span is not None}
    for i, item in enumerate(rules):
        twin = by_span.get(item.span) if same is _Same and item.span is not None else None
        hits = [twin] if twin is not None else [
            m for m in merged if m.source != "rules" and same.check(m, item)]
        for m in hits:
            m.source = "both"
        if hits:
            continue
        conf = confidence[i] if i < len(confidence) else 0.0
        if conf >= CONFIDENT and not any(same.check(m, item) for m in merged):
            item.source = "rules"
            merged.append(item)
            added = True
    merged.sort(key=lambda x: (x.span is None, x.span or (0, 0)))
    return merged, added


class _Same:
    @staticmethod
    def check(a: GroundedFigure | GroundedQuote | GroundedEntity,
              b: GroundedFigure | GroundedQuote | GroundedEntity) -> bool:
        x, y = a.span, b.span
        return x is not None and y is not None and x[0] < y[1] and y[0] < x[1]


class _SameEntity(_Same):
    @staticmethod
    def check(a: GroundedFigure | GroundedQuote | GroundedEntity,
              b: GroundedFigure | GroundedQuote | GroundedEntity) -> bool:
        assert isinstance(a, GroundedEntity) and isinstance(b, GroundedEntity)
        x, y = _entity_key(a.name), _entity_key(b.name)  # " key ": whole words compare
        return x == y or (len(y) > 5 and y in x) or (len(x) > 5 and x in y)


@lru_cache(maxsize=8192)
def _entity_key(name: str) -> str:
    """The name folded, without "'s" and a leading "the", between two spaces."""
    key = fold_plain(name).replace("'s", "")
    return f" {key[4:] if key.startswith('the ') else key} "


def _date_stated(loc: Locator, date: dt.date) -> bool:
    """Does the text state this date in a common form?"""
    text = loc.folded.text
    if date.isoformat() in text:
        return True
    month = _MONTHS[date.month - 1]
    year = str(date.year)
    if year not in text:
        return False
    day = str(date.day)
    for m in (month, month[:3] + ".", month[:3]):
        for form in (f"{m} {day}, {year}", f"{m} {day} {year}", f"{day} {m} {year}",
                     f"{m} {day}th, {year}", f"{m} {day}"):
            if form in text:
                return True
    return False


def _meta(answer: ArticleSummary, rules: Summary, loc: Locator,
          dropped: list[Dropped]) -> tuple[dict[str, object], bool]:
    """Title, publisher, authors, date and URL: the text's own statement wins."""
    used_rules = False
    out: dict[str, object] = {}

    def refuse(field: str, value: object, reason: str) -> None:
        dropped.append(Dropped(field=field, item={field: value}, reason=reason))

    # Publication date and URL: stated in the text wins; the model's only if the text has it.
    if rules.published is not None:
        out["published"] = rules.published
        used_rules = used_rules or answer.published != rules.published
        if answer.published is not None and answer.published != rules.published:
            refuse("published", answer.published.isoformat(),
                   f"the text states {rules.published.isoformat()}")
    elif answer.published is not None:
        if _date_stated(loc, answer.published):
            out["published"] = answer.published
        else:
            out["published"] = None
            refuse("published", answer.published.isoformat(), "date not stated in the article")
    if rules.url:
        out["url"] = rules.url
        used_rules = used_rules or answer.url != rules.url
        if answer.url and answer.url != rules.url and loc.find(answer.url) is None:
            refuse("url", answer.url, "not in the article")
    elif answer.url:
        found = loc.find(answer.url, whole_words=False) is not None
        out["url"] = answer.url if found else None
        if not found:
            refuse("url", answer.url, "not in the article")
    for field in ("title", "publisher"):
        mine: str | None = getattr(answer, field)
        theirs: str | None = getattr(rules, field)
        if mine and (loc.find(mine) is not None or (theirs and fold_plain(mine) ==
                                                      fold_plain(theirs))):
            out[field] = mine
        else:
            out[field] = theirs
            used_rules = used_rules or bool(theirs)
            if mine:
                refuse(field, mine, "not in the article")
    authors = []
    for name in answer.authors:
        if loc.find(name) is not None:
            authors.append(name)
        else:
            refuse("authors", name, "not in the article")
    if not authors and rules.authors:
        authors, used_rules = list(rules.authors), True
    out["authors"] = authors
    return out, used_rules


def reconcile(answer: ArticleSummary, grounded: Grounded, rules: RulesOutput,
              loc: Locator) -> tuple[Summary, list[Dropped], Engine]:
    """The record's summary, everything refused, and which engines contributed."""
    dropped = list(grounded.dropped)
    rs = rules.summary
    figures, f_added = _merge(grounded.figures, rs.figures, rules.figure_confidence, _Same)
    quotes, q_added = _merge(grounded.quotes, rs.quotes, rules.quote_confidence, _Same)
    entities, e_added = _merge(grounded.entities, rs.entities, rules.entity_confidence,
                               _SameEntity)
    quotes = _fill_speakers(quotes, rs.quotes)
    meta, meta_rules = _meta(answer, rs, loc, dropped)
    prose = answer.summary.strip()
    points = answer.key_points
    labels = [t.strip().lower() for t in answer.topics if t.strip()]
    if not (prose and points and labels):  # the model left some out: the rules' words
        lead, rule_points, rule_labels = (
            (rs.summary, rs.key_points, rs.topics) if rs.summary else digest(loc.text))
        prose, points, labels = prose or lead, points or rule_points, labels or rule_labels
    summary = Summary(
        summary=prose,
        key_points=points,
        topics=labels,
        figures=figures,
        quotes=quotes,
        entities=entities,
        **meta,  # type: ignore[arg-type]
    )
    engine: Engine = "llm+rules" if (f_added or q_added or e_added or meta_rules) else "llm"
    return summary, dropped, engine


def _fill_speakers(quotes: list[GroundedQuote],
                   rule_quotes: Sequence[GroundedQuote]) -> list[GroundedQuote]:
    """A model quote with no (grounded) speaker takes the rules' speaker for the same words."""
    for q in quotes:
        if q.speaker is None:
            for r in rule_quotes:
                if r.speaker and _overlaps(q.span, r.span):
                    q.speaker = r.speaker
                    break
    return quotes
