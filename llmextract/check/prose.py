"""Grounded prose: every sentence of a model's summary (and every key point) is checked
against the article, and each kept sentence carries the spans of the article sentences that
support it.

Checks per sentence (see docs/grounding.md), in this order, the first failure is the reason:

1. numbers: every number it states (digits, spelled numbers, scale words, percentages,
   years and dates) is a value the article states;
2. names: every capitalised word that is not a sentence's first word (nor a common word)
   appears in the article as a whole word after folding (a possessive "'s", a surname of a
   full name, and derived forms such as "Nepalese" for "Nepal" are accepted);
3. quoted words: text between double quotation marks is found in the article;
4. support: the article sentences that best cover its content words (greedy, at most
   `MAX_SPANS`); a sentence with fewer than `MIN_COVERAGE` of its content words covered is
   refused.

Model strings are cleaned first (llmextract.check.clean).
Pure, deterministic, and cheap: the article's sentences, words and numbers are computed once
per article (or handed over from the rule engine).
"""

from __future__ import annotations

import functools
import math
import re
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from llmextract.check.grounding import QUOTE_THRESHOLD, Locator
from llmextract.rules.sentences import Block, sentences
from llmextract.schemas.record import Dropped, Support
from llmextract.text.fold import WORD_RE, fold_plain, words
from llmextract.text.numbers import NumberMatch, find_numbers, values_in
from llmextract.text.numpatterns import FRACTION_WORDS, TENS, UNITS

MAX_SPANS = 3
MIN_COVERAGE = 0.34  # share of a sentence's content words the support must cover

__all__ = [
    "MAX_SPANS",
    "MIN_COVERAGE",
    "ArticleIndex",
    "Checked",
    "check_prose",
    "ground_summary",
    "split_prose",
    "support_of",
]

# --- the article, indexed once ---------------------------------------------------------------

_STOP = frozenset((
    "a an the of in on at to for and or but nor by with from as is are was were be been being "
    "it its this that these those there their they them he she his her him we our you your i "
    "has have had do does did not no so than then also into over after before about up out "
    "said says say will would could should can may might must which who whom whose what when "
    "where while how all any some more most other such only own same too very just being "
    "per via amid among against between during under until since while"
).split())
# words written in capitals that name no one (titles, units of account, times of day)
_COMMON_CAPS = frozenset("ceo cfo coo cto gdp ipo ai tv am pm ok".split())
_LINKS = frozenset(("of", "the", "and", "for", "de"))
_LETTERS = re.compile(r"[^\W\d_]+")
_NUMERAL = re.compile(r"\d+(?:[.,]\d+)*")
_CAP_WORD = re.compile(r"[^\W\d_][^\W_]*(?:['’][^\W_]+)?")


def _stem(word: str) -> str:
    """Crude stem for coverage ("warehouses" ~ "warehouse"); numerals lose their commas."""
    if word[0].isdigit():
        return word.replace(",", "")
    return word[:5] if len(word) > 5 else word


def _content(text: str) -> set[str]:
    return {_stem(w) for w in words(text)
            if (len(w) >= 3 or w[0].isdigit()) and w not in _STOP}


def _numeral_value(raw: str) -> float | None:
    try:
        return float(raw.replace(",", ""))
    except ValueError:
        return None


