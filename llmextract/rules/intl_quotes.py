"""Direct quotations and their speakers in German, French, Spanish, Italian and Portuguese.

Quotation marks of every convention („…“, »…«, «…», ‹…›, “…”, "…") and dialogue dashes
open a quotation; the speaker is named by the language's speech verbs after the quotation
(`„…“, sagte Müller.`, `« … », a déclaré Marie Dubois`, `«…», dijo el ministro`), before it
(`Müller sagte: „…“`), by "according to" (`laut`, `selon`, `según`, `secondo`, `segundo`), or
by a pronoun that stands for the last person named.
"""

from __future__ import annotations

import re
from functools import lru_cache

from llmextract.rules.quote_marks import para_at, raw_quotes
from llmextract.rules.quotes import QuoteHit
from llmextract.rules.sentences import Block, paragraphs
from llmextract.text.langs import Conventions

__all__ = ["find_quotes_intl"]

_UP = "A-ZÄÖÜÀÂÇÉÈÊËÎÏÔÛÙÜŸÑÁÍÓÚÃÕ"
_CAP = rf"[{_UP}][\w'’\-]*"
_PARTICLE = r"(?:von|van|vom|zu|de|da|das|do|dos|del|della|di|du|des|la|le|y|e)"
_NAME = rf"{_CAP}(?:[ \t]+(?:{_PARTICLE}[ \t]+)?{_CAP}){{0,4}}"
_PRONOUNS = frozenset(
    "er sie il elle él ella lui lei ele ela ils elles ellos ellas eles elas".split())
_DASH_RE = re.compile(r"(?m)^[ \t]*[—–][ \t]*(?=\S)")
_ROLE_LEAD = re.compile(
    r"^(?:(?:der|die|das|den|dem|le|la|les|l['’]|el|los|las|il|lo|gli|o|a|os|as)\s+)", re.I)


@lru_cache(maxsize=8)
def _patterns(conv: Conventions) -> tuple[re.Pattern[str], ...]:
    verbs = "|".join(re.escape(v) for v in sorted(conv.speech_verbs, key=len, reverse=True))
    acc = "|".join(re.escape(v) for v in sorted(conv.according, key=len, reverse=True))
    # "der Minister", "le porte-parole du": lower-case words before the name
    low_words = r"(?:[a-zäöüßàâçéèêëîïôûùÿñáíóúãõ'’\-]+[ \t]+){0,4}?"
    after_verb_name = re.compile(
        rf"^[\s,.:;—–-]*(?i:{verbs})[ \t]+(?P<lead>{low_words})(?P<spk>{_NAME})")
    after_verb_pron = re.compile(
        rf"^[\s,.:;—–-]*(?i:{verbs})[ \t]+(?P<pron>\w+)\b")
    after_name_verb = re.compile(
        rf"^[\s,.:;—–-]*(?P<spk>{_NAME})[ \t]+(?:{verbs})\b")
    before = re.compile(
        rf"(?P<spk>{_NAME})(?:[ \t]*,[^,\n]{{1,80}},)?[ \t]+(?:{verbs})\b[^.!?\n]{{0,60}}"
        rf"[:,]?[ \t]*$")
    according = re.compile(rf"\b(?i:{acc})[ \t]+(?P<lead>{low_words})(?P<spk>{_NAME})")
    return after_verb_name, after_verb_pron, after_name_verb, before, according


def _clean(name: str, conv: Conventions) -> str | None:
    words = name.split()
    while words and (words[0].lower() in conv.stopwords or words[0].lower() in
                     conv.speech_verbs):
        words = words[1:]
    while words and words[-1].lower() in ("von", "van", "de", "da", "del", "di", "y", "e"):
        words = words[:-1]
    if not words or words[0].lower() in _PRONOUNS:
        return None
    return " ".join(words)


def _attribute(text: str, a: int, after: int, para: Block, conv: Conventions,
               last: str | None) -> str | None:
    avn, avp, anv, before, according = _patterns(conv)
    tail = text[after:min(para.end, after + 160)]
    for rx in (avn, anv):
        m = rx.match(tail)
        if m is not None and m.group("spk")[:1].isupper():
            if rx is avn and m.group("spk").lower() in _PRONOUNS:
                break
            name = _clean(m.group("spk"), conv)
            if name:
                return name
    pm = avp.match(tail)
    if pm is not None and pm.group("pron").lower() in _PRONOUNS:
        return last
    head = text[max(para.start, a - 200):a]
    head = head[:max(0, len(head) - 1)].rstrip(" \t„“”\"«»‹›—–")
    bm = before.search(head)
    if bm is not None:
        name = _clean(bm.group("spk"), conv)
        if name:
            return name
    sent = text[max(para.start, a - 200):min(para.end, after + 200)]
    am = according.search(sent)
    if am is not None:
        return _clean(am.group("spk"), conv)
    return None


def _dialogue(text: str, paras: list[Block]) -> list[tuple[int, int, bool, int]]:
    """Quotations opened by a dialogue dash at a paragraph's start, up to the next dash or
    the paragraph's end."""
    out: list[tuple[int, int, bool, int]] = []
    for m in _DASH_RE.finditer(text):
        para = paras[para_at(paras, m.end())]
        stop = text.find("—", m.end(), para.end)
        stop = para.end if stop < 0 else stop
        b = stop
        while b > m.end() and text[b - 1] in " \t,.":
            b -= 1
        if b - m.end() > 8:
            out.append((m.end(), b, True, stop + (1 if stop < para.end else 0)))
    return out


def find_quotes_intl(text: str, conv: Conventions,
                     skip: list[tuple[int, int]] | None = None) -> list[QuoteHit]:
    """Every direct quotation of `text` (in `conv`'s language) with its speaker."""
    paras = paragraphs(text)
    if not paras:
        return []
    opens = "\"“„«‘‹" + ("»›" if conv.code == "de" else "")
    found = raw_quotes(text, paras, opens) + _dialogue(text, paras)
    found.sort()
    out: list[QuoteHit] = []
    seen: set[str] = set()
    last: str | None = None
    for a, b, closed, after in found:
        if skip and any(s <= a < e for s, e in skip):
            continue
        q = text[a:b]
        n = len(q.split())
        para = paras[para_at(paras, max(a, after - 1))]
        spk = _attribute(text, a, after, para, conv, last)
        if n < 1 or not any(ch.isalpha() for ch in q) or (n <= 3 and spk is None and
                                                         not q.rstrip().endswith(("!", "?"))):
            continue
        key = " ".join(q.lower().split())
        if key in seen:
            continue
        seen.add(key)
        conf = 0.9 if closed and spk else 0.8 if closed else 0.5
        out.append(QuoteHit(a, b, q, spk, closed, conf))
        if spk is not None:
            last = spk
    return out
