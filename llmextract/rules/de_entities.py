"""German names: what tells a name from a noun when every noun is capitalised.

`GermanCues` answers the German questions of llmextract.rules.intl_entities: is a word a
common noun (the text puts it after an article, or it is a frequent noun of news copy), is it
an institution's or a venue's head ("Finanzministerium", "Hallenbad", "Kanton"), is it a
capitalised adjective that only a name capitalises ("Deutsche Bahn", "Freie Wähler"), a place
adjective ("Wiener Börse"), a region after "im" ("im Oberallgäu")? `extra_hits` finds what the
runs of capitalised words cannot: an acronym before a hyphen ("CDU-Fraktionschef"), a party in
parentheses after a name ("Susanne Brückl (Freie Wähler)") and numbered roads ("Bundesstraße
19", "A 7").
"""

from __future__ import annotations

import re
from functools import lru_cache

from llmextract.rules.entities import EntityHit
from llmextract.text.langs import Conventions

__all__ = ["ABSTRACT_END_RE", "ORG_END_RE", "WEAK_HEAD_RE", "GermanCues", "extra_hits",
           "genitive_end"]

_UP = "A-ZÄÖÜ"
WEAK_HEAD_RE = re.compile(r"(?:werk|dienst)(?:e?s)?$")  # "Zahlenwerk", "Schuldienst"
ABSTRACT_END_RE = re.compile(r"(?:ung|heit|keit|schaft|tion|tät|nis|ismus|ungen|zeit)$")
ORG_END_RE = re.compile(
    r"(?:ministerium|gericht|gerichtshof|rat|landtag|bundestag|städtetag|kreistag|hof|"
    r"(?<!ges)amt|bank|wacht|werk|verband|verbund|partei|behörde|polizei|kammer|verwaltung|"
    r"dienst|gewerkschaft|verein|stiftung|institut|börse|aufsicht)(?:e?s)?$")
# the genitive of an institution's name: "des Finanzministeriums", "des Wetterdienstes"
_GENITIVE_RE = re.compile(
    r"(?:ministerium|gericht|amt|werk|verband|verbund|dienst|institut|rat|tag|hof)(e?s)$")
# facilities and administrative units named by a proper name after them ("Kanton Bern")
_FACILITY_RE = re.compile(
    r"(?:krankenhaus|klinik|klinikum|bad|stadion|arena|halle|schule|universität|hochschule|"
    r"kanton|landkreis|bezirk|flughafen|bahnhof|museum|theater|bahn|werft|zoo)$")
_PLACE_HEADS = re.compile(r"(?:kanton|landkreis|bezirk|flughafen|bahnhof|stadion|arena|bad)$")
# words that describe what follows and are not part of its name ("Gewerkschaft Verdi")
_APPOSITION = frozenset(
    "gewerkschaft partei verein konzern unternehmen firma sender zeitung klub club "
    "fahrgastverband verband hersteller".split())
_REGION_RE = re.compile(r"(?:gäu|gau|tal|land|wald|gebirge|alb|alpen|heide|moor|ried)$")
_NOT_REGION_RE = re.compile(
    r"(?:ausland|inland|umland|festland|hinterland|bundesland|heimatland|flachland|ackerland|"
    r"spital|kapital|quartal|metall|vaterland)$")
# compound heads that make place names, not common nouns ("Oberstdorf", "Immenstadt")
_TOPONYM_HEADS = frozenset("dorf stadt land berg burg feld bach heim hof see tal wald".split())
# adjectives only a name capitalises mid-sentence: "Deutsche Bahn", "Technisches Hilfswerk"
_NAME_ADJ_RE = re.compile(
    r"^(?:\w+(?:isch|lich|ig|al|ell|iv|är|ös)|deutsch|frei|gro(?:ß|ss)|neu|alt|rot|grün|"
    r"schwarz|weiß|weiss|hoch|vereinigt|heilig|ober|unter|nieder|evangelisch|katholisch|"
    r"christlich|eidgenössisch)(?:e|er|es|en|em)$", re.IGNORECASE)
