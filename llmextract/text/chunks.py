"""Splitting a long text into chunks that fit a token budget, with a small overlap.

`split_text(text, budget, overlap)` cuts on paragraph boundaries where it can, else on
sentence boundaries (a line break ends a sentence too; `。！？` end one without a space),
else, inside a sentence longer than a chunk can hold, at whitespace, else (text without
spaces, such as Chinese or Japanese) between characters. Every chunk holds at most `budget`
estimated tokens (llmextract.text.tokens); each one after the first starts with the last
whole sentences of the one before, at most `overlap` tokens of them, so that a figure or
a quotation cut by a boundary stands whole in the next chunk. A text within the budget is
one chunk, untouched.

Chunks are spans of the original text (`text[chunk.start:chunk.end]`), so whatever is
found in a chunk has global offsets by adding `chunk.start`. Pure and deterministic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from llmextract.text.tokens import estimate_tokens, token_ends

__all__ = ["CHUNKER_VERSION", "Chunk", "default_overlap", "split_text"]

CHUNKER_VERSION = 1
"""Bumped whenever the same text and settings could be cut differently (in cache keys)."""

_PARAGRAPH = re.compile(r"\n[ \t\r]*\n\s*")
_LINE = re.compile(r"[^\n]+")
# A sentence ends at . ! ? … (with closing quotes or brackets) before whitespace and a
# capital, a digit or an opening mark; or at 。！？ (and their closing marks) anywhere.
_SENTENCE_END = re.compile(
    r"[.!?…]+[\"'”’»)\]]*(?=\s+[\"'“‘«(\[]?[A-Z0-9\u00C0-\u00DE])"
    r"|[。！？!?]+[」』”’)）]*")
_ABBREVIATIONS = frozenset("mr mrs ms dr prof st no vs gen sen rep gov jr sr inc ltd co "
                           "corp u.s u.k u.n e.g i.e".split())
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")


@dataclass(frozen=True)
class Chunk:
    """`text[start:end]` of the text that was split, and its estimated tokens."""

    start: int
    end: int
    tokens: int


@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    tokens: int
    para_end: bool  # the last unit of a paragraph


def default_overlap(budget: int) -> int:
    """The overlap for a budget: a tenth of it, between 32 and 400 tokens."""
    return max(32, min(400, budget // 10))


def split_text(text: str, budget: int, overlap: int | None = None) -> list[Chunk]:
    """`text` in chunks of at most `budget` estimated tokens (see the module docstring);
    `overlap` defaults to `default_overlap(budget)` and must stay under half the budget."""
    if budget < 1:
        raise ValueError("the budget must be at least 1 token")
    overlap = default_overlap(budget) if overlap is None else overlap
    if not 0 <= overlap * 2 < budget:
        raise ValueError(f"the overlap ({overlap}) must be under half the budget ({budget})")
    total = estimate_tokens(text)
    if total <= budget:
        return [Chunk(0, len(text), total)]
    # a sentence too long for a chunk is cut into pieces small enough for the overlap
    piece = max(1, min(budget // 8, overlap // 2 if overlap else budget))
    units = _units(text, piece, budget - overlap)
    return _pack(units, budget, overlap)


def _pack(units: list[_Unit], budget: int, overlap: int) -> list[Chunk]:
    """Greedy: fill a chunk with units, end it at a paragraph end in its second half when
    there is one, and start the next with the last units (at most `overlap` tokens)."""
    chunks: list[Chunk] = []
    first, n = 0, len(units)
    while first < n:
        used, last = 0, first
        while last < n and used + units[last].tokens <= budget:
            used += units[last].tokens
            last += 1
        if last == first:  # cannot happen (units are cut to fit), but never loop forever
            last += 1
        elif last < n:
            last = _paragraph_cut(units, first, last, budget)
        tokens = sum(u.tokens for u in units[first:last])
        chunks.append(Chunk(units[first].start, units[last - 1].end, tokens))
        if last >= n:
            break
        nxt, carried = last, 0
        while nxt - 1 > first and carried + units[nxt - 1].tokens <= overlap:
            nxt -= 1
            carried += units[nxt].tokens
        first = nxt
    return chunks


def _paragraph_cut(units: list[_Unit], first: int, last: int, budget: int) -> int:
    """The end (exclusive) of the chunk `units[first:last]`: after its last paragraph end
    that leaves it at least half full, else `last`."""
    used = sum(u.tokens for u in units[first:last])
    end = last
    while end - 1 > first and used >= budget // 2:
        if units[end - 1].para_end:
            return end
        end -= 1
        used -= units[end].tokens
    return last


def _units(text: str, piece: int, largest: int) -> list[_Unit]:
    """Sentences (and lines) of every paragraph; a sentence over `largest` tokens is cut
    into pieces of about `piece` tokens."""
    out: list[_Unit] = []
    start = 0
    for brk in [*_PARAGRAPH.finditer(text), None]:
        end = brk.start() if brk is not None else len(text)
        before = len(out)
        for line in _LINE.finditer(text, start, end):
            for s, e in _sentences(text, line.start(), line.end()):
                tokens = estimate_tokens(text[s:e])
                if tokens > largest:
                    out.extend(_pieces(text, s, e, piece))
                elif tokens:
                    out.append(_Unit(s, e, tokens, False))
        if len(out) > before:
            last = out[-1]
            out[-1] = _Unit(last.start, last.end, last.tokens, True)
        start = brk.end() if brk is not None else len(text)
    return out


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of the sentences of `text[start:end]`, surrounding spaces left out."""
    out: list[tuple[int, int]] = []
    at = start
    for m in _SENTENCE_END.finditer(text, start, end):
        if m.group(0)[0] == "." and _abbreviation(text, m.start()):
            continue
        out.append((at, m.end()))
        at = m.end()
    out.append((at, end))
    return [(s, e) for s, e in (_strip(text, s, e) for s, e in out) if s < e]


