"""An article indexed once for checking prose against it: its sentences, content words,
words, capitalised words and every value it states (llmextract.check.prose)."""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections.abc import Sequence

from llmextract.check.grounding import Locator
from llmextract.rules.sentences import Block, sentences
from llmextract.text.fold import WORD_RE, fold_plain, words
from llmextract.text.intl_numbers import read_digits
from llmextract.text.numbers import NumberMatch, find_numbers, values_in

__all__ = ["CAP_WORD", "NUMERAL", "STOP", "ArticleIndex", "content_words", "numeral_value"]

STOP = frozenset((
    "a an the of in on at to for and or but nor by with from as is are was were be been being "
    "it its this that these those there their they them he she his her him we our you your i "
    "has have had do does did not no so than then also into over after before about up out "
    "said says say will would could should can may might must which who whom whose what when "
    "where while how all any some more most other such only own same too very just being "
    "per via amid among against between during under until since while"
).split())
# words written in capitals that name no one (titles, units of account, times of day)
_COMMON_CAPS = frozenset("ceo cfo coo cto gdp ipo ai tv am pm ok".split())
_LINKS = frozenset(("of", "the", "and", "for", "de"))
_LETTERS = re.compile(r"[^\W\d_]+")
NUMERAL = re.compile(r"\d+(?:[.,]\d+)*")
CAP_WORD = re.compile(r"[^\W\d_][^\W_]*(?:['’][^\W_]+)?")


def _content_stem(word: str) -> str | None:
    """The stem coverage counts a word by ("warehouses" ~ "wareh"; numerals lose their
    commas), None for a stop word or a short word."""
    if word[0].isdigit():
        return None if word in STOP else word.replace(",", "")
    return None if word in STOP or len(word) < 3 else word[:5]


def content_words(text: str) -> set[str]:
    return {s for w in words(text) if (s := _content_stem(w)) is not None}


# word -> its content stem (None: left out), for every article of the process: `_content_stem`
# is pure, and most words of an article (function words, the news's common words) were
# stemmed for an earlier one. Emptied when full, so it stays small.
_STEM_MEMO: dict[str, str | None] = {}
_STEM_MEMO_MAX = 50_000


def _stems_of(toks: list[str]) -> set[str]:
    """The stems `content_words` keeps of `toks`, each distinct word stemmed once (see
    `_STEM_MEMO`)."""
    memo = _STEM_MEMO
    if len(memo) > _STEM_MEMO_MAX:
        memo.clear()
    out: set[str | None] = set()
    for w in toks:
        s = memo.get(w, "")  # "" is no stem: not yet seen
        if s == "":
            s = memo[w] = _content_stem(w)
        out.add(s)
    out.discard(None)
    return out  # type: ignore[return-value]  # None discarded


def numeral_value(raw: str) -> float | None:
    try:
        return float(raw.replace(",", ""))
    except ValueError:
        return None


class ArticleIndex:
    """An article's sentences, content words, words and stated numbers, each made once."""

    def __init__(self, loc: Locator, sents: Sequence[Block] | None = None,
                 numbers: Sequence[NumberMatch] | None = None) -> None:
        self.loc = loc
        self.sents = list(sents) if sents is not None else sentences(loc.text)
        self._numbers = numbers
        self._content: list[set[str]] | None = None
        self.postings: dict[str, list[int]] = {}  # content word -> sentences holding it
        self._words: set[str] | None = None
        self._caps: list[str] | None = None
        self._values: list[float] | None = None
        self._initials: str | None = None
        # prose text -> (spans, reason, coverage): llmextract.check.prose.check_sentence
        self.checked: dict[str, tuple[list[tuple[int, int]], str | None, float]] = {}

    def _scan(self) -> None:
        """Content words per sentence and the article's words, in one pass (lowercased, not
        folded: folding changes no letter or digit)."""
        content: list[set[str]] = []
        found: set[str] = set()
        postings: dict[str, list[int]] = {}
        for i, b in enumerate(self.sents):
            toks = WORD_RE.findall(b.text.lower())
            found.update(toks)
            stems = _stems_of(toks)
            content.append(stems)
            for w in stems:
                postings.setdefault(w, []).append(i)
        self.postings = postings
        joined = " ".join(found)  # one C-speed look for "." and "'s" instead of two loops
        if "." in joined:
            found |= {w.replace(".", "") for w in found if "." in w}
        if "'s" in joined:  # a dot never stands between "'" and "s" in a token
            found |= {w[:-2] for w in found if w.endswith("'s")}
        self._content, self._words = content, found

    @property
    def content(self) -> list[set[str]]:
        if self._content is None:
            self._scan()
        assert self._content is not None
        return self._content

    @property
    def words(self) -> set[str]:
        """Lowercased article words, also without dots ("u.s" -> "us") and possessives."""
        if self._words is None:
            self._scan()
        assert self._words is not None
        return self._words

    @property
    def caps(self) -> list[str]:
        """Sorted folded forms of the article's capitalised words (for prefix look-ups)."""
        if self._caps is None:
            self._caps = sorted({w.lower() for w in _LETTERS.findall(self.loc.text)
                                 if w[0].isupper()})
        return self._caps

    @property
    def values(self) -> list[float]:
        """Every value the article states (sorted): its number phrases' values, mantissas
        and bare numerals (years, days, scores)."""
        if self._values is None:
            numbers = self._numbers if self._numbers is not None else find_numbers(
                self.loc.text, self.loc.lang)
            # bare numerals (below) cover mantissas; ranges and scores need their values
            vals = {m.value for m in numbers if m.value is not None}
            vals |= {v for m in numbers if m.value is None
                     for v in values_in(m.text, self.loc.lang)}
            national = self.loc.lang not in (None, "en")
            for raw in NUMERAL.findall(self.loc.text):
                v = numeral_value(raw)
                if v is not None:
                    vals.add(v)
                if national:  # "1.100", "61,9": every reading the article's way allows
                    vals.update(read_digits(raw))
            self._values = sorted(vals)
        return self._values

    def states(self, value: float) -> bool:
        vals = self.values
        i = bisect_left(vals, value - max(abs(value) * 1e-6, 1e-9))
        return i < len(vals) and math.isclose(vals[i], value, rel_tol=1e-6, abs_tol=1e-9)

    @property
    def initials(self) -> str:
        """The first letters of the article's words, in order ("of", "the", "and", "for"
        left out): an acronym spelled out in the article is a substring."""
        if self._initials is None:
            self._initials = "".join(w[0] for w in _LETTERS.findall(self.loc.text.lower())
                                     if w not in _LINKS)
        return self._initials

    def content_words(self, text: str) -> set[str]:
        """`content_words(text)`, stemming through the process's memo."""
        return _stems_of(words(text))

    def has_name(self, word: str) -> bool:
        key = fold_plain(word)
        for suffix in ("'s", "'"):
            if key.endswith(suffix) and len(key) > len(suffix) + 1:
                key = key[: -len(suffix)]
        if key in self.words or key.replace(".", "") in self.words:
            return True
        if word.isupper() and 2 <= len(key) <= 6 and key.isalpha():
            # an acronym the article spells out, or a common word written in capitals
            return key in _COMMON_CAPS or key in self.initials
        if len(key) < 5:
            return False
        stem = key[: max(5, len(key) - 3)]  # "Nepalese" ~ "Nepal", "European" ~ "Europe"
        caps = self.caps
        i = bisect_left(caps, stem)
        return i < len(caps) and caps[i].startswith(stem)


