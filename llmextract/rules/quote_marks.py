"""Pairing quotation marks: double marks, guillemets and British single marks (‘ … ’)."""

from __future__ import annotations

import re
from functools import lru_cache

from llmextract.rules.sentences import Block

__all__ = ["OPEN", "OPEN_ALL", "curl_single", "para_at", "raw_quotes", "rstrip", "single_opens"]

OPEN = "\"“„«"
OPEN_ALL = OPEN + "‘"  # with the British single mark
_CLOSE_FOR = {'"': '"', "“": "”", "„": "“", "«": "»", "»": "«", "‹": "›", "›": "‹"}
# Where a British ‘ may open a quotation: paragraph start, after a space, bracket or dash.
_SINGLE_BEFORE = " \t\n\r([—–-\"“:"
_DECADE_RE = re.compile(r"\d\ds\b")  # ‘90s: an elided year, not a quotation


def para_at(paras: list[Block], pos: int) -> int:
    lo, hi = 0, len(paras) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if paras[mid].end <= pos:
            lo = mid + 1
        else:
            hi = mid
    return lo


def rstrip(text: str, a: int, b: int) -> int:
    while b > a and text[b - 1].isspace():
        b -= 1
    return b


def single_opens(text: str, i: int) -> bool:
    """Whether the ‘ at i opens a quotation (not "‘90s", not a stray mark inside a word)."""
    prev = text[i - 1] if i > 0 else " "
    nxt = text[i + 1 : i + 2]
    return prev in _SINGLE_BEFORE and nxt.strip() != "" and \
        _DECADE_RE.match(text, i + 1) is None


def _find_single_close(text: str, i: int, paras: list[Block]) -> tuple[int, bool]:
    """The closing ’ of a ‘ at i-1 within its paragraph: a ’ followed by a non-letter. A ’
    after "s" and before a lower-case word ("the workers’ pay") is a plural possessive
    unless no other closing mark follows. (end of the quoted words, False) when unclosed."""
    pi = para_at(paras, i)
    end = paras[pi].end if paras and paras[pi].end >= i else len(text)
    maybe = -1
    j = text.find("’", i, end)
    while j >= 0:
        nxt = text[j + 1 : j + 2]
        if not nxt.isalnum():  # not "don’t", "’90s"
            if text[j - 1] in "sS" and nxt == " " and text[j + 2 : j + 3].islower():
                maybe = j if maybe < 0 else maybe
            else:
                break
        j = text.find("’", j + 1, end)
    reopen = text.find("‘", i, j if j >= 0 else end)
    while reopen >= 0 and not single_opens(text, reopen):
        reopen = text.find("‘", reopen + 1, j if j >= 0 else end)
    if reopen >= 0:
        return rstrip(text, i, reopen), False  # a new opening: this one was left open
    if j < 0:
        j = maybe
    if j >= 0:
        return j, True
    return rstrip(text, i, end), False


# For each opening mark, the characters _find_close stops at inside a paragraph: its
# closing marks (a straight quote also closes on ”, a “ on a straight quote) and, for “, a
# new “. Every other character is stepped over, so a search can jump to the next of these.
_STOPS_RE = {mark: re.compile("[" + re.escape(close + {'"': "”", "“": '"“'}.get(mark, "")) + "]")
             for mark, close in _CLOSE_FOR.items()}


def _find_close(text: str, i: int, mark: str, paras: list[Block]) -> tuple[int, bool]:
    """(index of the closing mark, True) for an opening at i-1, or (end of the quoted
    words, False) when it is never closed."""
    close = _CLOSE_FOR[mark]
    stops = _STOPS_RE[mark]
    pi = para_at(paras, i)
    para_end = paras[pi].end if paras and paras[pi].end >= i else len(text)
    j = i
    n = len(text)
    while j < n:
        if j < para_end:  # jump to the next stop before the paragraph's end
            m = stops.search(text, j, para_end)
            j = para_end if m is None else m.start()
            if j >= n:
                break
        c = text[j]
        if c == close or (mark == '"' and c == "”") or (mark == "“" and c == '"'):
            return j, True
        if c == "“" and mark == "“":
            return rstrip(text, i, j), False  # a new opening: this one was left open
        nxt = j  # here j >= para_end: every stop before it returned
        while nxt < n and text[nxt].isspace():
            nxt += 1
        if nxt < n and (text[nxt].islower() or text[nxt] in ",;") and pi + 1 < len(paras):
            j = nxt
            pi = para_at(paras, nxt)
            para_end = paras[pi].end
            continue
        return rstrip(text, i, j), False
    return rstrip(text, i, n), False


@lru_cache(maxsize=16)  # one per set of opening marks: a handful of languages
def _marks_re(opens: str) -> re.Pattern[str]:
    return re.compile("[" + re.escape(opens) + "]")


def raw_quotes(text: str, paras: list[Block],
               opens: str = OPEN_ALL) -> list[tuple[int, int, bool, int]]:
    """(start, end, closed, index after the closing mark) of each quotation, pairing marks
    (`opens`: the marks that open one; German adds »…« and ›…‹)."""
    out: list[tuple[int, int, bool, int]] = []
    i = 0
    n = len(text)
    marks = _marks_re(opens)
    while i < n:
        m = marks.search(text, i)  # the next opening mark: nothing before it opens a quote
        if m is None:
            break
        i = m.start()
        c = text[i]
        prev = text[i - 1] if i > 0 else " "
        if c == '"' and (prev.isalnum() or prev in ".,;!?"):
            i += 1  # a stray closing straight quote
            continue
        if c == "‘":
            if not single_opens(text, i):
                i += 1
                continue
            j, closed = _find_single_close(text, i + 1, paras)
        else:
            j, closed = _find_close(text, i + 1, c, paras)
        a, b = i + 1, j
        while a < b and text[a].isspace():
            a += 1
        b = rstrip(text, a, b)
        while b > a and text[b - 1] in ", \t\n":
            b -= 1
        if b > a:
            out.append((a, b, closed, j + 1 if closed else j))
        i = j + 1 if closed else max(j, i + 1)
    return out


_ASCII_CLOSE_RE = re.compile(r"[,.!?]'(?=\s|$)")
_ASCII_OPEN_RE = re.compile(r"(?:(?<=^)|(?<=[\s(\[—–-]))'(?=[^\s'])", re.MULTILINE)


def curl_single(text: str) -> str | None:
    """British copy typed in ASCII quotes with ' ('We will rebuild,' the mayor said.): the
    same text with each opening ' written ‘ and every other ' written ’ (one character for
    one, so offsets hold), for the quotation finder; None when the text quotes otherwise
    (it has double marks or curly singles, or no ' closes a quoted sentence)."""
    if "'" not in text or any(c in text for c in '"“”„«‘') or not _ASCII_CLOSE_RE.search(text):
        return None
    out = text.replace("'", "’")
    chars = list(out)
    for m in _ASCII_OPEN_RE.finditer(text):
        if _DECADE_RE.match(text, m.start() + 1) is None:
            chars[m.start()] = "‘"
    return "".join(chars)
