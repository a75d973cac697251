"""Lead summary, key points and topic labels."""

from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise

from llmextract.rules.sentences import Block

__all__ = ["body_sentences", "is_boilerplate", "key_points", "lead_summary", "topics"]

_BOILER_RE = re.compile(
    r"^\s*(?:#+\s*)?(?:Related(?:\s+article)?s?|Read\s+more|READ\s+MORE|See\s+also|Also\s+read|"
    r"Advertisement|Photo|Image|Video|Watch|Click|Subscribe|Sign\s+up|Follow\s+us|Share|"
    r"Copyright|©|Original\s+url|Source|Tags?)\b",
    re.IGNORECASE,
)
_CAPTION_RE = re.compile(
    r"(?:\s/\s*[A-Z]{2,}|\b(?:Getty Images|REUTERS/|AFP PHOTO|AP Photo|Photo:|Credit:|"
    r"File photo|VIA)\b)"
)
_TOPICS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("war", ("war", "troops", "soldiers", "military", "missile", "artillery", "combat",
             "drone", "airstrike", "invasion", "army", "casualties", "ceasefire")),
    ("politics", ("election", "parliament", "senate", "minister", "president", "vote",
                  "votes", "governor", "lawmakers", "party", "government", "decree")),
    ("economy", ("economy", "economic", "inflation", "interest rate", "rates", "gdp",
                 "prices", "oil", "market", "markets", "growth", "trade", "tariffs")),
    ("business", ("company", "profit", "profits", "earnings", "revenue", "sales", "shares",
                  "investors", "ceo", "quarter", "stock", "billion", "million")),
    ("health", ("health", "disease", "virus", "outbreak", "hospital", "fever", "vaccine",
                "infections", "cases", "patients", "doctors", "fatality")),
    ("disaster", ("earthquake", "quake", "flood", "floods", "wildfire", "fire", "storm",
                  "hurricane", "typhoon", "cyclone", "landslide", "crash", "derail",
                  "death toll", "rescue", "evacuation", "evacuations", "sink")),
    ("crime", ("police", "arrested", "murder", "court", "sentenced", "prison", "charged",
               "corruption", "fraud", "trial", "judge", "prosecutors")),
    ("sport", ("match", "tournament", "final", "championship", "marathon", "olympic",
               "tennis", "football", "coach", "title", "league", "cup", "race")),
    ("technology", ("technology", "cyber", "software", "data", "hackers", "hack", "ai",
                    "internet", "digital", "online", "app", "breach")),
    ("environment", ("climate", "emissions", "pollution", "environment", "forest",
                     "wildlife", "carbon", "drought")),
    ("migration", ("migrants", "migrant", "refugees", "asylum", "migration")),
    ("transport", ("airport", "passengers", "flight", "airline", "airlines", "train",
                   "railway", "plane", "aircraft")),
    ("labour", ("strike", "unions", "workers", "wages", "labour", "labor")),
    ("culture", ("art", "auction", "painting", "museum", "film", "music", "artist")),
)
_WORDS_RE = re.compile(r"[a-z]+")


def is_boilerplate(s: str) -> bool:
    """Captions, "Related article:" lines, tweets and other non-body lines."""
    t = s.strip()
    if _BOILER_RE.match(t) or t.startswith(("—", "#", "http", "@", "(@", "[")):
        return True
    words = t.split()
    if len(words) <= 14 and _CAPTION_RE.search(t):
        return True
    return len(words) < 5 or not _SENT_END_RE.search(t)


_SENT_END_RE = re.compile(r"[.!?\"”’)]$")
_DATELINE_RE = re.compile(
    r"^\s*(?:[A-Z][A-Z.,'’\- ]+(?:,\s*[A-Z][\w.]+)*\s*)?(?:,\s*\w+\.?\s+\d{1,2}\s*)?"
    r"\([^)]{1,30}\)\s*(?:-{1,2}|–|—|:)\s*")
_PLACE_DASH_RE = re.compile(
    r"^\s*[A-Z][A-Z'’\-]+(?:\s[A-Z][A-Z'’\-]+){0,3}\s*(?:-{1,2}|–|—)\s+(?=[A-Z])")


def body_sentences(sents: list[Block], skip: list[tuple[int, int]]) -> list[Block]:
    """Sentences of the article body (no headline, byline, dateline, captions)."""
    out: list[Block] = []
    for s in sents:
        if any(a <= s.start < b for a, b in skip) or is_boilerplate(s.text):
            continue
        out.append(s)
    return out


def _strip_dateline(s: str) -> str:
    m = _DATELINE_RE.match(s) or _PLACE_DASH_RE.match(s)
    return s[m.end():] if m else s


def lead_summary(body: list[Block], max_chars: int = 700) -> str:
    """Two to four lead sentences, verbatim (a dateline prefix removed)."""
    picked: list[str] = []
    total = 0
    for s in body:
        t = _strip_dateline(s.text).strip()
        if len(t.split()) < 6 or t.startswith(("\"", "“")) or t[:1].islower():
            continue
        if picked and total + len(t) > max_chars and len(picked) >= 2:
            break
        picked.append(t)
        total += len(t)
        if len(picked) == 4 or (len(picked) >= 2 and total > 400):
            break
    return " ".join(picked)


def key_points(body: list[Block], figure_starts: list[int], lead: str) -> list[str]:
    """Three to six short body sentences, preferring those that state figures."""
    scored: list[tuple[float, int, str]] = []
    for i, s in enumerate(body):
        t = _strip_dateline(s.text).strip()
        n = len(t.split())
        if n < 6 or t.startswith(("\"", "“")) or t[:1].islower():
            continue
        nfig = sum(1 for f in figure_starts if s.start <= f < s.end)
        score = nfig * 2.0 + (1.0 if i < 3 else 0.0) - max(0, n - 35) * 0.1
        if t in lead:
            score -= 1.5
        scored.append((score, i, t))
    ranked = sorted(scored, key=lambda x: (-x[0], x[1]))[:6]
    best = [b for b in ranked if b[0] > 0]
    if len(best) < 3:
        best = ranked[:3]
    return [t for _, _, t in sorted(best, key=lambda x: x[1])]


def topics(text: str, limit: int = 3) -> list[str]:
    """A few lowercase topic labels from a keyword table."""
    words = _WORDS_RE.findall(text[:20000].lower())
    counts_w = Counter(words)
    counts_w.update(f"{a} {b}" for a, b in pairwise(words))
    scored: list[tuple[int, int, str]] = []
    for i, (label, keys) in enumerate(_TOPICS):
        n = sum(counts_w.get(k, 0) for k in keys)
        if n >= 2:
            scored.append((n, -i, label))
    scored.sort(reverse=True)
    return [label for _, _, label in scored[:limit]]
