"""Resolving descriptive speaker phrases ("the company", "the returning officer") to the
organisation or person the article names for them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from llmextract.rules.gazetteer import FEMALE_NAMES, GIVEN_NAMES, KNOWN_ORGS, ORG_CUES
from llmextract.text.lazy_re import lazy
from llmextract.text.numpatterns import letter_tree

__all__ = ["OrgIndex", "pick_person", "resolve_role"]

# Heads of a descriptive phrase that stands for an organisation.
ORG_ROLES = frozenset(
    "company firm agency ministry department group organisation organization bank council "
    "commission club team union committee board service party office embassy government "
    "retailer operator airline carrier regulator insurer lender manufacturer maker insurer "
    "authority authorities institute centre center body watchdog charity network "
    "broadcaster newspaper publisher developer miner producer exporter".split()
)
# Companies rather than public bodies.
_COMPANY_ROLES = frozenset(
    "company firm group retailer operator airline carrier insurer lender manufacturer maker "
    "bank developer miner producer exporter broadcaster publisher network".split()
)
# Heads of a descriptive phrase that stands for a person.
PERSON_ROLES = frozenset(
    "officer official spokesman spokeswoman spokesperson minister president chief head "
    "director governor mayor coach manager chairman chairwoman chair secretary commissioner "
    "ambassador judge prosecutor lawyer attorney captain commander leader executive founder "
    "player striker driver winner champion".split()
)
_DETERMINERS = frozenset("the a an its his her their our".split())
_GENERIC_MODS = frozenset(
    "state national federal local public official government main country country's "
    "nation's world's global international".split()
)
_WIRES = frozenset("afp reuters ap associated press xinhua pti ians ani dpa upi tass".split())
_CAP = r"[A-Z][\w'’&\-]*"
# _CAP after a word boundary, the boundary checked after the capital (no word character
# before it): the same matches, but a pattern that opens with a character set lets the
# engine skip to the next capital instead of trying the boundary at every position
_CAP_AT_WORD = r"[A-Z](?<!\w.)[\w'’&\-]*"
_CONN = r"(?:of|for|and|the|on|de|du|des|del|la)"
_DEF_RE = lazy(
    rf"(?P<full>{_CAP}(?:[ \t]+(?:{_CONN}[ \t]+)*{_CAP}){{1,8}})[ \t]+"
    rf"\((?P<acr>[A-Z][A-Za-z&]{{1,7}})\)"
)
_CUE_WORDS = sorted({c.upper() if len(c) <= 3 else c[:1].upper() + c[1:] for c in ORG_CUES
                     if c[:1].isalpha() and "." not in c and " " not in c}, key=len, reverse=True)
_LINKS = r"(?:(?:of|for|the|de)[ \t]+)*"
_ORG_TAIL_RE = lazy(  # 1-5 capitalised words, the first at a word start, and a cue
    rf"{_CAP_AT_WORD}[ \t]+{_LINKS}(?:{_CAP}[ \t]+{_LINKS}){{0,4}}(?:{'|'.join(_CUE_WORDS)})\b"
    rf"(?:[ \t]+(?:(?:of|for|the)[ \t]+)+{_CAP}(?:[ \t]+{_CAP}){{0,3}})?"
)
# "Carphone Warehouse customers", "Acme said it": a company by what surrounds its name.
_CORP_CUE_RE = lazy(
    rf"(?P<n>{_CAP_AT_WORD}(?:[ \t]+{_CAP}){{0,3}})"
    rf"(?:[ \t]+(?:customers|shareholders|shares|stores|employees|subscribers|staff)\b"
    rf"|[ \t]+(?:said|says|announced|added)[ \t]+(?:it|its)\b)"
)
_LEAD_THE_RE = lazy(r"^(?:The|the)[ \t]+")
_LEAD_WORD_RE = lazy(r"^(?:The|A|An|In|On|At|By|Of|Some|Millions[ \t]+of)[ \t]+")
_LOWER_RE = lazy(r"[a-z]+")
_WORDS_RE = lazy(r"[\w'’\-]+")
_ACR_RE = lazy(r"[A-Z](?<!\w.)[A-Z&]{1,6}\b")  # r"\b[A-Z][A-Z&]{1,6}\b", as _CAP_AT_WORD
_CAP_SEQ_RE = lazy(rf"{_CAP_AT_WORD}(?:[ \t]+(?:{_CONN}[ \t]+)*{_CAP}){{0,4}}")
_INITIAL = r"(?:[ \t]+[A-Z]\.(?=[ \t]+[A-Z]))?"  # "Howard P. Lindqvist"
_NAME = rf"{_CAP}{_INITIAL}(?:[ \t]+(?:bin|al|de|van|von|ibn|al-)?[ \t]*{_CAP}{_INITIAL}){{0,4}}"
_TITLE = r"(?:(?:Prof|Dr|Mr|Mrs|Ms|Gen|Col|Capt|Sen|Rep|Gov|Lt|Cllr|Councillor)\.?[ \t]+)?"


class OrgIndex:
    """Organisations an article names: (position, name to report, lower-cased full name)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._mentions: list[tuple[int, str, str]] | None = None

    @property
    def mentions(self) -> list[tuple[int, str, str]]:
        if self._mentions is None:
            self._mentions = _org_mentions(self.text)
        return self._mentions


