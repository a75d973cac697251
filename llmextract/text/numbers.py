"""Number parsing shared by the rule engine and by grounding.

`find_numbers` finds every number-bearing phrase of a text (with qualifier, currency, scale
word, percent sign and counted noun), `values_in` lists every value a phrase states and
`parse_value` gives the main one. Pure Python, regexes compiled once at import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from llmextract.text.langs import conventions as _conventions
from llmextract.text.numbermatch import NumberMatch
from llmextract.text.numpatterns import (
    CAP_MODS_RE,
    CAP_NOUN_RE,
    CLOCK_RE,
    COMPOUND_RE,
    CORE_RE,
    CUR_PREFIX,
    CUR_WORD,
    CUR_WORD_RE,
    DURATION_RE,
    EMAIL_RE,
    FRACTION_WORDS,
    FRACTIONS,
    NO_ONE_BEFORE,
    NO_ONE_BEFORE_RE,
    OF_A_UNIT_RE,
    ORDINAL_WORD_RE,
    ORDINAL_WORDS,
    PERCENT_RE,
    QUAL_MAP,
    QUALIFIER_RE,
    QUALIFIER_TAILS,
    RANGE_RE,
    RANK_BEFORE_RE,
    RANK_RE,
    RATE_RE,
    SCALE_AFTER_RE,
    SCALE_ATTACHED_CUR_RE,
    SCALES,
    SCORE_TAIL_RE,
    SPACES_RE,
    STOP_NOUNS,
    SUBUNIT,
    TENS,
    UNITS,
    URL_RE,
    WORD_RE,
)
from llmextract.text.numskip import skip_reason as _skip_reason
from llmextract.text.numskip import tail_may_be as _tail_may_be

__all__ = ["NumberMatch", "find_numbers", "parse_value",
           "values_in"]


def _spelled_value(word: str) -> float | None:
    w = SPACES_RE.sub(" ", word.lower().replace("-", " ")).strip()
    if w in ("a dozen", "dozen"):
        return 12.0
    if w == "half a million":
        return 5e5
    if w in FRACTIONS:
        return FRACTIONS[w]
    if w.startswith("a "):
        return SCALES.get(w[2:])
    parts = w.split(" ")
    total = 0.0
    for p in parts:
        if p in UNITS:
            total += UNITS[p]
        elif p in TENS:
            total += TENS[p]
        else:
            return None
    return total


def _digits_value(num: str, frac: str | None) -> float | None:
    try:
        v = float(num.replace(",", ""))
    except ValueError:
        return None
    if frac:
        f = frac.strip()
        if f == "½":
            v += 0.5
        else:
            a, b = f.split("/")
            v += int(a) / int(b)
    return v


@dataclass
class _Parse:
    end: int
    value: float | None
    mantissa: float | None
    unit: str | None
    strong: bool  # has currency, percent, scale word or counted noun


def _base_value(m: re.Match[str]) -> float | None:
    if m.group("num") is not None:
        return _digits_value(m.group("num"), m.group("frac"))
    return _spelled_value(m.group("word"))


def _scan_tail(text: str, m: re.Match[str]) -> _Parse | None:
    """Extend a core number match with scale, percent, currency word, rate and compound."""
    end = m.end()
    base = _base_value(m)
    if base is None:
        return None
    cur = m.group("cur")
    unit = CUR_PREFIX.get(cur.strip().lower()) if cur else None
    value: float = base
    strong = unit is not None
    sm = SCALE_AFTER_RE.match(text, end)
    if sm is None and cur and m.group("num"):
        sm = SCALE_ATTACHED_CUR_RE.match(text, end)
    if sm is not None:
        word = sm.group(0).strip().lstrip("-").lower()  # "3,850-crore" too
        value = base * SCALES.get(word, 1.0)
        end = sm.end()
        strong = True
    fw = m.group("word")
    if fw is not None and fw.lower().split()[-1] in FRACTION_WORDS:
        oa = OF_A_UNIT_RE.match(text, end)
        end = oa.end() if oa is not None else end
    pm = PERCENT_RE.match(text, end)
    if pm is not None:
        unit = "percentage points" if "point" in pm.group(0).lower() else "percent"
        end = pm.end()
        strong = True
    elif unit is None:
        cw = CUR_WORD_RE.match(text, end)
        if cw is not None:
            word = cw.group(1).lower().split()[0]
            unit = CUR_WORD[word]
            if word in SUBUNIT:
                value = value / 100.0
            end = cw.end()
            strong = True
    if unit is not None and unit not in ("percent", "percentage points"):
        rm = RATE_RE.match(text, end)
        if rm is not None:
            end = rm.end()
    return _Parse(end, value, base, unit, strong)


def _counted_noun(text: str, pos: int) -> tuple[int, str] | None:
    """The counted noun phrase (one or two lowercase words) right after `pos`, possibly
    preceded by capitalised modifiers ("1,000 North Korean soldiers")."""
    cm = CAP_MODS_RE.match(text, pos)
    if cm is not None:
        pos = cm.end()
    elif (cn := CAP_NOUN_RE.match(text, pos)) is not None:
        return cn.end(), cn.group("n").lower()  # "Ten National Rapid Response Teams"
    w1 = WORD_RE.match(text, pos)
    if w1 is None or w1.group(1) in STOP_NOUNS:
        return None
    end = w1.end()
    words = [w1.group(1)]
    w2 = WORD_RE.match(text, end)
    if (
        w2 is not None
        and w2.group(1) not in STOP_NOUNS
        and w2.group(1).endswith("s")
        and not w1.group(1).endswith("s")
        and not w2.group(1).endswith(("ss", "us", "ed"))
        and len(w2.group(1)) > 2
    ):
        words.append(w2.group(1))
        end = w2.end()
    return end, " ".join(words)


def _qualifier(text: str, start: int) -> tuple[int, str]:
    before = text[max(0, start - 30) : start]
    qm = QUALIFIER_RE.search(before) if _tail_may_be(before, QUALIFIER_TAILS) else None
    if qm is None:
        return start, "exact"
    q = SPACES_RE.sub(" ", qm.group("q").strip().lower())
    if q in ("between", "from"):
        return start, "exact"
    return start - len(before) + qm.start("q"), QUAL_MAP.get(q, "exact")


def _match_range(text: str, m: re.Match[str], p: _Parse) -> int | None:
    """End offset of a range ("10-12", "1.50 percent to 1.75 percent") starting at m."""
    rm = RANGE_RE.match(text, p.end)
    if rm is None:
        return None
    sep = text[p.end : rm.start("num2") if rm.group("cur2") is None else rm.start("cur2")]
    sep = sep.strip().lower()
    if rm.group("cur2") is not None and m.group("cur") is None:
        return None  # "35 cents to $26.59": a change to a new level, not a range
    m2 = CORE_RE.match(text, rm.start("cur2") if rm.group("cur2") else rm.start("num2"))
    if m2 is None:
        return None
    p2 = _scan_tail(text, m2)
    if p2 is None:
        return None
    before = text[max(0, m.start() - 12) : m.start()].lower()
    if sep in ("to", "and"):
        if sep == "and" and not before.rstrip().endswith("between"):
            return None
        if sep == "to" and (before.rstrip().endswith("from") or p.unit not in (None, p2.unit)):
            return None
        if p.unit is None and p2.unit is None and not before.rstrip().endswith("between"):
            return None
    unit_clash = p.unit is not None and p2.unit is not None and p.unit != p2.unit
    if unit_clash or m.group("num") is None or m2.group("num") is None:
        return None
    return p2.end


def _unit_at(text: str, end: int) -> str | None:
    """The unit of the range's second number (e.g. "5 to 7 percent")."""
    tail = text[max(0, end - 20) : end].lower()
    if tail.endswith(("percent", "per cent", "%")):
        return "percent"
    return None


