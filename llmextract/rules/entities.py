"""People, organisations and places: capitalised sequences typed by gazetteers and cues."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from llmextract.rules.entity_cues import (
    ACRONYM_RE,
    CHAIN_AFTER_RE,
    DIRECTIONS,
    LIST_HINT_RE,
    LIST_RE,
    NAME_TOKEN_RE,
    NOT_ENTITY_AFTER_RE,
    ORG_AFTER_RE,
    PAREN_ACRONYM_RE,
    PLACE_TITLE_AFTER_RE,
    ROUTE_NUMBER_RE,
    ROUTE_WORDS,
    STORM_HEADS,
    find_domains,
    find_roads,
    list_items,
    loc_before,
    org_before,
    org_left,
    org_tail,
    parts,
    place_appos_before,
    ruling_before,
    words_before,
)
from llmextract.rules.entity_spans import (
    ING_RE,
    NONSPACE_RE,
    SEQ_RE,
    is_sentence_start,
    run_spans,
    split_of,
    trim_leading,
)
from llmextract.rules.gazetteer import (
    COMMON_WORDS,
    CORP_SUFFIX,
    DEMONYMS,
    EVENT_TAILS,
    GIVEN_NAMES,
    KNOWN_ORGS,
    LOC_AFTER,
    LOC_APPOSITIVE,
    LOC_CUES,
    LOCATIONS,
    ORG_CUES,
    ORG_HEADS,
    PARTY_PLURALS,
    PERSON_TITLES,
    TIME_WORDS,
)

__all__ = ["EntityHit", "find_entities"]


@dataclass(frozen=True)
class EntityHit:
    start: int
    end: int
    name: str
    type: str
    confidence: float


class _Hit(NamedTuple):
    """A candidate before merging: EntityHit's fields in a tuple, which is cheaper to make
    than a frozen dataclass (most candidates are merged away or dropped)."""

    start: int
    end: int
    name: str
    type: str
    confidence: float


_SPEECH_AFTER_RE = re.compile(
    r"^(?:,[^,\n]{1,80},)?\s+(?:\w+ly\s+)?(?:said|says|told|added|noted|stated|wrote|"
    r"explained|replied|tweeted|argued|warned|asked)\b"
)
_APPOS_AFTER_RE = re.compile(r"^,\s+(?:a|an|the)\s+[a-z]|^,\s+(?:who|whose)\b|^,\s+\d{2},")
_PARTICLES = frozenset({"bin", "bint", "ibn", "de", "van", "von", "al", "da", "del"})
_NEXT_WORD_RE = re.compile(r"\s+([A-Za-z]+)")
_THE_RE = re.compile(r"^the\s+")
_KEY_JUNK_RE = re.compile(r"['’]s$|[^\w ]+")
_LOC_APPOS_RE = re.compile(r"^,\s+(?:a|an|the)\s+(?:[\w\-]+\s+){0,2}?(?P<w>[a-z]+)\b")


def _type(
    text: str, a: int, b: int, after_title: bool, lower_words: _LowerWords
) -> tuple[str, float] | None:
    name = text[a:b]
    low = name.lower()
    toks = name.split()
    if low in LOCATIONS:
        return "location", 0.85
    if low in KNOWN_ORGS:
        return "organization", 0.85
    if low in PARTY_PLURALS:
        return "organization", 0.7
    if text[a - 1 : a] in "\"“" and text[b : b + 1] in "\"”" and a > 0 and b < len(text):
        return None  # a quoted title of a work: "Silver Swan"
    if len(toks) == 1 and low in ORG_CUES and ruling_before(words_before(text, a)):
        return "organization", 0.6  # "the ruling nationalist Front"
    if len(toks) == 1 and (low in ORG_CUES or low in LOC_CUES):  # no set union per call
        return None
    if NOT_ENTITY_AFTER_RE.match(text, b):
        return None
    if org_tail(name) or (toks[0].lower() in ORG_HEADS and " of " in name):
        return "organization", 0.8
    if toks[-1].lower() in LOC_CUES or toks[0].lower() in ("mount", "lake", "interstate"):
        return "location", 0.75
    if len(toks) == 2 and toks[0].lower() in DIRECTIONS and toks[1].lower() in LOCATIONS:
        return "location", 0.8  # "Northern Nevada"
    if low in DEMONYMS or all(t.lower() in DEMONYMS for t in toks):
        return None
    if toks[-1].lower() in EVENT_TAILS or toks[0].lower() in STORM_HEADS:
        return None
    if (len(toks) == 1 and low in lower_words) or low in COMMON_WORDS or low in TIME_WORDS:
        return None
    if ACRONYM_RE.match(name):
        if len(name) <= 2 and name not in ("UN", "EU"):
            return None
        return "organization", 0.6
    if name.isupper() and len(name) > 6:
        return None
    return _context_type(text, a, b, after_title, toks)


def _context_type(
    text: str, a: int, b: int, after_title: bool, toks: list[str]
) -> tuple[str, float] | None:
    """Type a name the gazetteers do not know by the words around it."""
    name = text[a:b]
    after = text[b : b + 100]
    before = words_before(text, a)
    if PLACE_TITLE_AFTER_RE.match(after) and not ING_RE.fullmatch(toks[0]):
        return "location", 0.65  # "Velm Gov. Anton Kessler"
    nxt = _NEXT_WORD_RE.match(after)
    if nxt is not None and nxt.group(1).lower() in LOC_AFTER and not is_sentence_start(text, a):
        return "location", 0.65
    am = _LOC_APPOS_RE.match(after)
    if am is not None and am.group("w") in LOC_APPOSITIVE:
        return "location", 0.6
    if org_before(before):
        return "organization", 0.6  # "the website Quakewatch", "chief executive of Orvato"
    person_cue = (after_title and len(toks) > 1) or bool(_SPEECH_AFTER_RE.match(after)) or bool(
        _APPOS_AFTER_RE.match(after)
    )
    caps = [t for t in toks if t[:1].isupper()]
    if 2 <= len(caps) <= 4 and toks[0] == caps[0] and all(
        NAME_TOKEN_RE.fullmatch(t) for t in caps
    ) and all(t in caps or t in _PARTICLES or t.startswith("al-") for t in toks):
        if toks[0].lower() in GIVEN_NAMES or person_cue:
            return "person", 0.8
        if loc_before(before):
            return "location", 0.5
        if any(t.lower() in COMMON_WORDS for t in toks):
            return None
        return "person", 0.55
    if len(toks) == 1:
        if person_cue:
            return "person", 0.6
        if place_appos_before(before):
            return "location", 0.6  # "the provincial capital, Tarnow,"
        if loc_before(before) and not is_sentence_start(text, a):
            return "location", 0.5
        if not is_sentence_start(text, a) and _named_again(text, name, b):
            return "organization", 0.5  # "Millwall ... beat Sunderland", named twice
        return None
    if " of " in name or "&" in name or (
        (" for " in name or " and " in name) and org_left(name)
    ):
        return "organization", 0.5 if " of " in name else 0.6
    return None


def _named_again(text: str, name: str, after: int) -> bool:
    """A single capitalised word the article writes again, mid-sentence, after `after`."""
    pos = text.find(name, after)
    while pos >= 0:
        edge = text[pos + len(name):pos + len(name) + 1]
        if not (edge.isalnum() or text[pos - 1:pos].isalnum()) and \
                not is_sentence_start(text, pos):
            return True
        pos = text.find(name, pos + 1)
    return False


# r"\b[a-z][a-z'’\-]+\b" with the first \b checked after the first letter (no word
# character before it): the same words, found by skipping to the next lower-case letter
_LOWER_WORD_RE = re.compile(r"[a-z](?<!\w.)[a-z'’\-]+\b")
_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz'’-")


class _LowerWords:
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


@lru_cache(maxsize=4096)  # a name recurs within an article and across articles
def _key(name: str) -> str:
    k = _THE_RE.sub("", name.lower())
    return _KEY_JUNK_RE.sub("", k).strip()


def _segment_hits(
    text: str, a: int, b: int, title: bool, lower_words: _LowerWords
) -> list[_Hit]:
    seg = text[a:b]
    last = seg.rsplit(" ", 1)[-1]
    rm = ROUTE_NUMBER_RE.match(text, b) if last.lower() in ROUTE_WORDS else None
    if rm is not None:  # "Interstate 80"
        return [_Hit(a, rm.end(), text[a : rm.end()], "location", 0.75)]
    if "-" in seg and CHAIN_AFTER_RE.match(text, b):
        return [_Hit(x, y, text[x:y], "location", 0.6) for x, y in parts(text, a, b, "-")]
    spans = [(a, b)]
    if "/" in seg and not (org_tail(seg) or last.lower() in LOC_CUES):
        spans = parts(text, a, b, "/")  # "AFP/Getty" but "Harwell/Dunmore Airport"
    out: list[_Hit] = []
    for x, y in spans:
        for p, q in split_of(text, x, y):
            typed = _type(text, p, q, title, lower_words)
            if typed is None:
                continue
            out.append(_Hit(p, q, text[p:q], typed[0], typed[1]))
            acr = PAREN_ACRONYM_RE.match(text, q)
            if acr is not None and typed[0] != "person" and not text[p:q].isupper():
                out.append(_Hit(acr.start(1), acr.end(1), acr.group(1), typed[0], 0.8))
    return out


def _named_body(text: str, m: re.Match[str], word: str,
                last: tuple[int, int] | None) -> _Hit | None:
    """'the Biden administration', 'the NDA government', 'the Free and Fair party'."""
    party = word == "party"
    if party and " and " in m.group(0):  # the name after any complete one before it
        s0 = m.start()
        for w in NONSPACE_RE.finditer(text, m.start(), m.end()):
            joint = s0 == w.start() - 1 and w.group(0) in ("and", "the")
            if joint or w.group(0).lower() in ORG_CUES:
                s0 = w.end()
        last = trim_leading(text, s0 + (s0 < m.end() and text[s0] == " "), m.end())
    if last is None or last[1] != m.end() or last[1] - last[0] < 2:
        return None
    a, b = last
    low = text[a:b].lower()
    if (low in LOCATIONS or low in KNOWN_ORGS or low in COMMON_WORDS or low in TIME_WORDS
            or (low in DEMONYMS and not party) or low.rsplit(" ", 1)[-1] in LOC_CUES):
        return None
    end = b if party else text.index(word, m.end()) + len(word)
    return _Hit(a, end, text[a:end], "organization", 0.7)


# A run that is one plain capitalised word among these ("The", "But", "However") yields
# nothing: segments() keeps it whole, trim_leading() drops a common word that ends its run,
# and nothing is left to type or to head a "... government" body. Words the gazetteers
# know as places, organisations, titles or time words take the long way.
_LONE_DROPPED = frozenset(COMMON_WORDS - LOCATIONS - KNOWN_ORGS - PERSON_TITLES - TIME_WORDS)
# Those words as a run writes them: capital and lower-case ASCII letters. A run opens with a
# capital, so `run in _LONE_RUNS` is "an ASCII word of letters, lower case after its first,
# lowered in _LONE_DROPPED" in one set look-up.
_LONE_RUNS = frozenset(w[0].upper() + w[1:] for w in _LONE_DROPPED
                       if len(w) >= 2 and w.isascii() and w.isalpha() and w.islower())


class _Skip:
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


def _candidates(text: str, skip: list[tuple[int, int]]) -> list[_Hit]:
    lower_words = _LowerWords(text)
    skipped = _Skip(skip)
    hits: list[_Hit] = []
    for m in SEQ_RE.finditer(text):
        if m.group(0) in _LONE_RUNS or m.start() in skipped:
            continue
        last: tuple[int, int] | None = None
        s = m.start()
        for a1, b1, title in run_spans(m.group(0), is_sentence_start(text, s)):
            a1, b1 = s + a1, s + b1
            last = (a1, b1)
            if b1 - a1 >= 2:
                hits.extend(_segment_hits(text, a1, b1, title, lower_words))
        om = ORG_AFTER_RE.match(text, m.end())
        body = _named_body(text, m, om.group(1), last) if om is not None else None
        if body is not None:
            hits.append(body)
    if LIST_HINT_RE.search(text) is not None:
        located = {h.name.lower() for h in hits if h.type == "location"}
        for lm in LIST_RE.finditer(text):
            for a, b in list_items(text, lm, located):
                hits.append(_Hit(a, b, text[a:b], "location", 0.6))
    for a, b in find_domains(text):
        if a not in skipped:
            hits.append(_Hit(a, b, text[a:b], "organization", 0.7))
    for a, b in find_roads(text):
        if a not in skipped:
            hits.append(_Hit(a, b, text[a:b], "location", 0.7))
    return hits


def _merge(hits: list[_Hit]) -> list[EntityHit]:
    """One entity per name (first span, best type); short forms folded into full names."""
    best: dict[str, _Hit] = {}
    first: dict[str, _Hit] = {}
    count: dict[str, int] = {}
    for h in hits:
        k = _key(h.name)
        if not k:
            continue
        count[k] = count.get(k, 0) + 1
        first.setdefault(k, h)
        if k not in best or h.confidence > best[k].confidence:
            best[k] = h
    multi_tokens: dict[str, str] = {}
    corp_heads: set[str] = set()
    for k, h in best.items():
        if " " in k and h.type == "person":
            for t in k.split():
                multi_tokens.setdefault(t, k)
        elif " " in k:
            multi_tokens.setdefault(k.split()[0], k)
            if k.split()[-1] in CORP_SUFFIX:
                corp_heads.add(k.split()[0])
    out: list[EntityHit] = []
    for k, f in first.items():
        b = best[k]
        full = best[multi_tokens[k]] if " " not in k and k in multi_tokens else None
        if (full is not None and _folds(b, full, count[k])) or (" " not in k and k in corp_heads):
            continue
        typ = full.type if full is not None and ACRONYM_RE.match(b.name) and \
            b.confidence < 0.8 else b.type
        conf = b.confidence
        if count[k] >= 2 and " " in k:
            conf = min(0.9, conf + 0.15)
        elif count[k] >= 3:
            conf = min(0.85, conf + 0.1)
        out.append(EntityHit(f.start, f.end, f.name, typ, conf))
    return out


def _folds(short: _Hit, full: _Hit, count: int) -> bool:
    """Whether a one-word name is only a short form of a longer name ("Kim" of "Kim Jong
    Un"); not an acronym used alone twice ("HRA" beside "HRA Marshall Terminal") nor a place
    typed by its context beside an organisation ("Velm" beside "Velm Centre for ...")."""
    if short.type == "person":
        return True
    if short.confidence >= 0.8 or (count >= 2 and ACRONYM_RE.match(short.name)):
        return False
    return not (short.type == "location" and full.type == "organization"
                and short.confidence >= 0.6)


# "the Texas Commission on Environmental Quality", "Council on Foreign Relations"
_ON_HEADS = ("Commission|Committee|Subcommittee|Council|Conference|Panel|Board|Forum|"
             "Task Force|Institute|Centre|Center|Office")
_ON_BEFORE_RE = re.compile(
    rf"(?<![\w'’])(?P<org>(?:(?!The\b)[A-Z][\w'’.\-]*[ \t]+){{0,4}}(?:{_ON_HEADS}))"
    r"[ \t]+on[ \t]+$")


def _joined_on(text: str, hits: list[_Hit]) -> list[_Hit]:
    """An organisation whose head is a commission, committee, council... runs on over "on"
    and the capitalised name of its subject ("Council on Foreign Relations"), which is then
    no entity of its own."""
    joined: dict[int, _Hit] = {}
    for g in hits:
        lo = max(0, g.start - 90)
        # a match ends "on", blanks and at most one line break: most hits cannot follow one
        if not text[lo:g.start].rstrip(" \t\n").endswith("on"):
            continue
        m = _ON_BEFORE_RE.search(text, lo, g.start)
        if m is not None:
            a = m.start("org")
            joined[g.start] = _Hit(a, g.end, text[a:g.end], "organization", 0.7)
    if not joined:
        return hits
    starts = {j.start for j in joined.values()}
    out = [joined.get(h.start, h) for h in hits if h.start not in starts]
    return sorted(out, key=lambda h: h.start)


def find_entities(
    text: str,
    skip: list[tuple[int, int]] | None = None,
    extra: list[tuple[int, int, str]] | None = None,
) -> list[EntityHit]:
    """Entities of `text` in order of first mention; `extra` adds known spans (byline
    authors, publisher, dateline place) with their type."""
    hits = _candidates(text, skip or [])
    for a, b, typ in extra or []:
        hits.append(_Hit(a, b, text[a:b], typ, 0.8))
    hits.sort(key=lambda h: h.start)
    return _outermost(_merge(_joined_on(text, hits)))


def _outermost(merged: list[EntityHit]) -> list[EntityHit]:
    """Drop entities nested inside a longer one (dateline "MONZA, Italy"): a span is nested
    when another starts before it and reaches its end, or starts with it and ends later.
    One sweep over the starts instead of testing every pair of spans."""
    widest: dict[int, int] = {}
    for h in merged:
        if h.end > widest.get(h.start, -1):
            widest[h.start] = h.end
    reach: dict[int, int] = {}  # the furthest end of the spans that start before a start
    far = -1
    for s in sorted(widest):
        reach[s] = far
        far = max(far, widest[s])
    return [h for h in merged if reach[h.start] < h.end and widest[h.start] == h.end]
