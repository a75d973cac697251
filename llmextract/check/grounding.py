"""Grounding: locate every figure, quote and entity of the model's answer in the article.

Each item is looked for exactly, then after folding (case, quotation marks, dashes,
whitespace), then fuzzily (quotes: a token alignment above `QUOTE_THRESHOLD`; figures: the
same number in the article with overlapping context). Kept items get the article's verbatim
words and their `span`; refused items go to `dropped` with the reason. A figure whose `value`
is not a number its own text states is refused as contradicted.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from itertools import islice

from llmextract.schemas.news import ArticleSummary, Entity, Figure, Quote
from llmextract.schemas.record import Dropped, GroundedEntity, GroundedFigure, GroundedQuote, Span
from llmextract.text.fold import (
    WORD_RE,
    Folded,
    digit_pattern,
    fold,
    fold_plain,
    is_word_char,
    words,
)
from llmextract.text.langs import conventions
from llmextract.text.numbers import NumberMatch, find_numbers, values_in

QUOTE_THRESHOLD = 0.86
_SCALES = (1e2, 1e3, 1e5, 1e6, 1e7, 1e9, 1e12)  # hundred .. trillion, lakh, crore
_ELLIPSIS = re.compile(r"\s*(?:\.\s?\.\s?\.|…|\[\.\.\.\])\s*")
_DOUBLE_MARKS = frozenset('"“”«»„')
_ALL_MARKS = _DOUBLE_MARKS | frozenset("'‘’")
_QUOTE_MARKS = "\"'“”‘’«»„ "
_TRAIL = " .,;:!?…"
_STOP = frozenset((
    "a an the of in on at to for and or by with from as is are was were be been it its this "
    "that said says"
).split())

__all__ = ["Grounded", "Locator", "ground", "in_quotation"]


@dataclass
class Grounded:
    figures: list[GroundedFigure] = field(default_factory=list)
    quotes: list[GroundedQuote] = field(default_factory=list)
    entities: list[GroundedEntity] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)


FIND_LIMIT = 20  # occurrences of a phrase `Locator.find` and `find_all` look at


class Locator:
    """Finds phrases in one article. Folds and tokenises the article once, and only when an
    exact match fails (most of a good answer is found as written)."""

    def __init__(self, text: str, lang: str | None = None) -> None:
        self.text = text
        self.lang = lang  # how the article writes its numbers (ISO 639-1; None: English)
        self._folded: Folded | None = None
        self._tokens: list[tuple[str, int, int]] | None = None
        self._numbers: list[NumberMatch] | None = None

    @property
    def folded(self) -> Folded:
        if self._folded is None:
            self._folded = fold(self.text)
        return self._folded

    @property
    def tokens(self) -> list[tuple[str, int, int]]:
        """(word, start, end) over the folded text."""
        if self._tokens is None:
            self._tokens = [(m.group(0), m.start(), m.end()) for m in
                            WORD_RE.finditer(self.folded.text)]
        return self._tokens

    def _bounded(self, hay: str, needle: str, start: int, whole_words: bool) -> int:
        while True:
            pos = hay.find(needle, start)
            if pos < 0 or not whole_words:
                return pos
            end = pos + len(needle)
            before = hay[pos - 1] if pos > 0 else " "
            after = hay[end] if end < len(hay) else " "
            edge_ok = not (is_word_char(needle[0]) and is_word_char(before))
            edge_ok = edge_ok and not (is_word_char(needle[-1]) and is_word_char(after))
            if edge_ok:
                return pos
            start = pos + 1

    def find(self, needle: str, *, whole_words: bool = True,
             prefer: Sequence[Span] = ()) -> Span | None:
        """Exact, then folded match; the span is in the original text. Of several
        occurrences (the first 20), the first overlapping a `prefer` span wins, else the
        first. Occurrences are looked for only until that one is known."""
        first: Span | None = None
        for span in islice(self.spans(needle, whole_words), FIND_LIMIT):
            if first is None:
                first = span
                if not prefer:
                    break
            if any(p[0] < span[1] and span[0] < p[1] for p in prefer):
                return span
        return first

    def find_all(self, needle: str, *, whole_words: bool = True,
                 limit: int = FIND_LIMIT) -> list[Span]:
        return list(islice(self.spans(needle, whole_words), limit))

    def spans(self, needle: str, whole_words: bool = True) -> Iterator[Span]:
        """The occurrences of `needle` in order: exact ones; when there is none, folded
        ones; when there is none either, the article's own writing of a number."""
        needle = needle.strip()
        if not needle:
            return
        pos = self._bounded(self.text, needle, 0, whole_words)
        if pos >= 0:
            while pos >= 0:
                yield pos, pos + len(needle)
                pos = self._bounded(self.text, needle, pos + 1, whole_words)
            return
        folded_needle = fold_plain(needle)
        if not folded_needle:
            return
        hay = self.folded.text
        pos = self._bounded(hay, folded_needle, 0, whole_words)
        if pos >= 0:
            while pos >= 0:
                yield self.folded.span(pos, pos + len(folded_needle))
                pos = self._bounded(hay, folded_needle, pos + 1, whole_words)
            return
        if (rx := digit_pattern(folded_needle)) is not None:
            for m in rx.finditer(hay):  # the article's own number format
                yield self.folded.span(m.start(), m.end())

    def fuzzy(self, needle: str, threshold: float) -> tuple[Span | None, float]:
        """Best token-aligned window for `needle`; (span, score) with span None below
        threshold. Score is 2*matched / (needle words + window words)."""
        want = words(needle)
        toks = self.tokens
        if not want or not toks:
            return None, 0.0
        hay = [t[0] for t in toks]
        matcher = SequenceMatcher(None, hay, want, autojunk=False)
        blocks = [b for b in matcher.get_matching_blocks() if b.size]
        best: tuple[float, int, int] = (0.0, 0, 0)
        # Consider every run of blocks that stays within a window about the needle's size.
        for i, first in enumerate(blocks):
            matched = 0
            for last in blocks[i:]:
                lo, hi = first.a, last.a + last.size
                if hi - lo > len(want) * 1.5 + 3:
                    break
                matched += last.size
                score = 2 * matched / (len(want) + (hi - lo))
                if score > best[0]:
                    best = (score, lo, hi)
        score, lo, hi = best
        if score < threshold:
            return None, score
        return self.folded.span(toks[lo][1], toks[hi - 1][2]), score

    def elided(self, needle: str, max_gap: int = 400) -> Span | None:
        """A quotation given with an ellipsis ("A ... B"): every part found, in order, close
        together; the span covers the article's words from the first part to the last."""
        parts = [p.strip(_QUOTE_MARKS + ".,;") for p in _ELLIPSIS.split(needle)]
        parts = [p for p in parts if p]
        if len(parts) < 2:
            return None
        first = self.find(parts[0], whole_words=False)
        if first is None:
            return None
        start, end = first
        for part in parts[1:]:
            rest = Locator(self.text[end:end + max_gap], self.lang).find(part,
                                                                         whole_words=False)
            if rest is None:
                return None
            end = end + rest[1]
        return (start, end)

    def name(self, name: str) -> Span | None:
        """An entity name: as written, folded, or with other separators between its words
        ("Kim Jong Un" finds "Kim Jong-un")."""
        span = self.find(name)
        if span is not None:
            return span
        tokens = re.findall(r"[^\W_]+", name)
        if not tokens:
            return None
        pattern = r"(?<!\w)" + r"[\W_]{0,3}".join(map(re.escape, tokens)) + r"(?!\w)"
        found = re.search(pattern, self.text, re.IGNORECASE)
        return (found.start(), found.end()) if found else None

    def number_near(self, figure: Figure) -> Span | None:
        """A figure phrase of the article stating the same number as `figure` with context
        words in common (for model figures whose text was rephrased)."""
        want = set(words(figure.text)) - _STOP
        numerals = {w for w in want if any(c.isdigit() for c in w)}
        best: tuple[int, Span | None] = (0, None)
        if self._numbers is None:  # once per article, however many figures miss
            self._numbers = find_numbers(self.text, self.lang)
        for match in self._numbers:
            same_value = figure.value is not None and match.value is not None and _close(
                float(figure.value), match.value)
            phrase = set(words(match.text))
            if not (same_value or numerals & phrase):
                continue
            lo = max(0, match.start - 60)
            context = set(words(self.text[lo:match.end + 60])) - _STOP
            overlap = len((want - numerals) & context)
            need = 1 if want - numerals else 0
            if overlap >= need and overlap + 1 > best[0]:
                best = (overlap + 1, (match.start, match.end))
        return best[1]


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def _tidy_number(value: float) -> int | float:
    return int(value) if float(value).is_integer() and abs(value) < 1e18 else value


