"""Context cues for entity typing: words around a capitalised name that tell what it is,
plus the few entity shapes that are not capitalised runs (domain names, numbered roads)."""

from __future__ import annotations

import re

from llmextract.rules.gazetteer import (
    COMMON_WORDS,
    DEMONYMS,
    GIVEN_NAMES,
    KNOWN_ORGS,
    LOC_CUES,
    LOCATIONS,
    ORG_CUES,
    ORG_HEADS,
    TIME_WORDS,
)

__all__ = [
    "ACRONYM_RE",
    "CHAIN_AFTER_RE",
    "DIRECTIONS",
    "LIST_HINT_RE",
    "LIST_RE",
    "NAME_TOKEN_RE",
    "NOT_ENTITY_AFTER_RE",
    "ORG_AFTER_RE",
    "PAREN_ACRONYM_RE",
    "PLACE_TITLE_AFTER_RE",
    "ROUTE_NUMBER_RE",
    "ROUTE_WORDS",
    "STORM_HEADS",
    "find_domains",
    "is_name",
    "list_items",
    "loc_before",
    "org_before",
    "org_left",
    "org_tail",
    "parts",
    "person_of",
    "place_appos_before",
    "ruling_before",
    "words_before",
]

# "Northern Nevada", "Western Europe": a direction in front of a known place.
DIRECTIONS = frozenset(
    "northern southern eastern western central north south east west northeast northwest "
    "southeast southwest upper lower".split()
)
# "Cyclone Marva", "Hurricane Ian": named weather events are not people.
STORM_HEADS = frozenset("cyclone hurricane typhoon storm tropical".split())
# "Interstate 80", "Highway 101", "Route 66".
ROUTE_WORDS = frozenset("interstate highway route".split())
ROUTE_NUMBER_RE = re.compile(r"[ \t]+\d{1,4}[A-Z]?\b")
# "the tracking website Quakewatch", "the newspaper Kommersant".
_ORG_BEFORE = frozenset(
    "website site portal app platform newspaper daily broadcaster outlet tabloid firm company "
    "carrier retailer airline lender insurer startup start-up watchdog regulator automaker "
    "carmaker chipmaker manufacturer conglomerate".split()
)
# "Lena Voss, chief executive of Orvato,": a role of an organisation, not a place.
_ROLE_OF = frozenset(
    "executive chairman chairwoman founder co-founder owner spokesman spokeswoman "
    "spokesperson ceo employees shareholders customers boss".split()
)
# "the ruling nationalist Front": a party named by one word.
_RULING = frozenset("ruling governing opposition".split())
# "the provincial capital, Tarnow," / "the county seat, Kelloway,".
_PLACE_APPOS = frozenset(
    "capital, center, centre, seat, hometown, city, town, village, port, suburb,".split()
)
# "in Paris", "from the Volga": a place after a preposition of place.
_LOC_PREPS = frozenset(
    "in at near from to into across outside inside toward towards off of visited via on "
    "along around through between beyond".split()
)


def words_before(text: str, a: int) -> list[str]:
    """The last three words before `a`, lowercased, padded at the front with ''."""
    ws = text[max(0, a - 40) : a].lower().split()[-3:]
    return ["", "", ""][len(ws) :] + ws


def org_before(w: list[str]) -> bool:
    """'the website X', 'chief executive of X', 'spokesman at the X'."""
    if w[2] in _ORG_BEFORE:
        return True
    if w[2] == "the":
        return w[1] in ("of", "at") and w[0] in _ROLE_OF
    return w[2] in ("of", "at") and w[1] in _ROLE_OF


def ruling_before(w: list[str]) -> bool:
    return w[2] in _RULING or w[1] in _RULING


def place_appos_before(w: list[str]) -> bool:
    return w[2] in _PLACE_APPOS


def loc_before(w: list[str]) -> bool:
    return w[2] in _LOC_PREPS or (w[2] == "the" and w[1] in _LOC_PREPS)


