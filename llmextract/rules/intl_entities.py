"""Entities in German, French, Spanish, Italian and Portuguese text.

Names are runs of capitalised words joined by the language's particles ("Corée du Sud",
"Congreso de los Diputados", "Union Bordeaux-Bègles"), with leading articles, prepositions
and (German) role nouns trimmed. What each language capitalises besides names is left out:
sentence-initial words the text never capitalises elsewhere, months, weekdays, scale and
currency words, and German common nouns (a capitalised word the text puts after an article,
"die Polizei"), unless an institution's ending says otherwise ("Finanzministerium",
"Landtag"). Types come from the gazetteer, the words of an institution's name, location
prepositions ("in", "à", "en", "a", "em") and the shape of a personal name.
"""

from __future__ import annotations

import re
from functools import lru_cache

from llmextract.rules.de_entities import (
    ABSTRACT_END_RE,
    ORG_END_RE,
    WEAK_HEAD_RE,
    GermanCues,
    extra_hits,
    genitive_end,
)
from llmextract.rules.entities import EntityHit
from llmextract.rules.gazetteer import KNOWN_ORGS, LOCATIONS
from llmextract.rules.intl_words import (
    LOWER_HEADS,
    VENUES,
    without_demonym,
)
from llmextract.text.dates import DATE_LABELS
from llmextract.text.langs import Conventions
from llmextract.text.lexicon_de import INDEFINITE

__all__ = ["find_entities_intl"]

_UP = "A-ZÄÖÜÀÂÇÉÈÊËÎÏÔÛÙŸÑÁÍÓÚÃÕ"
_TOKEN = rf"[{_UP}][\w'’\-]*[\w]|[{_UP}]"
_PARTICLES = {
    "de": "",
    "fr": "de du des la le d' d’ l' l’ sur",
    "es": "de del la las los el en",
    "it": "di del della delle dei degli da d' d’",
    "pt": "de do da dos das",
}
_LOC_PREPS = {
    "de": "in im aus nach bei bis von zwischen",
    "fr": "à en au aux dans de vers",
    "es": "en a de desde hacia",
    "it": "a in da nel nella per",
    "pt": "em no na de para a",
}
_WEEKDAYS = {code: frozenset(days.split()) for code, days in {  # per language: Portuguese
    "de": "montag dienstag mittwoch donnerstag freitag samstag sonntag sonnabend",  # "quarta"
    "fr": "lundi mardi mercredi jeudi vendredi samedi dimanche",  # is Italian "Quarta"
    "es": "lunes martes miércoles jueves viernes sábado domingo",
    "it": "lunedì martedì mercoledì giovedì venerdì sabato domenica",
    "pt": "segunda terça quarta quinta sexta sábado domingo",
}.items()}
_ORG_WORDS = frozenset(
    """bank banca banco ag gmbh sa spa ltda se partei verband ministerium ministère
    ministerio ministero ministério tribunal tribunale gericht gerichtshof université
    universidad università universidade club fc cf ac sc ssc groupe grupo gruppo gruppe
    conseil consejo consiglio conselho congreso congrès congresso senado sénat senato
    gobierno gouvernement governo regierung polizei police policía polizia polícia assemblée
    asamblea camera câmara cámara parlamento parlement bundestag landtag comisión commission
    commissione comissão agence agencia agenzia agência instituto institut istituto
    fundación fondation fondazione fundação asociación association associazione associação
    syndicat sindicato unión unione união stadtrat gemeinderat wetterdienst hilfswerk
    protezione defensa defesa ministro ministre fédération federación federazione
    federação confédération confederación confederazione cour corte suprema bourse börse
    bolsa borsa comitato comité comitê ausschuss istituto""".split())
_TITLES = frozenset(
    "me m. mme mlle dr dr. prof prof. herr frau don doña dona sr sr. sra sra. dott dott. "
    "ing. avv. on.".split())
