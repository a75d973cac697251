"""Text normalisation that remembers where every character came from.

Grounding compares the model's words with the article's after folding case, quotation marks,
dashes and whitespace; `Folded` keeps, for each folded character, its offset in the original
text so a match maps back to an exact `[start, end)` span of the article as read.
"""

from __future__ import annotations

import re

__all__ = ["WORD_RE", "Folded", "digit_pattern", "fold", "fold_plain", "is_word_char", "words"]

_CHAR_MAP = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u00b4": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"', "\u2039": '"', "\u203a": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
    "\u2015": "-", "\u2212": "-",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2007": " ",
}
_DROP = {"\u00ad", "\u200b", "\u200c", "\u200d", "\ufeff"}

WORD_RE = re.compile(r"[^\W_]+(?:[.,'][^\W_]+)*", re.UNICODE)


_TRANSLATE = str.maketrans({**_CHAR_MAP, **dict.fromkeys(_DROP), "\u2026": "..."})
_SPACES = re.compile(r"\s+")


class Folded:
    """A folded copy of a text; `span()` maps folded offsets back to the original.

    The folded text is made with C-speed string methods; the offset map is built (by a
    character loop) only the first time a folded match has to be mapped back.
    """

    __slots__ = ("_origin", "source", "text")

    def __init__(self, source: str) -> None:
        self.source = source
        lowered = _lowered(source)
        if lowered is None:  # e.g. 'İ' lowers to two characters: go slow
            self.text, origin = _fold_slow(source)
            self._origin: list[int] | None = origin
        else:
            self.text = _SPACES.sub(" ", lowered).strip(" ")
            self._origin = None

    @property
    def origin(self) -> list[int]:
        if self._origin is None:
            text, self._origin = _fold_slow(self.source)
            assert text == self.text
        return self._origin

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a folded `[start, end)` back to the original text."""
        origin = self.origin
        if end <= start:
            pos = origin[start] if start < len(origin) else len(self.source)
            return pos, pos
        return origin[start], origin[end - 1] + 1


def _fold_slow(text: str) -> tuple[str, list[int]]:
    out: list[str] = []
    origin: list[int] = []
    last_space = True
    for i, ch in enumerate(text):
        if ch in _DROP:
            continue
        ch = _CHAR_MAP.get(ch, ch)
        if ch.isspace():
            if last_space:
                continue
            out.append(" ")
            origin.append(i)
            last_space = True
            continue
        last_space = False
        if ch == "\u2026":
            out.extend("...")
            origin.extend((i, i, i))
            continue
        low = ch.lower()
        if len(low) != 1:  # keep the original: offsets stay one to one
            low = ch
        out.append(low)
        origin.append(i)
    if out and out[-1] == " ":
        out.pop()
        origin.pop()
    return "".join(out), origin


def fold(text: str) -> Folded:
    """Lowercase, straight quotes, plain hyphens, single spaces; '…' becomes '...'."""
    return Folded(text)


def _lowered(text: str) -> str | None:
    """`Folded`'s fast path before its space folding; None where it takes the slow one."""
    fast = text.translate(_TRANSLATE)
    lowered = fast.lower()
    return lowered if len(lowered) == len(fast) else None


def fold_plain(text: str) -> str:
    """`fold(text).text` for a needle (no offsets needed, so no `Folded` is made)."""
    lowered = _lowered(text)
    if lowered is None:
        return _fold_slow(text)[0]
    if lowered.isalnum():  # one word: no space to fold (the common needle)
        return lowered
    return _SPACES.sub(" ", lowered).strip(" ")


def words(text: str) -> list[str]:
    """Lowercased word tokens (numbers with their separators stay whole: "1,100", "2.5")."""
    lowered = _lowered(text)
    if lowered is None:
        return [w.lower() for w in WORD_RE.findall(_fold_slow(text)[0])]
    # Folding spaces neither joins nor splits a token (no token holds a space), and
    # `str.lower` is idempotent: the fast path's tokens are already the folded ones.
    return WORD_RE.findall(lowered)


def is_word_char(ch: str) -> bool:
    """Letters and digits join words; a CJK character is a word of its own (Chinese and
    Japanese put no spaces between words, so their names are found inside runs)."""
    if ch < "\u3040":  # its first character is below every spaceless range
        return ch.isalnum()
    first = ch[:1]
    return ch.isalnum() and not any(lo <= first <= hi for lo, hi in _SPACELESS)


# Kana, CJK ideographs (extension A to the unified block), Hangul syllables, compatibility
# ideographs: compared as ranges (a regex class over them takes ~2 ms to compile)
_SPACELESS = (("\u3040", "\u30ff"), ("\u3400", "\u9fff"), ("\uac00", "\ud7af"),
              ("\uf900", "\ufaff"))
_SEPARATORS = ".,' "


def digit_pattern(needle: str) -> re.Pattern[str] | None:
    """A folded needle with its digit groups written any national way: a separator between
    digits may be any of `.,' ` (or none), and a long digit run may carry thousands
    separators ("1,100" finds "1.100", "1 100", "1'100" and "1100"). None without digits."""
    if not any(c.isdigit() for c in needle):
        return None
    out: list[str] = []
    n = len(needle)
    i = 0
    while i < n:
        c = needle[i]
        if c in _SEPARATORS and 0 < i < n - 1 and needle[i - 1].isdigit() and \
                needle[i + 1].isdigit():
            out.append("[.,' ]?")
        elif c.isdigit():
            j = i
            while j < n and needle[j].isdigit():
                j += 1
            run = needle[i:j]
            for k, d in enumerate(run):
                if k and (len(run) - k) % 3 == 0 and len(run) >= 4:
                    out.append("[.,' ]?")
                out.append(d)
            i = j
            continue
        else:
            out.append(re.escape(c))
        i += 1
    lead = r"(?<![\w.,])" if needle[0].isalnum() else ""
    tail = r"(?![\w]|[.,]\d)" if needle[-1].isalnum() else ""
    return re.compile(lead + "".join(out) + tail)