class ArticleIndex:
    """An article's sentences, content words, words and stated numbers, each made once."""

    def __init__(self, loc: Locator, sents: Sequence[Block] | None = None,
                 numbers: Sequence[NumberMatch] | None = None) -> None:
        self.loc = loc
        self.sents = list(sents) if sents is not None else sentences(loc.text)
        self._numbers = numbers
        self._content: list[set[str]] | None = None
        self.postings: dict[str, list[int]] = {}  # content word -> sentences holding it
        self._words: set[str] | None = None
        self._caps: list[str] | None = None
        self._values: list[float] | None = None
        self._initials: str | None = None

    def _scan(self) -> None:
        """Content words per sentence and the article's words, in one pass (lowercased, not
        folded: folding changes no letter or digit)."""
        content: list[set[str]] = []
        found: set[str] = set()
        postings: dict[str, list[int]] = {}
        for i, b in enumerate(self.sents):
            toks = WORD_RE.findall(b.text.lower())
            found.update(toks)
            stems = {_stem(w) for w in toks if (len(w) >= 3 or w[0].isdigit())
                     and w not in _STOP}
            content.append(stems)
            for w in stems:
                postings.setdefault(w, []).append(i)
        self.postings = postings
        found |= {w.replace(".", "") for w in found if "." in w}
        found |= {w[:-2] for w in found if w.endswith("'s")}
        self._content, self._words = content, found

    @property
    def content(self) -> list[set[str]]:
        if self._content is None:
            self._scan()
        assert self._content is not None
        return self._content

    @property
    def words(self) -> set[str]:
        """Lowercased article words, also without dots ("u.s" -> "us") and possessives."""
        if self._words is None:
            self._scan()
        assert self._words is not None
        return self._words

    @property
    def caps(self) -> list[str]:
        """Sorted folded forms of the article's capitalised words (for prefix look-ups)."""
        if self._caps is None:
            self._caps = sorted({w.lower() for w in _LETTERS.findall(self.loc.text)
                                 if w[0].isupper()})
        return self._caps

    @property
    def values(self) -> list[float]:
        """Every value the article states (sorted): its number phrases' values, mantissas
        and bare numerals (years, days, scores)."""
        if self._values is None:
            numbers = self._numbers if self._numbers is not None else find_numbers(
                self.loc.text)
            # bare numerals (below) cover mantissas; ranges and scores need their values
            vals = {m.value for m in numbers if m.value is not None}
            vals |= {v for m in numbers if m.value is None for v in values_in(m.text)}
            for raw in _NUMERAL.findall(self.loc.text):
                v = _numeral_value(raw)
                if v is not None:
                    vals.add(v)
            self._values = sorted(vals)
        return self._values

    def states(self, value: float) -> bool:
        vals = self.values
        i = bisect_left(vals, value - max(abs(value) * 1e-6, 1e-9))
        return i < len(vals) and math.isclose(vals[i], value, rel_tol=1e-6, abs_tol=1e-9)

    @property
    def initials(self) -> str:
        """The first letters of the article's words, in order ("of", "the", "and", "for"
        left out): an acronym spelled out in the article is a substring."""
        if self._initials is None:
            self._initials = "".join(w[0] for w in _LETTERS.findall(self.loc.text.lower())
                                     if w not in _LINKS)
        return self._initials

    def has_name(self, word: str) -> bool:
        key = fold_plain(word)
        for suffix in ("'s", "'"):
            if key.endswith(suffix) and len(key) > len(suffix) + 1:
                key = key[: -len(suffix)]
        if key in self.words or key.replace(".", "") in self.words:
            return True
        if word.isupper() and 2 <= len(key) <= 6 and key.isalpha():
            # an acronym the article spells out, or a common word written in capitals
            return key in _COMMON_CAPS or key in self.initials
        if len(key) < 5:
            return False
        stem = key[: max(5, len(key) - 3)]  # "Nepalese" ~ "Nepal", "European" ~ "Europe"
        caps = self.caps
        i = bisect_left(caps, stem)
        return i < len(caps) and caps[i].startswith(stem)


# --- one sentence ----------------------------------------------------------------------------

_QUOTED = re.compile(r"“([^”]{2,}?)”|\"([^\"]{2,}?)\"|‘([^’]+\s[^’]+?)’")
_OPENERS = frozenset("\"“‘'([:;—–-")


# a digit or a spelled number: only then is the number parser run on a sentence
_MAYBE_NUMBER = re.compile(r"\d|\b(?:" + "|".join(sorted({*UNITS, *TENS, *FRACTION_WORDS,
                                                           "dozen"}, key=len, reverse=True))
                           + r")", re.IGNORECASE)


def _numbers_problem(sentence: str, idx: ArticleIndex) -> str | None:
    if not _MAYBE_NUMBER.search(sentence):
        return None
    covered: list[tuple[int, int]] = []
    for m in find_numbers(sentence):
        covered.append((m.start, m.end))
        if m.value is not None:
            percent_share = m.unit == "percent" and idx.states(m.value / 100)
            if not (idx.states(m.value) or percent_share):
                return f"number {m.text!r} not stated in the article"
            continue
        for raw in _NUMERAL.findall(m.text):  # ranges and scores: each numeral
            v = _numeral_value(raw)
            if v is not None and not idx.states(v):
                return f"number {raw} in {m.text!r} not stated in the article"
    for n in _NUMERAL.finditer(sentence):  # years, days, ordinals the phrases left out
        if any(a <= n.start() < b for a, b in covered):
            continue
        v = _numeral_value(n.group(0))
        if v is not None and not idx.states(v):
            return f"number {n.group(0)} not stated in the article"
    return None


def _names(sentence: str) -> list[str]:
    """Capitalised words that are not a sentence's (or quotation's, clause's) first word."""
    out: list[str] = []
    matches = list(_CAP_WORD.finditer(sentence))
    for i, m in enumerate(matches):
        word = m.group(0)
        if not word[0].isupper() or len(word) < 2:
            continue
        before = sentence[:m.start()].rstrip()
        first = not before or before[-1] in _OPENERS or before[-1] in ".!?"
        if first:
            nxt = matches[i + 1] if i + 1 < len(matches) else None
            # a first word still counts when a name follows it ("Marta Kowalczyk said")
            joined = nxt is not None and sentence[m.end():nxt.start()] == " "
            if not (joined and nxt is not None and nxt.group(0)[0].isupper()
                    and fold_plain(word) not in _STOP):
                continue
        out.append(word)
    return out


def _quoted(sentence: str) -> list[str]:
    parts = []
    for m in _QUOTED.finditer(sentence):
        part = next(g for g in m.groups() if g is not None).strip(" .,;:!?…")
        if part:
            parts.append(part)
    return parts


