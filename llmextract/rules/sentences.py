"""Paragraph and sentence splitting that keeps character offsets into the original text."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Block", "lines", "paragraphs", "sentences"]


@dataclass(frozen=True)
class Block:
    """A slice of the text: `text == source[start:end]`."""

    start: int
    end: int
    text: str


_LINE_RE = re.compile(r"[^\n]+")
# (?:[^\n]|\n(?!...))+ with runs of [^\n] taken whole: the same (longest) matches, not one
# branch per character
_PARA_RE = re.compile(r"(?:[^\n]+|\n(?![ \t\r]*\n))+")
_BLANK_RE = re.compile(r"\n[ \t\r]*\n")
_ABBREV = frozenset(
    """mr mrs ms dr prof gov sen rep gen col lt capt sgt st jr sr inc ltd co corp no vs
    jan feb mar apr jun jul aug sep sept oct nov dec mass calif fla ill ariz wash pa va md
    u.s u.k u.n a.m p.m e.g i.e etc approx dept est fig govt mt ft rev hon""".split()
)
_ABBREV_TAIL_RE = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")
# A stop and closing marks before a capital or digit, or at the end. Written as one stop
# then the rest (not two branches) so re can skip to the next stop; the same matches: only
# the longest run of stops and marks can be followed by a space or the end.
_END_RE = re.compile(r"[.!?…][.!?…]*[\"”’')\]]*(?:(?=\s+[\"“‘'(\[]?[A-Z0-9])|$)")


def lines(text: str) -> list[Block]:
    """Non-empty lines with offsets."""
    return [Block(m.start(), m.end(), m.group(0)) for m in _LINE_RE.finditer(text)
            if m.group(0).strip()]


def paragraphs(text: str) -> list[Block]:
    """Paragraphs: runs of text separated by blank lines, or single lines when the text uses
    one line per paragraph."""
    if not _BLANK_RE.search(text):
        return lines(text)
    out: list[Block] = []
    for m in _PARA_RE.finditer(text):
        _add(out, text, m.start(), m.end())
    return out


def _is_abbrev(text: str, dot: int) -> bool:
    m = _ABBREV_TAIL_RE.search(text, max(0, dot - 12), dot + 1)
    if m is None:
        return False
    word = m.group(1).lower()
    if word in _ABBREV:
        return True
    return len(word) == 1  # initials: "G. Sanjeev"


def sentences(text: str, start: int = 0, end: int | None = None) -> list[Block]:
    """Sentences of text[start:end] (each line break also ends a sentence)."""
    stop = len(text) if end is None else end
    out: list[Block] = []
    for ln in _LINE_RE.finditer(text, start, stop):
        s0 = ln.start()
        for m in _END_RE.finditer(text, ln.start(), ln.end()):
            if text[m.start()] == "." and m.end() - m.start() == 1 and _is_abbrev(text, m.start()):
                continue
            _add(out, text, s0, m.end())
            s0 = m.end()
        _add(out, text, s0, ln.end())
    return out


def _add(out: list[Block], text: str, a: int, b: int) -> None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if b > a:
        out.append(Block(a, b, text[a:b]))
