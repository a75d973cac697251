"""Entities in German, French, Spanish, Italian and Portuguese text: the capitalised-name
finder (llmextract.rules.entities) filtered by what each language capitalises besides names.

German capitalises every noun, so a capitalised word is a name only when the text never
puts an article in front of it ("die Polizei", "der Bürgermeisterin"), it is not a
number's scale or currency ("Millionen Euro"), a month or a weekday; leading articles and
role nouns are trimmed from names in every language ("Bürgermeisterin Anna Schmidt" ->
"Anna Schmidt", "El Gobierno" -> "Gobierno").
"""

from __future__ import annotations

import re

from llmextract.rules.entities import EntityHit
from llmextract.rules.gazetteer import KNOWN_ORGS, LOCATIONS
from llmextract.text.langs import Conventions

__all__ = ["filter_entities_intl"]

_DETERMINERS = {
    "de": "der die das den dem des ein eine einen einem einer eines kein keine keinen "
          "im am zum zur vom beim ins ans aufs diese dieser diesen dieses jede jeder jedes "
          "seine seiner ihre ihrer unsere",
    "fr": "le la les l' l’ un une des du au aux ce cette ces",
    "es": "el la los las un una unos unas del al este esta",
    "it": "il lo la i gli le l' l’ un una uno del della dei delle degli al alla",
    "pt": "o a os as um uma uns umas do da dos das no na nos nas ao à",
}
_WEEKDAYS = frozenset(
    "montag dienstag mittwoch donnerstag freitag samstag sonntag sonnabend lundi mardi "
    "mercredi jeudi vendredi samedi dimanche lunes martes miércoles jueves viernes sábado "
    "domingo lunedì martedì mercoledì giovedì venerdì sabato domenica segunda terça quarta "
    "quinta sexta".split())
_ROLE_SUFFIX_RE = re.compile(
    r"(?:in|innen|er|ent|or|chef|chefin|minister|ministerin|präsident|präsidentin|sprecher|"
    r"sprecherin|leiter|leiterin|trainer|trainerin|direktor|direktorin)$")


def _det_nouns(text: str, lang: str) -> set[str]:
    """Capitalised words the text puts right after an article or determiner."""
    dets = _DETERMINERS.get(lang, "").split()
    if not dets:
        return set()
    alt = "|".join(re.escape(d) for d in sorted(dets, key=len, reverse=True))
    rx = re.compile(rf"(?<!\w)(?i:{alt})(?:\s+|(?<=['’]))(?:[a-zäöüß\-]+\s+)?([A-ZÄÖÜ][\w\-]+)")
    return {m.group(1) for m in rx.finditer(text)}


def _not_a_name(word: str, conv: Conventions, common: set[str]) -> bool:
    low = word.lower()
    return (low in conv.scales or low in conv.currencies or low in conv.months
            or low in _WEEKDAYS or low in conv.stopwords or word in common)


def _trim(hit: EntityHit, text: str, conv: Conventions, common: set[str]) -> EntityHit | None:
    words = list(re.finditer(r"\S+", hit.name))
    dets = set(_DETERMINERS.get(conv.code, "").split())
    i = 0
    while i < len(words) - 1 and (words[i].group(0).lower() in dets or (
            conv.code == "de" and (words[i].group(0) in common or
                                   _ROLE_SUFFIX_RE.search(words[i].group(0)) is not None)
            and hit.type == "person")):
        i += 1
    kept = words[i:]
    if not kept:
        return None
    if all(_not_a_name(w.group(0), conv, common) for w in kept):
        return None
    if any(w.group(0).lower() in conv.scales or w.group(0).lower() in conv.currencies
           for w in kept):
        return None
    start = hit.start + kept[0].start()
    end = hit.start + kept[-1].end()
    name = text[start:end] if text[start:end] == hit.name[kept[0].start():kept[-1].end()] \
        else hit.name[kept[0].start():kept[-1].end()]
    return EntityHit(start, end, name, hit.type, hit.confidence)


def filter_entities_intl(hits: list[EntityHit], text: str, conv: Conventions) -> list[EntityHit]:
    """`hits` without the capitalised words that are not names in `conv`'s language."""
    common = _det_nouns(text, conv.code) if conv.code == "de" else set()
    common -= {w for w in common if w.lower() in LOCATIONS or w.lower() in KNOWN_ORGS}
    out: list[EntityHit] = []
    seen: set[str] = set()
    for h in hits:
        t = _trim(h, text, conv, common)
        if t is None or t.name.lower() in seen:
            continue
        seen.add(t.name.lower())
        out.append(t)
    return out
