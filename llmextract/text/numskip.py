"""Which bare numbers of English text are not figures: date parts, times, ordinals,
years, model names and codes (llmextract.text.numbers)."""

from __future__ import annotations

import re

from llmextract.text.numpatterns import (
    ALLOWED_CAP_BEFORE,
    ATTACHED2_RE,
    ATTACHED_RE,
    LETTER_RE,
    LOWER_HYPHEN_RE,
    MONTH_AFTER_RE,
    MONTH_BEFORE_RE,
    MONTH_DAY_COMMA_RE,
    MONTH_WORD_RE,
    PERCENT_RE,
    PHONE_RE,
    PREV_WORD_RE,
    SCORE_AFTER_RE,
    STOP_NOUNS,
    TIME_AFTER_RE,
    UNIT_SUFFIX_RE,
    WORD_RE,
    YEAR_PREP_RE,
)

__all__ = ["skip_reason"]


def skip_reason(text: str, m: re.Match[str]) -> bool:
    """True when the core number is a date part, time, ordinal, year, model name or junk."""
    start, end = m.start(), m.end()
    num = m.group("num")
    before = text[max(0, start - 30) : start]
    after = text[end : end + 30]
    if m.group("cur"):
        return False
    if num is not None:
        if TIME_AFTER_RE.match(after) or before.endswith(":"):
            return True
        if LETTER_RE.match(after) and not UNIT_SUFFIX_RE.match(after):
            return True  # ordinals (21st), decades (1990s), model names (240mm, 5G)
        if PHONE_RE.match(after):
            return True  # phone-like
        attached = ATTACHED_RE.search(before) or ATTACHED2_RE.search(before)
        if attached and not LOWER_HYPHEN_RE.search(before):
            return True
        prev = PREV_WORD_RE.search(before)
        score_like = SCORE_AFTER_RE.match(after) is not None and len(num) <= 2
        if prev and prev.group(1)[0].isupper() and not score_like:
            w = prev.group(1).lower().rstrip(".")
            if w not in ALLOWED_CAP_BEFORE and not MONTH_WORD_RE.fullmatch(w):
                return True
        if "," not in num and "." not in num:
            if len(num) > 1 and num.startswith("0"):
                return True
            if MONTH_BEFORE_RE.search(before) and int(num) <= 31:
                return True
            if MONTH_AFTER_RE.match(after) and int(num) <= 31:
                return True
            if len(num) == 4 and 1800 <= int(num) <= 2100 and not PERCENT_RE.match(after):
                return _looks_like_year(before, after)
        if len(num.replace(",", "").split(".")[0]) > 15:
            return True
    return False


def _looks_like_year(before: str, after: str) -> bool:
    if YEAR_PREP_RE.search(before) or MONTH_BEFORE_RE.search(before):
        return True
    if MONTH_DAY_COMMA_RE.search(before):
        return True
    wm = WORD_RE.match(after)
    return not (wm and wm.group(1) not in STOP_NOUNS)
