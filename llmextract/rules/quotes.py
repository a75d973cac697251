"""Direct quotations and their speakers."""

from __future__ import annotations

from dataclasses import dataclass

from llmextract.rules.gazetteer import DEMONYMS
from llmextract.rules.name_spans import name_after, names_before
from llmextract.rules.quote_marks import OPEN_ALL, para_at, raw_quotes
from llmextract.rules.quote_vocab import (
    CAP_SEQ as _CAP_SEQ,
)
from llmextract.rules.quote_vocab import (
    PRE_ROLE as _PRE_ROLE,
)
from llmextract.rules.quote_vocab import (
    ROLE as _ROLE,
)
from llmextract.rules.quote_vocab import (
    ROLE_NAME as _ROLE_NAME,
)
from llmextract.rules.quote_vocab import (
    SPEECH_VERBS,
)
from llmextract.rules.quote_vocab import (
    SUBJECT as _SUBJECT,
)
from llmextract.rules.sentences import Block, paragraphs
from llmextract.rules.speakers import OrgIndex, pick_person, resolve_role
from llmextract.text.lazy_re import lazy

__all__ = ["SPEECH_VERBS", "QuoteHit", "clean_speaker", "find_quotes"]


@dataclass(frozen=True)
class QuoteHit:
    start: int  # offsets of the words between the marks
    end: int
    text: str
    speaker: str | None
    closed: bool
    confidence: float


SUBJECT = _SUBJECT  # a speaker phrase pattern, shared with figure attribution
_AFTER_NAME_VERB_RE = lazy(
    rf"^[\s,.:;—–-]*(?P<spk>{_SUBJECT})(?:,(?P<app>[^,\"“”]{{1,90}}),?)?\s+"
    rf"(?:also\s+|later\s+|then\s+)?"
    rf"(?:{SPEECH_VERBS})\b"
)
_AFTER_VERB_NAME_RE = lazy(
    rf"^[\s,.:;—–-]*(?:{SPEECH_VERBS})\s+(?P<spk>{_ROLE_NAME}|{_SUBJECT})"
)
# "said climatologist Rebecca Lindqvist": a role noun the lists lack, known by its ending
_AFTER_VERB_ROLE_WORD_RE = lazy(
    rf"^[\s,.:;—–-]*(?:{SPEECH_VERBS})\s+(?:[a-z][\w\-]*\s+)?"
    r"(?P<role>[a-z]+(?:ist|ian|er|or|ant|ent|eur|man|woman|ee|ive))\s+"
    r"(?P<spk>[A-Z][\w'’\-]+(?:[ \t]+[A-Z][\w'’\-]+)+)")
_NOT_ROLES = frozenset(
    "later never ever after under over rather together whether other neither either earlier "
    "further however moreover sooner per upper lower inner outer".split())
