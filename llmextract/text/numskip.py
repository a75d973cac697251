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
    MONTH_TAILS,
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
    YEAR_PREPS,
)

__all__ = ["skip_reason", "tail_may_be"]

# Several patterns here end in `\s+$` and are searched in the 30 characters before a number;
# such a search tries every start position. The tests below are cheaper and are False only
# where the regex cannot match, so the regex still decides every case it is asked.


def tail_may_be(before: str, tails: tuple[str, ...]) -> bool:
    r"""Can a case-insensitive `\b(?:tails)\s+$` pattern match `before`? It needs trailing
    whitespace, and (ASCII text) its last word lowercased is one of `tails`."""
    if not before[-1:].isspace():
        return False  # `\s+$`: the last character is whitespace (`$` may precede a final "\n")
    if not before.isascii():
        return True  # IGNORECASE also folds a few non-ASCII letters ("K", "ſ"): ask the regex
    return before.rstrip().lower().endswith(tails)


def _prev_word(before: str) -> re.Match[str] | None:
    """PREV_WORD_RE.search(before), searched from the last whitespace-free chunk only: its
    word holds no whitespace and only whitespace follows it."""
    stripped = before.rstrip()
    if len(stripped) == len(before):
        return None
    last = stripped.rsplit(None, 1)
    return PREV_WORD_RE.search(before, len(stripped) - len(last[-1]) if last else 0)


def _attached(before: str) -> bool:
    """ATTACHED_RE or ATTACHED2_RE (both end in "-" or "/" before `$`), but not after a
    lowercase hyphenated word."""
    end = before[:-1] if before.endswith("\n") else before  # `$` may precede a final "\n"
    if not end.endswith(("-", "/")):
        return False
    attached = ATTACHED_RE.search(before) or ATTACHED2_RE.search(before)
    return bool(attached) and not LOWER_HYPHEN_RE.search(before)


def skip_reason(text: str, m: re.Match[str]) -> bool:
    """True when the core number is a date part, time, ordinal, year, model name or junk."""
    if m.group("cur"):
        return False
    start, end = m.start(), m.end()
    num = m.group("num")
    before = text[max(0, start - 30) : start]
    after = text[end : end + 30]
    if num is not None:
        if TIME_AFTER_RE.match(after) or before.endswith(":"):
            return True
        if LETTER_RE.match(after) and not UNIT_SUFFIX_RE.match(after):
            return True  # ordinals (21st), decades (1990s), model names (240mm, 5G)
        if PHONE_RE.match(after):
            return True  # phone-like
        if _attached(before):
            return True
        prev = _prev_word(before)
        score_like = SCORE_AFTER_RE.match(after) is not None and len(num) <= 2
        if prev and prev.group(1)[0].isupper() and not score_like:
            w = prev.group(1).lower().rstrip(".")
            if w not in ALLOWED_CAP_BEFORE and not MONTH_WORD_RE.fullmatch(w):
                return True
        if "," not in num and "." not in num:
            if len(num) > 1 and num.startswith("0"):
                return True
            if _month_before(before) and int(num) <= 31:
                return True
            if MONTH_AFTER_RE.match(after) and int(num) <= 31:
                return True
            if len(num) == 4 and 1800 <= int(num) <= 2100 and not PERCENT_RE.match(after):
                return _looks_like_year(before, after)
        if len(num.replace(",", "").split(".")[0]) > 15:
            return True
    return False


def _looks_like_year(before: str, after: str) -> bool:
    if tail_may_be(before, YEAR_PREPS) and YEAR_PREP_RE.search(before):
        return True
    if _month_before(before):
        return True
    if before.rstrip().endswith(",") and MONTH_DAY_COMMA_RE.search(before):  # `,\s*$`
        return True
    wm = WORD_RE.match(after)
    return not (wm and wm.group(1) not in STOP_NOUNS)


def _month_before(before: str) -> bool:
    return tail_may_be(before, MONTH_TAILS) and MONTH_BEFORE_RE.search(before) is not None