_PLACE_PREP_BEFORE = re.compile(
    r"(?:^|\s)(?:in|im|ins|aus|nach|bei|von|vom|zwischen)(?:\s+(?:dem|der|das|den))?\s+$",
    re.IGNORECASE)
_COORD_BEFORE = re.compile(
    rf"(?:^|\s)(?:in|aus|nach|bei|zwischen|von)\s+[{_UP}][\w\-]+\s+(?:und|oder|sowie)\s+$",
    re.IGNORECASE)


def genitive_end(word: str) -> int:
    """How many letters of `word` are an institution name's genitive ending (0: none)."""
    m = _GENITIVE_RE.search(word.lower())
    return len(m.group(1)) if m is not None and len(word) > 6 else 0


class GermanCues:
    def __init__(self, text: str, conv: Conventions) -> None:
        self.text = text
        self.conv = conv
        self.common = _det_nouns(text, conv)
        self._known: dict[str, bool] = {}
        self._plain: dict[str, bool] = {}

    def is_common(self, word: str) -> bool:
        """A common noun: the text puts it after an article, or it is a frequent noun."""
        known = self._known.get(word)
        if known is None:
            rest = word[1:]
            known = self._known[word] = rest == rest.lower() and (
                word in self.common or word.lower() in self.conv.common_nouns)  # not "VfL"
        return known

    def plain_noun(self, word: str) -> bool:
        """One word that is a common noun wherever it stands: a frequent noun, one the text
        puts after an article, an abstract noun ("Neuverschuldung"), a compound of a
        frequent noun ("Wasserflächen"); never an acronym, a state, a region or an
        institution."""
        plain = self._plain.get(word)
        if plain is None:
            low = word.lower()
            head = word.split("-")[0][1:]
            plain = self._plain[word] = low in self.conv.common_nouns or (
                head == head.lower() and low not in self.conv.places
                and not (ORG_END_RE.search(low) and not WEAK_HEAD_RE.search(low))
                and not self.region_head(word)
                and (ABSTRACT_END_RE.search(low) is not None or self.compound_noun(word)
                     or (word in self.common and not all(  # not "Fußball-Bundesliga"
                         p[:1].isupper() for p in word.split("-")[1:] or ["x"]))))
        return plain

    def is_head(self, word: str) -> bool:
        """An institution's or a facility's head, named by what follows ("Bank Steinhof")."""
        low = word.lower()
        return bool(ORG_END_RE.search(low) or _FACILITY_RE.search(low)) and \
            low not in _APPOSITION

    def head_type(self, word: str) -> str:
        return "location" if _PLACE_HEADS.search(word.lower()) else "organization"

    def is_apposition(self, word: str) -> bool:
        return word.lower() in _APPOSITION

    def name_like(self, word: str) -> bool:
        """Could name something after a head: not a common noun nor a given name."""
        return not self.is_common(word) and word.lower() not in self.conv.given_names

    @staticmethod
    def name_adjective(word: str) -> bool:
        return _NAME_ADJ_RE.match(word) is not None

    def place_adjective(self, word: str) -> bool:
        """"Wiener", "Berner", "Frankfurter": a place's indeclinable -er adjective."""
        return word.endswith("er") and len(word) > 4 and not self.is_common(word)

    def region_head(self, word: str) -> bool:
        low = word.lower()
        return bool(_REGION_RE.search(low)) and _NOT_REGION_RE.search(low) is None

    def compound_noun(self, word: str) -> bool:
        """A compound whose last part is a frequent common noun ("Wasserflächen",
        "Kita-Plätze"), unless that part makes place names ("Oberstdorf")."""
        low = word.lower()
        nouns = self.conv.common_nouns
        for i in range(3, len(low) - 3):
            tail = low[i:].lstrip("-")
            if tail in nouns:
                return tail not in _TOPONYM_HEADS
        return False

    def region(self, word: str, start: int) -> bool:
        """"im Oberallgäu", "aus dem Donautal": a region's name after a place preposition."""
        low = word.lower()
        return len(word) >= 6 and self.region_head(word) and \
            low not in self.conv.common_nouns and \
            _PLACE_PREP_BEFORE.search(self.text, max(0, start - 14), start) is not None

    def coordinated_place(self, start: int) -> bool:
        """The second of "in Bayern und Sachsen"."""
        return _COORD_BEFORE.search(self.text, max(0, start - 40), start) is not None