def _build(text: str, m: re.Match[str]) -> NumberMatch | None:
    p = _scan_tail(text, m)
    if p is None:
        return None
    start, qualifier = _qualifier(text, m.start())
    value: float | None = p.value
    unit = p.unit
    end = p.end
    rng = _match_range(text, m, p)
    if rng is not None:
        sc = SCORE_TAIL_RE.match(text, rng)
        end = sc.end() if sc else rng
        unit = unit or _unit_at(text, rng)
        value = None
        qualifier = "exact"
        start = m.start() if start == m.start() else start
    else:
        cm = COMPOUND_RE.match(text, end) if unit is None else None
        if cm is not None:
            end = cm.end()
            p.strong = True
        word = m.group("word")
        fraction = word is not None and word.lower().split()[-1] in FRACTION_WORDS
        if unit is None and not fraction and not (cm is not None and
                                                  cm.group(0).endswith("-old")):
            cn = _counted_noun(text, end)
            if cn is not None:
                end, noun = cn
                unit = noun.split(" ")[-1]
                p.strong = True
        if word is not None and not p.strong:
            return None
        if word is not None and word.lower() == "one":
            before = text[max(0, m.start() - 12) : m.start()]
            if _tail_may_be(before, NO_ONE_BEFORE) and NO_ONE_BEFORE_RE.search(before):
                return None
    return NumberMatch(start, end, text[start:end], value, unit, qualifier)