_BEFORE_RE = lazy(
    rf"(?P<spk>{_SUBJECT})(?:,[^,\"“”]{{1,90}},)?\s+(?:also\s+|later\s+|then\s+|has\s+|had\s+|\w+ly\s+)?"
    rf"(?:{SPEECH_VERBS}|to\s+call|calling|saying|adding|telling|describing)\b[^\"“”]{{0,120}}$"
)
_ACCORDING_RE = lazy(rf"\b[Aa]ccording\s+to\s+(?P<spk>{_SUBJECT})")
_CITING_RE = lazy(rf"^(?P<spk>{_CAP_SEQ})\b[^\"“”]{{0,80}}$")
_PRONOUNS = frozenset({"he", "she", "it", "they", "we", "i"})
_TITLE_RE = lazy(
    r"^(?:.*\b(?:President|Gov\.|Governor|Minister|Premier|Chancellor|Dr\.?|Mr\.?|Mrs\.?|Ms\.?|"
    r"Cllr\.?|Councillor|"
    r"Prof\.|Sen\.|Senator|Rep\.|Gen\.|General|Col\.|Judge|Justice|Secretary|Chairman|"
    r"Chairwoman|Chair|Mayor|Spokesman|Spokeswoman|CEO|Director|Commissioner|Ambassador|"
    r"King|Queen|Prince|Pope|Sheikh|Lt\.|Capt\.|Sgt\.|Coach|Officer|Chief|Executive)\s+)"
    r"(?=[A-Z][a-z])"
)
_PRE_ROLE_RE = lazy(rf"^.*\b{_PRE_ROLE}[ \t]+(?=[A-Z])")
_LEADING_JUNK_RE = lazy(
    r"^(?:(?:And|But|Meanwhile|However|Also|Later|Then|Separately|Still|Yet|So|In|On|At)\b"
    r"[\s,]+)+"
)
_JUNK_INITIALS = frozenset("ABMHLTSYIO")  # the first letters of _LEADING_JUNK_RE's words
_SPACE_RE = lazy(r"\s")
_TIME_TAIL_RE = lazy(r"\s+(?:on|in|at|during|last|this|earlier)\s.*$")
_CONNECT_TAIL_RE = lazy(r"\s+(?:the|and|of|for|&)$")
_THE_NAME_RE = lazy(r"^The\s+(?=[A-Z])")
_ABBREV_END_RE = lazy(
    r"(?:^|\s)(Gov|Mr|Mrs|Ms|Dr|Sen|Rep|Gen|Col|Lt|St|Prof|Jr|Sr|No|[A-Z])$")
_SAID_END_RE = lazy(r"\b(?:said|told|says)$")
_CONNECTS_TAIL_RE = lazy(r"(?:[ \t]+(?:of|the|and|for|&))*$")
_STOP_END_RE = lazy(r"[.!?]$")
_PUNCT_END_RE = lazy(r"[.!?,]$")
_NONWORD_RE = lazy(r"\W+")
_BREAK_RE = lazy(r"[.!?\n]")


def clean_speaker(raw: str) -> str | None:
    """Strip titles, possessive endings and filler from a speaker phrase."""
    s = raw.strip(" ,.;:")
    if s[:1] in _JUNK_INITIALS:
        s = _LEADING_JUNK_RE.sub("", s)
    if _SPACE_RE.search(s) is not None:  # each pattern below needs a space to match
        s = _TIME_TAIL_RE.sub("", s)
        s = _CONNECT_TAIL_RE.sub("", s)
        s = _THE_NAME_RE.sub("", s)
        s = _PRE_ROLE_RE.sub("", s)
        m = _TITLE_RE.match(s)
        if m is not None:
            s = s[m.end():]
    if not s or s.lower() in ("the", "a", "an"):
        return None
    return s


def _words(s: str) -> int:
    return len(s.split())


_SENT_BREAK_RE = lazy(r"[.!?][\"”’)]?\s+(?=[\"“‘(]|[A-Z])")
_NEXT_OPEN_RE = lazy(r"[\"“]|(?<=\s)‘")
_CLAUSE_SPK_RE = lazy(
    rf"(?:^|[,;—–]\s*)[^,\"“”]*?(?P<spk>{_SUBJECT})(?:,[^,\"“”]{{1,90}},?)?\s+"
    rf"(?:also\s+|\w+ly\s+)?(?:{SPEECH_VERBS}|was\s+quoted)\b"
)
# "Stephens eyed the trophy and asked:" before the quote.
_AND_VERB_RE = lazy(
    rf"(?:^|,\s+)(?P<spk>{_SUBJECT})\s+[a-z][^,\"“”.]{{0,60}}?\s+and\s+(?:{SPEECH_VERBS})"
    rf"\s*[:,]?\s*$"
)
_REPORTED_RE = lazy(
    rf"(?P<spk>{_SUBJECT})(?:,[^,\"“”]{{1,90}},)?\s+(?:had\s+|has\s+)?(?:said|added|told\s+\w+)"
    rf"(?:\s+\w+){{0,3}}?\s+that\b"
)
_ADVERB_RE = lazy(r"\s+\w+ly$")


