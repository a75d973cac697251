"""People, organisations and places: capitalised sequences typed by gazetteers and cues."""

from __future__ import annotations

import re
from dataclasses import dataclass

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


_TOKEN = r"(?:[A-Z][\w'’&\-]*(?:\.(?:[A-Z]\.?)*)?|[A-Z]\.)"
_CONNECT = r"(?:of|the|for|and|de|da|del|der|van|von|bin|bint|ibn|al|du|la|le|&)"
_SEQ_RE = re.compile(
    rf"(?<![\w'’\-]){_TOKEN}(?:[ \t]+(?:{_CONNECT}[ \t]+)*(?:al-)?{_TOKEN}|-{_TOKEN})*"
)
_SPEECH_AFTER_RE = re.compile(
    r"^(?:,[^,\n]{1,80},)?\s+(?:\w+ly\s+)?(?:said|says|told|added|noted|stated|wrote|"
    r"explained|replied|tweeted|argued|warned|asked)\b"
)
_APPOS_AFTER_RE = re.compile(r"^,\s+(?:a|an|the)\s+[a-z]|^,\s+(?:who|whose)\b|^,\s+\d{2},")
_LOC_BEFORE_RE = re.compile(
    r"\b(?:in|at|near|from|to|into|across|outside|inside|toward|towards|off|of|visited|"
    r"via)\s+(?:the\s+)?$"
)
_ABBR_KEEP = frozenset({"inc.", "ltd.", "co.", "corp.", "jr.", "sr.", "u.s.", "u.k.", "mass.",
                        "st."})
_NONSPACE_RE = re.compile(r"\S+")
_PARTICLES = frozenset({"bin", "bint", "ibn", "de", "van", "von", "al", "da", "del"})
_LIST_RE = re.compile(
    r"((?:[A-Z][a-z]+,[ \t]+){1,8}[A-Z][a-z]+,?[ \t]+and[ \t]+[A-Z][a-z]+)[ \t]+"
    r"(?:states|provinces|regions|counties|districts|cities|countries|towns|villages)\b"
)
_ITEM_RE = re.compile(r"[A-Z][a-z]+")
_TRAIL_RE = re.compile(rf"[ \t]+(?:{_CONNECT})$|[.,]$")
_POSS_RE = re.compile(r"['’]s?$")
_ACRONYM_RE = re.compile(r"^[A-Z][A-Z&.]{1,4}$")
_STATE_RE = re.compile(r"[A-Z][a-z]+ State")
_HYPHEN_LOWER_RE = re.compile(r"-[a-z]")
_ING_RE = re.compile(r"[A-Z][a-z]+ing")
_NEXT_WORD_RE = re.compile(r"\s+([a-z]+)")
_NAME_TOKEN_RE = re.compile(r"[A-Z][a-z'’\-]+|[A-Z]\.?|al-[A-Z][a-z]+")
_THE_RE = re.compile(r"^the\s+")
_KEY_JUNK_RE = re.compile(r"['’]s$|[^\w ]+")
_LOC_APPOS_RE = re.compile(r"^,\s+(?:a|an|the)\s+(?:[\w\-]+\s+){0,2}?(?P<w>[a-z]+)\b")


def _split_tokens(name: str) -> list[str]:
    return name.replace("-", " - ").split()