def _abbreviation(text: str, dot: int) -> bool:
    m = _WORD_BEFORE.search(text, max(0, dot - 8), dot + 1)
    return m is not None and (len(m.group(1)) == 1 or m.group(1).lower() in _ABBREVIATIONS)


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _pieces(text: str, start: int, end: int, piece: int) -> list[_Unit]:
    """`text[start:end]` cut into units of at most `piece` tokens: at whitespace, and
    inside a run without whitespace that holds more, between its own pieces."""
    out: list[_Unit] = []
    first, last, used = start, start, 0
    for word in re.finditer(r"\S+", text[start:end]):
        ws, we = start + word.start(), start + word.end()
        tokens = estimate_tokens(text[ws:we])
        if used and used + tokens > piece:
            out.append(_Unit(first, last, used, False))
            used = 0
        if tokens > piece:
            out.extend(_run_pieces(text, ws, we, piece))
            continue
        if not used:
            first = ws
        last, used = we, used + tokens
    if used:
        out.append(_Unit(first, last, used, False))
    return out


def _run_pieces(text: str, start: int, end: int, piece: int) -> list[_Unit]:
    """A run without whitespace cut between its pieces, at most `piece` tokens each; a
    single piece over that (a word thousands of letters long) is cut by characters."""
    out: list[_Unit] = []
    at, before = start, 0
    ends = token_ends(text, start, end)
    for i, (stop, total) in enumerate(ends):
        if total - before > piece:  # this piece alone is over: flush, then slice it
            prev = ends[i - 1][0] if i else start
            if prev > at:
                out.append(_Unit(at, prev, estimate_tokens(text[at:prev]), False))
            width = max(1, (stop - prev) * piece // (total - (ends[i - 1][1] if i else 0)))
            for a in range(prev, stop, width):
                b = min(stop, a + width)
                out.append(_Unit(a, b, estimate_tokens(text[a:b]), False))
            at, before = stop, total
        elif i + 1 == len(ends) or ends[i + 1][1] - before > piece:
            out.append(_Unit(at, stop, total - before, False))
            at, before = stop, total
    return out