# _DEF_RE, _ORG_TAIL_RE and _CORP_CUE_RE match within a line (no part of them matches a line
# break), and each match holds an opening bracket, a match of _ORG_TAIL_GATE_RE or one of
# _CORP_CUE_GATE_RE: searched for only in the lines that hold one, they find what a search
# of the whole text finds, at less than its cost.
_ORG_TAIL_GATE_RE = lazy(rf"[ \t]{letter_tree(sorted(_CUE_WORDS))}\b")
_CORP_CUE_GATE_RE = lazy(
    r"[ \t](?:customers|shareholders|shares|stores|employees|subscribers|staff)\b"
    r"|[ \t](?:said|says|announced|added)[ \t]+(?:it|its)\b")


def _brackets(text: str) -> Iterator[int]:
    i = text.find("(")
    while i >= 0:
        yield i
        i = text.find("(", i + 1)


def _in_lines(rx: re.Pattern[str], text: str, at: Iterable[int]) -> Iterator[re.Match[str]]:
    """`rx.finditer(text)` for a pattern that matches within a line and only over one of
    the positions `at` (in order)."""
    done = 0  # the end of the last line searched
    for i in at:
        if i < done:
            continue
        start = text.rfind("\n", 0, i) + 1
        done = text.find("\n", i)
        done = len(text) if done < 0 else done
        yield from rx.finditer(text, start, done)


def _org_mentions(text: str) -> list[tuple[int, str, str]]:
    out: list[tuple[int, str, str]] = []
    acronyms: dict[str, str] = {}
    for m in _in_lines(_DEF_RE, text, _brackets(text)):
        full = _LEAD_THE_RE.sub("", m.group("full"))
        acronyms[m.group("acr")] = full
        acronyms[full] = m.group("acr")
        out.append((m.start("full"), m.group("acr"), full.lower()))
    for m in _ACR_RE.finditer(text):
        acr = m.group(0)
        if acr in acronyms:
            out.append((m.start(), acr, acronyms[acr].lower()))
        elif acr.lower() in KNOWN_ORGS and acr.lower() not in _WIRES:
            out.append((m.start(), acr, acr.lower()))
    for rx, gate in ((_ORG_TAIL_RE, _ORG_TAIL_GATE_RE), (_CORP_CUE_RE, _CORP_CUE_GATE_RE)):
        for m in _in_lines(rx, text, (g.start() for g in gate.finditer(text))):
            name = m.group("n") if "n" in rx.groupindex else m.group(0)
            name = _LEAD_WORD_RE.sub("", name)
            if name.split()[0].lower() not in GIVEN_NAMES and name.lower() not in _WIRES:
                out.append((m.start(), acronyms.get(name, name), name.lower()))
    for m in _CAP_SEQ_RE.finditer(text):
        low = m.group(0).lower()
        if low in KNOWN_ORGS and low not in _WIRES and not _ACR_RE.fullmatch(m.group(0)):
            out.append((m.start(), m.group(0), low))
    out.sort()
    return out


def _stem_match(mod: str, words: list[str]) -> bool:
    k = min(len(mod), 5)
    return any(len(w) >= 4 and w[:k] == mod[:k] for w in words)