# "Velm Gov. Anton Kessler", "Texas Governor Greg Abbott": a place in front of its governor.
PLACE_TITLE_AFTER_RE = re.compile(r"[ \t]+(?:Gov\.|Governor|Mayor)[ \t]+[A-Z]")
# "Lassa fever", "Zika virus", "U.S. District Judge Ann Cole": not the entity they look like.
NOT_ENTITY_AFTER_RE = re.compile(r"[ \t]+(?:fever|virus|flu|disease|syndrome|Judge|Attorney)\b")
# "the Biden administration", "the NDA government", "the Free and Fair party".
ORG_AFTER_RE = re.compile(r"[ \t]+(government|administration|party)\b")
# "Harwell Regional Airport (HRA)": an acronym defined in parentheses.
PAREN_ACRONYM_RE = re.compile(r"[ \t]*\(([A-Z][A-Z&]{1,7})\)")
# "the Tarnow-Ostrava-Zell route": places joined by hyphens.
CHAIN_AFTER_RE = re.compile(r"[ \t]+(?:route|flight|highway|road|railway|rail line|border)\b")
# "in Ondo, Bauchi and Edo states"; "in Abra, Benton, Lagos, Cimmel and Doro".
# (the first list item written out of its {1,8} repeat: the same matches, and a pattern
# that opens with a capital lets re skip to the next capital; so too "the" in _ROAD_RE,
# its \b tested after the "T" by a look-behind one character wider)
LIST_RE = re.compile(
    r"([A-Z][a-z]+,[ \t]+(?:[A-Z][a-z]+,[ \t]+){0,7}[A-Z][a-z]+,?[ \t]+and[ \t]+[A-Z][a-z]+)"
    r"(?:[ \t]+"
    r"(states|provinces|regions|counties|districts|cities|countries|towns|villages)\b|"
    r"(?![ \t]+[A-Z]|['’\-]))"
)
# the name before "and" follows a comma in every LIST_RE match: a pattern that opens with
# a comma rejects the many texts with no list faster than LIST_RE, which tries every capital
LIST_HINT_RE = re.compile(r",[ \t]+[A-Z][a-z]+,?[ \t]+and[ \t]+[A-Z][a-z]")
_ITEM_RE = re.compile(r"[A-Z][a-z]+")
# "the villages of Abra, Benton and Cimmel": a list named as places before it.
_PLACES_OF_RE = re.compile(
    r"\b(?:states|provinces|regions|counties|districts|cities|countries|towns|villages|"
    r"suburbs|neighbou?rhoods)[ \t]+(?:of|such[ \t]+as|including|like)[ \t]+$")
ACRONYM_RE = re.compile(r"^[A-Z][A-Z&.]{1,4}$")
NAME_TOKEN_RE = re.compile(r"[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’\-]+|[A-Z]\.?|al-[A-Z][a-z]+")
_TLD_HINT_RE = re.compile(r"\.(?:com|net|org|io|co|info)\b")
_DOMAIN_RE = re.compile(
    r"(?<![\w@/.\-])[A-Za-z0-9][\w\-]*(?:\.[\w\-]+)*\.(?:com|net|org|io|info|"
    r"co\.uk|org\.uk|com\.au|co\.in|co\.za)(?![\w/@\-]|\.\w)"
)


def find_domains(text: str) -> list[tuple[int, int]]:
    """Domain names used as names of businesses ("Phonezone.com", "cheapcalls.co.uk"); web
    addresses (after "/", "@" or "www.") are not."""
    if _TLD_HINT_RE.search(text) is None:
        return []
    return [(m.start(), m.end()) for m in _DOMAIN_RE.finditer(text)
            if not m.group(0).lower().startswith("www.")]


# British road numbers ("the A39", "the M25", "the A1(M)"): places when the clause speaks of
# a road, so aircraft, rifles and paper sizes ("the A380", "the M4 carbine") stay out.
_ROAD_RE = re.compile(r"[Tt](?<!\w.)he[ \t]+((?:[AMB]\d{1,4}|N\d{1,3})(?:\(M\))?)\b(?![-.,]?\d)")
_ROAD_CONTEXT_RE = re.compile(
    r"\b(?:road|roads|motorway|carriageway|junction|lanes?|northbound|southbound|eastbound|"
    r"westbound|traffic|roadworks|bypass|roundabout|slip road|diversions?|tailbacks?)\b",
    re.IGNORECASE)
