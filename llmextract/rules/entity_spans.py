"""Capitalised runs cut into name spans: at titles, possessives, time words, 'and',
'of' and sentence ends, less the leading words that are not part of the name."""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

from llmextract.rules.entity_cues import DIRECTIONS, org_left, org_tail, person_of
from llmextract.rules.gazetteer import (
    COMMON_WORDS,
    DEMONYMS,
    KNOWN_ORGS,
    LOC_CUES,
    LOCATIONS,
    ORG_CUES,
    ORG_HEADS,
    PERSON_TITLES,
    TIME_WORDS,
)

__all__ = [
    "ING_RE",
    "NONSPACE_RE",
    "SEQ_RE",
    "LowerWords",
    "SpanSet",
    "is_sentence_start",
    "outermost",
    "run_spans",
    "segments",
    "split_of",
    "trim_leading",
]

_TOKEN = r"(?:[A-ZÀ-ÖØ-Þ][\w'’&\-]*(?:\.(?:[A-Z]\.?)*)?|[A-Z]\.)"
_CONNECT = r"(?:of|the|for|and|de|da|del|der|van|von|bin|bint|ibn|al|du|la|le|&)"
# The first token is _TOKEN with its leading capital taken out in front and the check on
# the character before it (no letter, apostrophe or hyphen) made after it: the same
# matches, but a pattern that opens with a character set lets the engine skip straight to
# the next capital instead of trying the look-behind at every position.
_FIRST_TOKEN = r"[A-ZÀ-ÖØ-Þ](?<![\w'’\-].)(?:[\w'’&\-]*(?:\.(?:[A-Z]\.?)*)?|(?<=[A-Z])\.)"
SEQ_RE = re.compile(
    rf"{_FIRST_TOKEN}(?:[ \t]+(?:{_CONNECT}[ \t]+)*(?:al-)?{_TOKEN}|[-/]{_TOKEN})*"
)
_ABBR_KEEP = frozenset({"inc.", "ltd.", "co.", "corp.", "jr.", "sr.", "u.s.", "u.k.", "mass.",
                        "st."})
NONSPACE_RE = re.compile(r"\S+")
_TRAIL_RE = re.compile(rf"[ \t]+(?:{_CONNECT})$|[.,]$")
_POSS_RE = re.compile(r"['’]s?$")
_STATE_RE = re.compile(r"[A-Z][a-z]+ State")
_HYPHEN_LOWER_RE = re.compile(r"-[a-z]")
ING_RE = re.compile(r"[A-Z][a-z]+ing")


@lru_cache(maxsize=8192)  # a name recurs within an article and across articles
def run_spans(run: str, opens: bool) -> tuple[tuple[int, int, bool], ...]:
    """The name spans of a capitalised run (SEQ_RE's match): segments(), each less its
    leading words (trim_leading()), as (start, end, after_title) from the run's start.
    Besides the run's own text these look only at whether the run opens a sentence
    (`opens`, is_sentence_start() at its start): for any later word is_sentence_start()
    stops at the run's first letter, a capital. So a one-character stand-in for the text
    before the run gives the same spans, and they are worked out once per run and flag."""
    if " " not in run and "\t" not in run and run[-1] not in "s'’.":
        # one word with no possessive or dot to cut: segments() keeps it whole unless it
        # is a title, a time word or "And", and trim_leading() drops it only when common
        low = run.lower()
        if low not in PERSON_TITLES and low not in TIME_WORDS and low != "and":
            n = len(run)
            dropped = low in COMMON_WORDS and low not in LOCATIONS and low not in KNOWN_ORGS
            return ((n, n, False),) if dropped else ((0, n, False),)
    text = ("." if opens else "a") + run
    return tuple((a - 1, b - 1, t) for a0, b0, t in segments(text, 1, len(text))
                 for a, b in (trim_leading(text, a0, b0),))


def segments(text: str, start: int, end: int) -> list[tuple[int, int, bool]]:
    """Split one capitalised run text[start:end] at possessives, titles, time words, 'and'
    and trailing dots; yields (start, end, after_title)."""
    out: list[tuple[int, int, bool]] = []
    s = start
    after_title = False
    for tm in NONSPACE_RE.finditer(text, start, end):
        a, b = tm.start(), tm.end()
        tok = tm.group(0)
        low = tok.lower()
        bare = _POSS_RE.sub("", tok) if tok[-1] in "s'’" and low not in KNOWN_ORGS else tok
        if low in PERSON_TITLES or low.rstrip(".") in PERSON_TITLES:
            _push(out, text, s, a, after_title)
            s, after_title = b, True
            continue
        if low.rstrip(".,") in TIME_WORDS or (low == "and" and _and_splits(text[s:a],
                                                                            text[b:end])):
            _push(out, text, s, a, after_title)
            s, after_title = b, False
            continue
        if bare != tok and not (len(rest := text[b:end].split()) == 1
                                and rest[0].lower() in ORG_CUES):
            _push(out, text, s, a + len(bare), after_title)  # a possessive ends the name
            s, after_title = b, False
        elif tok.endswith(".") and low not in _ABBR_KEEP and len(tok) > 2:
            _push(out, text, s, b - 1, after_title)  # "Ukraine. The North": a sentence end
            s, after_title = b, False
    _push(out, text, s, end, after_title)
    return out