def _resolve_org(phrase: list[str], pos: int, orgs: OrgIndex, lo: int) -> str | None:
    """An organisation phrase: the one organisation sharing a descriptive word with it
    ("the UN migration agency" -> International Organization for Migration (IOM)), else the
    only organisation named between lo and pos (the previous paragraph)."""
    mentions = orgs.mentions
    mods = [w for w in phrase[:-1] if len(w) >= 4 and w not in _GENERIC_MODS]
    if mods:
        hits = {c for _, c, full in mentions
                if any(_stem_match(m, _LOWER_RE.findall(full)) for m in mods)}
        if len(hits) == 1:
            return hits.pop()
    near = {c for p, c, _ in mentions if lo <= p < pos}
    if phrase[-1] in _COMPANY_ROLES:
        near = {c for c in near if c.lower() not in KNOWN_ORGS or c.isupper()}
    return near.pop() if len(near) == 1 else None


def _resolve_person(text: str, phrase: list[str], pos: int) -> str | None:
    """A person phrase ("the returning officer") named earlier in apposition: "Returning
    Officer, Prof. Fatimah Mukhtar" or "Fatimah Mukhtar, the state's returning officer"."""
    role = r"[ \t]+".join(re.escape(w) for w in phrase[-2:] if w not in _DETERMINERS)
    before = re.compile(rf"(?i:{role})(?:,[ \t]*|[ \t]+){_TITLE}(?P<n>{_NAME})")
    after = re.compile(rf"(?P<n>{_NAME}),[ \t]+(?:the|a|an|its|their)[ \t]+"
                       rf"[^,.\"“”\n]{{0,60}}?\b(?i:{role})\b")
    best: tuple[int, str] | None = None
    for rx in (before, after):
        for m in rx.finditer(text, max(0, pos - 3000), pos):
            name = m.group("n")
            if len(name.split()) >= 2 and name.split()[0].lower() not in _DETERMINERS \
                    and (best is None or m.start() > best[0]):
                best = (m.start(), name)
    return best[1] if best else None


def resolve_role(text: str, phrase: str, pos: int, orgs: OrgIndex, lo: int) -> str | None:
    """The name a descriptive speaker phrase stands for, when the article makes it plain;
    `lo` is where the text that may name an organisation nearby begins."""
    words = _WORDS_RE.findall(phrase.lower())
    bare_org = bool(words) and words[-1] in ORG_ROLES and phrase.split()[-1].islower()
    if (len(words) < 2 or words[0] not in _DETERMINERS) and not bare_org:
        return None
    words = [w for w in words if w not in _DETERMINERS]
    if not words:
        return None
    if words[-1] in ORG_ROLES:
        return _resolve_org(words, pos, orgs, lo)
    if words[-1] in PERSON_ROLES:
        return _resolve_person(text, words, pos)
    return None


# Given names that are not male, or not a given name at all ("Li", "Kim", "Park").
_MALE_NAMES = GIVEN_NAMES - FEMALE_NAMES - frozenset(
    "li wang zhang liu chen xi kim lee park jordan kelly jean marine".split())
_PRONOUN_RE = lazy(r"\b(?i:he|his|him|she|her|they|their|them|its)\b")
_GENDER = {"he": "m", "his": "m", "him": "m", "she": "f", "her": "f"}


def _gender(text: str, name: str, at: int, stop: int) -> str:
    """'m', 'f', 'p' (a plural or a thing) or '' (not known), by the given name or else the
    first pronoun after the mention ("Rangers, who lost two of their ...")."""
    first = name.split()[0].lower()
    if first in FEMALE_NAMES:
        return "f"
    if first in _MALE_NAMES:
        return "m"
    end = at + len(name)
    m = _PRONOUN_RE.search(text, end, min(stop, end + 160))
    return _GENDER.get(m.group(0).lower(), "p") if m is not None else ""


def _org_like(name: str, orgs: OrgIndex) -> bool:
    low = name.lower()
    words = low.split()
    if not words or low in KNOWN_ORGS or words[-1] in ORG_ROLES or words[-1] in ORG_CUES:
        return True
    return any(full == low for _, _, full in orgs.mentions)


def pick_person(text: str, cands: list[tuple[str, int]], pronoun: str, orgs: OrgIndex,
                pos: int) -> tuple[str, int] | None:
    """The nearest candidate (name, position) before pos that "he" or "she" can stand for: a person,
    not an organisation or a team; one known to be of the pronoun's gender before one whose
    gender is not known."""
    want = _GENDER[pronoun]
    people = [(n, at, _gender(text, n, at, pos)) for n, at in cands if not _org_like(n, orgs)]
    for ok in ((want,), ("",)):
        for name, at, g in reversed(people):
            if g in ok:
                return name, at
    return None