_ROLE_END_RE = re.compile(
    r"(?:in|innen|er|ent|or|chef|chefin|minister|ministerin|präsident|präsidentin|sprecher|"
    r"sprecherin|leiter|leiterin|trainer|trainerin|direktor|direktorin|rat|rätin)$")
_ELIDED_RE = re.compile(r"[LlDd]['’](?:[a-zàâçéèêëîïôûùÿ]+\s+)?")
_SUPERLATIVE_RE = re.compile(r"st(?:e|er|es|en|em)$")  # "Bester Werfer"
_ADJECTIVE_END_RE = re.compile(r"(?:e|en|es|em)$")
_DE_PLACE_PREPS = frozenset("in im aus nach bei von zwischen".split())
_MEASURES = frozenset(
    "prozent liter meter kilometer grad tonnen stunden minuten jahre monate tage euro "
    "franken dollar punkte mal hunderte tausende dutzende".split())
_DE_PREPS = frozenset(
    "zwischen unter über mit nach bei seit für gegen ohne um durch auf an vor hinter neben "
    "wegen trotz während laut unterm insgesamt auch".split())
_ACRONYM_COMPOUND_RE = re.compile(r"[A-ZÄÖÜ](?:[a-zäöü]?[A-ZÄÖÜ]){1,4}-[A-ZÄÖÜ][a-zäöüß]+$")
_AM_RE = re.compile(r"[ \t]+(?P<of>)(?:am|an der)[ \t]+(?P<name>[A-ZÄÖÜ][\w\-]+)")
_OF_RE = re.compile(r"[ \t]+(?P<of>von|der|für)[ \t]+(?:[a-zäöüß]+(?:en|er)[ \t]+)?"
                    r"(?P<name>[A-ZÄÖÜ][\w\-]+)")
_LETTER_RE = re.compile(rf"[{_UP}]")
_LOWER_WORD_RE = re.compile(r"[a-zàâçéèêëîïôûùÿñáíóúãõì'’\-]+")
# r"(?<=[a-zäöü...,] )[A-ZÄÖÜ...][\w\-]+", r"(?<![\w.!?] )\b[a-zäöüß]+\b": the look-behinds
# tested after the first letter (one character wider), so re skips to the next letter
_MID_CAP_RE = re.compile(rf"[{_UP}](?<=[a-zäöüßàâçéèêëîïôûùÿñáíóúãõ,] .)[\w\-]+")
_LOWERED_RE = re.compile(r"[a-zäöüß](?<![\w.!?] .)(?<!\w.)[a-zäöüß]*\b")
_NONSPACE_RE = re.compile(r"\S+")
_AM_NAME_RE = re.compile(r" (?:am|an der) ")
_INFLECTION_RE = re.compile(r"(?:e[mnrs]?|s)$")
_SENT_START_RE = re.compile(r"(?:^|[.!?:;]\s+|[\n\"“„«»—–(]\s*|\s-\s+)$")  # "(ANSA) - La"


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=8)
def _run_re(code: str) -> re.Pattern[str]:
    parts = _PARTICLES.get(code, "").split()
    joins = [re.escape(p) + (r"\s*" if p[-1] in "'’" else r"\s+") for p in parts]
    one = "|".join(joins)
    link = rf"(?:[ \t]+(?:(?:{one})(?:(?:{one}))?)?|-)" if joins else r"[ \t]+"
    # after an elided article too: "dell’Università di Padova", "l’Asie"
    first = rf"[{_UP}](?<!\w.)(?:[\w'’\-]*[\w]|)"  # (?<![\w])(?:{_TOKEN}), as _MID_CAP_RE
    return re.compile(rf"{first}(?:{link}(?:{_TOKEN})){{0,5}}")




