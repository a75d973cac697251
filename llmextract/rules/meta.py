"""Article metadata: headline, byline, wire/publisher, publication date, URL, dateline."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from llmextract.rules.sentences import Block, lines
from llmextract.text.dates import DATE_LABELS, parse_date
from llmextract.text.dates import MONTH_RE as _MON

__all__ = ["WIRES", "Meta", "parse_date", "parse_meta"]

WIRES = {
    "afp": "AFP", "agence france-presse": "AFP", "reuters": "Reuters", "ap": "AP",
    "the associated press": "The Associated Press", "associated press": "Associated Press",
    "pti": "PTI", "xinhua": "Xinhua", "ians": "IANS", "ani": "ANI", "dpa": "dpa",
    "upi": "UPI", "bloomberg": "Bloomberg", "efe": "EFE", "ansa": "ANSA", "tass": "TASS",
    "yonhap": "Yonhap", "kyodo": "Kyodo", "aa": "AA", "anadolu agency": "Anadolu Agency",
    "bernama": "Bernama", "cnn": "CNN", "bbc": "BBC", "ap news": "AP", "reuters staff": "Reuters",
}
_HASHES_RE = re.compile(r"^\s*#+\s*")
_END_PUNCT_RE = re.compile(r"[.:;,]$")
_UPDATED_RE = re.compile(r"\s*[|,]?\s*(?:Updated|Published|Posted)\b.*$")
_AUTHOR_RE = re.compile(r"[A-Z][\w.'’\-]*(?:\s+[A-Za-z][\w.'’\-]*){0,4}")
_URL_LINE_RE = re.compile(r"^\W*(?:(?:original\s+)?(?:url|source|link)\s*:?\s*)?(https?://\S+)\s*$",
                          re.IGNORECASE)
_URL_LABEL_RE = re.compile(r"^\W*(?:original\s+url|source\s+url|url|source)\s*:?\s*$",
                           re.IGNORECASE)
_BYLINE_RE = re.compile(r"^\s*(?:#+\s*)?By:?\s+(?P<who>[^\n]{2,120}?)\s*$")
# dates in a dateline the European way: "14.05.2024", "3 décembre 2024", "23 de diciembre"
_NUM_DATE = r"\d{1,2}\.\s?\d{1,2}\.\s?(?:\d{4}|\d{2})"
_WORD_DATE = r"\d{1,2}(?:\.|er|º)?\s+(?:de\s+)?[^\W\d_]{3,}\.?(?:,?\s+(?:de\s+|del\s+)?\d{4})?"
_DATELINE_RE = re.compile(
    r"^\s*(?P<place>(?:[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ.'’\- ]{1,40}|"
    r"[A-Z][a-z]+(?:\s[A-Z][a-z]+){0,2}(?=,\s*[A-Z][a-z]{2,3}\.?\s+\d)|"
    rf"[A-ZÄÖÜ][a-zäöüß]+(?:\s[A-ZÄÖÜ][a-zäöüß]+){{0,2}}(?=,\s*(?:{_NUM_DATE}|{_WORD_DATE})\s*\())"
    r"(?:,\s*[A-Z][A-Za-z.]+(?:\s[A-Z][A-Za-z.]+){0,2}(?!\.?\s+\d))?)?"
    rf"\s*(?:,\s*(?:{_MON}\s+\d{{1,2}}(?:,\s*\d{{4}})?|{_NUM_DATE}|{_WORD_DATE})\s*)?"
    r"\((?P<pub>[A-Za-z][^()\n]{0,30})\)\s*"
    r"(?:(?:-{1,2}|–|—|:)\s*|(?=[A-Z]))"
)
_PLACE_ONLY_RE = re.compile(
    rf"^\s*(?P<place>[A-Z][A-Z.'’\-]+(?:\s[A-Z][A-Z.'’\-]+){{0,3}})(?:,\s*{_MON}\s+\d{{1,2}})?"
    r"\s*(?:-{1,2}|–|—|:)\s+(?=[A-Z])"
)
_TRAIL_WIRE_RE = re.compile(r"^\s*(?:—|–|-{1,2})\s*(?P<pub>[A-Z][A-Za-z ]{1,30})\s*$")
_COPYRIGHT_RE = re.compile(r"(?:Copyright|©)\s*(?:\(c\)\s*)?(?:\d{4}\s*)?(?:,\s*)?"
                           r"(?:The\s+)?(?P<pub>Associated Press|Reuters|AFP|Agence France-Presse)")
_AFTER_DATELINE_DATE_RE = re.compile(r"\.?\s*(?:\([^()\n]{1,30}\)\s*)?\.?(?:[-–—:|]|\()")
_WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
# "Laura Kemp HealthDay Reporter", "Dana Whitfield | Staff Writer": a role after the name.
_ROLES = r"(?:Staff\s+|Senior\s+)?(?:Reporter|Writer|Correspondent|Editor|Contributor|Columnist)"
_BYLINE_ROLE_RE = re.compile(
    rf"\s*\|.*$|,?\s+(?:[A-Z][\w.\-]*\s+)?{_ROLES}\s*$|,\s*(?:[A-Z][\w.\-]*\s+){{0,3}}{_ROLES}\s*$")
# "... end of the year. PTI RSN KVK": a wire's name and its desk's initials end the story.
_DESK_TAIL_RE = re.compile(r"(?:^|[.!?\"”]\s+)(?P<pub>[A-Z][A-Za-z]+)(?:\s+[A-Z]{2,4}){1,4}\s*$")
_SPLIT_AUTHORS_RE = re.compile(r"\s*(?:,\s*and\s+|\s+and\s+|,\s*|\s*&\s*)")


@dataclass
class Meta:
    title: str | None = None
    publisher: str | None = None
    authors: list[str] = field(default_factory=list)
    published: dt.date | None = None
    url: str | None = None
    dateline_place: tuple[int, int] | None = None
    skip: list[tuple[int, int]] = field(default_factory=list)  # header/footer line spans
    lang: str | None = None  # the article's language (month names of its dates)


def _clean_title(s: str) -> str:
    return _HASHES_RE.sub("", s).strip()


def _is_title_line(s: str) -> bool:
    t = _clean_title(s)
    words = t.split()
    if not 2 <= len(words) <= 25 or len(t) > 200:
        return False
    if _BYLINE_RE.match(t) or _DATELINE_RE.match(t) or (parse_date(t) and len(words) <= 5):
        return False
    if t.startswith(("http", "—", "(", "[")) or "@" in t:
        return False
    return not _END_PUNCT_RE.search(t) or s.lstrip().startswith("#")


_DATE_LABEL_RE = re.compile(
    rf"(?i)^(?:updated|published|posted|last|{'|'.join(sorted(DATE_LABELS))})\b")


_ROLE_PART_RE = re.compile(rf"(?:^|\s){_ROLES}\s*$")  # "| Staff Writer": a role, no paper


def _pipe_publisher(who: str, meta: Meta) -> str:
    """"Rachel Oyelaran | Norfolk Coast Gazette | Published ...": the part after the
    author that is neither a date nor a date's label is the publisher; the author part is
    returned."""
    first, *rest = [p.strip() for p in who.split(" | ")]
    for part in rest:
        if part[:1].isupper() and len(part.split()) <= 6 and not any(
                ch.isdigit() for ch in part) and not _DATE_LABEL_RE.match(part) and \
                not _ROLE_PART_RE.search(part) and parse_date(part, meta.lang) is None:
            meta.publisher = meta.publisher or part
            break
    return first


def _byline(who: str, meta: Meta) -> None:
    if " | " in who:
        full = who
        who = _pipe_publisher(who, meta)
        d = parse_date(full, meta.lang)
        if d is not None and meta.published is None:
            meta.published = d[0]
    d = parse_date(who, meta.lang)
    if d is not None:
        if meta.published is None:
            meta.published = d[0]
        who = who[: d[1]].strip(" ,|-")
    who = _UPDATED_RE.sub("", who).strip()
    who = _BYLINE_ROLE_RE.sub("", who).strip() or who
    pub = WIRES.get(who.lower())
    if pub is not None:
        meta.publisher = meta.publisher or who
        return
    names = [n.strip() for n in _SPLIT_AUTHORS_RE.split(who) if n.strip()]
    for n in names:
        if n.lower() in WIRES:
            meta.publisher = meta.publisher or n
        elif _AUTHOR_RE.fullmatch(n):
            meta.authors.append(n)


def _header(ls: list[Block], meta: Meta) -> None:
    for i, ln in enumerate(ls[:8]):
        t = ln.text
        if i == 0 and _is_title_line(t):
            meta.title = _clean_title(t)
            meta.skip.append((ln.start, ln.end))
            continue
        bm = _BYLINE_RE.match(t)
        if bm is not None and len(t.split()) <= 16:
            _byline(bm.group("who"), meta)
            meta.skip.append((ln.start, ln.end))
            continue
        dm = _DATELINE_RE.match(t)
        d = parse_date(t, meta.lang) if dm is None else None
        if d is not None and len(t.split()) <= 10 and "@" not in t:
            meta.published = meta.published or d[0]
            meta.skip.append((ln.start, ln.end))
        elif dm is not None and meta.publisher is None:
            _dateline(ls, ln, dm, meta)
        elif meta.dateline_place is None and (pm := _PLACE_ONLY_RE.match(t)) is not None:
            a = ln.start + pm.start("place")
            meta.dateline_place = (a, a + len(pm.group("place")))


def _dateline(ls: list[Block], ln: Block, dm: re.Match[str], meta: Meta) -> None:
    """'SPRINGFIELD, Ill. (AP) —', 'FRIDAY, Jan. 12, 2024 (HealthDay News) --'."""
    pub = dm.group("pub").strip()
    if len(pub.split()) <= 4:
        meta.publisher = _wire_name(pub, ls)
    d = parse_date(ln.text[: dm.end()], meta.lang)
    meta.published = meta.published or (d[0] if d else None)
    place = (dm.group("place") or "").strip(" ,")
    if place and place.lower() not in _WEEKDAYS:
        a = ln.start + dm.start("place")
        meta.dateline_place = (a, a + len(place))


def _wire_name(pub: str, ls: list[Block]) -> str:
    """'HealthDay News' -> 'HealthDay' where the wire is known by the shorter name (a known
    wire, or a "HealthDay Reporter" byline); 'IANS/AKI' -> 'IANS'."""
    head = pub.split("/")[0].strip()
    if "/" in pub and head.lower() in WIRES:
        return head
    if pub.endswith(" News") and " " not in (short := pub[:-5]):
        role = re.compile(rf"\b{re.escape(short)}\s+(?:Staff\s+)?(?:Reporter|Writer|Correspondent)")
        if short.lower() in WIRES or any(role.search(ln.text) for ln in ls[:6]):
            return short
    return pub


def _footer(text: str, ls: list[Block], meta: Meta) -> None:
    for ln in ls[-6:]:
        t = ln.text
        um = _URL_LINE_RE.match(t)
        if um is not None:
            meta.url = meta.url or um.group(1).rstrip(").,")
            meta.skip.append((ln.start, ln.end))
        elif _URL_LABEL_RE.match(t):
            meta.skip.append((ln.start, ln.end))
        elif (tw := _TRAIL_WIRE_RE.match(t)) is not None and tw.group("pub").lower() in WIRES:
            meta.publisher = meta.publisher or tw.group("pub").strip()
            meta.skip.append((ln.start, ln.end))
    for ln in ls[:3]:
        um = _URL_LINE_RE.match(ln.text)
        if um is not None:
            meta.url = meta.url or um.group(1).rstrip(").,")
            meta.skip.append((ln.start, ln.end))
    dm = _DESK_TAIL_RE.search(ls[-1].text[-60:])
    if meta.publisher is None and dm is not None and dm.group("pub").lower() in WIRES:
        meta.publisher = dm.group("pub")
    if meta.publisher is None:
        cm = _COPYRIGHT_RE.search(text[-400:])
        if cm is not None:
            meta.publisher = cm.group("pub")


def parse_meta(text: str, lang: str | None = None, ls: list[Block] | None = None) -> Meta:
    """Headline, byline, publisher, date, URL and the header/footer lines to skip (dates
    also in `lang`'s month names); `ls`: the text's `lines`, when the caller has them."""
    meta = Meta(lang=lang)
    ls = lines(text) if ls is None else ls
    if not ls:
        return meta
    _header(ls, meta)
    _footer(text, ls, meta)
    if meta.published is None:
        for ln in ls[:6]:  # the lines of the text up to the end of its sixth line
            # "By X | The Courier | Published 18 March 2025": each part of a byline alone
            for part in ln.text.split(" | ") if " | " in ln.text else [ln.text]:
                d = parse_date(part, lang)
                if d is None or "@" in part:
                    continue
                # a short line, or a dateline: "PARIS, 3 décembre 2024 (AFP) - ..."
                if len(part.split()) <= 14 or (d[1] < 60 and _AFTER_DATELINE_DATE_RE.match(
                        part, d[2]) is not None):
                    meta.published = d[0]
                    break
            if meta.published is not None:
                break
    return meta
