"""The vocabulary and patterns of `llmextract.text.numbers`: number words, scale words,
currencies, qualifiers, and the regular expressions built from them (compiled once).

Data only; the parsing is in `llmextract.text.numbers`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Beyond a letter's two ASCII cases, re.IGNORECASE (CPython's sre, Unicode) matches these
# letters too; tests/test_numbers.py checks the table against every code point.
IGNORECASE_EXTRA = {"i": "İı", "k": "\u212a", "s": "ſ"}


def cased(text: str) -> str:
    """A pattern that matches what `(?i:re.escape(text))` matches, each ASCII letter an
    explicit class. A branch whose alternatives open with a plain class is skipped after one
    test per alternative; IGNORECASE's literals make sre enter each alternative instead."""
    return "".join(f"[{c}{c.upper()}{IGNORECASE_EXTRA.get(c, '')}]" if c.isascii()
                   and c.isalpha() else re.escape(c) for c in text.lower())


def letter_tree(words: Iterable[str], *, any_case: bool = False, prefixes: bool = False) -> str:
    """An alternation of `words` (letters only) with common prefixes shared:
    "s(?:a(?:id|ys?)|...)". Where a word boundary follows, it matches what "said|say|says|..."
    matches, and re tries a few letters at each place instead of every word. `any_case`:
    each letter a `cased` class. `prefixes`: a word that another word starts with stands
    for both (for a search whose only question is whether one opens there)."""
    heads: dict[str, list[str]] = {}
    for w in sorted(set(words)):
        heads.setdefault(w[:1], []).append(w[1:])
    ends = heads.pop("", None) is not None
    if ends and prefixes:
        return ""
    letter = cased if any_case else str
    alts = [letter(c) + letter_tree(rest, any_case=any_case, prefixes=prefixes)
            for c, rest in heads.items()]
    if not alts:
        return ""
    if len(alts) == 1 and not ends:
        return alts[0]
    return "(?:" + "|".join(alts) + ")" + ("?" if ends else "")


def opens_with(words: Iterable[str]) -> str:
    """A pattern matching where text opens, case-insensitively, with one of `words`
    (lowercase ASCII letters)."""
    return letter_tree(words, any_case=True, prefixes=True)


UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen".split())}
TENS = {w: 20 + 10 * i for i, w in enumerate(
    "twenty thirty forty fifty sixty seventy eighty ninety".split())}
SCALES = {
    "hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12,
    "crore": 1e7, "crores": 1e7, "lakh": 1e5, "lakhs": 1e5,
    "k": 1e3, "m": 1e6, "mn": 1e6, "mln": 1e6, "bn": 1e9, "b": 1e9, "tn": 1e12,
}
CUR_PREFIX = {
    "us$": "USD", "$": "USD", "a$": "AUD", "c$": "CAD", "hk$": "HKD", "nz$": "NZD",
    "s$": "SGD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "rs": "INR", "rs.": "INR",
    "inr": "INR", "usd": "USD", "eur": "EUR", "gbp": "GBP", "r$": "BRL", "₦": "NGN",
}
CUR_WORD = {
    "euro": "EUR", "euros": "EUR", "dollar": "USD", "dollars": "USD", "pound": "GBP",
    "pounds": "GBP", "yen": "JPY", "yuan": "CNY", "rupee": "INR", "rupees": "INR",
    "naira": "NGN", "rubles": "RUB", "roubles": "RUB", "francs": "CHF", "won": "KRW",
    "cents": "USD", "cent": "USD", "pence": "GBP", "p": "GBP",
}
SUBUNIT = {"cents", "cent", "pence", "p"}
FRACTIONS = {"half": 0.5, "a half": 0.5, "one half": 0.5, "a third": 1 / 3, "one third": 1 / 3,
              "a quarter": 0.25, "one quarter": 0.25, "a fifth": 0.2, "one fifth": 0.2,
              "a tenth": 0.1, "one tenth": 0.1, "two thirds": 2 / 3, "three quarters": 0.75}
# "a quarter of a percentage point": the fraction's "of a" before the unit
OF_A_UNIT_RE = re.compile(r"\s+of\s+an?(?=\s+(?:percentage\s+points?|per\s*cent)\b)", re.I)
# "2:02:57", "1:45.3": a clock time or race time, counted but with no single value
CLOCK_RE = re.compile(r"(?<![\d:.])\d{1,2}:\d{2}(?::\d{2})(?:\.\d+)?(?![\d:])")
# "2 hours, 25 seconds": a duration in several units
DURATION_RE = re.compile(
    r"\d+\s+(?:hours?|hrs?|minutes?|mins?)(?:,?\s+(?:and\s+)?\d+\s+(?:minutes?|mins?|seconds?|"
    r"secs?))+\b")