def _support(content: set[str], idx: ArticleIndex) -> tuple[list[tuple[int, int]], float]:
    """Greedy cover of the content words by article sentences: (spans, share covered)."""
    if not content:
        return [], 1.0
    left = set(content)
    picked: list[int] = []
    sent_words = idx.content  # builds idx.postings too
    for _ in range(MAX_SPANS):
        gains: dict[int, int] = {}
        for w in left:
            for i in idx.postings.get(w, ()):
                gains[i] = gains.get(i, 0) + 1
        if not gains:
            break
        best = min(gains, key=lambda i: (-gains[i], i))  # most words, then earliest
        picked.append(best)
        left -= sent_words[best]
        if not left:
            break
    spans = sorted((idx.sents[i].start, idx.sents[i].end) for i in picked)
    return spans, 1 - len(left) / len(content)


@dataclass
class Checked:
    """One prose unit (a summary sentence or a key point) after its checks."""

    text: str
    spans: list[tuple[int, int]] = field(default_factory=list)
    reason: str | None = None  # None: kept
    coverage: float = 0.0


def check_sentence(text: str, idx: ArticleIndex) -> Checked:
    """Check one sentence (or key point) against the article."""
    problem = _numbers_problem(text, idx)
    if problem is None:
        missing = [w for w in _names(text) if not idx.has_name(w)]
        if missing:
            problem = "name " + ", ".join(dict.fromkeys(missing)) + " not in the article"
    if problem is None:
        for part in _quoted(text):
            if idx.loc.find(part, whole_words=False) is None and idx.loc.fuzzy(
                    part, QUOTE_THRESHOLD)[0] is None:
                problem = f"quoted words {part!r} not in the article"
                break
    content = _content(text)
    spans, coverage = _support(content, idx)
    if problem is None and coverage < MIN_COVERAGE:
        problem = (f"not supported: the article's sentences cover {coverage:.0%} of its "
                   "content words")
    if problem is None and not spans:
        problem = "not supported: no article sentence shares its words"
    return Checked(text, spans if problem is None else [], problem, coverage)


def split_prose(text: str) -> list[str]:
    """The sentences of a summary (cleaned text; line breaks end sentences too)."""
    return [b.text for b in sentences(text)]


def check_prose(units: Sequence[str], idx: ArticleIndex) -> list[Checked]:
    """Check each unit (already cleaned); empty units are skipped."""
    return [check_sentence(u, idx) for u in units if u.strip()]


def support_of(text: str, idx: ArticleIndex) -> list[tuple[int, int]]:
    """Support spans of a text known to be the article's own words (the rules' digest)."""
    return _support(_content(text), idx)[0]


# --- the news summary's prose ------------------------------------------------------------------


@dataclass
class Prose:
    """The record's prose after its checks: what to publish, and what was said about it."""

    summary: str
    key_points: list[str]
    support: list[Support] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    kept: int = 0  # the model's sentences and key points kept
    from_rules: int = 0  # prose fields the rules' digest filled


def _supported(field_name: str, units: Sequence[str], idx: ArticleIndex,
               out: Prose) -> None:
    for i, text in enumerate(units):
        spans = support_of(text, idx)
        out.support.append(Support(field=field_name, index=i, text=text, spans=spans))


def _checked(field_name: str, units: Sequence[str], idx: ArticleIndex,
             out: Prose) -> list[str]:
    kept: list[str] = []
    for i, unit in enumerate(u for u in units if u.strip()):
        c = check_sentence(unit, idx)
        if c.reason is not None:
            out.dropped.append(Dropped(field=field_name, item={"text": unit, "index": i},
                                       reason=c.reason))
            continue
        out.support.append(Support(field=field_name, index=len(kept), text=unit,
                                   spans=c.spans))
        kept.append(unit)
    out.kept += len(kept)
    return kept


def ground_summary(model_summary: str, model_points: Sequence[str], idx: ArticleIndex,
                   digest: Callable[[], tuple[str, list[str]]],
                   filled: tuple[str, list[str]]) -> Prose:
    """Check the model's (cleaned) summary sentences and key points. A field left empty,
    by the model or by the checks, takes the rules' digest (`digest()`: lead, key points);
    `filled` is what the record already holds for a field the model left empty."""
    out = Prose("", [])
    digest = functools.cache(digest)  # the rules' digest is made at most once
    sents = _checked("summary", split_prose(model_summary), idx, out)
    points = _checked("key_points", model_points, idx, out)
    lead: str | None = None
    rule_points: list[str] | None = None
    if not sents:
        empty = not model_summary.strip()
        lead = filled[0] if empty and filled[0] else digest()[0]
        out.warnings.append(("the model gave no summary" if empty else "the model's summary "
                             "is not supported by the article") + ": the rules' lead "
                            "sentences stand in")
        _supported("summary", split_prose(lead), idx, out)
        out.from_rules += 1
    if not points:
        empty = not any(p.strip() for p in model_points)
        rule_points = filled[1] if empty and filled[1] else digest()[1]
        out.warnings.append(("the model gave no key points" if empty else "the model's key "
                             "points are not supported by the article") + ": the rules' key "
                            "points stand in")
        _supported("key_points", rule_points, idx, out)
        out.from_rules += 1
    out.summary = " ".join(sents) if sents else (lead or "")
    out.key_points = points if points else list(rule_points or [])
    return out