@lru_cache(maxsize=8)
def _lower_head_re(code: str) -> re.Pattern[str] | None:
    heads = LOWER_HEADS.get(code)
    if heads is None:
        return None
    parts = [re.escape(p) + (r"\s*" if p[-1] in "'’" else r"\s+")
             for p in _PARTICLES.get(code, "").split()]
    name = rf"(?:{_TOKEN})(?:[ \t]+(?:{_TOKEN})){{0,3}}"
    return re.compile(
        rf"(?<![\w'’])(?P<head>{_alt(heads.split())})"
        rf"(?:[ \t]+[a-zàâçéèêëîïôûùÿñáíóúãõ]{{4,}}){{0,2}}"  # "correctionnel", "régionale"
        rf"[ \t]+(?:(?:{'|'.join(parts)})){{0,2}}{name}")


_PREP_SETS = {code: frozenset(words.split()) for code, words in _LOC_PREPS.items()}


def _is_stop(word: str, conv: Conventions) -> bool:
    low = word.lower()
    return (low in _TITLES or low in DATE_LABELS or low in conv.stopwords or low in conv.scales
            or low in conv.currencies or low in conv.months
            or low in _WEEKDAYS.get(conv.code, ())
            or low in conv.according or low in conv.determiners
            or low in _PREP_SETS.get(conv.code, ()))


