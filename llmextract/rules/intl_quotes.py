"""Direct quotations and their speakers in German, French, Spanish, Italian and Portuguese.

Quotation marks of every convention („…“, »…«, «…», ‹…›, “…”, "…") and dialogue dashes
open a quotation; the speaker is named by the language's speech verbs after the quotation
(`„…“, sagte Müller.`, `« … », a déclaré Marie Dubois`, `«…», dijo el ministro`), before it
(`Müller sagte: „…“`), by "according to" (`laut`, `selon`, `según`, `secondo`, `segundo`), or
by a pronoun that stands for the last person named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
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
_PRONOUNS_OF = {"de": "er sie", "fr": "il elle ils elles", "es": "él ella ellos ellas",
                "it": "lui lei egli ella", "pt": "ele ela eles elas"}
_PRONOUNS = frozenset(" ".join(_PRONOUNS_OF.values()).split())
# French dialogue: the line ends where an incise with an inverted pronoun begins
_INCISE_RE = re.compile(
    r"(?<=[?!,.…])[ \t]+(?:(?:lui|leur|nous|me|se)[ \t]+)?"
    r"(?:a-t-(?:il|elle|on)[ \t]+[^\W\d_]+|[^\W\d_]+-t-(?:il|elle|on)|"
    r"[^\W\d_]+-(?:il|elle|on|ils|elles))\b")
_DASH_RE = re.compile(r"(?m)^[ \t]*[—–][ \t]*(?=\S)")

def _low_words(most: int) -> str:
    """Up to `most` lower-case words (a role: "le porte-parole du", "o relator, deputado")."""
    return rf"(?:[a-zäöüßàâçéèêëîïôûùÿñáíóúãõ\-]+(?:[ \t]+|['’]|,[ \t]+)){{0,{most}}}?"


@lru_cache(maxsize=8)
def _patterns(conv: Conventions) -> tuple[re.Pattern[str], ...]:
    verbs = "|".join(re.escape(v) for v in sorted(conv.speech_verbs, key=len, reverse=True))
    acc = "|".join(re.escape(v) for v in sorted(conv.according, key=len, reverse=True))
    # "der Minister", "le porte-parole du": lower-case words before the name
    # (also "le porte-parole d'", "la mairesse, ", "o relator, deputado ")
    low_words = _low_words(7)
    after_verb_name = re.compile(
        rf"^[\s,.:;—–-]*(?i:{verbs})[ \t]+(?P<lead>{low_words})(?P<spk>{_NAME})")
    after_verb_pron = re.compile(
        rf"^[\s,.:;—–-]*(?i:{verbs})[ \t]+(?P<pron>\w+)\b")
    after_name_verb = re.compile(
        rf"^[\s,.:;—–-]*(?P<spk>{_NAME})[ \t]+(?:{verbs})\b")
    before = re.compile(
        rf"(?P<spk>{_NAME})(?:[ \t]*,[ \t]*(?P<app>[^,\n]{{1,80}}),)?[ \t]+(?:{verbs})\b"
        rf"[^.!?\n]{{0,60}}"
        rf"[:,]?[ \t]*$")
    # a shorter lead after "according to": "segundo gol ... pelo VAR" is no attribution
    according = re.compile(rf"\b(?i:{acc})[ \t]+(?P<lead>{_low_words(5)})(?P<spk>{_NAME})")
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


_SENT_END_RE = re.compile(r"[.!?]\s|\n")
_CONJ = frozenset(
    "und aber oder denn doch et mais ou donc car y pero o sino e ma o però mas ou porém que "
    "dass che".split())
_GENERIC_AFTER_RE = re.compile(
    rf"^[ \t]*,[ \t]*(?P<lead>(?:[a-zäöüßàâçéèêëîïôûùÿñáíóúãõ'’\-]+[ \t]+){{1,3}})"
    rf"(?P<spk>{_NAME})")
_APPOSED_RE = re.compile(rf"[ \t]*,[ \t]*(?P<spk>{_NAME})[ \t]*[,.;(]")
# "le directeur du Plan X (Infoex), Rubén Carrasco,": a role's complement, then the person
_ROLE_OF_RE = re.compile(r"(?:\b(?:de|del|della|dello|dei|degli|delle|di|da|do|dos|das|du|des)"
                         r"[ \t]+(?:la[ \t]+)?|\b(?:d|dell)['’])$", re.IGNORECASE)
_APPOSED_LATER_RE = re.compile(
    rf"[^,.;!?\n«»“”„\"]{{0,100}}?,[ \t]*(?P<spk>{_NAME})[ \t]*(?:[,.;(]|$)")
# "», a défendu l'échevine de la Mobilité, Charlotte Maréchal (Ecolo)": a clause in lower
# case after the quotation, then the person it describes
_CLAUSE_APPOSED_RE = re.compile(
    rf"^[ \t]*,[ \t]*(?P<clause>[a-zäöüßàâçéèêëîïôûùÿñáíóúãõ][^,.;!?\n«»“”„\"]{{0,120}}?),"
    rf"[ \t]*(?P<spk>{_NAME})[ \t]*(?:[,.;(]|$)")
_NAME_RE = re.compile(_NAME)
# "Para a analista Fernanda Okamoto, da corretora X, o preço foi “…”": whose view it is
_FOR_SPEAKER_RE = re.compile(
    rf"(?:^|[.!?][ \t]+|\n)(?:Para|Pour|Per|Für)[ \t]+"
    rf"(?:[a-zäöüßàâçéèêëîïôûùÿñáíóúãõ\-]+(?:[ \t]+|['’])){{0,3}}(?P<spk>{_NAME})[ \t]*,")
_INVERTED_PRONOUN_RE = re.compile(r"^[\s,.]*(?:a|as|est|s'est|s’est)-t-(?:il|elle)\b")
# (?<![\w.])(?P<n>{_CAP}...) with the look-behind tested after the first capital (one
# character wider): the same matches, and re skips straight to the next capital
_PERSON_RUN_RE = re.compile(
    rf"(?P<n>[{_UP}](?<![\w.].)[\w'’\-]*(?:[ \t]+(?:{_PARTICLE}[ \t]+)?{_CAP}){{1,3}})")
_PRONOUN_SUBJECT_RE = re.compile(
    r"(?:^|[.!?]\s+|,\s+)(?:er|sie|il|elle|él|ella|lui|lei|ele|ela)\b[^.!?]*$", re.IGNORECASE)


@dataclass
class _Doc:
    """One article as attribution reads it: its text and language, where its quotations
    stand, and its names of two or more words (start, end, name), found once."""

    text: str
    conv: Conventions
    quoted: list[tuple[int, int]]
    names: list[tuple[int, int, str]] = field(default_factory=list)
    lowered: str = ""
    by_surname: dict[str, tuple[int, str]] = field(default_factory=dict)  # first full name

    def __post_init__(self) -> None:
        self.lowered = self.text.lower()
        for m in _PERSON_RUN_RE.finditer(self.text):
            name = _clean(m.group("n"), self.conv)
            if name and " " in name and not any(
                    _not_personal(w, self.conv) for w in name.split()):
                self.names.append((m.start(), m.end(), name))
                self.by_surname.setdefault(name.split()[-1], (m.end(), name))

    def full_name(self, surname: str, a: int) -> str | None:
        """The first full name with `surname` the text gives before `a`."""
        found = self.by_surname.get(surname)
        return found[1] if found is not None and found[0] <= a else None

    def in_quote(self, pos: int) -> bool:
        return any(qa <= pos < qb for qa, qb in self.quoted)


def _antecedent(doc: _Doc, lo: int, a: int, last: str | None) -> str | None:
    """Who a pronoun or a role ("der 22-Jährige") stands for: the last name of two or more
    words before `a` (from `lo`, outside quotations and parentheses), else the last
    speaker."""
    text = doc.text
    found = None
    for m in _SINGLE_CAP_RE.finditer(text, lo, a):  # "Soler descartó ...": a surname
        full = doc.full_name(m.group(0), a)
        if full is not None and not doc.in_quote(m.start()):
            found = full
    governed = None  # a name after a preposition ("recorrer para o Tribunal X") is rarely
    for start, end, name in doc.names:  # the one who speaks next: the last resort only
        if start < lo or end > a or text[max(0, start - 1):start] == "(" or \
                doc.in_quote(start):
            continue  # "(Freie Wähler)": a party beside a name; words of a quotation
        words = name.split()
        if doc.conv.code == "de" and len(words) >= 3:
            name = " ".join(words[-2:])  # "Freiburgs Trainer Marco Endres": roles capitalised
        if _GOVERNED_RE.search(text, max(0, start - 16), start):
            governed = name
        else:
            found = name
    return found or last or governed


_ACCORDING_ROLE_RE = re.compile(
    r"(?:^|[.!?][ \t]+|\n)(?P<acc>[^\W\d_]+)[ \t]+(?:o|a|el|la|le|il|lo|der|die|l['’])[ \t]*"
    r"(?P<role>[a-zäöüßàâçéèêëîïôûùÿñáíóúãõ]{4,})[ \t]*,")


def _named_with(doc: _Doc, role: str, a: int) -> str | None:
    """The person named beside `role` before `a` ("a oceanógrafa Teresa Vaz, investigadora
    do CCMAR" ... "Segundo a investigadora"): the same noun, any gender or number ending,
    the name nearest to it (within a few words); the latest such mention wins."""
    if len(role) < 4:
        return None
    stem = re.compile(rf"\b{re.escape(role[:-1].lower())}\w{{0,3}}\b")
    found = None
    for m in stem.finditer(doc.lowered, 0, a):
        if doc.in_quote(m.start()):
            continue
        near = [(max(start - m.end(), m.start() - end, 0), name)
                for start, end, name in doc.names if end <= a and not doc.in_quote(start)
                and max(start - m.end(), m.start() - end, 0) <= 40
                and not _SENT_END_RE.search(doc.text, min(end, m.end()),
                                            max(start, m.start()))]  # the same sentence
        if near:
            found = min(near)[1]  # the nearest name of the latest mention
    return found


# German "nach Leitners Worten", "nach Ansicht Müllers": whose words, in the genitive
_DE_WORDS_OF_RE = re.compile(
    r"\b(?:nach|laut)[ \t]+(?P<who>[A-ZÄÖÜ][a-zäöüß]+)s[ \t]+(?:Worten|Angaben|Aussage|"
    r"Einschätzung|Ansicht|Meinung|Darstellung)\b")


def _surname_owner(doc: _Doc, surname: str, a: int) -> str:
    """The full name of the person the text named earlier with `surname`, else the
    surname ("Konzernchefin Anna Berger": German capitalises roles, the last two words)."""
    full = doc.full_name(surname, a)
    return " ".join(full.split()[-2:]) if full is not None else surname


_GOVERNED_RE = re.compile(
    r"\b(?:para|por|pelo|pela|com|em|no|na|nos|nas|ao|aos|à|às|do|da|dos|das|de|du|des|au|aux|"
    r"dans|sur|avec|par|pour|vers|chez|del|al|con|sobre|nel|nella|nei|al|alla|dal|dalla|della|"
    r"per|su|tra|fra|von|vom|zum|zur|mit|bei|nach|aus|im|am|gegen)"
    r"(?:[ \t]+(?:o|a|os|as|le|la|les|el|los|las|il|lo|gli|der|die|das|dem|den))?[ \t]+$|"
    r"\b(?:dell|all|dall|nell)['’]$", re.IGNORECASE)
_SINGLE_CAP_RE = re.compile(rf"[{_UP}](?<![\w'’].)[\w'’\-]*(?![\w'’])")  # as _PERSON_RUN_RE
_ROLE_AFTER_RE = re.compile(
    r"^[ \t]*,[ \t]*[a-zäöüßàâçéèêëîïôûùÿñáíóúãõ\-]+(?:[ \t]+[a-zäöüßàâçéèêëîïôûùÿñáíóúãõ\-]+)?"
    r"[ \t]+(?:o|a|el|la|le|il|lo|der|die|das|l['’])[ \t]*[a-zäöüßàâçéèêëîïôûùÿñáíóúãõ\-]+")


def _not_personal(word: str, conv: Conventions) -> bool:
    low = word.lower()
    return low in conv.scales or low in conv.currencies or low in conv.months


def _after(tail: str, conv: Conventions) -> str | None:
    avn, _, anv, _, _ = _patterns(conv)
    for rx in (avn, anv):
        m = rx.match(tail)
        if m is None or not m.group("spk")[:1].isupper():
            continue
        app = _APPOSED_RE.match(tail, m.end("spk"))
        roled = rx is avn and bool(m.group("lead").strip())
        if roled and _ROLE_OF_RE.search(m.group("lead")):  # the name is the role's complement
            later = _APPOSED_LATER_RE.match(tail, m.end("spk"))
            if later is not None:
                return _clean(later.group("spk"), conv)
        if app is not None and (roled or " " not in m.group("spk") or m.group("spk").isupper()):
            return _clean(app.group("spk"), conv)  # "le PDG, Étienne Rambaud,"
        name = _clean(m.group("spk"), conv)
        if name:
            return name
    gm = _GENERIC_AFTER_RE.match(tail)
    if gm is not None and gm.group("lead").split()[0].lower() not in _CONJ:
        app = _APPOSED_RE.match(tail, gm.end("spk"))
        spk = app.group("spk") if app is not None and " " not in gm.group("spk") \
            else gm.group("spk")
        return _clean(spk, conv)
    cm = _CLAUSE_APPOSED_RE.match(tail)
    if cm is not None and conv.code != "de" and cm.group("clause").split()[0] not in _CONJ:
        return _clean(cm.group("spk"), conv)  # German capitalises its role nouns: not there
    return None


def _attribute(doc: _Doc, a: int, after: int, para: Block, last: str | None, lo: int,
               dialogue: bool) -> str | None:
    text, conv = doc.text, doc.conv
    _, avp, _, before, according = _patterns(conv)
    tail = text[after:min(para.end, after + 160)]
    if dialogue:  # "—El agua llegó… —cuenta Antonia Ruiz": the verb follows the dash
        tail = ", " + tail.lstrip()
    pm = avp.match(tail)
    if (pm is not None and pm.group("pron").lower() in _PRONOUNS_OF[conv.code].split()) or \
            _INVERTED_PRONOUN_RE.match(tail):
        return _antecedent(doc, lo, a, last)
    name = _after(tail, conv)
    if name:
        return name
    rm = _ROLE_AFTER_RE.match(tail)
    if rm is not None:  # "», adiantou o gestor": the person named before, the one named
        return _named_with(doc, rm.group(0).split()[-1], a) or \
            _antecedent(doc, lo, a, last)  # with that role first
    head = text[max(para.start, a - 200):a]
    head = head[:max(0, len(head) - 1)].rstrip(" \t„“”\"«»‹›—–")
    bm = before.search(head)
    if bm is not None:
        app = bm.group("app")
        if app and _NAME_RE.fullmatch(app.strip()) and _ROLE_OF_RE.search(head[:bm.start()]):
            return _clean(app.strip(), conv)  # "La maire de Loudéac, Hélène Rouxel, dit"
        name = _clean(bm.group("spk"), conv)
        if name:
            return name
    sent = text[max(para.start, a - 200):min(para.end, after + 200)]
    cr = _ACCORDING_ROLE_RE.search(text[para.start:a])  # "Segundo a investigadora, ..."
    if cr is not None and cr.group("acc").lower() in conv.according:
        named = _named_with(doc, cr.group("role"), a)
        if named is not None:
            return named
    gm = _DE_WORDS_OF_RE.search(sent) if conv.code == "de" else None
    if gm is not None:  # "nach Leitners Worten": the person of that surname
        return _surname_owner(doc, gm.group("who"), a)
    am = according.search(sent)
    if am is not None and am.group("lead").split()[:1] and \
            am.group("lead").split()[0].strip(",").lower() in _PRONOUNS:
        return _antecedent(doc, lo, a, last)  # "Segundo ele, ...": the person named before
    if am is not None and len(am.group("spk")) > 1:
        return _clean(am.group("spk"), conv)
    fm = _FOR_SPEAKER_RE.search(head)
    if fm is not None:
        return _clean(fm.group("spk"), conv)
    if _PRONOUN_SUBJECT_RE.search(head):
        return _antecedent(doc, lo, a, last)
    # no attribution in the sentence: the person the paragraph has just named speaks
    return _antecedent(doc, para.start, a, None)


def _dialogue(text: str, paras: list[Block]) -> list[tuple[int, int, bool, int]]:
    """Quotations opened by a dialogue dash at a paragraph's start, up to the next dash or
    the paragraph's end."""
    out: list[tuple[int, int, bool, int]] = []
    for m in _DASH_RE.finditer(text):
        para = paras[para_at(paras, m.end())]
        stop = text.find("—", m.end(), para.end)
        stop = para.end if stop < 0 else stop
        incise = _INCISE_RE.search(text, m.end(), stop)  # "? lui a-t-on demandé."
        b = incise.start() if incise is not None else stop
        while b > m.end() and text[b - 1] in " \t,.":
            b -= 1
        if b - m.end() > 8:
            out.append((m.end(), b, True, stop + (1 if stop < para.end else 0)))
    return out


def _split_inner(text: str, conv: Conventions,
                 found: list[tuple[int, int, bool, int]]) -> list[tuple[int, int, bool, int]]:
    """« A, a-t-il insisté. B »: a speech clause inside the marks makes two quotations."""
    rx = _inner_clause(conv)
    out: list[tuple[int, int, bool, int]] = []
    for a, b, closed, after in found:
        m = rx.search(text, a, b)
        if m is None:
            out.append((a, b, closed, after))
            continue
        out.append((a, m.start(), True, m.end()))
        out.append((m.end(), b, closed, after))
    return out


@lru_cache(maxsize=8)
def _inner_clause(conv: Conventions) -> re.Pattern[str]:
    verbs = "|".join(re.escape(v) for v in sorted(conv.speech_verbs, key=len, reverse=True))
    prons = "|".join(_PRONOUNS_OF[conv.code].split())
    return re.compile(
        rf",[ \t]+(?:(?:a|est)-t-(?:il|elle)[ \t]+[^\W\d_]+|(?:{verbs})[ \t]+(?:{prons}))"
        rf"(?:[ \t]+[^\W\d_]+){{0,3}}"  # "a-t-il ajouté en souriant,"
        rf"[.,][ \t]+(?=[^\W\d_])")


def find_quotes_intl(text: str, conv: Conventions,
                     skip: list[tuple[int, int]] | None = None) -> list[QuoteHit]:
    """Every direct quotation of `text` (in `conv`'s language) with its speaker."""
    paras = paragraphs(text)
    if not paras:
        return []
    opens = "\"“„«‘‹" + ("»›" if conv.code == "de" else "")
    dialogue = _dialogue(text, paras)
    dashes = {q[0] for q in dialogue}
    found = sorted(_split_inner(text, conv, raw_quotes(text, paras, opens)) + dialogue)
    doc = _Doc(text, conv, [(q[0], q[1]) for q in found])
    out: list[QuoteHit] = []
    seen: set[str] = set()
    last: str | None = None
    last_para = -1
    prev_after = 0
    for a, b, closed, after in found:
        if skip and any(s <= a < e for s, e in skip):
            continue
        q = text[a:b]
        n = len(q.split())
        pi = para_at(paras, max(a, after - 1))
        lo = paras[pi - 1].start if pi > 0 else paras[pi].start
        gap = text[prev_after:a] if pi == last_para else "\n"
        if last is not None and len(gap) < 60 and not _SENT_END_RE.search(gap):
            spk: str | None = last  # "«…», dijo Lamas a la prensa, «…»": the same speaker
        else:
            spk = _attribute(doc, a, after, paras[pi], last, lo, a in dashes)
        if spk is None and pi == last_para:
            spk = last  # a second quotation in the speaker's paragraph
        if n < 1 or not any(ch.isalpha() for ch in q) or (n <= 3 and not closed):
            continue
        key = " ".join(q.lower().split())
        if key in seen:
            continue
        seen.add(key)
        conf = 0.9 if closed and spk else 0.8 if closed else 0.5
        out.append(QuoteHit(a, b, q, spk, closed, conf))
        if spk is not None:
            last, last_para = spk, pi
        prev_after = after
    return out
