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
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from llmextract.check.article_index import (
    CAP_WORD,
    NUMERAL,
    STOP,
    ArticleIndex,
    numeral_value,
)
from llmextract.check.grounding import QUOTE_THRESHOLD
from llmextract.rules.sentences import sentences
from llmextract.schemas.record import Dropped, Support
from llmextract.text.fold import fold_plain
from llmextract.text.intl_numbers import read_digits
from llmextract.text.langs import conventions
from llmextract.text.numbers import find_numbers
from llmextract.text.numpatterns import FRACTION_WORDS, TENS, UNITS, opens_with

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

# --- one sentence ----------------------------------------------------------------------------

_QUOTED = re.compile(r"“([^”]{2,}?)”|\"([^\"]{2,}?)\"|‘([^’]+\s[^’]+?)’")
_OPENERS = frozenset("\"“‘'([:;—–-")


# a spelled number opening a word (or a digit, _DIGIT): only then is the number parser run on
# a sentence. Only whether one is there matters, so the words are a trie of explicit case
# classes, which scans about four times faster than an IGNORECASE list of the words.
_MAYBE_NUMBER = re.compile(r"\b" + opens_with({*UNITS, *TENS, *FRACTION_WORDS, "dozen"}))


def _numeral_stated(raw: str, idx: ArticleIndex) -> bool:
    """A bare numeral is stated when any reading the article's language allows is."""
    v = numeral_value(raw)
    readings = [] if v is None else [v]
    if idx.loc.lang not in (None, "en"):
        readings += read_digits(raw)
    return not readings or any(idx.states(r) for r in readings)


_DIGIT = re.compile(r"\d")  # scans fast (a plain class), and most sentences have a digit


def _numbers_problem(sentence: str, idx: ArticleIndex) -> str | None:
    digit = _DIGIT.search(sentence) is not None
    if not (digit or _MAYBE_NUMBER.search(sentence)):
        return None
    covered: list[tuple[int, int]] = []
    for m in find_numbers(sentence, idx.loc.lang):
        covered.append((m.start, m.end))
        if m.value is not None:
            percent_share = m.unit == "percent" and idx.states(m.value / 100)
            if not (idx.states(m.value) or percent_share):
                return f"number {m.text!r} not stated in the article"
            continue
        for raw in NUMERAL.findall(m.text):  # ranges and scores: each numeral
            if not _numeral_stated(raw, idx):
                return f"number {raw} in {m.text!r} not stated in the article"
    if not digit:
        return None  # a numeral needs a digit
    for n in NUMERAL.finditer(sentence):  # years, days, ordinals the phrases left out
        if any(a <= n.start() < b for a, b in covered):
            continue
        if not _numeral_stated(n.group(0), idx):
            return f"number {n.group(0)} not stated in the article"
    return None


_DE_NOUN_BEFORE = re.compile(
    r"(?:\b(?i:der|die|das|den|dem|des|ein|eine|einen|einem|einer|eines|kein|keine|im|am|"
    r"zum|zur|vom|beim|als|mit|für|auf|von|zu|bei|nach|aus|über|unter|vor|seit|um|durch|"
    r"gegen|ohne|in|an|und|oder|pro|je)|\b[a-zäöüß]+(?:e|en|er|es|em))\s+$")


# CAP_WORD's next token that may be capitalised (group 1): the tokens before it that open
# with an ASCII lowercase letter, and the characters between tokens, are passed over in C.
# Possessive repeats take what CAP_WORD's greedy match takes, so tokens split as CAP_WORD's
# `finditer` splits them; a non-ASCII letter still reaches the `isupper` test.
_NEXT_CAP = re.compile(r"(?:[a-z][^\W_]*+(?:['’][^\W_]+)?+|[\W\d_])*+"
                       r"([^\W\d_a-z][^\W_]*+(?:['’][^\W_]+)?+)")


def _names(sentence: str, lang: str | None = None) -> list[str]:
    """Capitalised words that are not a sentence's (or quotation's, clause's) first word.
    German capitalises every noun: there a word after an article, a preposition or an
    adjective is a noun, not a name."""
    out: list[str] = []
    conv = conventions(lang)
    local = conv.stopwords if conv is not None else frozenset()
    pos = 0
    while (m := _NEXT_CAP.match(sentence, pos)) is not None:
        pos = m.end()
        start = m.start(1)
        word = m.group(1)
        if not word[0].isupper() or len(word) < 2:
            continue
        before = sentence[:start].rstrip()
        if lang == "de" and _DE_NOUN_BEFORE.search(sentence, 0, start):
            continue
        if conv is not None and word.lower() in (conv.ordinals or {}):
            continue  # "als Fünfter": a rank
        if not before or before[-1] in _OPENERS or before[-1] in ".!?":
            # a first word still counts when a name follows it ("Marta Kowalczyk said"):
            # CAP_WORD's next token starts after exactly one space
            nxt = CAP_WORD.match(sentence, pos + 1) if sentence[pos:pos + 1] == " " else None
            if not (nxt is not None and nxt.group(0)[0].isupper()
                    and fold_plain(word) not in STOP and fold_plain(word) not in local):
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
    # A key point often repeats a summary sentence: the checks are pure, so each distinct
    # text is checked once per article (the memo lives, and dies, with the article's index).
    got = idx.checked.get(text)
    if got is None:
        got = idx.checked[text] = _check(text, idx)
    spans, reason, coverage = got
    return Checked(text, list(spans), reason, coverage)


def _check(text: str, idx: ArticleIndex) -> tuple[list[tuple[int, int]], str | None, float]:
    """(support spans, reason or None, coverage) of one sentence."""
    problem = _numbers_problem(text, idx)
    if problem is None:
        missing = [w for w in _names(text, idx.loc.lang) if not idx.has_name(w)]
        if missing:
            problem = "name " + ", ".join(dict.fromkeys(missing)) + " not in the article"
    if problem is None:
        for part in _quoted(text):
            if idx.loc.find(part, whole_words=False) is None and idx.loc.fuzzy(
                    part, QUOTE_THRESHOLD)[0] is None:
                problem = f"quoted words {part!r} not in the article"
                break
    content = idx.content_words(text)
    spans, coverage = _support(content, idx)
    if problem is None and coverage < MIN_COVERAGE:
        problem = (f"not supported: the article's sentences cover {coverage:.0%} of its "
                   "content words")
    if problem is None and not spans:
        problem = "not supported: no article sentence shares its words"
    return (spans if problem is None else [], problem, coverage)


def split_prose(text: str) -> list[str]:
    """The sentences of a summary (cleaned text; line breaks end sentences too)."""
    return [b.text for b in sentences(text)]


def check_prose(units: Sequence[str], idx: ArticleIndex) -> list[Checked]:
    """Check each unit (already cleaned); empty units are skipped."""
    return [check_sentence(u, idx) for u in units if u.strip()]


def support_of(text: str, idx: ArticleIndex) -> list[tuple[int, int]]:
    """Support spans of a text known to be the article's own words (the rules' digest)."""
    return _support(idx.content_words(text), idx)[0]


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