def _segments(text: str, m: re.Match[str]) -> list[tuple[int, int, bool]]:
    """Split one capitalised run at possessives, titles, time words, 'and' and trailing
    dots; yields (start, end, after_title)."""
    out: list[tuple[int, int, bool]] = []
    s = m.start()
    after_title = False
    for tm in _NONSPACE_RE.finditer(text[m.start() : m.end()]):
        a, b = m.start() + tm.start(), m.start() + tm.end()
        tok = tm.group(0)
        low = tok.lower()
        bare = _POSS_RE.sub("", tok) if low not in KNOWN_ORGS else tok
        if low in PERSON_TITLES or low.rstrip(".") in PERSON_TITLES:
            _push(out, text, s, a, after_title)
            s, after_title = b, True
            continue
        if low.rstrip(".,") in TIME_WORDS or (low == "and" and _and_splits(text[s:a],
                                                                            text[b : m.end()])):
            _push(out, text, s, a, after_title)
            s, after_title = b, False
            continue
        rest = text[b : m.end()].split()
        if bare != tok and not (len(rest) == 1 and rest[0].lower() in ORG_CUES):
            _push(out, text, s, a + len(bare), after_title)  # a possessive ends the name
            s, after_title = b, False
        elif tok.endswith(".") and low not in _ABBR_KEEP and len(tok) > 2:
            _push(out, text, s, b - 1, after_title)  # "Ukraine. The North": a sentence end
            s, after_title = b, False
    _push(out, text, s, m.end(), after_title)
    return out


