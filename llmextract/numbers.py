"""Number parsing shared by the rule engine and by grounding.

`find_numbers` finds every number-bearing phrase of a text (with qualifier, currency, scale
word, percent sign and counted noun), `values_in` lists every value a phrase states and
`parse_value` gives the main one. Pure Python, regexes compiled once at import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["NumberMatch", "find_numbers", "parse_value", "values_in"]


@dataclass(frozen=True)
class NumberMatch:
    """One number-bearing phrase: `text == searched_text[start:end]`."""

    start: int
    end: int
    text: str
    value: float | None
    unit: str | None
    qualifier: str


_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen".split())}
_TENS = {w: 20 + 10 * i for i, w in enumerate(
    "twenty thirty forty fifty sixty seventy eighty ninety".split())}
SCALES = {
    "hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12,
    "crore": 1e7, "crores": 1e7, "lakh": 1e5, "lakhs": 1e5,
    "k": 1e3, "m": 1e6, "mn": 1e6, "mln": 1e6, "bn": 1e9, "b": 1e9, "tn": 1e12,
}
_CUR_PREFIX = {
    "us$": "USD", "$": "USD", "a$": "AUD", "c$": "CAD", "hk$": "HKD", "nz$": "NZD",
    "s$": "SGD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "rs": "INR", "rs.": "INR",
    "inr": "INR", "usd": "USD", "eur": "EUR", "gbp": "GBP", "r$": "BRL", "₦": "NGN",
}
_CUR_WORD = {
    "euro": "EUR", "euros": "EUR", "dollar": "USD", "dollars": "USD", "pound": "GBP",
    "pounds": "GBP", "yen": "JPY", "yuan": "CNY", "rupee": "INR", "rupees": "INR",
    "naira": "NGN", "rubles": "RUB", "roubles": "RUB", "francs": "CHF", "won": "KRW",
    "cents": "USD", "cent": "USD", "pence": "GBP", "p": "GBP",
}
_SUBUNIT = {"cents", "cent", "pence", "p"}
_FRACTIONS = {"half": 0.5, "a half": 0.5, "one half": 0.5, "a third": 1 / 3, "one third": 1 / 3,
              "a quarter": 0.25, "one quarter": 0.25, "a fifth": 0.2, "one fifth": 0.2,
              "a tenth": 0.1, "one tenth": 0.1, "two thirds": 2 / 3, "three quarters": 0.75}
# "a quarter of a percentage point": the fraction's "of a" before the unit
_OF_A_UNIT_RE = re.compile(r"\s+of\s+an?(?=\s+(?:percentage\s+points?|per\s*cent)\b)", re.I)
# "2:02:57", "1:45.3": a clock time or race time, counted but with no single value
_CLOCK_RE = re.compile(r"(?<![\d:.])\d{1,2}:\d{2}(?::\d{2})(?:\.\d+)?(?![\d:])")
# "2 hours, 25 seconds": a duration in several units
_DURATION_RE = re.compile(
    r"\d+\s+(?:hours?|hrs?|minutes?|mins?)(?:,?\s+(?:and\s+)?\d+\s+(?:minutes?|mins?|seconds?|"
    r"secs?))+\b")
# "ranked 35th", "is 40th": an ordinal rank after a verb of standing
_RANK_RE = re.compile(
    r"(?<![\w.,])(?P<o>(?P<v>\d{1,3})(?:st|nd|rd|th))\b")
_RANK_BEFORE_RE = re.compile(
    r"\b(?:ranked|ranks|seeded|placed|finished|came|is|was|are|were|sits|stands|stood)\s+$")

_SPELLED = (
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[-\s](?:one|two|three|"
    r"four|five|six|seven|eight|nine)\b)?|zero|one|two|three|four|five|six|seven|eight|"
    r"nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
    r"|a\s+dozen|dozen|a\s+hundred|a\s+thousand|a\s+million|a\s+billion|half\s+a\s+million"
    r"|(?:a|one)\s+(?:half|third|quarter|fifth|tenth)|(?:two|three)\s+(?:thirds|quarters)|half)"
)
_DIGITS = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
_CUR = r"(?:US\$|A\$|C\$|HK\$|NZ\$|S\$|R\$|\$|€|£|¥|₹|₦|Rs\.?\s?|INR\s?|USD\s?|EUR\s?|GBP\s?)"

_CORE_RE = re.compile(
    rf"(?<![\w$€£¥₹.,/])(?P<cur>{_CUR})?(?:(?P<num>{_DIGITS})(?P<frac>\s+[1-9]/[1-9]\d?|½)?"
    rf"|(?P<word>\b{_SPELLED}\b))",
    re.IGNORECASE,
)
_SCALE_AFTER_RE = re.compile(
    r"(?:\s+(?:hundred|thousand|million|billion|trillion|crores?|lakhs?)\b"
    r"|(?:bn|tn|mn|mln)\b|\s?(?:bn|tn|mn)\b)",
    re.IGNORECASE,
)
_SCALE_ATTACHED_CUR_RE = re.compile(r"(?:m|k|b)\b")
_PERCENT_RE = re.compile(
    r"(?:\s?%|\s+(?:percent|per\s+cent|pct)\b|\s+percentage\s+points?\b)", re.IGNORECASE
)
_CUR_WORD_RE = re.compile(
    r"\s+(?:(?:US|Hong\s+Kong|Canadian|Australian)\s+)?(euros?|dollars?|pounds?(?:\s+sterling)?"
    r"|yen|yuan|rupees?|naira|rubles|roubles|francs|cents?|pence)\b",
    re.IGNORECASE,
)
_RATE_RE = re.compile(
    r"\s+(?:a|an|per)\s+(?:share|barrel|year|day|month|week|hour|person|head|tonne|ton|"
    r"gallon|litre|liter|kilogram|kilo|ounce|kilowatt-hour|square\s+metre|square\s+meter)\b"
    r"(?!\s+(?:earlier|ago|before|later|after|on|from))",
    re.IGNORECASE,
)
_COMPOUND_RE = re.compile(r"-(?:[a-z]+)(?:-[a-z]+){0,2}\b")
_WORD_RE = re.compile(r"\s+([a-z][a-z'’-]*[a-z]|[a-z])\b")
_RANGE_RE = re.compile(
    rf"\s*(?:-|–|—|\bto\b|\band\b)\s*(?P<cur2>{_CUR})?(?P<num2>{_DIGITS}|\b{_SPELLED}\b)",
    re.IGNORECASE,
)
_SCORE_TAIL_RE = re.compile(r"(?:,?\s+\d{1,2}-\d{1,2}(?:\s*\(\d+(?:-\d+)?\))?)+")
_QUALIFIER_RE = re.compile(
    r"(?P<q>\b(?:more\s+than|over|above|in\s+excess\s+of|upwards\s+of|at\s+least|no\s+fewer"
    r"\s+than|no\s+less\s+than|a\s+minimum\s+of|around|about|approximately|roughly|nearly|"
    r"almost|close\s+to|some|an\s+estimated|estimated|near\s+about|up\s+to|as\s+many\s+as|"
    r"as\s+much\s+as|at\s+most|a\s+maximum\s+of|fewer\s+than|less\s+than|under|below|"
    r"just\s+over|just\s+under|well\s+over|between|from)\s+)$",
    re.IGNORECASE,
)
_QUAL_MAP = {q: kind for kind, qs in (
    ("more_than", "more than|over|above|in excess of|upwards of|just over|well over"),
    ("at_least", "at least|no fewer than|no less than|a minimum of"),
    ("approximately", "around|about|approximately|roughly|nearly|almost|close to|some|"
                      "an estimated|estimated|near about"),
    ("up_to", "up to|as many as|as much as|at most|a maximum of"),
    ("less_than", "fewer than|less than|under|below|just under"),
) for q in qs.split("|")}
MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_FRACTION_WORDS = frozenset("half third quarter fifth tenth thirds quarters".split())
_MONTH_BEFORE_RE = re.compile(rf"\b(?:{MONTHS})\.?\s+$", re.IGNORECASE)
_MONTH_AFTER_RE = re.compile(rf"(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{MONTHS})\b", re.IGNORECASE)
_YEAR_PREP_RE = re.compile(
    r"\b(?:in|since|of|by|until|till|from|to|before|after|during|year|early|late|mid|and|"
    r"between|through|spring|summer|autumn|fall|winter|season|fiscal|'s)\s+$",
    re.IGNORECASE,
)
_TIME_AFTER_RE = re.compile(
    r"(?::\d|\s*(?:a\.m\.|p\.m\.|am\b|pm\b|GMT|UTC|hrs\b|hours\s+(?:GMT|UTC|local)|"
    r"local\s+time|o'clock))",
    re.IGNORECASE,
)
_ALLOWED_CAP_BEFORE = frozenset(
    "the a an about some nearly only and but just all of in on at by for with to around "
    "over under almost more than up least another those these its his her their our my "
    "roughly approximately exactly another fewer less while after before since from "
    "between estimated than as with including killed injured left wounded".split()
)
STOP_NOUNS = frozenset(
    """a an the of in on at by for to from with and or but as than that which who whom whose
    this these those it its is was were are be been being has have had will would could should
    may might can must do does did not no more less most other others another such same own
    so too very per each every all both either neither any some many much few several into onto
    over under after before during since until while about around up down out off again also
    just only even still yet ago there here then now when where why how what if because though
    although said says say told according reported percent cent old
    one ones way of-the he she they we you i me him them us our their his her your my
    more—""".split()
)
_SPELLED_COUNT_STOP = frozenset({"of", "more", "another", "other", "way", "day"})
_NO_ONE_BEFORE_RE = re.compile(
    r"\b(?:no|any|every|some|each|the|this|that|which|anyone|someone|everyone)\s+$",
    re.IGNORECASE,
)
_CAP_MODS_RE = re.compile(
    r"(?:\s+(?!(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|"
    r"March|April|June|July|August|September|October|November|December)\b)"
    r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?){1,3}(?=\s+[a-z])"
)
_CAP_NOUN_RE = re.compile(r"(?:\s+[A-Z][a-z]+){0,3}\s+(?P<n>[A-Z][a-z]+[^s\W]s)\b(?=\s+[a-z])")
_URL_RE = re.compile(r"(?:https?://|www\.)\S+")
_EMAIL_RE = re.compile(r"\S+@\S+")
_LETTER_RE = re.compile(r"[A-Za-z]")
_UNIT_SUFFIX_RE = re.compile(r"(?:bn|tn|mn|mln|km|kg|m)\b")
_PHONE_RE = re.compile(r"(?:-|–)\d+(?:-|–)\d{3,}")
_ATTACHED_RE = re.compile(r"[A-Z0-9][\w]*-$")
_ATTACHED2_RE = re.compile(r"\d/$|\w-$")
_LOWER_HYPHEN_RE = re.compile(r"\b[a-z]+-$")
_PREV_WORD_RE = re.compile(r"([A-Za-z][\w.’']*)\s+$")
_SCORE_AFTER_RE = re.compile(r"[-–]\d{1,2}\b")
_MONTH_WORD_RE = re.compile(MONTHS)
_MONTH_DAY_COMMA_RE = re.compile(rf"\b(?:{MONTHS})\.?\s+\d{{1,2}},\s*$", re.IGNORECASE)
_SPACES_RE = re.compile(r"\s+")


def _spelled_value(word: str) -> float | None:
    w = _SPACES_RE.sub(" ", word.lower().replace("-", " ")).strip()
    if w in ("a dozen", "dozen"):
        return 12.0
    if w == "half a million":
        return 5e5
    if w in _FRACTIONS:
        return _FRACTIONS[w]
    if w.startswith("a "):
        return SCALES.get(w[2:])
    parts = w.split(" ")
    total = 0.0
    for p in parts:
        if p in _UNITS:
            total += _UNITS[p]
        elif p in _TENS:
            total += _TENS[p]
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
    unit = _CUR_PREFIX.get(cur.strip().lower()) if cur else None
    value: float = base
    strong = unit is not None
    sm = _SCALE_AFTER_RE.match(text, end)
    if sm is None and cur and m.group("num"):
        sm = _SCALE_ATTACHED_CUR_RE.match(text, end)
    if sm is not None:
        word = sm.group(0).strip().lower()
        value = base * SCALES.get(word, 1.0)
        end = sm.end()
        strong = True
    fw = m.group("word")
    if fw is not None and fw.lower().split()[-1] in _FRACTION_WORDS:
        oa = _OF_A_UNIT_RE.match(text, end)
        end = oa.end() if oa is not None else end
    pm = _PERCENT_RE.match(text, end)
    if pm is not None:
        unit = "percentage points" if "point" in pm.group(0).lower() else "percent"
        end = pm.end()
        strong = True
    elif unit is None:
        cw = _CUR_WORD_RE.match(text, end)
        if cw is not None:
            word = cw.group(1).lower().split()[0]
            unit = _CUR_WORD[word]
            if word in _SUBUNIT:
                value = value / 100.0
            end = cw.end()
            strong = True
    if unit is not None and unit not in ("percent", "percentage points"):
        rm = _RATE_RE.match(text, end)
        if rm is not None:
            end = rm.end()
    return _Parse(end, value, base, unit, strong)


def _skip_reason(text: str, m: re.Match[str]) -> bool:
    """True when the core number is a date part, time, ordinal, year, model name or junk."""
    start, end = m.start(), m.end()
    num = m.group("num")
    before = text[max(0, start - 30) : start]
    after = text[end : end + 30]
    if m.group("cur"):
        return False
    if num is not None:
        if _TIME_AFTER_RE.match(after) or before.endswith(":"):
            return True
        if _LETTER_RE.match(after) and not _UNIT_SUFFIX_RE.match(after):
            return True  # ordinals (21st), decades (1990s), model names (240mm, 5G)
        if _PHONE_RE.match(after):
            return True  # phone-like
        attached = _ATTACHED_RE.search(before) or _ATTACHED2_RE.search(before)
        if attached and not _LOWER_HYPHEN_RE.search(before):
            return True
        prev = _PREV_WORD_RE.search(before)
        score_like = _SCORE_AFTER_RE.match(after) is not None and len(num) <= 2
        if prev and prev.group(1)[0].isupper() and not score_like:
            w = prev.group(1).lower().rstrip(".")
            if w not in _ALLOWED_CAP_BEFORE and not _MONTH_WORD_RE.fullmatch(w):
                return True
        if "," not in num and "." not in num:
            if len(num) > 1 and num.startswith("0"):
                return True
            if _MONTH_BEFORE_RE.search(before) and int(num) <= 31:
                return True
            if _MONTH_AFTER_RE.match(after) and int(num) <= 31:
                return True
            if len(num) == 4 and 1800 <= int(num) <= 2100 and not _PERCENT_RE.match(after):
                return _looks_like_year(before, after)
        if len(num.replace(",", "").split(".")[0]) > 15:
            return True
    return False


def _looks_like_year(before: str, after: str) -> bool:
    if _YEAR_PREP_RE.search(before) or _MONTH_BEFORE_RE.search(before):
        return True
    if _MONTH_DAY_COMMA_RE.search(before):
        return True
    wm = _WORD_RE.match(after)
    return not (wm and wm.group(1) not in STOP_NOUNS)


def _counted_noun(text: str, pos: int) -> tuple[int, str] | None:
    """The counted noun phrase (one or two lowercase words) right after `pos`, possibly
    preceded by capitalised modifiers ("1,000 North Korean soldiers")."""
    cm = _CAP_MODS_RE.match(text, pos)
    if cm is not None:
        pos = cm.end()
    elif (cn := _CAP_NOUN_RE.match(text, pos)) is not None:
        return cn.end(), cn.group("n").lower()  # "Ten National Rapid Response Teams"
    w1 = _WORD_RE.match(text, pos)
    if w1 is None or w1.group(1) in STOP_NOUNS:
        return None
    end = w1.end()
    words = [w1.group(1)]
    w2 = _WORD_RE.match(text, end)
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
    qm = _QUALIFIER_RE.search(before)
    if qm is None:
        return start, "exact"
    q = _SPACES_RE.sub(" ", qm.group("q").strip().lower())
    if q in ("between", "from"):
        return start, "exact"
    return start - len(before) + qm.start("q"), _QUAL_MAP.get(q, "exact")


def _match_range(text: str, m: re.Match[str], p: _Parse) -> int | None:
    """End offset of a range ("10-12", "1.50 percent to 1.75 percent") starting at m."""
    rm = _RANGE_RE.match(text, p.end)
    if rm is None:
        return None
    sep = text[p.end : rm.start("num2") if rm.group("cur2") is None else rm.start("cur2")]
    sep = sep.strip().lower()
    if rm.group("cur2") is not None and m.group("cur") is None:
        return None  # "35 cents to $26.59": a change to a new level, not a range
    m2 = _CORE_RE.match(text, rm.start("cur2") if rm.group("cur2") else rm.start("num2"))
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
        sc = _SCORE_TAIL_RE.match(text, rng)
        end = sc.end() if sc else rng
        unit = unit or _unit_at(text, rng)
        value = None
        qualifier = "exact"
        start = m.start() if start == m.start() else start
    else:
        cm = _COMPOUND_RE.match(text, end) if unit is None else None
        if cm is not None:
            end = cm.end()
            p.strong = True
        word = m.group("word")
        fraction = word is not None and word.lower().split()[-1] in _FRACTION_WORDS
        if unit is None and not fraction and not (cm is not None and
                                                  cm.group(0).endswith("-old")):
            cn = _counted_noun(text, end)
            if cn is not None:
                end, noun = cn
                unit = noun.split(" ")[-1]
                p.strong = True
        if word is not None and not p.strong:
            return None
        if word is not None and word.lower() == "one" and _NO_ONE_BEFORE_RE.search(
            text[max(0, m.start() - 12) : m.start()]
        ):
            return None
    return NumberMatch(start, end, text[start:end], value, unit, qualifier)


def find_numbers(text: str) -> list[NumberMatch]:
    """Every number-bearing phrase of `text`, in order, non-overlapping."""
    blocked = [(u.start(), u.end()) for u in _URL_RE.finditer(text)]
    if "@" in text:
        blocked += [(u.start(), u.end()) for u in _EMAIL_RE.finditer(text)]
    out = _special_numbers(text, blocked)
    blocked += [(s.start, s.end) for s in out]
    pos = 0
    for m in _CORE_RE.finditer(text):
        if m.start() < pos:
            continue
        if any(a <= m.start() < b for a, b in blocked):
            continue
        if _skip_reason(text, m):
            pos = m.end()
            continue
        nm = _build(text, m)
        if nm is None:
            continue
        if any(nm.start < b and a < nm.end for a, b in blocked):
            nm = NumberMatch(m.start(), nm.end, text[m.start() : nm.end], nm.value, nm.unit,
                             "exact")
        out.append(nm)
        blocked.append((nm.start, nm.end))
        pos = nm.end
    out.sort(key=lambda n: n.start)
    return out


def _special_numbers(text: str, blocked: list[tuple[int, int]]) -> list[NumberMatch]:
    """Race and clock times, multi-unit durations (no single value) and ranks ("35th")."""
    out: list[NumberMatch] = []
    for rx in (_CLOCK_RE, _DURATION_RE, _RANK_RE):
        for m in rx.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in blocked + [(n.start, n.end)
                                                                       for n in out]):
                continue
            if rx is _RANK_RE and not _RANK_BEFORE_RE.search(text, max(0, m.start() - 12),
                                                             m.start()):
                continue
            a, b = (m.start("o"), m.end("o")) if rx is _RANK_RE else (m.start(), m.end())
            value = float(m.group("v")) if rx is _RANK_RE else None
            out.append(NumberMatch(a, b, text[a:b], value, None, "exact"))
    return out


def values_in(phrase: str) -> list[float]:
    """Every value `phrase` states, with scale, currency and percent applied; where a scale
    word or sub-unit applies, the bare mantissa is listed too."""
    vals: list[float] = []
    for m in _CORE_RE.finditer(phrase):
        p = _scan_tail(phrase, m)
        if p is None:
            continue
        for v in (p.value, p.mantissa):
            if v is not None and v not in vals:
                vals.append(v)
    return vals


def parse_value(phrase: str) -> float | None:
    """The main value of `phrase`, or None when it states none (or a range/score)."""
    found = find_numbers(phrase)
    if found:
        return found[0].value
    vals = values_in(phrase)
    return vals[0] if vals else None
