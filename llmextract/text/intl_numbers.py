"""Numbers read by the conventions of German, French, Spanish, Italian and Portuguese news.

`1.100` and `1 100` (normal, no-break or narrow no-break space) and `1'100` are eleven
hundred; `61,9` is a decimal; `1,5 Millionen`, `2 milliards`, `mil millones` carry scales;
currencies stand before or after the number (`€ 30`, `30 €`, `12,5 Mio. Fr.`); number words
(`drei`, `deux`, `cinco`) count when a noun follows. Dates (`22.06.2008`, `3. März`,
`3 décembre 2024`), times (`14.30 Uhr`, `14h30`), years and ordinals are not figures.

Same results as llmextract.text.numbers (`NumberMatch`), so the rules and the grounding read
every language the same way once they have the article's `Conventions`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from llmextract.text.langs import Conventions
from llmextract.text.lexicon_de import INDEFINITE
from llmextract.text.numbermatch import NumberMatch

__all__ = ["find_numbers_intl", "read_digits", "values_in_intl"]

_GROUP_SEP = ".'’\u00a0\u202f\u2009 "
_DIGITS = (r"\d{1,3}(?:(?:[.'’\u00a0\u202f\u2009]|[ ](?=\d{3}(?!\d)))\d{3})+(?:,\d+)?(?![\d])"
           r"|\d+(?:[.,]\d+)?(?![\d])")
_CUR_BEFORE = r"(?:US\$|R\$|A\$|C\$|\$|€|£|¥|CHF|EUR|USD|GBP|Fr\.|SFr\.)"
_CUR_AFTER = r"(?:€|\$|£|¥|CHF|EUR|USD|GBP|Fr\.|SFr\.)"
_CUR_CODE = {"US$": "USD", "$": "USD", "R$": "BRL", "A$": "AUD", "C$": "CAD", "€": "EUR",
             "£": "GBP", "¥": "JPY", "CHF": "CHF", "EUR": "EUR", "USD": "USD", "GBP": "GBP",
             "FR.": "CHF", "SFR.": "CHF"}
_ONE = ("ein", "eine", "einer", "un", "une", "uno", "una", "um", "uma")
_UNIT_SUFFIX = re.compile(r"(?:km|kg|m|cm|mm|t|ha|mw|gw|kw|kwh|l|g|h|min)\b", re.IGNORECASE)
_TIME_RE = re.compile(
    r"\d{1,2}(?:[:.]\d{2}\s*(?:Uhr|h\b)|\s*Uhr\b|h\d{2}\b|:\d{2}\b)", re.IGNORECASE)
_SCORE_RE = re.compile(r"(?<![\d.,:])\d{1,2}\s?[:–-]\s?\d{1,2}(?![\d:]|[.,]\d)")
_MINUS_RE = re.compile(r"(?:^|\s)[-−] ?$")
_SIGN_RE = re.compile(r"(?:^|(?<=\s))[-−](?=\d)")
_WORD_RE = re.compile(r"[^\W\d_]+")
_YEAR_LIKE = re.compile(r"(?:1[89]|20)\d\d")
_QUALIFIERS: dict[str, dict[str, str]] = {
    "de": {"mehr als": "more_than", "über": "more_than", "rund": "approximately",
           "etwa": "approximately", "ungefähr": "approximately", "circa": "approximately",
           "ca.": "approximately", "knapp": "approximately", "fast": "approximately",
           "beinahe": "approximately", "mindestens": "at_least", "wenigstens": "at_least",
           "bis zu": "up_to", "höchstens": "up_to", "weniger als": "less_than",
           "unter": "less_than", "gut": "approximately"},
    "fr": {"plus de": "more_than", "près de": "approximately", "environ": "approximately",
           "quelque": "approximately", "presque": "approximately", "au moins": "at_least",
           "jusqu'à": "up_to", "jusqu’à": "up_to", "moins de": "less_than",
           "quelques": "approximately"},
    "es": {"más de": "more_than", "cerca de": "approximately", "unos": "approximately",
           "unas": "approximately", "alrededor de": "approximately", "casi": "approximately",
           "aproximadamente": "approximately", "al menos": "at_least",
           "por lo menos": "at_least", "hasta": "up_to", "menos de": "less_than"},
    "it": {"più di": "more_than", "oltre": "more_than", "circa": "approximately",
           "quasi": "approximately", "almeno": "at_least", "fino a": "up_to",
           "meno di": "less_than", "poco più di": "more_than"},
    "pt": {"mais de": "more_than", "cerca de": "approximately", "quase": "approximately",
           "aproximadamente": "approximately", "pelo menos": "at_least", "até": "up_to",
           "menos de": "less_than"},
}
_ORDINAL_BEFORE = re.compile(
    r"\b(?:der|die|das|den|dem|des|am|im|zum|zur|vom|beim|ab|bis|seit)\s+$", re.IGNORECASE)


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@dataclass(frozen=True)
class _Patterns:
    core: re.Pattern[str]
    scale: re.Pattern[str]
    percent: re.Pattern[str]
    cur_after: re.Pattern[str]
    noun: re.Pattern[str]
    qualifier: re.Pattern[str]
    dates: re.Pattern[str]


@lru_cache(maxsize=8)
def _patterns(conv: Conventions) -> _Patterns:
    units = [w for w in conv.units if len(w) > 2]
    spelled = rf"(?:{_alt(units)}|{_alt(list(_ONE))})"
    core = re.compile(
        rf"(?<![\w$€£¥.,/\-])(?P<cur>{_CUR_BEFORE}\s?)?(?:(?P<num>{_DIGITS})"
        rf"|(?P<word>\b{spelled}\b))", re.IGNORECASE)
    link = ""
    if conv.link:
        parts = [re.escape(w) + (r"\s*" if w[-1] in "'’" else r"\s+") for w in conv.link]
        link = rf"(?:\s+(?:{'|'.join(parts)}))?"
    scale = re.compile(rf"\s*(?:{_alt(list(conv.scales))})(?!\w)", re.IGNORECASE)
    percent = re.compile(rf"(?:\s?%|\s+(?:{_alt(list(conv.percent))})\b)", re.IGNORECASE)
    words = [w for w in conv.currencies if w[-1] != "."]
    cur_after = re.compile(
        rf"{link}\s?(?P<c>(?:{_alt(words)})\b|{_CUR_AFTER}(?!\w))", re.IGNORECASE)
    noun = re.compile(r"\s+(?:(?P<adj>[a-zäöüßàâçéèêëîïôûùüÿñáíóúãõ]+)\s+)?(?P<n>[^\W\d_]{3,})")
    quals = _QUALIFIERS.get(conv.code, {})
    qualifier = re.compile(rf"(?P<q>\b(?:{_alt(list(quals))}))\s+$", re.IGNORECASE)
    months = _alt(list(conv.months))
    initials = "".join(sorted({m[0] for m in conv.months}))  # a cheap first test
    dates = re.compile(
        rf"\b(?=[\d{initials}])(?:"
        rf"\b\d{{1,2}}\.\d{{1,2}}\.(?:\d{{2,4}})?(?!\d)|\b\d{{1,2}}/\d{{1,2}}/\d{{2,4}}\b"
        rf"|\b\d{{4}}-\d{{2}}-\d{{2}}\b"
        rf"|\b(?:\d{{1,2}}(?:er|º|°)?\.?\s+(?:de\s+)?)?(?:{months})(?!\w)"
        rf"(?:\s+(?:de\s+|del\s+)?(?:19|20)\d\d\b)?)", re.IGNORECASE)
    return _Patterns(core, scale, percent, cur_after, noun, qualifier, dates)


def read_digits(num: str) -> list[float]:
    """The values a digit group states under these conventions, the likely one first:
    `1.100` -> [1100, 1.1], `61,9` -> [61.9], `1'100` -> [1100], `1,500` -> [1.5, 1500];
    [] for what is not a number ("22.06.2008")."""
    try:
        return _read_digits(num)
    except ValueError:
        return []


def _read_digits(num: str) -> list[float]:
    s = num
    for sep in "'’\u00a0\u202f\u2009 ":
        s = s.replace(sep, "")
    out: list[float] = []
    if "," in s and "." in s:  # 1.100,5
        out.append(float(s.replace(".", "").replace(",", ".")))
    elif "," in s:
        out.append(float(s.replace(",", ".")))
        head, _, tail = s.partition(",")
        if len(tail) == 3 and head.isdigit():
            out.append(float(head + tail))  # an English-style thousands comma
    elif "." in s:
        groups = s.split(".")
        if all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3:
            out.append(float(s.replace(".", "")))
            if len(groups) == 2:
                out.append(float(s))
        else:
            out.append(float(s))
    else:
        out.append(float(s))
    return out


def _base(conv: Conventions, m: re.Match[str]) -> list[float]:
    if m.group("num") is not None:
        return read_digits(m.group("num"))
    word = m.group("word").lower()
    if word in _ONE:
        return [1.0]
    value = conv.units.get(word)
    return [float(value)] if value is not None else []


@dataclass
class _Tail:
    end: int
    values: list[float]
    mantissa: list[float]
    unit: str | None
    strong: bool


def _tail(text: str, conv: Conventions, p: _Patterns, m: re.Match[str]) -> _Tail | None:
    values = _base(conv, m)
    if not values:
        return None
    end = m.end()
    cur = m.group("cur")
    unit = _CUR_CODE.get(cur.strip().upper()) if cur else None
    strong = unit is not None
    mantissa = list(values)
    sm = p.scale.match(text, end)
    if sm is not None:
        factor = _scale_factor(conv, sm.group(0))
        values = [v * factor for v in values]
        end, strong = sm.end(), True
    elif m.group("word") is not None and m.group("word").lower() in _ONE:
        return None  # "ein", "un": an article unless a scale follows
    pm = p.percent.match(text, end)
    if pm is not None:
        unit = "percentage points" if "punkt" in pm.group(0).lower() or "point" in \
            pm.group(0).lower() or "punti" in pm.group(0).lower() or "ponto" in \
            pm.group(0).lower() else "percent"
        end, strong = pm.end(), True
    elif unit is None:
        cm = p.cur_after.match(text, end)
        if cm is not None:
            key = cm.group("c")
            unit = _CUR_CODE.get(key.upper()) or conv.currencies.get(key.lower())
            end, strong = cm.end(), True
    return _Tail(end, values, mantissa, unit, strong)


def _scale_factor(conv: Conventions, found: str) -> float:
    return conv.scales.get(" ".join(found.strip().lower().split()), 1.0)


def _skip(text: str, m: re.Match[str], conv: Conventions) -> bool:
    """A date part, time, year, ordinal, code or score: not a figure."""
    if m.group("cur"):
        return False
    num = m.group("num")
    if num is None:
        return False
    start, end = m.start(), m.end()
    after = text[end:end + 12]
    if after[:1].isalpha() and _UNIT_SUFFIX.match(after) is None:
        return True  # "5G", "3e", "1er", "A380"-like tails
    if start > 0 and (text[start - 1].isalpha() or text[start - 1] == "-"):
        return True
    if _YEAR_LIKE.fullmatch(num):
        return True
    if conv.code == "de" and after.startswith(". ") and _ORDINAL_BEFORE.search(
            text, max(0, start - 8), start):
        return True  # "der 3. Platz"
    return len(num) > 1 and num.startswith("0") and num[1:2].isdigit()


def _noun(text: str, conv: Conventions, p: _Patterns, end: int) -> tuple[int, str] | None:
    nm = p.noun.match(text, end)
    if nm is None:
        return None
    noun, adj = nm.group("n"), nm.group("adj")
    low = noun.lower()
    if low in conv.units:
        return None  # "quatre à six": a second number, not what is counted
    if low in conv.stopwords or low in conv.months or low in conv.link:
        if low in conv.link:  # "cinq millions de personnes"
            nxt = p.noun.match(text, nm.end("n"))
            if nxt is not None and nxt.group("adj") is None and \
                    nxt.group("n").lower() not in conv.stopwords:
                return nxt.end(), nxt.group("n").lower()
        return None
    if adj is not None and adj in conv.link and low not in conv.stopwords:
        return nm.end(), low  # "2 milioni di persone"
    if adj is not None and (adj in conv.stopwords or adj in conv.link):
        return None
    if conv.code != "de" and noun[0].isupper():
        return None  # a name, not a counted noun
    return nm.end(), low


def _qualifier(text: str, conv: Conventions, p: _Patterns, start: int) -> tuple[int, str]:
    qm = p.qualifier.search(text, max(0, start - 24), start)
    if qm is None:
        return start, "exact"
    q = " ".join(qm.group("q").lower().split())
    return qm.start("q"), _QUALIFIERS.get(conv.code, {}).get(q, "exact")


def _blocked(text: str, p: _Patterns) -> list[tuple[int, int]]:
    spans = [(d.start(), d.end()) for d in p.dates.finditer(text)]
    spans += [(t.start(), t.end()) for t in _TIME_RE.finditer(text)]
    return spans


def find_numbers_intl(text: str, conv: Conventions) -> list[NumberMatch]:
    """Every number-bearing phrase of `text` read by `conv`, in order, non-overlapping."""
    p = _patterns(conv)
    blocked = _blocked(text, p)
    out: list[NumberMatch] = []
    for sc in _SCORE_RE.finditer(text):
        if not any(a < sc.end() and sc.start() < b for a, b in blocked):
            out.append(NumberMatch(sc.start(), sc.end(), sc.group(0), None, None, "exact"))
    blocked += [(n.start, n.end) for n in out]
    pos = 0
    for m in p.core.finditer(text):
        if m.start() < pos or any(a <= m.start() < b for a, b in blocked):
            continue
        if _skip(text, m, conv):
            continue
        t = _tail(text, conv, p, m)
        if t is None:
            continue
        end, unit = t.end, t.unit
        if unit is None:
            noun = _noun(text, conv, p, end)
            if noun is not None:
                end, unit = noun
                t.strong = True
        if m.group("word") is not None and not t.strong:
            continue
        start, qual = _qualifier(text, conv, p, m.start())
        out.append(NumberMatch(start, end, text[start:end], t.values[0], unit, qual))
        pos = end
    out.sort(key=lambda n: n.start)
    return out


def values_in_intl(phrase: str, conv: Conventions) -> list[float]:
    """Every value `phrase` states under `conv` (scaled and bare mantissa, every reading
    of an ambiguous separator, a minus sign, "un" for one, ranks), the likely one first."""
    p = _patterns(conv)
    vals: list[float] = []
    phrase = _SIGN_RE.sub("− ", phrase)  # "-15 °C": the sign apart, read below
    for m in p.core.finditer(phrase):
        t = _tail(phrase, conv, p, m)
        values = [1.0] if t is None and (m.group("word") or "").lower() in _ONE else \
            ([] if t is None else [*t.values, *t.mantissa])
        if _MINUS_RE.search(phrase, 0, m.start()):
            values += [-v for v in values]
        for v in values:
            if v not in vals:
                vals.append(v)
    words = [w.lower() for w in _WORD_RE.findall(phrase)]
    for w in words:
        rank = (conv.ordinals or {}).get(w)
        if rank is not None and float(rank) not in vals:
            vals.append(float(rank))
    if not vals:  # "el millón de espectadores", "le milliard": an article and a scale
        vals += [conv.scales[w] for d, w in pairwise(words)
                 if len(w) > 3 and w in conv.scales and (d in conv.determiners
                                                         or d + "'" in conv.determiners)]
    for total in [*_duration_totals(phrase), *_spoken_totals(phrase, words, conv)]:
        if total not in vals:  # "4 min 40 s": 280 seconds as well; "mil 870"; "einen Sitz"
            vals.append(total)
    return vals


# "2 mil 300 millones", "mil 870": Mexican papers write the thousands in a word
_MIL_RE = re.compile(r"(?<![\d.,])(?:(?P<k>\d{1,3})[ \t\u00a0]+)?mil[ \t\u00a0]+(?P<rest>\d{1,3})"
                     r"(?![\d.,]\d)(?:[ \t\u00a0]+(?P<scale>millones|millón))?", re.IGNORECASE)
# "siebenköpfig", "dreijährig", "zweistündig": a German number word opening a compound
_DE_COMPOUND_RE = re.compile(
    r"(köpfig|jährig|stündig|tägig|wöchig|monatig|minütig|fach|teilig|stöckig|spurig|"
    r"seitig|sitzig|gleisig|zimmrig)(?:e|en|er|es|em)?$")
# "Dreiviertelstunde" is a share of a unit, "Viertelfinale" is not
_DE_TIME_NOUNS = frozenset("stunde jahr jahrhundert liter meile tonne".split())
# Shares and multiples said in words, per language: "die Hälfte", "un tiers", "il doppio"
_SHARE_WORDS: dict[str, dict[str, float]] = {
    "de": {"hälfte": 0.5, "drittel": 1 / 3, "viertel": 0.25, "fünftel": 0.2, "zehntel": 0.1,
           "dreiviertel": 0.75, "doppelt": 2, "doppelte": 2, "doppelten": 2, "dreifach": 3,
           "dreifache": 3, "verdoppelt": 2, "verdreifacht": 3, "anderthalb": 1.5},
    "fr": {"moitié": 0.5, "tiers": 1 / 3, "quart": 0.25, "quarts": 0.75, "cinquième": 0.2,
           "double": 2, "triple": 3, "doublé": 2, "triplé": 3},
    "es": {"mitad": 0.5, "tercio": 1 / 3, "tercios": 2 / 3, "tercera": 1 / 3, "cuarto": 0.25,
           "cuartos": 0.75, "doble": 2, "triple": 3, "duplicado": 2, "duplicarse": 2,
           "triplicado": 3, "triplicarse": 3},
    "it": {"metà": 0.5, "terzo": 1 / 3, "terzi": 2 / 3, "quarto": 0.25, "quarti": 0.75,
           "doppio": 2, "triplo": 3, "raddoppiato": 2, "triplicato": 3},
    "pt": {"metade": 0.5, "terço": 1 / 3, "terços": 2 / 3, "quarto": 0.25, "quartos": 0.75,
           "dobro": 2, "triplo": 3, "duplicou": 2, "triplicou": 3},
}
# "un sur trois", "tre su quattro", "uno de cada tres", "um em cada três", "einer von drei"
_OUT_OF_RE = re.compile(r"\b(?:sur|su|de cada|em cada|de|von)\b", re.IGNORECASE)
_AND_HALF = {"de": ("einhalb",), "fr": ("et demi", "et demie"), "es": ("y medio", "y media"),
             "it": ("e mezzo", "e mezza"), "pt": ("e meio", "e meia")}
_RACE_TIME_RE = re.compile(r"(?<!\d)(\d{1,2})['’](\d{2})[\"”](\d{1,2})(?!\d)")
_TOKEN_RE = re.compile(r"\d+|[^\W\d_]+")


def _spoken_totals(phrase: str, words: list[str], conv: Conventions) -> list[float]:
    """Numbers a phrase states in the language's other ways, as the number a model gives
    for them: shares and multiples ("die Hälfte", "il doppio"), "x out of y", "and a half",
    race times ("5'48"31"), Mexican "mil 870" (1,870), German "einen Sitz" (one),
    "siebenköpfig" (seven), "zweieinhalb" and "Dreiviertelstunde"."""
    table = _SHARE_WORDS.get(conv.code, {})
    out = [table[w] for w in words if w in table]
    nums = [v for v in (_word_or_digit(t, conv) for t in _TOKEN_RE.findall(phrase.lower()))
            if v is not None]
    if len(nums) >= 2 and _OUT_OF_RE.search(phrase) and 0 < nums[0] < nums[1]:
        out.append(nums[0] / nums[1])
    if nums and any(h in phrase.lower() for h in _AND_HALF.get(conv.code, ())):
        out.append(nums[0] + 0.5)
    for m in _RACE_TIME_RE.finditer(phrase):
        out.append(round(int(m.group(1)) * 60 + int(m.group(2)) + int(m.group(3)) / 100, 2))
    if conv.code == "es":
        for m in _MIL_RE.finditer(phrase):
            total = int(m.group("k") or 1) * 1000 + int(m.group("rest"))
            out.append(float(total * (1e6 if m.group("scale") else 1)))
    if conv.code == "de":
        out += _german_words(words, conv, table)
    return out


def _german_words(words: list[str], conv: Conventions, table: dict[str, float]
                  ) -> list[float]:
    out = [float(conv.units[w[:-7]]) + 0.5 for w in words  # "zweieinhalb"
           if w.endswith("einhalb") and w[:-7] in conv.units]
    out += [table[k] for w in words for k in ("dreiviertel", "viertel", "drittel")
            if w.startswith(k) and w[len(k):] in _DE_TIME_NOUNS]
    if any(w in INDEFINITE for w in words):
        out.append(1.0)
    for w in words:
        cm = _DE_COMPOUND_RE.search(w)
        if cm is not None and w[:cm.start()] in conv.units:
            out.append(float(conv.units[w[:cm.start()]]))
    return out


def _word_or_digit(token: str, conv: Conventions) -> float | None:
    if token.isdigit():
        return float(token)
    if token in conv.units:
        return float(conv.units[token])
    return 1.0 if token in _ONE else None


_HOURS_MIN_RE = re.compile(
    r"(?<!\d)(?P<a>\d{1,3})[ \t\u00a0]*(?:h|heures?|horas?|ore|ora|std\.?|stunden?)"
    r"[ \t\u00a0]*(?P<b>\d{1,2})(?!\d)", re.IGNORECASE)
_MIN_SEC_RE = re.compile(
    r"(?<!\d)(?P<a>\d{1,3})[ \t\u00a0]*(?:min|minutes?|minutos?|minuti|minuten)\.?"
    r"[ \t\u00a0]*(?:et[ \t]+|y[ \t]+|e[ \t]+|und[ \t]+)?(?P<b>\d{1,2})[ \t\u00a0]*"
    r"(?:s|sec|secondes?|segundos?|secondi|sekunden)\b", re.IGNORECASE)


def _duration_totals(phrase: str) -> list[float]:
    """A duration written in two units, as one number: "1 h 12" -> 72 (minutes) and 4,320
    (seconds); "4 min 40 s" -> 280 (seconds)."""
    out: list[float] = []
    for m in _HOURS_MIN_RE.finditer(phrase):
        minutes = int(m.group("a")) * 60 + int(m.group("b"))
        out += [float(minutes), float(minutes * 60)]
    for m in _MIN_SEC_RE.finditer(phrase):
        out.append(float(int(m.group("a")) * 60 + int(m.group("b"))))
    return out