# "ranked 35th", "is 40th": an ordinal rank after a verb of standing
RANK_RE = re.compile(
    r"(?<![\w.,])(?P<o>(?P<v>\d{1,3})(?:st|nd|rd|th))\b")
RANK_BEFORE_RE = re.compile(
    r"\b(?:ranked|ranks|seeded|placed|finished|came|is|was|are|were|sits|stands|stood)\s+$")

SPELLED = (
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[-\s](?:one|two|three|"
    r"four|five|six|seven|eight|nine)\b)?|zero|one|two|three|four|five|six|seven|eight|"
    r"nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
    r"|a\s+dozen|dozen|a\s+hundred|a\s+thousand|a\s+million|a\s+billion|half\s+a\s+million"
    r"|(?:a|one)\s+(?:half|third|quarter|fifth|tenth)|(?:two|three)\s+(?:thirds|quarters)|half)"
)
DIGITS = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
# "US$", "Rs. ", "EUR ": the currency before a number. Its letters are `cased` classes, the
# same match as IGNORECASE's literals, so a word start that opens no currency fails each
# alternative after one test (CORE_RE tries this at most word starts).
CUR = "(?-i:" + "|".join([*(cased(c) + r"\$" for c in ("us", "a", "c", "hk", "nz", "s", "r")),
                          r"\$", "€", "£", "¥", "₹", "₦", cased("rs") + r"\.?\s?",
                          *(cased(c) + r"\s?" for c in ("inr", "usd", "eur", "gbp"))]) + ")"

# Lookahead guards: what each branch's first characters must be (under the same IGNORECASE
# folding as the branch itself). They change no match; they let the many word starts that
# cannot open a number fail at once instead of trying every currency and number word.
_CORE_GUARD = r"(?=[\d.$€£¥₹₦uachnsriegtfzod])"
_CUR_GUARD = r"(?=[uachnsrieg$€£¥₹₦])"
_SPELLED_GUARD = "(?-i:(?=" + "|".join(
    [*map(cased, "tw thr thi te fo fi si se ei el ni ze on do ha".split()), cased("a") + r"\s"]
) + "))"
CORE_RE = re.compile(
    rf"(?<![\w$€£¥₹.,/]){_CORE_GUARD}(?P<cur>{_CUR_GUARD}{CUR})?"
    rf"(?:(?P<num>{DIGITS})(?P<frac>\s+[1-9]/[1-9]\d?|½)?"
    rf"|(?P<word>\b{_SPELLED_GUARD}{SPELLED}\b))",
    re.IGNORECASE,
)
SCALE_AFTER_RE = re.compile(
    r"(?:(?:\s+|-)(?:hundred|thousand|million|billion|trillion|crores?|lakhs?)\b"
    r"|(?:bn|tn|mn|mln)\b|\s?(?:bn|tn|mn)\b)",
    re.IGNORECASE,
)
SCALE_ATTACHED_CUR_RE = re.compile(r"(?:m|k|b)\b")
PERCENT_RE = re.compile(
    r"(?:\s?%|\s+(?:percent|per\s+cent|pct)\b|\s+percentage\s+points?\b)", re.IGNORECASE
)
CUR_WORD_RE = re.compile(
    r"\s+(?:(?:US|Hong\s+Kong|Canadian|Australian)\s+)?(euros?|dollars?|pounds?(?:\s+sterling)?"
    r"|yen|yuan|rupees?|naira|rubles|roubles|francs|cents?|pence)\b",
    re.IGNORECASE,
)
RATE_RE = re.compile(
    r"\s+(?:a|an|per)\s+(?:share|barrel|year|day|month|week|hour|person|head|tonne|ton|"
    r"gallon|litre|liter|kilogram|kilo|ounce|kilowatt-hour|square\s+metre|square\s+meter)\b"
    r"(?!\s+(?:earlier|ago|before|later|after|on|from))",
    re.IGNORECASE,
)
COMPOUND_RE = re.compile(r"-(?:[a-z]+)(?:-[a-z]+){0,2}\b")
WORD_RE = re.compile(r"\s+([a-z][a-z'’-]*[a-z]|[a-z])\b")
RANGE_RE = re.compile(
    rf"\s*(?:-|–|—|\bto\b|\band\b)\s*(?P<cur2>{CUR})?(?P<num2>{DIGITS}|\b{SPELLED}\b)",
    re.IGNORECASE,
)
SCORE_TAIL_RE = re.compile(r"(?:,?\s+\d{1,2}-\d{1,2}(?:\s*\(\d+(?:-\d+)?\))?)+")
# in the regex's order (an earlier alternative wins at the same start)
QUALIFIERS = (
    "more than", "over", "above", "in excess of", "upwards of", "at least", "no fewer than",
    "no less than", "a minimum of", "around", "about", "approximately", "roughly", "nearly",
    "almost", "close to", "some", "an estimated", "estimated", "near about", "up to",
    "as many as", "as much as", "at most", "a maximum of", "fewer than", "less than", "under",
    "below", "just over", "just under", "well over", "between", "from",
)
QUALIFIER_RE = re.compile(
    r"(?P<q>\b(?:" + "|".join(q.replace(" ", r"\s+") for q in QUALIFIERS) + r")\s+)$",
    re.IGNORECASE,
)
# the last words QUALIFIER_RE can end with (a cheap test before the regex: tail_may_be)
QUALIFIER_TAILS = tuple(sorted({q.rsplit(" ", 1)[-1] for q in QUALIFIERS}))
QUAL_MAP = {q: kind for kind, qs in (
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
FRACTION_WORDS = frozenset("half third quarter fifth tenth thirds quarters".split())
MONTH_BEFORE_RE = re.compile(rf"\b(?:{MONTHS})\.?\s+$", re.IGNORECASE)
MONTH_TAILS = tuple(m + dot for m in MONTHS.split("|") for dot in ("", "."))  # tail_may_be
MONTH_AFTER_RE = re.compile(rf"(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{MONTHS})\b", re.IGNORECASE)
YEAR_PREPS = (
    "in", "since", "of", "by", "until", "till", "from", "to", "before", "after", "during",
    "year", "early", "late", "mid", "and", "between", "through", "spring", "summer", "autumn",
    "fall", "winter", "season", "fiscal", "'s",
)
YEAR_PREP_RE = re.compile(rf"\b(?:{'|'.join(YEAR_PREPS)})\s+$", re.IGNORECASE)
TIME_AFTER_RE = re.compile(
    r"(?::\d|\s*(?:a\.m\.|p\.m\.|am\b|pm\b|GMT|UTC|hrs\b|hours\s+(?:GMT|UTC|local)|"
    r"local\s+time|o'clock))",
    re.IGNORECASE,
)
ALLOWED_CAP_BEFORE = frozenset(
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
SPELLED_COUNT_STOP = frozenset({"of", "more", "another", "other", "way", "day"})
NO_ONE_BEFORE = ("no", "any", "every", "some", "each", "the", "this", "that", "which",
                 "anyone", "someone", "everyone")
NO_ONE_BEFORE_RE = re.compile(rf"\b(?:{'|'.join(NO_ONE_BEFORE)})\s+$", re.IGNORECASE)
CAP_MODS_RE = re.compile(
    r"(?:\s+(?!(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|"
    r"March|April|June|July|August|September|October|November|December)\b)"
    r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?){1,3}(?=\s+[a-z])"
)
CAP_NOUN_RE = re.compile(r"(?:\s+[A-Z][a-z]+){0,3}\s+(?P<n>[A-Z][a-z]+[^s\W]s)\b(?=\s+[a-z])")
URL_RE = re.compile(r"(?:https?://|www\.)\S+")
EMAIL_RE = re.compile(r"\S+@\S+")
LETTER_RE = re.compile(r"[A-Za-z]")
UNIT_SUFFIX_RE = re.compile(r"(?:bn|tn|mn|mln|km|kg|m)\b")
PHONE_RE = re.compile(r"(?:-|–)\d+(?:-|–)\d{3,}")
ATTACHED_RE = re.compile(r"[A-Z0-9][\w]*-$")
ATTACHED2_RE = re.compile(r"\d/$|\w-$")
LOWER_HYPHEN_RE = re.compile(r"\b[a-z]+-$")
PREV_WORD_RE = re.compile(r"([A-Za-z][\w.’']*)\s+$")
SCORE_AFTER_RE = re.compile(r"[-–]\d{1,2}\b")
MONTH_WORD_RE = re.compile(MONTHS)
MONTH_DAY_COMMA_RE = re.compile(rf"\b(?:{MONTHS})\.?\s+\d{{1,2}},\s*$", re.IGNORECASE)
SPACES_RE = re.compile(r"\s+")
ORDINAL_WORDS = {w: i + 1 for i, w in enumerate(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
    "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth "
    "twentieth".split())}
ORDINAL_WORD_RE = re.compile(r"\b(" + "|".join(ORDINAL_WORDS) + r")\b", re.IGNORECASE)

