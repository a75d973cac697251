"""A long document written by code for the long-document tests and bench/long_docs.py.

`long_document()` is deterministic (the same text and facts on every machine): an annual
report of the Northport Harbour Authority, about 60,000 words of plain filler sentences (no
numbers, no quotation marks) with planted facts, each a figure ("$12.3 million") and a
quotation with its speaker. Its first and last thirds are short paragraphs; its middle third
is the transcript of a hearing in paragraphs of 7,000 words (an eighth of the words in a
shorter document): longer than any chunk, so chunks are cut there between sentences, as in
a court ruling or a transcript.

- `start`: the first paragraph; `middle`: the first fact past half the words; `end`: the
  last paragraph;
- `every`: one every `EVERY` words in the report; in the hearing, testimony: each witness's
  figure and eight-sentence quotation followed by one to three remarks, so that a chunk
  cut there most likely falls inside a quotation (the tests check that, at the two budgets
  they use, one does, and that the quotation stands whole in the next chunk);
- `repeated`: the same figure phrase at two places (two items, not one).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = ["EVERY", "Planted", "long_document"]

EVERY = 1_500  # words between two planted facts in the report
HEARING_PARAGRAPH = 7_000  # words

_SUBJECTS = ("the board", "the committee", "the harbour office", "the works team",
             "the finance unit", "the port council", "the safety panel", "the audit group",
             "the planning desk", "the operations staff", "the tenants forum",
             "the dredging crew")
_VERBS = ("reviewed", "discussed", "approved", "questioned", "noted", "examined",
          "revised", "postponed", "welcomed", "assessed", "recorded", "published")
_OBJECTS = ("the maintenance schedule", "the berth allocation rules", "the tariff review",
            "the pilotage contract", "the quay repair plan", "the storm response drill",
            "the cargo handling report", "the lighting upgrade", "the staff rota",
            "the fuel supply terms", "the security survey", "the crane inspection")
_TAILS = ("for the northern depots", "after a long debate", "with minor changes",
          "ahead of the winter season", "at the request of the tenants",
          "in line with the previous year", "without a formal vote",
          "pending further advice", "for the eastern basin", "in a short session",
          "as the harbour master had asked", "before the spring tides")
_NAMES = ("Maria Okafor", "James Lindqvist", "Aisha Haddad", "Kenji Tanaka",
          "Elena Kowalski", "Daniel Mensah", "Priya Kaur", "Sofia Castillo")
_ROLES = ("the chief executive", "the finance director", "the harbour master",
          "the head of operations", "the chair of the board", "the chief engineer")
_GOODS = ("dredging", "quay repairs", "new cranes", "lighting", "security",
          "pilot boats", "storm barriers", "rail links")
_FIRST = ("alpha", "bravo", "cedar", "delta", "ember", "falcon", "granite", "harbor")
_SECOND = ("north", "south", "east", "west", "upper", "lower", "inner", "outer")
_THIRD = ("basin", "quay", "berth", "yard")


@dataclass(frozen=True)
class Planted:
    """One planted fact: `text` stands at `span` of the document (a quotation without
    its quotation marks)."""

    kind: str  # "figure" or "quote"
    where: str  # "start", "middle", "end", "every" or "repeated"
    text: str
    span: tuple[int, int]


def _sentence(rng: random.Random) -> str:
    words = (f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} "
             f"{rng.choice(_TAILS)}")
    return words[0].upper() + words[1:] + "."


def _fact(i: int, long_quote: bool) -> tuple[str, str, str]:
    """(figure, quotation, the sentences holding them) of fact number `i`; every fact's
    words differ (`_FIRST` x `_SECOND` x `_THIRD`), not only its digits."""
    figure = f"${10 + i}.{i % 9 + 1} million"
    item = f"{_FIRST[i % 8]} {_SECOND[i // 8 % 8]} {_THIRD[i // 64 % 4]}"
    quote = f"We kept every promise on the {item} works. The work on it goes on next year"
    if long_quote:  # a witness at the hearing: eight sentences
        quote += (". Nobody on the quay was left without an answer when the storms came "
                  "in the autumn. We will report again to this hearing before the spring "
                  "tides reach the outer wall. The crews on every shift know the plan and "
                  "what it asks of them. The tenants of the eastern basin know it too and "
                  "have said so in writing. Every berth along the north quay was inspected "
                  "twice by the engineers. We owe the town that much and we will keep "
                  "owing it")
    name, role = _NAMES[i % len(_NAMES)], _ROLES[i % len(_ROLES)]
    sentences = (f"The board agreed to spend {figure} on {_GOODS[i % len(_GOODS)]} in the "
                 f"coming year. \u201c{quote},\u201d said {name}, {role}.")
    return figure, quote, sentences


class _Writer:
    def __init__(self, words: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.words = words
        self.count = 0
        self.facts: list[tuple[str, str, str]] = []  # (where, figure, quote)
        self.fines = 0

    def fact(self, long_quote: bool, where: str | None = None) -> str:
        n = len(self.facts)
        if where is None:
            middle = self.count >= self.words // 2 and not any(
                f[0] == "middle" for f in self.facts)
            where = "start" if n == 0 else "middle" if middle else "every"
        figure, quote, sentences = _fact(n, long_quote)
        self.facts.append((where, figure, quote))
        self.count += len(sentences.split())
        return sentences

    def filler(self, low: int, high: int) -> str:
        body = " ".join(_sentence(self.rng) for _ in range(self.rng.randint(low, high)))
        self.count += len(body.split())
        if self.count >= (self.words // 4, 3 * self.words // 4, 1 << 40)[self.fines]:
            self.fines += 1
            body += f" The authority paid a fine of {REPEATED} to the regulator."
            self.count += 10
        return body


REPEATED = "$3.4 million"


def long_document(words: int = 60_000, seed: int = 0) -> tuple[str, list[Planted]]:
    """The document and its planted facts, in text order (see the module docstring)."""
    w = _Writer(words, seed)
    parts = ["Northport Harbour Authority: Annual Report"]
    while w.count < words:
        if words // 3 <= w.count < 2 * words // 3:  # the hearing: giant paragraphs
            parts.append("Transcript of the public hearing")
            para: list[str] = []
            start = w.count
            while w.count - start < min(HEARING_PARAGRAPH, words // 8):  # testimony
                para.append(w.fact(long_quote=True))
                para.append(w.filler(1, 2))
            parts.append(" ".join(para))
            continue
        parts.append(w.fact(long_quote=False))
        start = w.count
        while w.count - start < EVERY and w.count < words:
            parts.append(w.filler(3, 7))
    parts.append(w.fact(long_quote=False, where="end"))
    text = "\n\n".join(parts) + "\n"
    return text, _locate(text, w.facts)


def _locate(text: str, facts: list[tuple[str, str, str]]) -> list[Planted]:
    planted: list[Planted] = []
    for where, figure, quote in facts:
        for kind, phrase in (("figure", figure), ("quote", quote)):
            assert text.count(phrase) == 1, phrase
            at = text.index(phrase)
            planted.append(Planted(kind, where, phrase, (at, at + len(phrase))))
    at = text.index(REPEATED)
    second = text.index(REPEATED, at + 1)
    assert text.count(REPEATED) == 2
    for pos in (at, second):
        planted.append(Planted("figure", "repeated", REPEATED, (pos, pos + len(REPEATED))))
    return sorted(planted, key=lambda p: p.span)