def _figure_value(figure: Figure, phrase: str,
                  lang: str | None = None) -> tuple[bool, int | float | None, list[float]]:
    """(consistent, normalised value, values the phrase states, read by `lang`'s
    conventions)."""
    stated = values_in(phrase, lang)
    if figure.value is None:
        return True, None, stated
    value = float(figure.value)
    if not stated:
        return False, figure.value, stated
    for candidate in stated:
        # _is_percent only where it can matter: most figures match their value outright
        as_percent = _close(value * 100, candidate) and _is_percent(phrase, lang)
        if _close(value, candidate) or as_percent:
            main = stated[0]
            if _close(value, main):
                return True, _tidy_number(main), stated
            # The model gave a mantissa ("1.7" for "$1.7 billion") or a fraction for a
            # percentage: normalise to the value the phrase states.
            if as_percent:
                return True, _tidy_number(candidate), stated
            scaled = [v for v in stated if candidate and any(
                _close(v, candidate * f) for f in _SCALES)]
            return True, _tidy_number(scaled[0] if scaled else candidate), stated
    return False, figure.value, stated


def _is_percent(phrase: str, lang: str | None) -> bool:
    folded = fold_plain(phrase)
    return "%" in folded or any(w in folded for w in _percent_words(lang))


def _percent_words(lang: str | None) -> tuple[str, ...]:
    conv = conventions(lang)
    return ("percent", "per cent", *(conv.percent if conv is not None else ()))