def _split_of(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """'Simon Lalong of Plateau State' -> person and place; 'Sokoto State' -> 'Sokoto'."""
    name = text[a:b]
    k = name.find(" of ")
    parts = [(a, b)]
    if k > 0:
        left, right = name[:k], name[k + 4 :]
        rt = right.split()
        if not _org_left(left) and rt and (rt[-1].lower() in LOC_CUES or
                                           right.lower() in LOCATIONS):
            parts = [(a, a + k), (a + k + 4, b)]
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
    return complete or not (_org_left(left) or _org_tail(right))


def _org_left(left: str) -> bool:
    return any(w.lower() in ORG_CUES or w.lower() in ORG_HEADS for w in left.split())


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


def _is_sentence_start(text: str, a: int) -> bool:
    k = a - 1
    while k >= 0 and text[k] in " \t\"“‘'(":
        k -= 1
    return k < 0 or text[k] in ".!?\n:;—–-"


def _trim_leading(text: str, a: int, b: int) -> tuple[int, int]:
    """Drop sentence-initial common words and demonyms that are not part of the name."""
    while a < b:
        m = _NONSPACE_RE.match(text[a:b])
        if m is None:
            break
        tok = m.group(0)
        rest = text[a + m.end() : b].lstrip()
        low = tok.lower()
        start = _is_sentence_start(text, a)
        drop = low in COMMON_WORDS and (low == "the" or start or not rest)
        if start and rest and (_HYPHEN_LOWER_RE.search(tok) or _ING_RE.fullmatch(tok)):
            drop = True
        if not drop and rest and low in DEMONYMS and not _org_tail(rest):
            drop = True
        if not drop:
            break
        a = b - len(rest) if rest else b
    return a, b


def _org_tail(name: str) -> bool:
    toks = name.split()
    return bool(toks) and (toks[-1].lower() in ORG_CUES or " ".join(toks[-2:]).lower() in ORG_CUES)


def _type(
    text: str, a: int, b: int, after_title: bool, lower_words: set[str]
) -> tuple[str, float] | None:
    name = text[a:b]
    low = name.lower()
    toks = name.split()
    if low in LOCATIONS:
        return "location", 0.85
    if low in KNOWN_ORGS:
        return "organization", 0.85
    if len(toks) == 1 and low in ORG_CUES | LOC_CUES:
        return None
    if _org_tail(name) or (toks[0].lower() in ORG_HEADS and " of " in name):
        return "organization", 0.8
    if toks[-1].lower() in LOC_CUES or toks[0].lower() in ("mount", "lake", "interstate"):
        return "location", 0.75
    if low in DEMONYMS or all(t.lower() in DEMONYMS for t in toks):
        return None
    if toks[-1].lower() in EVENT_TAILS or (len(toks) == 1 and low in ORG_CUES | LOC_CUES):
        return None
    if len(toks) == 1 and low in lower_words:
        return None
    if low in COMMON_WORDS:
        return None
    after = text[b : b + 100]
    before = text[max(0, a - 30) : a]
    if _ACRONYM_RE.match(name):
        if len(name) <= 2 and name not in ("UN", "EU"):
            return None
        return "organization", 0.6
    if name.isupper() and len(name) > 6:
        return None
    nxt = _NEXT_WORD_RE.match(after)
    if nxt is not None and nxt.group(1) in LOC_AFTER and not _is_sentence_start(text, a):
        return "location", 0.65
    am = _LOC_APPOS_RE.match(after)
    if am is not None and am.group("w") in LOC_APPOSITIVE:
        return "location", 0.6
    person_cue = (after_title and len(toks) > 1) or bool(_SPEECH_AFTER_RE.match(after)) or bool(
        _APPOS_AFTER_RE.match(after)
    )
    caps = [t for t in toks if t[:1].isupper()]
    if 2 <= len(caps) <= 4 and toks[0] == caps[0] and all(
        _NAME_TOKEN_RE.fullmatch(t) for t in caps
    ) and all(t in caps or t in _PARTICLES or t.startswith("al-") for t in toks):
        if toks[0].lower() in GIVEN_NAMES or person_cue:
            return "person", 0.8
        if _LOC_BEFORE_RE.search(before):
            return "location", 0.5
        if any(t.lower() in COMMON_WORDS for t in toks):
            return None
        return "person", 0.55
    if len(toks) == 1:
        if person_cue:
            return "person", 0.6
        if _LOC_BEFORE_RE.search(before) and not _is_sentence_start(text, a):
            return "location", 0.5
        return None
    if " of " in name or "&" in name:
        return "organization", 0.5
    return None


_LOWER_WORD_RE = re.compile(r"\b[a-z][a-z'’\-]+\b")


def _key(name: str) -> str:
    k = _THE_RE.sub("", name.lower())
    return _KEY_JUNK_RE.sub("", k).strip()


def _candidates(text: str, skip: list[tuple[int, int]]) -> list[EntityHit]:
    lower_words = set(_LOWER_WORD_RE.findall(text))
    hits: list[EntityHit] = []
    for m in _SEQ_RE.finditer(text):
        if any(s <= m.start() < e for s, e in skip):
            continue
        for a0, b0, title in _segments(text, m):
            a1, b1 = _trim_leading(text, a0, b0)
            for a, b in _split_of(text, a1, b1) if b1 - a1 >= 2 else []:
                typed = _type(text, a, b, title, lower_words)
                if typed is not None:
                    hits.append(EntityHit(a, b, text[a:b], typed[0], typed[1]))
    for lm in _LIST_RE.finditer(text):
        for im in _ITEM_RE.finditer(text, lm.start(1), lm.end(1)):
            hits.append(EntityHit(im.start(), im.end(), im.group(0), "location", 0.65))
    return hits


def _merge(hits: list[EntityHit]) -> list[EntityHit]:
    """One entity per name (first span, best type); short forms folded into full names."""
    best: dict[str, EntityHit] = {}
    first: dict[str, EntityHit] = {}
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
        if " " not in k and k in multi_tokens and (b.type == "person" or b.confidence < 0.8):
            continue
        if " " not in k and k in corp_heads:
            continue
        conf = b.confidence
        if count[k] >= 2 and " " in k:
            conf = min(0.9, conf + 0.15)
        elif count[k] >= 3:
            conf = min(0.85, conf + 0.1)
        out.append(EntityHit(f.start, f.end, f.name, b.type, conf))
    return out


def find_entities(
    text: str,
    skip: list[tuple[int, int]] | None = None,
    extra: list[tuple[int, int, str]] | None = None,
) -> list[EntityHit]:
    """Entities of `text` in order of first mention; `extra` adds known spans (byline
    authors, publisher, dateline place) with their type."""
    hits = _candidates(text, skip or [])
    for a, b, typ in extra or []:
        hits.append(EntityHit(a, b, text[a:b], typ, 0.8))
    hits.sort(key=lambda h: h.start)
    merged = _merge(hits)
    # drop entities nested inside a longer one at the same place (dateline "MONZA, Italy")
    spans = [(h.start, h.end) for h in merged]
    return [h for h in merged
            if not any(s <= h.start and h.end <= e and (s, e) != (h.start, h.end)
                       for s, e in spans if e - s > h.end - h.start)]