@lru_cache(maxsize=4)
def _det_noun_re(conv: Conventions) -> re.Pattern[str]:
    words = sorted(conv.determiners, key=len, reverse=True)
    alt = "|".join(words + [w.capitalize() for w in words])
    first = "".join(sorted({w[0] for w in words} | {w[0].upper() for w in words}))
    return re.compile(rf"\b(?=[{first}])(?:{alt})\s+(?:[a-zäöüß\-]+(?:e|en|er|es|em)\s+)?"
                      rf"([{_UP}][\w\-]+)(?![\w\-]|[ \t]+[{_UP}])")


def _det_nouns(text: str, conv: Conventions) -> set[str]:
    """Capitalised words the text puts right after an article (or an article and an
    adjective), unless another capitalised word follows: "der Wiener Börse", "den SC
    Freiburg" and "der eingewechselte Mika Schröder" show a name, not a noun."""
    return set(_det_noun_re(conv).findall(text))


# (patterns start with a character class, which the engine scans for fast)
_ACRONYM_HYPHEN_RE = re.compile(rf"([{_UP}](?:[a-zäöü]?[{_UP}]){{1,4}})-(?=[{_UP}][a-zäöüß])")
_PARENS_RE = re.compile(rf"\(([{_UP}][\w\-]+(?: [{_UP}][\w\-]+){{0,2}})\)")
_ROAD_RE = re.compile(r"(?:stra(?:ß|ss)e|utobahn)[ \t\u00a0]+(\d{1,4})\b(?![.,]\d)")
_ROAD_WORD_RE = re.compile(
    r"(?:(?:Bundes|Landes|Staats|Kreis|Land)stra(?:ß|ss)e|(?:Bundes)?[Aa]utobahn)[ \t\u00a0]")
_ROAD_SHORT_RE = re.compile(r"[AB](?<!\w[AB])[ \u00a0]?(\d{1,3})\b(?![.,]?\d|\s*%)")
_ROAD_BEFORE = frozenset("die der auf zur über von".split())


def extra_hits(text: str, conv: Conventions, cues: GermanCues,
               skip: list[tuple[int, int]]) -> list[EntityHit]:
    """Acronyms before a hyphen, parties in parentheses, numbered roads."""
    out: list[EntityHit] = []
    for m in _ACRONYM_HYPHEN_RE.finditer(text):
        word = m.group(1)
        before = text[m.start() - 1:m.start()]
        if word.lower() not in conv.acronym_stop and not (before.isalnum() or before == "-"):
            out.append(EntityHit(m.start(1), m.end(1), word, "organization", 0.6))
    for m in _PARENS_RE.finditer(text):
        name = m.group(1)
        words = name.split()
        prev = text[max(0, m.start() - 30):m.start()].split(" ")
        if len(prev) < 2 or prev[-1] or not prev[-2][:1].isupper() or any(
                w.lower() in conv.stopwords for w in words):
            continue  # "Katrin Obermeyer (SPD)", "Finanzmarktaufsicht (Finma)"
        if len(words) == 1 and cues.is_common(name):
            continue
        out.append(EntityHit(m.start(1), m.end(1), name, "organization", 0.6))
    roads: set[str] = set()
    for rx in (_ROAD_RE, _ROAD_SHORT_RE):
        for m in rx.finditer(text):
            start = m.start()
            if rx is _ROAD_RE:  # "Bundesstraße 19", "Autobahn 8": from the word's start
                start = max(text.rfind(" ", 0, start), text.rfind("\n", 0, start)) + 1
                ok = _ROAD_WORD_RE.match(text, start) is not None
            else:  # "die B 19", "auf der A 7"
                prev = text[max(0, start - 6):start].split()
                ok = bool(prev) and prev[-1] in _ROAD_BEFORE
            if ok and m.group(1) not in roads:
                roads.add(m.group(1))  # "B 19" after "Bundesstraße 19": one road
                out.append(EntityHit(start, m.end(), text[start:m.end()], "location", 0.6))
    return [h for h in out if not any(s <= h.start < e for s, e in skip)]