def find_numbers(text: str, lang: str | None = None) -> list[NumberMatch]:
    """Every number-bearing phrase of `text`, in order, non-overlapping, read by the
    conventions of `lang` (an ISO 639-1 code; None or "en": English)."""
    if lang and lang != "en":
        conv = _conventions(lang)
        if conv is not None:
            from llmextract.text.intl_numbers import find_numbers_intl

            return find_numbers_intl(text, conv)
    blocked: list[tuple[int, int]] = []
    if "http" in text or "www." in text:  # URL_RE's only starts (case-sensitive)
        blocked = [(u.start(), u.end()) for u in URL_RE.finditer(text)]
    if "@" in text:
        blocked += [(u.start(), u.end()) for u in EMAIL_RE.finditer(text)]
    out = _special_numbers(text, blocked)
    blocked += [(s.start, s.end) for s in out]
    pos = last_end = 0  # core matches come in order: only the last one can be overlapped
    for m in CORE_RE.finditer(text):
        if m.start() < pos:
            continue
        if blocked and any(a <= m.start() < b for a, b in blocked):
            continue
        if _skip_reason(text, m):
            pos = m.end()
            continue
        nm = _build(text, m)
        if nm is None:
            continue
        if nm.start < last_end or any(nm.start < b and a < nm.end for a, b in blocked):
            nm = NumberMatch(m.start(), nm.end, text[m.start() : nm.end], nm.value, nm.unit,
                             "exact")
        out.append(nm)
        pos = last_end = nm.end
    out.sort(key=lambda n: n.start)
    return out


# What each of CLOCK_RE, DURATION_RE and RANK_RE must contain right after a digit
# ("1:02:5", "2 hours", "35th"): one scan for all three, which skips to the digits (the
# regexes open with a lookbehind or a repeat, so their own scans try every position). The
# lookahead takes one digit only: every digit is tried, so no cue hides another.
_SPECIAL_CUES_RE = re.compile(
    r"\d(?=(:\d\d:\d)|(\s+(?:hours?|hrs?|minutes?|mins?))|(st|nd|rd|th))")


def _special_numbers(text: str, blocked: list[tuple[int, int]]) -> list[NumberMatch]:
    """Race and clock times, multi-unit durations (no single value) and ranks ("35th")."""
    out: list[NumberMatch] = []
    if _SPECIAL_CUES_RE.search(text) is None:
        return out  # most texts: one scan, no set
    cues = {m.lastindex for m in _SPECIAL_CUES_RE.finditer(text)}
    for rx, cue in ((CLOCK_RE, 1), (DURATION_RE, 2), (RANK_RE, 3)):
        if cue not in cues:
            continue  # the regex cannot match
        for m in rx.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in blocked + [(n.start, n.end)
                                                                       for n in out]):
                continue
            if rx is RANK_RE and not RANK_BEFORE_RE.search(text, max(0, m.start() - 12),
                                                             m.start()):
                continue
            a, b = (m.start("o"), m.end("o")) if rx is RANK_RE else (m.start(), m.end())
            value = float(m.group("v")) if rx is RANK_RE else None
            out.append(NumberMatch(a, b, text[a:b], value, None, "exact"))
    return out


_OF_AFTER_RE = re.compile(r"\s+of\b|\s*$")
_FRACTION_ARTICLE_RE = re.compile(r"\b(?:a|an|one|two|three|four)\s+$", re.IGNORECASE)