_ROAD_SHUT_RE = re.compile(r"[ \t]+(?:was|were|is|are|remains?|remained|has been|had been)"
                           r"[ \t]+(?:closed|shut|blocked|reopened)\b")
_CLAUSE_END_RE = re.compile(r"[.;!?](?:\s|$)")
# every _ROAD_RE match holds "he", blanks, a road letter and a digit: a pattern that opens
# with a literal lets re skip ahead, and rejects a text five times faster than _ROAD_RE
_ROAD_HINT_RE = re.compile(r"he[ \t]+[AMBN]\d")


def find_roads(text: str) -> list[tuple[int, int]]:
    """Road numbers written "the A39" where the sentence speaks of roads ("junction",
    "traffic", ...) or the road "was closed"."""
    out: list[tuple[int, int]] = []
    if _ROAD_HINT_RE.search(text) is None:  # most articles name no such road
        return out
    for m in _ROAD_RE.finditer(text):
        starts = [e.end() for e in _CLAUSE_END_RE.finditer(text, max(0, m.start() - 200),
                                                              m.start())]
        start = starts[-1] if starts else max(0, m.start() - 200)
        end_m = _CLAUSE_END_RE.search(text, m.end(), m.end() + 200)
        sentence = text[start: end_m.start() if end_m else m.end() + 200]
        if _ROAD_SHUT_RE.match(text, m.end()) or _ROAD_CONTEXT_RE.search(sentence):
            out.append((m.start(1), m.end(1)))
    return out


def list_items(text: str, m: re.Match[str], located: set[str]) -> list[tuple[int, int]]:
    """Items of a list of places: named as such ("... and Edo states"), or four or more
    single names one of which is a known or typed place (a list names things of one kind)."""
    items = [(im.start(), im.end(), im.group(0).lower())
             for im in _ITEM_RE.finditer(text, m.start(1), m.end(1))]
    named = m.group(2) is not None or _PLACES_OF_RE.search(text, max(0, m.start() - 40),
                                                            m.start()) is not None
    if not named and (len(items) < 4 or not any(
            w in located or w in LOCATIONS for _, _, w in items)):
        return []
    return [(a, b) for a, b, w in items
            if w not in COMMON_WORDS and w not in TIME_WORDS and w not in DEMONYMS]


def is_name(toks: list[str]) -> bool:
    return 2 <= len(toks) <= 3 and all(
        NAME_TOKEN_RE.fullmatch(t) and t.lower() not in COMMON_WORDS
        and t.lower() not in LOC_CUES and t.lower() not in DEMONYMS for t in toks)


def person_of(lt: list[str], rt: list[str]) -> bool:
    """'Mara Quinn of the NUJ' (a person of an organisation), 'Three Sketches of Maria
    Callas' (a work about a person): split at 'of'."""
    if rt[0].lower() in GIVEN_NAMES and is_name(rt):
        return True
    org = rt[1:] if rt[0] == "the" else rt
    org_name = " ".join(org)
    return bool(org) and is_name(lt) and (
        bool(ACRONYM_RE.match(org_name)) or org_name.lower() in KNOWN_ORGS or org_left(org_name))


def org_left(left: str) -> bool:
    return any(w.lower() in ORG_CUES or w.lower() in ORG_HEADS for w in left.split())


def org_tail(name: str) -> bool:
    toks = name.split()
    return bool(toks) and (toks[-1].lower() in ORG_CUES or " ".join(toks[-2:]).lower() in ORG_CUES)


def parts(text: str, a: int, b: int, sep: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    x = a
    for y in [i for i in range(a, b) if text[i] == sep] + [b]:
        if y - x >= 2 and text[x].isupper():
            out.append((x, y))
        x = y + 1
    return out