def split_of(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """'Simon Lalong of Plateau State' -> person and place; 'Sokoto State' -> 'Sokoto'."""
    name = text[a:b]
    k = name.find(" of ")
    parts = [(a, b)]
    if k > 0:
        left, right = name[:k], name[k + 4 :]
        rt = right.split()
        if not org_left(left) and rt and (rt[-1].lower() in LOC_CUES or
                                           right.lower() in LOCATIONS):
            parts = [(a, a + k), (a + k + 4, b)]
        elif not org_left(left) and rt and person_of(left.split(), rt):
            off = k + 8 if rt[0] == "the" else k + 4
            parts = [(a, a + k), (a + off, b)]
    out = []
    for x, y in parts:
        seg = text[x:y]
        if _STATE_RE.fullmatch(seg) and seg.lower() not in KNOWN_ORGS:
            y = x + seg.index(" ")
        out.append((x, y))
    return out


def _and_splits(left: str, right: str) -> bool:
    """'Russia and Ukraine', 'World Bank and the Bank of Korea' split; 'Centre for Disease
    Control and Prevention' does not."""
    lt = left.split()
    complete = bool(lt) and (lt[-1].lower() in ORG_CUES or left.lower() in LOCATIONS
                             or left.lower() in KNOWN_ORGS)
    if right.lstrip().startswith("the ") and org_left(right):
        return True  # "... Prevention and Control and the International Organization ..."
    return complete or not (org_left(left) or org_tail(right))


def _push(out: list[tuple[int, int, bool]], text: str, a: int, b: int, title: bool) -> None:
    while a < b and not text[a].isupper():  # leading connector or space
        nxt = text.find(" ", a, b)
        a = b if nxt < 0 else nxt + 1
    seg = text[a:b].rstrip()
    while True:
        t = _TRAIL_RE.search(seg)
        if t is None or seg.lower().split()[-1] in _ABBR_KEEP:
            break
        seg = seg[: t.start()]
    if seg:
        out.append((a, a + len(seg), title))


def is_sentence_start(text: str, a: int) -> bool:
    k = a - 1
    while k >= 0 and text[k] in " \t\"“‘'(":
        k -= 1
    return k < 0 or text[k] in ".!?\n:;—–-"


def trim_leading(text: str, a: int, b: int) -> tuple[int, int]:
    """Drop sentence-initial common words and demonyms that are not part of the name."""
    whole = text[a:b].lower()
    if whole in LOCATIONS or whole in KNOWN_ORGS:
        return a, b  # "New York's mayor"
    while a < b:
        m = NONSPACE_RE.match(text[a:b])
        if m is None:
            break
        tok = m.group(0)
        rest = text[a + m.end() : b].lstrip()
        low = tok.lower()
        start = is_sentence_start(text, a)
        drop = (low in COMMON_WORDS and (low == "the" or start or not rest)) or tok[0].islower()
        if start and rest and (_HYPHEN_LOWER_RE.search(tok) or ING_RE.fullmatch(tok)):
            drop = True
        if not drop and rest and low in DEMONYMS and not org_tail(rest) and \
                text[a:b].lower() not in KNOWN_ORGS and not (
                low in DIRECTIONS and rest.lower() in LOCATIONS  # "Northern Nevada"
        ) and rest.split(None, 1)[0].lower() not in ORG_HEADS:  # "European Centre for ..."
            drop = True
        if not drop:
            break
        a = b - len(rest) if rest else b
    return a, b


# r"\b[a-z][a-z'’\-]+\b" with the first \b checked after the first letter (no word
# character before it): the same words, found by skipping to the next lower-case letter
_LOWER_WORD_RE = re.compile(r"[a-z](?<!\w.)[a-z'’\-]+\b")
_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz'’-")


class LowerWords:
    """`word in self`: whether `word` is one of _LOWER_WORD_RE's matches in the text (a
    word the text writes in lower case). An article asks about a handful of words, so
    each is looked up where the text has it instead of listing every lower-case word."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._seen: dict[str, bool] = {}

    def __contains__(self, word: str) -> bool:
        if word not in self._seen:
            self._seen[word] = self._find(word)
        return self._seen[word]

    def _find(self, word: str) -> bool:
        text = self.text
        q = text.find(word)
        while q >= 0:
            # a match lies inside one run of [a-z'’-]; matching from the run's start finds
            # what a scan of the whole text finds there
            r = q
            while r > 0 and text[r - 1] in _WORD_CHARS:
                r -= 1
            for m in _LOWER_WORD_RE.finditer(text, r):
                if m.start() >= q:
                    if m.start() == q and m.end() == q + len(word):
                        return True
                    break
            q = text.find(word, q + 1)
        return False


class SpanSet:
    """`pos in self`: whether `pos` lies in one of the spans; the spans are merged once per
    text and looked up by bisection, not scanned for every capitalised run."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        for s, e in sorted(sp for sp in spans if sp[0] < sp[1]):
            if self.ends and s <= self.ends[-1]:
                self.ends[-1] = max(self.ends[-1], e)
            else:
                self.starts.append(s)
                self.ends.append(e)

    def __contains__(self, pos: int) -> bool:
        i = bisect_right(self.starts, pos) - 1
        return i >= 0 and pos < self.ends[i]


def outermost(spans: list[tuple[int, int]]) -> list[bool]:
    """For each span, whether no other span holds it: a span is held when another starts
    before it and reaches its end, or starts with it and ends later. One sweep over the
    starts instead of testing every pair of spans."""
    widest: dict[int, int] = {}
    for s, e in spans:
        if e > widest.get(s, -1):
            widest[s] = e
    reach: dict[int, int] = {}  # the furthest end of the spans that start before a start
    far = -1
    for s in sorted(widest):
        reach[s] = far
        far = max(far, widest[s])
    return [reach[s] < e and widest[s] == e for s, e in spans]
