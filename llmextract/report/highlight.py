"""The article text as HTML, with every located item's words wrapped in a `<mark>`.

Spans may nest (a figure inside a quote) or cross (an entity running past the end of a quote).
Marks are emitted properly nested: a span that crosses the end of an enclosing one is split
there and continued after it, so the markup stays well formed whatever the spans are. The
first piece of each item's mark carries the item's element id; every piece carries
`data-target` so the script can find them all.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from html import escape

__all__ = ["Mark", "render_text"]

# Which mark opens first (outermost) when two spans start and end at the same place.
_ORDER = {"p": -1, "q": 0, "f": 1, "e": 2}  # prose support (whole sentences) outermost


@dataclass(frozen=True)
class Mark:
    start: int
    end: int
    kind: str  # "f", "q", "e" or "p" (an article sentence supporting a prose sentence)
    target: str  # element id, e.g. "a3-f2" (made by the report, never record text)
    title: str  # tooltip (escaped on output)


def _open_tag(mark: Mark, first: bool) -> str:
    id_attr = f' id="{mark.target}"' if first else ""
    return (f'<mark class="hl k-{mark.kind}"{id_attr} data-target="{mark.target}" '
            f'title="{escape(mark.title, quote=True)}">')


def render_text(text: str, marks: list[Mark]) -> str:
    """`text` HTML-escaped, with `marks` (valid spans into `text`) wrapped around their words."""
    heap = [(m.start, -m.end, _ORDER.get(m.kind, 3), seq, m)
            for seq, m in enumerate(marks) if 0 <= m.start < m.end <= len(text)]
    heapq.heapify(heap)
    out: list[str] = []
    open_ends: list[int] = []  # ends of the open marks, innermost last
    seen: set[str] = set()
    pos = 0

    def close_to(limit: int) -> None:
        nonlocal pos
        while open_ends and open_ends[-1] <= limit:
            end = open_ends.pop()
            out.append(escape(text[pos:end], quote=True))
            out.append("</mark>")
            pos = end

    while heap:
        start, neg_end, order, seq, mark = heapq.heappop(heap)
        end = -neg_end
        close_to(start)
        if start > pos:
            out.append(escape(text[pos:start], quote=True))
            pos = start
        if open_ends and end > open_ends[-1]:  # crosses the enclosing mark: split it
            heapq.heappush(heap, (open_ends[-1], neg_end, order, seq, mark))
            end = open_ends[-1]
        out.append(_open_tag(mark, mark.target not in seen))
        seen.add(mark.target)
        open_ends.append(end)
    close_to(len(text))
    out.append(escape(text[pos:], quote=True))
    return "".join(out)