def _sentence_before(text: str, lo: int, pos: int) -> str:
    seg = text[lo : pos + 1]  # include the opening mark so a break right before it is seen
    last = None
    for m in _SENT_BREAK_RE.finditer(seg):
        if not _ends_with_abbrev(seg, m.start()):
            last = m
    seg = seg[:-1] if pos < len(text) and pos >= lo else seg
    return seg[last.end():] if last else seg


def _ends_with_abbrev(seg: str, dot: int) -> bool:
    m = _ABBREV_END_RE.search(seg[max(0, dot - 6) : dot])
    return m is not None


def _sentence_after(text: str, pos: int, hi: int) -> str:
    seg = text[pos:hi]
    m = _NEXT_OPEN_RE.search(seg)
    if m is not None:
        seg = seg[: m.start()]
    for br in _SENT_BREAK_RE.finditer(seg):
        if not _ends_with_abbrev(seg, br.start()):
            return seg[: br.start() + 1]
    return seg


_ROLE_APPOSED_RE = lazy(
    rf"^[\s,.:;—–-]*(?:the|a|an|its|his|her|their)\s+(?:[a-z][\w'’\-]*\s+){{0,3}}"
    rf"[a-z][\w'’\-]*,\s*(?P<spk>{_CAP_SEQ}),\s*(?:\d+,\s*)?(?:also\s+)?(?:{SPEECH_VERBS})\b")
_APPOSED_NAME_RE = lazy(rf"\s*(?P<n>{_CAP_SEQ})\s*")


def _named_apposition(spk: str, app: str | None) -> str:
    """"the council leader, Judith Blake, said": the name in apposition to a role."""
    if app is None or spk[:1].isupper():
        return spk
    nm = _APPOSED_NAME_RE.fullmatch(app)
    return nm.group("n") if nm is not None and " " in nm.group("n").strip() else spk


def _attribute(text: str, a: int, b: int, closed: bool, para: Block) -> str | None:
    """The raw speaker phrase of a quote from its sentence; b is just after the closing mark."""
    after = _sentence_after(text, b, max(b, para.end)) if closed else ""
    m = _ROLE_APPOSED_RE.match(after)  # "the harbour master, Tamsin Rowe, said"
    if m is not None:
        return m.group("spk")
    m = _AFTER_NAME_VERB_RE.match(after)
    if m is not None:
        return _named_apposition(m.group("spk"), m.group("app"))
    m = _AFTER_VERB_NAME_RE.match(after)
    if m is not None:
        return m.group("spk")
    m = _AFTER_VERB_ROLE_WORD_RE.match(after)
    if m is not None and m.group("role") not in _NOT_ROLES:
        return m.group("spk")
    before = _sentence_before(text, para.start, max(para.start, a - 1))
    bm = _BEFORE_RE.search(before)
    if bm is not None:
        return bm.group("spk")
    for seg in (before, after):
        am = _ACCORDING_RE.search(seg)
        if am is not None:
            return am.group("spk")
    cm = _CLAUSE_SPK_RE.search(after) or _AND_VERB_RE.search(before)
    if cm is not None:
        return cm.group("spk")
    return None


def _reported_speaker(text: str, paras: list[Block], pi: int, a: int) -> str | None:
    """A quote with no attribution that opens paragraph pi after a paragraph ending in
    reported speech ("X said on Monday that ..."), or that follows such a sentence in its
    own paragraph, is X's."""
    head = text[paras[pi].start : a - 1]
    if head.strip() and head.rstrip()[-1:] in ".!?" and not any(c in head for c in OPEN_ALL):
        lo, hi = paras[pi].start, a  # "She added that ... . “Quote.”" in one paragraph
    elif pi == 0 or text[paras[pi].start : a].strip() not in OPEN_ALL:
        return None
    else:
        lo, hi = paras[pi - 1].start, paras[pi - 1].end
    last = None
    for m in _REPORTED_RE.finditer(text, lo, hi):
        last = m
    return last.group("spk") if last else None