class _Finder:
    def __init__(self, text: str, conv: Conventions) -> None:
        self.text = text
        self.conv = conv
        self.de = GermanCues(text, conv) if conv.code == "de" else None
        self.common = self.de.common if self.de is not None else set()
        # capitalised words mid-sentence (German reads its capitals otherwise: not needed)
        self.mid_caps = set() if self.de is not None else {
            m.group(0) for m in _MID_CAP_RE.finditer(text)}
        self.preps = _LOC_PREPS.get(conv.code, "").split()
        self._lowered: set[str] | None = None

    @property
    def lowered(self) -> set[str]:
        """Lower-case words the text writes mid-sentence (German: "Genaue" is "genaue")."""
        if self._lowered is None:
            self._lowered = set(_LOWERED_RE.findall(self.text))
        return self._lowered

    def _trim(self, a: int, b: int) -> tuple[int, int] | None:
        german = self.conv.code == "de"
        if german and " " not in self.text[a:b]:  # the common case, one German word
            word = self.text[a:b]
            return None if _is_stop(word, self.conv) else (a, b - genitive_end(word))
        em = _ELIDED_RE.match(self.text, a, b)  # "L’association Régions de France"
        if em is not None:
            a = em.end()
        words = list(_NONSPACE_RE.finditer(self.text[a:b]))
        if not german and len(words) > 1 and words[0].group(0) in (
                "La", "Le", "Les", "El", "Los", "Las", "Il", "Lo", "O", "A") and \
                _SENT_START_RE.search(self.text, max(0, a - 3), a) is None:
            return a, a + words[-1].end()  # "à La Rochelle": a capitalised article names
        while words and (_is_stop(words[0].group(0), self.conv) or (
                german and self._de_lead([w.group(0) for w in words]))):
            words = words[1:]
        while words and (_is_stop(words[-1].group(0), self.conv)
                         or not words[-1].group(0)[:1].isupper()) and not (
                len(words) > 1 and _LETTER_RE.fullmatch(words[-1].group(0))):
            words = words[:-1]  # a final capital letter names: "Serie A", "Plan B"
        if not words:
            return None
        if german and len(words) >= 3 and not any(
                ORG_END_RE.search(w.group(0).lower()) for w in words):
            words = words[-2:]  # "Freiburgs Trainer Marco Endres": roles are capitalised
        end = a + words[-1].end()
        if german:
            end -= genitive_end(words[-1].group(0))  # "des Finanzministeriums"
        return a + words[0].start(), end

    def _de_lead(self, words: list[str]) -> bool:
        """Whether a German name's first word is not part of it: a preposition, a common
        noun before a name ("die Polizei Bremen" no, "Trainer Marco Endres" yes), a role."""
        first = words[0]
        if first.lower() in _DE_PREPS:
            return True
        de = self.de
        if de is not None and len(words) > 1 and (de.is_common(first) or (
                de.is_apposition(first) and not de.name_adjective(words[1]))):
            nxt = words[1]
            if len(words) == 2 and nxt.isupper() and len(nxt) > 1:
                return True  # "Börse SIX": the acronym names
            # "Bank Steinhof", "Kanton Bern", "Gewerkschaft Deutscher Lokomotivführer"
            return not ((de.is_head(first) or de.is_apposition(first)) and (
                de.name_adjective(nxt) or (len(words) == 2 and de.name_like(nxt)
                                           and de.is_head(first))))
        return len(words) > 2 and _ROLE_END_RE.search(first) is not None

    def _institution(self, span: tuple[int, int]) -> tuple[int, int]:
        """"Consiglio dei ministri", "Protezione civile", "Comitato glaciologico italiano":
        an institution whose name capitalises only its first word runs on over the lower-case
        words after it (to a comma, a stop word or a verb)."""
        head = self.text[span[0]:span[1]]
        if " " in head or head.lower() not in _ORG_WORDS or self.conv.code == "de" or \
                _SENT_START_RE.search(self.text, max(0, span[0] - 3), span[0]) is not None:
            return span  # a sentence's first word: "Câmara aprova programa ..." is no name
        end = span[1]
        parts = set(_PARTICLES.get(self.conv.code, "").split())
        taken = 0
        for m in _LOWER_WORD_RE.finditer(self.text, end):
            if m.start() != end + 1 or self.text[end] != " " or taken >= 5:
                break
            word = m.group(0)
            if word in parts or word.rstrip("'’") in parts:
                end = m.end()
                continue
            if word in ("e", "et", "y", "und") and taken:
                nxt = _LOWER_WORD_RE.match(self.text, m.end() + 1)
                if nxt is not None and len(nxt.group(0)) >= 4 and \
                        nxt.group(0) not in self.conv.stopwords:
                    end = m.end()  # "Istituto nazionale di geofisica e vulcanologia"
                    continue
            if word in self.conv.stopwords or word in self.conv.speech_verbs or len(word) < 4:
                break
            end, taken = m.end(), taken + 1
        while end > span[1] and self.text[span[0]:end].rsplit(" ", 1)[-1] in parts:
            end = span[0] + len(self.text[span[0]:end].rsplit(" ", 1)[0])  # no trailing "di"
        return span[0], end

    def _keep(self, name: str, start: int) -> bool:
        words = name.split()
        low = name.lower()
        if self.text[start + len(name):start + len(name) + 1] in ("$", "€", "£"):
            return False  # "US$ 1,1 millones", "R$ 14": a currency's sign
        if any((lw := w.lower()) in self.conv.units or lw in _MEASURES
               or lw in self.conv.percent for w in words):
            return False  # "Drei Menschen", "Liter Regen", "Prozent Ballbesitz"
        if low in LOCATIONS or low in KNOWN_ORGS or (name.isupper() and len(name) >= 2):
            return True
        if len(words) == 1 and self.conv.code == "de":
            return self._german_word(name, start)
        if len(words) == 1:
            at_start = _SENT_START_RE.search(self.text, max(0, start - 3), start) is not None
            return not at_start or name in self.mid_caps
        if self.de is not None:
            return self._german_words(words, start)
        return not all(w in self.common for w in words if w[:1].isupper())

    def _german_words(self, words: list[str], start: int) -> bool:
        """Several capitalised German words: a name unless they read as a noun phrase
        ("Genaue Zahlen", "Heftige Gewitter"). A capitalised adjective mid-sentence ("die
        Deutsche Bahn") or a place's -er adjective before an institution or a region ("Wiener
        Börse", "Berner Oberland") makes a name."""
        de = self.de
        assert de is not None
        at_start = _SENT_START_RE.search(self.text, max(0, start - 3), start) is not None
        first, last = words[0], words[-1]
        if de.place_adjective(first) and (de.is_head(last) or de.region_head(last)):
            return True
        if not at_start and de.name_adjective(first) and not de.is_common(first):
            return True
        if (de.is_common(last) and not de.is_head(words[-2])) or (at_start and (
                first.lower() in self.lowered or _ADJECTIVE_END_RE.search(first) is not None
                or _SUPERLATIVE_RE.search(first) is not None)):
            return False
        return not all(de.is_common(w) for w in words if w[:1].isupper())

    def _german_word(self, name: str, start: int) -> bool:
        """German capitalises every noun: one word is a name when a gazetteer knows it, it
        is an acronym ("AfD"), an institution's ending says so ("Finanzministerium"), it
        names a region ("im Oberallgäu"), or it stands after a place preposition ("in
        Kempten", "in Bayern und Sachsen") or a describing noun ("Gewerkschaft Verdi") and is
        no common noun."""
        de = self.de
        assert de is not None
        low = name.lower()
        if _ACRONYM_COMPOUND_RE.match(name) or low in self.conv.common_nouns or \
                self.text[max(0, start - 1):start] == "-":
            return False  # "SPD-Fraktion": the acronym names (de_entities); "die Polizei"
        head = name.split("-")[0][1:]
        if head != head.lower() or low in self.conv.places or \
                (ORG_END_RE.search(low) and not WEAK_HEAD_RE.search(low)) or \
                de.region(name, start):
            return True
        before = self.text[max(0, start - 24):start].split()
        if ABSTRACT_END_RE.search(low) is not None or de.compound_noun(name) or (
                before and before[-1].lower() in INDEFINITE):
            return False  # "Pro-Kopf-Verschuldung", "Wasserflächen", "eine Staatsbank"
        if "-" in name and all(p[:1].isupper() for p in name.split("-")):
            return True  # "Fußball-Bundesliga", "Baden-Württemberg"
        if de.is_common(name):
            return False
        return bool(before) and (before[-1].lower() in _DE_PLACE_PREPS
                                 or de.is_apposition(before[-1])
                                 or de.coordinated_place(start))

    def _type(self, name: str, start: int) -> str:
        low = name.lower()
        words = low.replace("-", " ").split()
        if low in LOCATIONS or low in self.conv.places:
            return "location"
        if self.de is not None:
            typ = self._german_type(name.split(), start)
            if typ is not None:
                return typ
        if low in KNOWN_ORGS or name.isupper() or any(w in _ORG_WORDS for w in words) or (
                self.conv.code == "de" and ORG_END_RE.search(low)):
            return "organization"
        before = self.text[max(0, start - 12):start].split()
        if before and before[-1].lower() in self.preps:
            return "location"
        caps = [w for w in name.split() if w[:1].isupper()]
        return "person" if 2 <= len(caps) <= 4 else "organization"

    def _german_type(self, words: list[str], start: int) -> str | None:
        de = self.de
        assert de is not None
        if len(words) > 1 and words[0].lower() in self.conv.given_names:
            return "person"
        if len(words) > 1 and sum(c.isupper() for c in words[0]) >= 2:
            return "organization"  # "AOK Baden-Württemberg", "VfL Wolfsburg"
        for w in reversed(words):
            if de.is_head(w):
                return de.head_type(w)
            if de.is_apposition(w) or ORG_END_RE.search(w.lower()):
                return "organization"
        if de.region_head(words[-1]) and (len(words) > 1 or de.region(words[0], start)):
            return "location"
        return None

    def find(self, skip: list[tuple[int, int]]) -> list[EntityHit]:
        hits: list[EntityHit] = []
        de = self.de
        for m in _run_re(self.conv.code).finditer(self.text):
            tok = m.group(0)
            if " " not in tok and (tok.lower() in self.conv.stopwords or (
                    de is not None and de.plain_noun(tok))):
                continue  # the common case, decided without trimming: a noun, a function word
            if any(s <= m.start() < e for s, e in skip):
                continue
            span = self._trim(m.start(), m.end())
            if span is None:
                continue
            span = self._institution(span)
            name = self.text[span[0]:span[1]]
            if len(name) < 2 or not self._keep(name, span[0]):
                continue
            typ = self._type(name, span[0])
            if de is not None:
                span = (span[0], self._de_extend(span[1], name, typ))
                name = self.text[span[0]:span[1]]
            hits.append(EntityHit(span[0], span[1], name, typ, 0.6))
        hits += self._lower_heads(skip)
        if de is not None:
            hits += extra_hits(self.text, self.conv, de, skip)
        return _merge(sorted(hits, key=lambda h: h.start), de is not None)

    def _de_extend(self, end: int, name: str, typ: str) -> int:
        """"Stadtrat von Zürich", "Institut der deutschen Wirtschaft", "Frankfurt am Main":
        an institution's name runs on over "von", "der" or "für" and a name, a place's over
        "am" or "an der" and a river's name."""
        de = self.de
        assert de is not None
        if typ == "location" and " " not in name:
            m = _AM_RE.match(self.text, end)
        elif typ == "organization" and " " not in name and de.is_head(name) and \
                genitive_end(name) == 0:
            m = _OF_RE.match(self.text, end)
        else:
            return end
        if m is None:
            return end
        word = m.group("name")
        if _is_stop(word, self.conv) or (m.group("of") in ("von", "")
                                         and word.lower() in self.conv.common_nouns):
            return end  # "für Umwelt", "der deutschen Wirtschaft": a common noun names too
        return m.end()

    def _lower_heads(self, skip: list[tuple[int, int]]) -> list[EntityHit]:
        """"ministère des Transports", "tribunal correctionnel de Lyon", "stade Ernest-Wallon":
        French, Spanish, Italian and Portuguese write an institution's or a venue's common
        head in lower case before its proper name."""
        rx = _lower_head_re(self.conv.code)
        if rx is None:
            return []
        out = []
        for m in rx.finditer(self.text):
            if any(s <= m.start() < e for s, e in skip):
                continue
            typ = "location" if m.group("head").lower() in VENUES else "organization"
            out.append(EntityHit(m.start(), m.end(), m.group(0), typ, 0.6))
        return out


