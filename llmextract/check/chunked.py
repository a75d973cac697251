"""A long document's chunks, checked against the whole article (docs/long-documents.md).

Each chunk's answer is grounded with a `ChunkLocator`: an exact (or folded) phrase is looked
for in the chunk first, then anywhere in the article; an approximate one (a fuzzy or elided
quotation, a rephrased figure) only inside the chunk, the only text the model saw. Spans
are global: offsets into the whole article.

`merge_grounded` then makes one answer of the chunks' grounded items: figures and quotations
whose spans overlap are one item (the same words found by two chunks in their overlap, or a
quotation cut by a boundary in one chunk and whole in the next), the longer span kept,
figures only when their values agree; entities are one per name (folded), the earliest kept;
a figure repeated at two places stays two items. Refusals that two chunks made alike (in
their overlap) are listed once. Pure and deterministic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from llmextract.check.grounding import Grounded, Locator
from llmextract.schemas.news import ArticleSummary, Figure
from llmextract.schemas.record import (
    Dropped,
    GroundedEntity,
    GroundedFigure,
    GroundedQuote,
    Span,
)
from llmextract.text.fold import Folded, fold_plain

__all__ = ["ChunkLocator", "merge_answers", "merge_grounded"]

T = TypeVar("T", GroundedFigure, GroundedQuote)


def _shift(span: Span | None, by: int) -> Span | None:
    return None if span is None else (span[0] + by, span[1] + by)


class ChunkLocator(Locator):
    """Finds phrases of one chunk's answer: in `whole.text[start:end]` first (see the module
    docstring). Shares the whole article's folded text with `whole`."""

    def __init__(self, whole: Locator, start: int, end: int) -> None:
        super().__init__(whole.text, whole.lang)
        self.whole = whole
        self.start = start
        self.part = Locator(whole.text[start:end], whole.lang)

    @property
    def folded(self) -> Folded:
        return self.whole.folded

    @property
    def tokens(self) -> list[tuple[str, int, int]]:
        return self.whole.tokens

    def spans(self, needle: str, whole_words: bool = True) -> Iterator[Span]:
        inside = False
        for s, e in self.part.spans(needle, whole_words):
            inside = True
            yield s + self.start, e + self.start
        if not inside:
            yield from self.whole.spans(needle, whole_words)

    def fuzzy(self, needle: str, threshold: float) -> tuple[Span | None, float]:
        span, score = self.part.fuzzy(needle, threshold)
        return _shift(span, self.start), score

    def elided(self, needle: str, max_gap: int = 400) -> Span | None:
        return _shift(self.part.elided(needle, max_gap), self.start)

    def name(self, name: str) -> Span | None:
        span = self.part.name(name)
        return _shift(span, self.start) if span is not None else self.whole.name(name)

    def number_near(self, figure: Figure) -> Span | None:
        return _shift(self.part.number_near(figure), self.start)


def _overlap(a: Span | None, b: Span | None) -> bool:
    return a is not None and b is not None and a[0] < b[1] and b[0] < a[1]


def _length(span: Span | None) -> int:
    return 0 if span is None else span[1] - span[0]


def _by_span(items: Sequence[T], same: Callable[[T, T], bool]) -> tuple[list[T], int]:
    """Items whose spans overlap (and `same` agrees) merged into the longest; in text order."""
    ordered = sorted(items, key=lambda i: (i.span is None, i.span or (0, 0), -_length(i.span)))
    kept: list[T] = []
    merged = 0
    for item in ordered:
        twin = next((k for k in reversed(kept[-4:]) if _overlap(k.span, item.span)
                     and same(k, item)), None)
        if twin is None:
            kept.append(item)
            continue
        merged += 1
        if _length(item.span) > _length(twin.span):
            kept[kept.index(twin)] = item
    return kept, merged


def _same_value(a: GroundedFigure, b: GroundedFigure) -> bool:
    return a.value is None or b.value is None or a.value == b.value


def merge_grounded(parts: Sequence[Grounded]) -> tuple[Grounded, int]:
    """The chunks' grounded items as one `Grounded`, and how many items were merged away."""
    figures, merged_f = _by_span([f for g in parts for f in g.figures], _same_value)
    quotes, merged_q = _by_span([q for g in parts for q in g.quotes], lambda a, b: True)
    entities: dict[str, GroundedEntity] = {}
    for ent in sorted((e for g in parts for e in g.entities),
                      key=lambda e: e.span or (1 << 62, 0)):
        entities.setdefault(fold_plain(ent.name), ent)
    n_entities = sum(len(g.entities) for g in parts)
    dropped: dict[tuple[str, str, str], Dropped] = {}
    for d in (d for g in parts for d in g.dropped):
        dropped.setdefault((d.field, repr(sorted(d.item.items())), d.reason), d)
    out = Grounded(figures=figures, quotes=quotes, entities=list(entities.values()),
                   dropped=list(dropped.values()))
    return out, merged_f + merged_q + n_entities - len(entities)


def merge_answers(answers: Sequence[ArticleSummary], summary: str, key_points: list[str],
                  topics: list[str]) -> ArticleSummary:
    """One answer from the chunks' answers, for what is not an item: the first title,
    publisher, date and URL given, every author once; every chunk's items as given (the
    trust counts read them); the summary, key points and topics given."""
    data: dict[str, object] = {
        name: next((getattr(a, name) for a in answers if getattr(a, name)), None)
        for name in ("title", "publisher", "published", "url")}
    authors: list[str] = []
    for a in answers:
        authors.extend(x for x in a.authors if x not in authors)
    return ArticleSummary.model_validate({
        **data, "authors": authors, "summary": summary, "key_points": key_points,
        "topics": topics, "figures": [f for a in answers for f in a.figures],
        "quotes": [q for a in answers for q in a.quotes],
        "entities": [e for a in answers for e in a.entities]})