def _expand_name(text: str, name: str) -> str:
    """A one-word name ("Petrenko", "Mamata") to the full name the text gives elsewhere."""
    if " " in name or not name[:1].isupper() or len(name) < 3:
        return name
    full = names_before(text, name)  # "Olena Petrenko": the words before it
    if full is not None:
        full = clean_speaker(full)
        if full and " " in full and full.split()[0].lower() not in ("the", "a", "in", "on"):
            return full
    after = name_after(text, name)  # "Mamata Banerjee": the words after it
    if after is not None and not _SAID_END_RE.search(after):
        return after
    return name


def _resolve(text: str, raw: str | None, last: str | None, pos: int, lo: int,
             ctx: _Context) -> str | None:
    if raw is None:
        return None
    spk = clean_speaker(raw)
    if spk is None:
        return None
    low = spk.lower()
    vague = _VAGUE_RE.fullmatch(low) is not None and low.split()[1] not in _ROLES
    if low in _PRONOUNS or vague or low in DEMONYMS:
        cands = _antecedents(text, pos, lo if last is not None else max(0, pos - 800))
        found = cands[-1] if cands else None
        if low in ("he", "she"):
            found = pick_person(text, cands, low, ctx.orgs, pos)
        if found is None or found[0].lower() in DEMONYMS:
            return last
        ante, at = found
        return ctx.role(ante, at) or ctx.expand(ante)
    return ctx.role(spk, pos) or ctx.expand(spk)


class _Context:
    """What speaker resolution needs of the whole article: paragraphs and organisations."""

    def __init__(self, text: str, paras: list[Block]) -> None:
        self.text = text
        self.paras = paras
        self.orgs = OrgIndex(text)
        self._full: dict[str, str] = {}

    def expand(self, name: str) -> str:
        """The full form of a one-word name, once per name."""
        if name not in self._full:
            self._full[name] = _expand_name(self.text, name)
        return self._full[name]

    def role(self, phrase: str, pos: int) -> str | None:
        """The name a role phrase at pos stands for ("the company" -> "Acme")."""
        if not _ROLE_TAIL_RE.search(phrase):
            return None
        pi = para_at(self.paras, pos)
        lo = self.paras[max(0, pi - 1)].start
        return resolve_role(self.text, phrase, pos, self.orgs, lo)


_VAGUE_RE = lazy(r"the\s+[\w\-]+")
_ROLE_TAIL_RE = lazy(r"\b[a-z][\w\-]*$")


_ROLES = frozenset(_ROLE.split("|"))
_SENT_INITIAL_RE = lazy(
    rf"(?:^|(?<=[.!?][ \t])|(?<=\n)|(?<=\) - )|(?<=\) – )|(?<=\) — ))(?:The[ \t]+)?"
    rf"(?P<n>{_CAP_SEQ}(?:[ \t]+(?:{_ROLE})\b(?:[ \t]+{_CAP_SEQ})?)?"  # "Council leader X"
    rf"|(?<=The )(?:[a-z][\w\-]*[ \t]+){{0,2}}(?:{_ROLE})\b)"
)
_NOT_SUBJECT = frozenset(
    "the a an in on at but and as after before when while it he she they we i this that "
    "these those there however meanwhile according citing since for by with from if".split()
)


def _antecedents(text: str, pos: int, lo: int) -> list[tuple[str, int]]:
    """The sentence-initial names in text[lo:pos] and where they are, nearest last (for
    "he said", "it added")."""
    out: list[tuple[str, int]] = []
    for m in _SENT_INITIAL_RE.finditer(text, lo, pos):
        name = m.group("n")
        first = name.split()[0].lower().rstrip(",")
        if first in _NOT_SUBJECT or (first.endswith("ing") and " " not in name):
            continue
        name = _CONNECTS_TAIL_RE.sub("", name.split(",")[0])
        spk = clean_speaker(name) if len(name.split()) <= 6 else None
        if spk:
            out.append((spk, m.start("n") + max(0, name.find(spk))))
    return out


