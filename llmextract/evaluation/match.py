"""Matching for `llmextract eval`: how a predicted figure, quote or entity is paired with a
gold one (word overlap, values, names and surnames), one to one and greedily."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable

__all__ = ["ACCURACIES", "FIGURE_OVERLAP", "LIST_FIELDS", "QUOTE_OVERLAP", "entity_key",
           "figure_overlap", "match", "overlap", "quote_overlap", "surname", "value_ok", "words"]

FIGURE_OVERLAP = 0.5  # shared words / words of the shorter text
QUOTE_OVERLAP = 0.6  # shared tokens / tokens of the longer text
VALUE_REL_TOL = 1e-6
LIST_FIELDS = ("figures", "quotes", "entities")
ACCURACIES = {"speaker": "speaker (of matched quotes)",
              "entity_type": "entity type (of matched entities)",
              **{k: f"{k} (where gold states it)" for k in ("published", "publisher", "title")}}

_CHAR_MAP = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
})
_WORD_RE = re.compile(r"[^\W_]+(?:[.,'][^\W_]+)*")
_TITLES = frozenset(
    "president vice prime minister chancellor premier dr doctor mr mrs ms miss mx prof "
    "professor sir dame lord lady gen general col colonel capt captain lt sgt adm admiral "
    "sen senator rep gov governor mayor judge justice rev reverend pope king queen prince "
    "princess sheikh secretary ambassador chairman chairwoman chief ceo".split())
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})


# --- Normalisation and matching ---------------------------------------------------------

def words(text: str) -> list[str]:
    """Case-, quote- and punctuation-free words: "Around 1,100 “casualties”" -> around, 1100,
    casualties. Commas and apostrophes inside a word vanish; other punctuation splits."""
    norm = unicodedata.normalize("NFKC", text).translate(_CHAR_MAP).casefold()
    return [w.replace(",", "").replace("'", "") for w in _WORD_RE.findall(norm)]


def overlap(a: list[str], b: list[str], den: Callable[[int, int], int]) -> float:
    """Shared words (as multisets) over den(len(a), len(b))."""
    return sum((Counter(a) & Counter(b)).values()) / den(len(a), len(b)) if a and b else 0.0


def figure_overlap(pred: str, gold: str) -> float:
    """Shared words over the words of the shorter text (0 when either has none)."""
    return overlap(words(pred), words(gold), min)


def quote_overlap(pred: str, gold: str) -> float:
    """Shared words over the words of the longer text (0 when either has none)."""
    return overlap(words(pred), words(gold), max)


def _name_words(name: str) -> list[str]:
    """Words of a name without possessive 's, a leading "the" or leading titles."""
    norm = unicodedata.normalize("NFKC", name).translate(_CHAR_MAP).casefold()
    norm = re.sub(r"'s\b|s'(?=\s|$)", lambda m: "" if m.group() == "'s" else "s", norm)
    ws = re.sub(r"[^\w\s]|_", lambda m: "" if m.group() in ".'" else " ", norm).split()
    if ws and ws[0] == "the":
        ws = ws[1:]
    while len(ws) > 1 and ws[0] in _TITLES:
        ws = ws[1:]
    return ws


def entity_key(name: str) -> str:
    """The normalised entity name entities are matched on ("President Joe Biden's" -> "joe
    biden", "the U.S." -> "us")."""
    return " ".join(_name_words(name))


def surname(name: str | None) -> str | None:
    """The last word of a speaker's name (text after a comma is a description: dropped)."""
    if name is None or not name.strip():
        return None
    ws = _name_words(name.split(",")[0])
    while len(ws) > 1 and ws[-1] in _SUFFIXES:
        ws = ws[:-1]
    return ws[-1] if ws else None


def value_ok(pred: float | None, gold: float | None) -> bool:
    return gold is None or (pred is not None and math.isclose(pred, gold, rel_tol=VALUE_REL_TOL))


def match(n_pred: int, n_gold: int,
           score: Callable[[int, int], float | None]) -> list[tuple[int, int]]:
    """One-to-one pairs (pred index, gold index), greedily by best score (None: no match)."""
    cands = sorted((-s, i, j) for i in range(n_pred) for j in range(n_gold)
                   if (s := score(i, j)) is not None)
    pairs: list[tuple[int, int]] = []
    for _, i, j in cands:
        if all(i != p and j != g for p, g in pairs):
            pairs.append((i, j))
    return pairs