def _drop(field_name: str, item: Figure | Quote | Entity, reason: str) -> Dropped:
    return Dropped(field=field_name, item=item.model_dump(mode="json"), reason=reason)


def _ground_figure(loc: Locator, fig: Figure, regions: Sequence[Span]) -> GroundedFigure | Dropped:
    span = loc.find(fig.text, prefer=regions) or loc.number_near(fig)
    if span is None:
        return _drop("figures", fig, "not found in the article")
    verbatim = loc.text[span[0]:span[1]]
    ok, value, stated = _figure_value(fig, verbatim, loc.lang)
    if not ok:
        says = ", ".join(f"{_tidy_number(v):g}" for v in stated[:3]) or "no number"
        return _drop("figures", fig, f"value {fig.value:g} contradicts its text "
                     f"{verbatim!r} (which states {says})")
    # the figure's own fields as they are (all plain values: no dump needed), then the
    # article's words, value and span
    return GroundedFigure.model_validate({**fig.__dict__, "text": verbatim, "value": value,
                                          "span": span, "source": "llm"})


def in_quotation(text: str, span: Span, regions: Sequence[Span] = ()) -> bool:
    """Do the words at `span` stand inside quotation marks in the article? True when they
    overlap a quotation the rules found, follow a quotation mark directly, or sit after an
    odd number of double quotation marks in their paragraph."""
    start, end = span
    if any(r[0] < end and start < r[1] for r in regions):
        return True
    before = text[max(0, start - 3):start].rstrip()
    if before and before[-1] in _ALL_MARKS:
        return True
    para = max(text.rfind("\n\n", 0, start), 0)
    marks = sum(1 for ch in text[para:start] if ch in _DOUBLE_MARKS)
    return marks % 2 == 1