def _keep(text: str, a: int, b: int, closed: bool, has_speaker: bool) -> bool:
    q = text[a:b]
    n = _words(q)
    caps = [w for w in q.split() if w.lower() not in ("of", "the", "a", "an", "and", "in", "on")]
    if n <= 6 and caps and all(w[:1].isupper() for w in caps) and not _STOP_END_RE.search(q):
        return False
    if n == 0 or not any(ch.isalpha() for ch in q):
        return False
    if n <= 3 and not closed and not has_speaker:
        return False  # a stray mark, not a quoted word
    if n <= 3 and q.istitle() and not has_speaker:
        return False
    return closed or n >= 4


def find_quotes(text: str, skip: list[tuple[int, int]] | None = None) -> list[QuoteHit]:
    """Every direct quotation of `text`, with its speaker where the text names one."""
    paras = paragraphs(text)
    if not paras:
        return []
    ctx = _Context(text, paras)
    out: list[QuoteHit] = []
    seen: dict[str, int] = {}
    last: str | None = None
    last_para = -1
    last_end = 0
    for a, b, closed, after in raw_quotes(text, paras):
        if skip and any(s <= a < e for s, e in skip):
            continue
        pi = para_at(paras, a)
        raw = _attribute(text, a, after, closed, paras[para_at(paras, after - 1)])
        if raw is None:
            raw = _reported_speaker(text, paras, pi, a)
        spk = _resolve(text, raw, last, a, last_end, ctx)
        if spk is None and last is not None and (pi == last_para or _continues(text, paras, pi)):
            spk = last
        if not _keep(text, a, b, closed, raw is not None):
            continue
        conf = _confidence(text[a:b], closed, raw is not None)
        q = text[a:b]
        key = _NONWORD_RE.sub(" ", q.lower()).strip()
        if key in seen:
            k = seen[key]
            old = out[k].speaker
            if old is None or (spk and spk[:1].isupper() and old[:1].islower()):
                out[k] = QuoteHit(out[k].start, out[k].end, out[k].text, spk, out[k].closed,
                                  max(conf, out[k].confidence))
            continue
        seen[key] = len(out)
        out.append(QuoteHit(a, b, q, spk, closed, conf))
        if spk is not None:
            last, last_para = spk, pi
        last_end = after
    _backfill(text, out)
    return out


def _backfill(text: str, out: list[QuoteHit]) -> None:
    """An unclosed quote continued in the next paragraph takes the speaker named at its end."""
    for k in range(len(out) - 2, -1, -1):
        q, nxt = out[k], out[k + 1]
        if q.speaker is not None or nxt.speaker is None:
            continue
        gap = text[q.end : nxt.start]
        same_sentence = q.closed and len(gap) < 60 and not _BREAK_RE.search(gap)
        if same_sentence or (not q.closed and "\n" in gap and len(gap.strip()) <= 1):
            out[k] = QuoteHit(q.start, q.end, q.text, nxt.speaker, q.closed, q.confidence)


def _continues(text: str, paras: list[Block], pi: int) -> bool:
    """True when paragraph pi opens with a quotation mark after a paragraph left open."""
    if pi == 0 or paras[pi].text[:1] not in OPEN_ALL:
        return False
    prev = paras[pi - 1].text
    if prev.count('"') % 2 == 1 or prev.count("“") > prev.count("”"):
        return True
    k = prev.rfind("‘")
    return k >= 0 and _SINGLE_CLOSE_RE.search(prev, k) is None


_SINGLE_CLOSE_RE = lazy(r"’(?!\w)")


def _confidence(q: str, closed: bool, attributed: bool) -> float:
    if not closed:
        return 0.5
    n = _words(q)
    if n >= 4:
        return 0.9 if attributed else 0.8
    return 0.75 if attributed else 0.5
