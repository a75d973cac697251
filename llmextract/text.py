"""Text normalisation that remembers where every character came from.

Grounding compares the model's words with the article's after folding case, quotation marks,
dashes and whitespace; `Folded` keeps, for each folded character, its offset in the original
text so a match maps back to an exact `[start, end)` span of the article as read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["WORD_RE", "Folded", "fold", "fold_plain", "words"]

_CHAR_MAP = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u00b4": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
    "\u2015": "-", "\u2212": "-",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2007": " ",
}
_DROP = {"\u00ad", "\u200b", "\u200c", "\u200d", "\ufeff"}

WORD_RE = re.compile(r"[^\W_]+(?:[.,'][^\W_]+)*", re.UNICODE)


@dataclass(frozen=True)
class Folded:
    """A folded copy of a text plus, for each of its characters, the original offset."""

    text: str
    origin: list[int]
    source_len: int

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a folded `[start, end)` back to the original text."""
        if end <= start:
            pos = self.origin[start] if start < len(self.origin) else self.source_len
            return pos, pos
        return self.origin[start], self.origin[end - 1] + 1


def fold(text: str) -> Folded:
    """Lowercase, straight quotes, plain hyphens, single spaces; '…' becomes '...'."""
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
        if len(low) != 1:  # e.g. 'İ'.lower() is two characters: keep the original
            low = ch
        out.append(low)
        origin.append(i)
    if out and out[-1] == " ":
        out.pop()
        origin.pop()
    return Folded("".join(out), origin, len(text))


def fold_plain(text: str) -> str:
    """`fold(text).text` for a needle (no offsets needed)."""
    return fold(text).text


def words(text: str) -> list[str]:
    """Lowercased word tokens (numbers with their separators stay whole: "1,100", "2.5")."""
    return [m.group(0).lower() for m in WORD_RE.finditer(fold_plain(text))]
