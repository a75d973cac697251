"""People, organisations and places: capitalised sequences typed by gazetteers and cues."""

from __future__ import annotations

import re
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
    LowerWords,
    SpanSet,
    is_sentence_start,
    outermost,
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


# _profile()'s mark for a check it leaves to the context ("type from the text around")
_GO: tuple[str, float] = ("?", -1.0)


class _Profile(NamedTuple):
    """What _type() can tell from a name alone, in _type()'s order, so that it is worked
    out once per name (a name recurs within an article and across articles)."""

    low: str
    toks: tuple[str, ...]
    known: tuple[str, float] | None  # a gazetteer's type, or _GO
    ruling: bool  # one word, an organisation cue: "the ruling nationalist Front"
    cue: bool  # one word, an organisation or place cue: no name of its own
    shape: tuple[str, float] | None  # typed by its words (heads, tails, cues), or _GO
    single: bool
    plain: tuple[str, float] | None  # a common word, time word or acronym, or _GO


def _shape(name: str, low: str, toks: tuple[str, ...]) -> tuple[str, float] | None:
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
    return _GO


def _plain(name: str, low: str) -> tuple[str, float] | None:
    if low in COMMON_WORDS or low in TIME_WORDS:
        return None
    if ACRONYM_RE.match(name):
        if len(name) <= 2 and name not in ("UN", "EU"):
            return None
        return "organization", 0.6
    if name.isupper() and len(name) > 6:
        return None
    return _GO


@lru_cache(maxsize=8192)
def _profile(name: str) -> _Profile:
    low = name.lower()
    toks = tuple(name.split())
    single = len(toks) == 1
    known: tuple[str, float] | None = _GO
    if low in LOCATIONS:
        known = "location", 0.85
    elif low in KNOWN_ORGS:
        known = "organization", 0.85
    elif low in PARTY_PLURALS:
        known = "organization", 0.7
    if known is not _GO:
        return _Profile(low, toks, known, False, False, _GO, single, _GO)
    ruling = single and low in ORG_CUES
    cue = single and (low in ORG_CUES or low in LOC_CUES)
    # no words: _type() reaches toks[0] (an IndexError) only after its context checks
    shape = _shape(name, low, toks) if toks else _GO
    return _Profile(low, toks, known, ruling, cue, shape, single, _plain(name, low))


def _type(
    text: str, a: int, b: int, after_title: bool, lower_words: LowerWords
) -> tuple[str, float] | None:
    pr = _profile(text[a:b])
    if pr.known is not _GO:
        return pr.known
    if text[a - 1 : a] in "\"“" and text[b : b + 1] in "\"”" and a > 0 and b < len(text):
        return None  # a quoted title of a work: "Silver Swan"
    if pr.ruling and ruling_before(words_before(text, a)):
        return "organization", 0.6  # "the ruling nationalist Front"
    if pr.cue or NOT_ENTITY_AFTER_RE.match(text, b):
        return None
    shape = pr.shape if pr.toks else _shape(text[a:b], pr.low, pr.toks)
    if shape is not _GO:
        return shape
    if pr.single and pr.low in lower_words:
        return None
    if pr.plain is not _GO:
        return pr.plain
    return _context_type(text, a, b, after_title, pr.toks)


def _context_type(
    text: str, a: int, b: int, after_title: bool, toks: tuple[str, ...]
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


@lru_cache(maxsize=4096)  # a name recurs within an article and across articles
def _key(name: str) -> str:
    k = _THE_RE.sub("", name.lower())
    return _KEY_JUNK_RE.sub("", k).strip()


@lru_cache(maxsize=8192)  # a name recurs within an article and across articles
def _pieces(seg: str) -> tuple[bool, tuple[tuple[int, int], ...]]:
    """Of a name span alone: whether it ends in a route word ("Interstate"), and the names
    it holds (cut at "/" and split_of()) as offsets into it."""
    last = seg.rsplit(" ", 1)[-1]
    if "/" not in seg and " of " not in seg and not seg.endswith(" State"):
        return last.lower() in ROUTE_WORDS, ((0, len(seg)),)  # nothing to cut
    spans = [(0, len(seg))]
    if "/" in seg and not (org_tail(seg) or last.lower() in LOC_CUES):
        spans = parts(seg, 0, len(seg), "/")  # "AFP/Getty" but "Harwell/Dunmore Airport"
    return last.lower() in ROUTE_WORDS, tuple(pq for x, y in spans for pq in split_of(seg, x, y))


def _segment_hits(
    text: str, a: int, b: int, title: bool, lower_words: LowerWords
) -> list[_Hit]:
    route, pieces = _pieces(text[a:b])
    rm = ROUTE_NUMBER_RE.match(text, b) if route else None
    if rm is not None:  # "Interstate 80"
        return [_Hit(a, rm.end(), text[a : rm.end()], "location", 0.75)]
    if "-" in text[a:b] and CHAIN_AFTER_RE.match(text, b):
        return [_Hit(x, y, text[x:y], "location", 0.6) for x, y in parts(text, a, b, "-")]
    out: list[_Hit] = []
    for p0, q0 in pieces:
        p, q = a + p0, a + q0
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


def _candidates(text: str, skip: list[tuple[int, int]]) -> list[_Hit]:
    lower_words = LowerWords(text)
    skipped = SpanSet(skip)
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
    merged = _merge(_joined_on(text, hits))
    # drop entities nested inside a longer one (dateline "MONZA, Italy")
    keep = outermost([(h.start, h.end) for h in merged])
    return [h for h, k in zip(merged, keep, strict=True) if k]
