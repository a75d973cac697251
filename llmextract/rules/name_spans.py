"""Where a one-word name stands with more name around it, found with fixed patterns.

Each function gives what `re.search` gives for a pattern built around the escaped name,
without compiling that pattern: compiling costs about half a millisecond, and in a batch
nearly every name is new, so Python's pattern cache does not help.
"""

from __future__ import annotations

import re

__all__ = ["name_after", "names_before"]

# one word of a name before the name: "Olena ", "J. ", "bin ", "al-"
_WORD = r"(?:[A-Z][a-z'’\-]+[ \t]+|[A-Z]\.[ \t]+|(?:bin|al|de|van|von|ibn)[ \t]+|al-)"
_FIRST_WORD_RE = re.compile(rf"\b{_WORD}")
_WORD_RE = re.compile(_WORD)
_END_RE = re.compile(r"\b(?!['’]s\s+[A-Z])")
_BOUNDARY_RE = re.compile(r"\b")
_TAIL_RE = re.compile(r"(?:[ \t]+[A-Z][a-z'’\-]+){1,2}\b")


def _ends(text: str, p: int) -> list[int]:
    """The ends of the one to five name words from p on."""
    ends: list[int] = []
    while len(ends) < 5:
        w = _WORD_RE.match(text, ends[-1] if ends else p)
        if w is None:
            break
        ends.append(w.end())
    return ends


def names_before(text: str, name: str) -> str | None:
    """The first `1-5 name words + name`, as
    `re.search(rf"\\b((?:{_WORD}){{1,5}}){re.escape(name)}\\b(?!['’]s\\s+[A-Z])", text)`.

    Name words hold no line break, so a match starts on the line of a mention, before it;
    from a start the words are fixed (no two kinds of word start alike), and the greedy
    count keeps the most words the name follows. A start inside a word ("Sadr" of
    "Al-Sadr") matches only where the word's own start does, so skipping it loses
    nothing."""
    done = 0  # starts before this were tried
    q = text.find(name)
    while q >= 0:
        for w in _FIRST_WORD_RE.finditer(text, max(done, text.rfind("\n", 0, q) + 1)):
            if w.start() >= q:
                break
            for e in reversed(_ends(text, w.start())):
                if text.startswith(name, e) and _END_RE.match(text, e + len(name)):
                    return text[w.start() : e + len(name)]
        done = q
        q = text.find(name, q + 1)
    return None


def name_after(text: str, name: str) -> str | None:
    """The first `name + 1-2 capitalised words`, as
    `re.search(rf"\\b{re.escape(name)}((?:[ \\t]+[A-Z][a-z'’\\-]+){{1,2}})\\b", text)`."""
    q = text.find(name)
    while q >= 0:
        if _BOUNDARY_RE.match(text, q):
            m = _TAIL_RE.match(text, q + len(name))
            if m is not None:
                return text[q : m.end()]
        q = text.find(name, q + 1)
    return None