def _merge(hits: list[EntityHit], german: bool = False) -> list[EntityHit]:
    """One entity per name; a surname or first word of a person named in full is folded,
    and in German the first word of a longer organisation or place ("THW" of "THW Kiel",
    "Landtag" of "Landtag von Baden-Württemberg", "Frankfurt" of "Frankfurt am Main")."""
    persons = [h.name.split() for h in hits if h.type == "person" and " " in h.name]
    parts = {w for p in persons for w in p}
    parts |= {h.name.split()[0] for h in hits if " " in h.name and (
        (german and h.type != "person") or _AM_NAME_RE.search(h.name))}
    out: list[EntityHit] = []
    seen: set[str] = set()
    for h in hits:
        key = _fold(h.name)
        if key in seen or (" " not in h.name and h.name in parts):
            continue
        seen.add(key)
        out.append(h)
    return out


def _fold(name: str) -> str:
    """A name's key with inflection endings off: "Deutschen Wetterdienstes" and "Deutsche
    Wetterdienst" are one name."""
    return " ".join(_INFLECTION_RE.sub("", w) if len(w) > 4 else w
                    for w in name.lower().split())


def find_entities_intl(text: str, conv: Conventions,
                       skip: list[tuple[int, int]] | None = None,
                       extra: list[tuple[int, int, str]] | None = None) -> list[EntityHit]:
    """People, organisations and places named in `text` (in `conv`'s language), in order
    of first mention; `extra` adds known spans (byline, publisher, dateline place)."""
    hits = _Finder(text, conv).find(skip or [])
    if conv.code == "fr":
        hits = [without_demonym(text, h, _ORG_WORDS) for h in hits]
    names = {h.name.lower() for h in hits}
    for a, b, typ in extra or []:
        if text[a:b].lower() not in names:
            hits.append(EntityHit(a, b, text[a:b], typ, 0.8))
    return sorted(hits, key=lambda h: h.start)

