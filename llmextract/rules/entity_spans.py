"""Capitalised runs cut into name spans: at titles, possessives, time words, 'and',
'of' and sentence ends, less the leading words that are not part of the name."""

from __future__ import annotations

import re
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
    "is_sentence_start",
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