def values_in(phrase: str, lang: str | None = None) -> list[float]:
    """Every value `phrase` states, with scale, currency and percent applied; where a scale
    word or sub-unit applies, the bare mantissa is listed too. Read by the conventions of
    `lang` (None or "en": English)."""
    if lang and lang != "en":
        conv = _conventions(lang)
        if conv is not None:
            from llmextract.text.intl_numbers import values_in_intl

            return values_in_intl(phrase, conv)
    vals: list[float] = []
    for m in CORE_RE.finditer(phrase):
        p = _scan_tail(phrase, m)
        if p is None:
            continue
        for v in (p.value, p.mantissa):
            if v is not None and v not in vals:
                vals.append(v)
    if not _SPOKEN_CUES_RE.search(phrase):
        return vals  # no ordinal, multiple, ratio, suffix scale or fraction to read
    for w in ORDINAL_WORD_RE.finditer(phrase):  # "fifth place" states 5 ("a third" is 1/3)
        if _FRACTION_ARTICLE_RE.search(phrase, 0, w.start()) and \
                _OF_AFTER_RE.match(phrase, w.end()):
            continue  # "a fifth of the budget"; "a fifth straight day" is a rank
        rank = float(ORDINAL_WORDS[w.group(1).lower()])
        if rank not in vals:
            vals.append(rank)
    for extra in _spoken_totals(phrase, vals):
        if extra not in vals:
            vals.append(extra)
    return vals


_MULTIPLES = {"double": 2.0, "doubled": 2.0, "doubling": 2.0, "twice": 2.0, "triple": 3.0,
              "tripled": 3.0, "tripling": 3.0, "treble": 3.0, "trebled": 3.0, "thrice": 3.0,
              "quadrupled": 4.0, "quadruple": 4.0}
_MULTIPLE_RE = re.compile(rf"\b({'|'.join(_MULTIPLES)})\b", re.IGNORECASE)
_RATIO_EN_RE = re.compile(r"\b(\w+)\s+(?:out\s+of|in(?:\s+every)?)\s+(\w+)\b", re.IGNORECASE)


def _small_number(word: str) -> float | None:
    low = word.lower()
    if low.isdigit():
        return float(low)
    return float(UNITS[low]) if low in UNITS else (float(TENS[low]) if low in TENS else None)


_SUFFIX_SCALE_RE = re.compile(r"(?<![\w.])(\d[\d,]*(?:\.\d+)?)(m|bn|k)\b", re.IGNORECASE)
_SHARE_WORDS = FRACTION_WORDS | {"fifths", "tenths"}  # "risen by a quarter", "two fifths"
_FRACTION_WORD_RE = re.compile(rf"\b(?:{'|'.join(sorted(_SHARE_WORDS))})\b", re.IGNORECASE)
_PERCENT_WORD_RE = re.compile(r"%|\bper\s?cent|\bpercent|\bpoints?\b", re.IGNORECASE)
_AND_A_HALF_RE = re.compile(r"\band\s+a\s+half\b", re.IGNORECASE)
# What ORDINAL_WORD_RE and every regex of _spoken_totals needs (their words, " in "/" out ",
# a digit run with a suffix scale): one scan, and most figure phrases ("$97.2 billion",
# "12,000 small businesses") have none, so the seven scans are skipped.
_SPOKEN_CUES_RE = re.compile(
    r"\b(?:" + "|".join(sorted({*ORDINAL_WORDS, *_MULTIPLES, *_SHARE_WORDS})) + r")"
    r"|\s(?:out|in)\s|\d[\d,]*(?:\.\d+)?(?:m|bn|k)", re.IGNORECASE)


def _spoken_totals(phrase: str, vals: list[float]) -> list[float]:
    """What a phrase states in other words: "two and a half" is 2.5 (its parts are read
    apart), and a fraction is also its percentage ("risen by a quarter": 25)."""
    out: list[float] = []
    if _AND_A_HALF_RE.search(phrase):
        out += [v + 0.5 for v in vals if v >= 1 and v == int(v)]
    out += [_MULTIPLES[w.lower()] for w in _MULTIPLE_RE.findall(phrase)]  # "doubled": 2
    for m in _RATIO_EN_RE.finditer(phrase):  # "three out of four", "one in three"
        x, y = _small_number(m.group(1)), _small_number(m.group(2))
        if x is not None and y is not None and 0 < x < y:
            out.append(x / y)
    for m in _SUFFIX_SCALE_RE.finditer(phrase):  # "3.6m hours": 3.6 million too
        out.append(float(m.group(1).replace(",", "")) * SCALES[m.group(2).lower()])
    if _FRACTION_WORD_RE.search(phrase) and not _PERCENT_WORD_RE.search(phrase):
        # "risen by a quarter" (25%), not "0.4 per cent" nor "a quarter of a point"
        out += [round(v * 100, 6) for v in vals if 0 < v < 1]
    return out


def parse_value(phrase: str, lang: str | None = None) -> float | None:
    """The main value of `phrase`, or None when it states none (or a range/score)."""
    found = find_numbers(phrase, lang)
    if found:
        return found[0].value
    vals = values_in(phrase, lang)
    return vals[0] if vals else None
