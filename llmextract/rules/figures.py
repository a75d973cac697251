"""Newsworthy figures: number phrases with what they describe and who states them."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from llmextract.rules.quotes import SPEECH_VERBS, SUBJECT, clean_speaker
from llmextract.rules.sentences import Block
from llmextract.text.numbers import NumberMatch, find_numbers
from llmextract.text.numpatterns import letter_tree

__all__ = ["FigureHit", "find_figures"]


@dataclass(frozen=True)
class FigureHit:
    match: NumberMatch
    describes: str
    attributed_to: str | None
    confidence: float


_WORD_RE = re.compile(r"[A-Za-z][\w'’\-]*")
_STRONG_UNITS = frozenset({"percent", "percentage points"})
_SAID_RE = re.compile(rf"(?P<spk>{SUBJECT})(?:,[^,\"“”]{{1,80}},)?\s+(?:{SPEECH_VERBS})\b")
_ACCORDING_RE = re.compile(r"\b[Aa]ccording\s+to\s+(?P<spk>[^,.;:()\"“”]{2,80})")
# _SAID_RE ends in whitespace and a speech verb: a sentence without one cannot match it. The
# verbs as a tree of their letters, and "pointed"/"went" for "pointed out"/"went on": every
# place _SAID_RE's verb can stand, found without trying seventy words at each space.
_VERB_WORDS = sorted({v.split("\\s+")[0] for v in SPEECH_VERBS.split("|")})


_VERB_RE = re.compile(rf"\s{letter_tree(_VERB_WORDS)}\b")
# The characters of a speaker phrase (SUBJECT) and the spaces after it
_SPEAKER_RUN_RE = re.compile(r"[\w'’.\-&\s]*")
_CAP_TAIL_RE = re.compile(r"[A-Z][\w'’\-]*(?:[ \t]+(?:[A-Z][\w'’\-]*|of|the|for|and))*$")
_NUM_WORDS = frozenset(
    "million billion thousand trillion percent cent cents share euros dollars pounds th st nd "
    "rd".split()
)
_CTX_STOP = frozenset(
    "the a an of to in on at by for and or was were is are has have had been be with from "
    "that this which its their his her".split()
)


def _sentence_of(sents: list[Block], starts: list[int], pos: int) -> Block | None:
    i = bisect.bisect_right(starts, pos) - 1
    if i >= 0 and sents[i].start <= pos < sents[i].end:
        return sents[i]
    return None


def _last_words(text: str, lo: int, end: int) -> list[str]:
    """`_WORD_RE.findall(text, lo, end)[-6:]`, reading only the last 120 characters when
    they hold enough words: a search from inside the span may start inside a word, but once
    a word has ended both searches find the same words, so all but the first found agree."""
    if end - lo > 120:
        words = _WORD_RE.findall(text, end - 120, end)[1:]
        if len(words) >= 6:
            return words[-6:]
    return _WORD_RE.findall(text, lo, end)[-6:]


def _describes(text: str, nm: NumberMatch, sent: Block | None) -> str:
    if nm.unit and nm.unit not in ("USD", "EUR", "GBP", "JPY", "CNY", "INR") and nm.unit not in \
            _STRONG_UNITS:
        tail = nm.text.split()
        idx = max((i for i, w in enumerate(tail) if any(map(str.isdigit, w)) or
                   w.lower() in ("million", "billion", "thousand")), default=-1)
        phrase = " ".join(tail[idx + 1 :]) if idx >= 0 else nm.unit
        if phrase:
            return phrase
    lo = sent.start if sent is not None else max(0, nm.start - 80)
    ctx = [w for w in _last_words(text, lo, nm.start)
           if w.lower() not in _CTX_STOP and w.lower() not in _NUM_WORDS]
    ctx = ctx[-4:]
    if ctx:
        return " ".join(ctx)
    after = _WORD_RE.findall(text, nm.end, nm.end + 60)
    return " ".join(after[:4]) if after else (nm.unit or "number")


_QUOTED_RE = re.compile(r"[\"“][^\"“”]*[\"”]")
_DIGIT_RE = re.compile(r"\d")


def _run_start(back: str, end: int) -> int:
    """The start of the run of speaker characters that ends at `end` of the text `back`
    reverses."""
    m = _SPEAKER_RUN_RE.match(back, len(back) - end)
    return len(back) - m.end() if m is not None else end


def _said_span(s: str) -> tuple[int, int] | None:
    """Where in s the first _SAID_RE match lies at the widest, None where none can.

    A match is a speaker phrase, maybe ", an apposition,", then spaces and a verb. The
    phrase and the spaces are a run of _SPEAKER_RUN_RE's characters, and the apposition
    holds no comma: a match before a verb starts inside the run that ends at the verb or,
    when a comma ends that run, inside the run that ends at the comma 1-80 characters
    before it; it ends at the end of a verb. A search of that span finds what a search of
    s finds (_SAID_RE looks at nothing outside its match), without trying the phrase at
    every letter of a long sentence. The runs are read backwards, on the reversed text."""
    lo = hi = -1
    back = ""
    for v in _VERB_RE.finditer(s):
        back = back or s[::-1]
        at = _run_start(back, v.start())
        if at > 0 and s[at - 1] == ",":  # maybe the comma closing ", an apposition,"
            o = s.rfind(",", max(0, at - 82), at - 1)  # the one opening it
            if o >= 0:
                at = _run_start(back, o)
        lo = at if lo < 0 else min(lo, at)
        # "pointed out", "went on": the verb's last word is further on
        hi = v.end() if v.group(0)[1:] not in ("pointed", "went") else len(s)
    return (lo, hi) if lo >= 0 else None


def _attributed(text: str, sent: Block | None) -> str | None:
    if sent is None:
        return None
    s = sent.text
    if '"' in s or "“" in s:  # only a quotation mark can start a _QUOTED_RE match
        s = _QUOTED_RE.sub(lambda m: " " * len(m.group(0)), s)
    span = _said_span(s)
    m = _SAID_RE.search(s, *span) if span is not None else None
    if m is None and "ccording" in s:
        m = _ACCORDING_RE.search(s)
    if m is None:
        return None
    raw = m.group("spk").strip()
    cap = _CAP_TAIL_RE.search(raw)
    if cap is not None and m.re is _ACCORDING_RE and cap.start() > 0:
        raw = cap.group(0)
    spk = clean_speaker(raw)
    if spk is None or spk.lower() in ("he", "she", "it", "they", "we", "i"):
        return None
    return spk


def _confidence(text: str, nm: NumberMatch) -> float:
    if nm.value is None:
        return 0.6
    if nm.unit is not None:
        return 0.85 if _DIGIT_RE.search(nm.text) else 0.75
    if nm.text[-1:].isdigit() and _DIGIT_RE.search(nm.text) and _counted_near(text, nm.end):
        return 0.75  # "400 others remained missing", "16 were passenger coaches"
    return 0.5



_COUNTED_STATES = frozenset(
    "others killed injured dead missing damaged destroyed wounded displaced arrested "
    "evacuated hurt people homes".split()
)
_NOT_PLURAL = frozenset("is was has does goes says its this thus us yes as his hers its plus "
                        "less unless across perhaps always".split())


def _counted_near(text: str, end: int) -> bool:
    """A counted noun or casualty word within three words after a bare number."""
    words = text[end : end + 60].split(None, 3)[:3]
    for w in words:
        w = w.rstrip(".,;:")
        if not w.isalpha() or not w.islower():
            return False
        if w in _COUNTED_STATES or (len(w) > 3 and w.endswith("s") and w not in _NOT_PLURAL
                                    and not w.endswith(("ss", "us", "is"))):
            return True
    return False


def find_figures(
    text: str, sents: list[Block], skip: list[tuple[int, int]] | None = None,
    numbers: list[NumberMatch] | None = None,
) -> list[FigureHit]:
    """Every number phrase outside the skipped (header/footer) spans, with context."""
    out: list[FigureHit] = []
    seen: set[tuple[str, float | None]] = set()
    starts = [b.start for b in sents]
    speakers: dict[int, str | None] = {}  # one attribution per sentence, not per figure
    for nm in find_numbers(text) if numbers is None else numbers:
        if skip and any(a <= nm.start < b for a, b in skip):
            continue
        key = (nm.text.lower(), nm.value)
        if key in seen:
            continue
        seen.add(key)
        sent = _sentence_of(sents, starts, nm.start)
        where = -1 if sent is None else sent.start
        if where not in speakers:
            speakers[where] = _attributed(text, sent)
        out.append(FigureHit(nm, _describes(text, nm, sent), speakers[where],
                             _confidence(text, nm)))
    return out