def _ground_quote(loc: Locator, quote: Quote, speakers: SpeakerCheck,
                  regions: Sequence[Span]) -> GroundedQuote | Dropped:
    needle = quote.text.strip().strip(_QUOTE_MARKS).rstrip(_TRAIL).strip(_QUOTE_MARKS)
    if len(needle) < 2:
        return _drop("quotes", quote, "empty quotation")
    span = loc.find(needle, whole_words=False, prefer=regions) or loc.elided(needle)
    if span is None:
        span, score = loc.fuzzy(needle, QUOTE_THRESHOLD)
        if span is None:
            why = "not found in the article"
            if score >= 0.5:
                why = f"not verbatim: closest article words match only {score:.0%}"
            return _drop("quotes", quote, why)
    if not in_quotation(loc.text, span, regions):
        return _drop("quotes", quote, "not a quotation: the article states these words "
                     "as narrative, not between quotation marks")
    speaker = quote.speaker if speakers.named(quote.speaker) else None
    return GroundedQuote(text=loc.text[span[0]:span[1]], speaker=speaker, span=span,
                         source="llm")


class SpeakerCheck:
    """Is a speaker named in the article? (any of its words of 3+ letters, or a pronoun-free
    phrase found as is)."""

    def __init__(self, loc: Locator) -> None:
        self._loc = loc
        self._words: set[str] | None = None  # built only if a speaker is not found as is

    def named(self, speaker: str | None) -> bool:
        if not speaker:
            return False
        if self._loc.find(speaker) is not None:
            return True
        if self._words is None:
            self._words = set(WORD_RE.findall(self._loc.folded.text))
        parts = [w for w in words(speaker) if len(w) >= 3 and w not in _STOP]
        return bool(parts) and parts[-1] in self._words


def _ground_entity(loc: Locator, ent: Entity) -> GroundedEntity | Dropped:
    span = loc.name(ent.name)
    if span is None and fold_plain(ent.name).startswith("the "):
        span = loc.name(ent.name.strip()[4:])
    if span is None:
        return _drop("entities", ent, "not found in the article")
    return GroundedEntity(name=loc.text[span[0]:span[1]], type=ent.type, span=span,
                          source="llm")


def ground(answer: ArticleSummary, text: str, locator: Locator | None = None,
           quote_regions: Sequence[Span] = (), figure_regions: Sequence[Span] = ()) -> Grounded:
    """Ground the model's figures, quotes and entities in `text` (pure, deterministic).

    `quote_regions` are the spans of the quotations the rule engine found (any confidence):
    a model quote must lie in one of them or otherwise stand between quotation marks.
    `figure_regions` (the rules' figures) break ties between repeated phrases."""
    loc = locator or Locator(text)
    out = Grounded()
    seen_figures: set[tuple[Span, object]] = set()
    for fig in answer.figures:
        got = _ground_figure(loc, fig, figure_regions)
        if isinstance(got, Dropped):
            out.dropped.append(got)
        elif (got.span, got.value) in seen_figures:
            out.dropped.append(_drop("figures", fig, "duplicate of an earlier figure"))
        else:
            seen_figures.add((got.span, got.value))  # type: ignore[arg-type]
            out.figures.append(got)
    speakers = SpeakerCheck(loc)
    seen_quotes: set[Span] = set()
    for quote in answer.quotes:
        gq = _ground_quote(loc, quote, speakers, quote_regions)
        if isinstance(gq, Dropped):
            out.dropped.append(gq)
            continue
        if gq.span in seen_quotes:
            out.dropped.append(_drop("quotes", quote, "duplicate of an earlier quote"))
            continue
        if quote.speaker and gq.speaker is None:
            out.dropped.append(Dropped(field="quotes.speaker", item=quote.model_dump(mode="json"),
                                       reason="speaker not named in the article"))
        seen_quotes.add(gq.span)  # type: ignore[arg-type]
        out.quotes.append(gq)
    seen_names: set[str] = set()
    for ent in answer.entities:
        ge = _ground_entity(loc, ent)
        if isinstance(ge, Dropped):
            out.dropped.append(ge)
            continue
        key = fold_plain(ge.name)
        if key in seen_names:
            out.dropped.append(_drop("entities", ent, "duplicate of an earlier entity"))
            continue
        seen_names.add(key)
        out.entities.append(ge)
    return out
