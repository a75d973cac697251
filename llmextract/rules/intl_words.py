"""Words the rules of French, Spanish, Italian and Portuguese entities are built from:
heads written in lower case before a proper name, and French demonyms written as nouns
before a name (llmextract.rules.intl_entities)."""

from __future__ import annotations

import re

from llmextract.rules.entities import EntityHit

__all__ = ["LOWER_HEADS", "VENUES", "without_demonym"]

LOWER_HEADS = {
    "fr": "ministère gouvernement tribunal stade chambre conseil cour préfecture mairie "
          "rue avenue boulevard quai place mont col lac",
    "es": "ministerio gobierno tribunal estadio juzgado ayuntamiento consejo "
          "calle avenida plaza paseo sierra río monte lago",
    "it": "ministero governo tribunale stadio consiglio procura assessorato "
          "via viale piazza corso monte lago fiume",
    "pt": "ministério governo tribunal estádio câmara prefeitura "
          "rua avenida praça largo serra rio monte lago",
}
# heads of places: venues, streets and squares, mountains, lakes and rivers
VENUES = frozenset(
    "stade estadio stadio estádio rue avenue boulevard quai place mont col lac calle avenida "
    "plaza paseo sierra río monte lago via viale piazza corso fiume rua praça largo serra "
    "rio".split())
# a French demonym written as a noun before a name: "le Belge Thibaut Vandamme"
_DEMONYM_RE = re.compile(
    r"[A-ZÀ-Þ][a-zà-ÿ]+(?:ois|oise|ais|aise|ien|ienne|éen|éenne|ain|aine|ol|ole|and|ande|"
    r"ge|sse|que|ate|ote|in|ine|on|onne)$")
# French institution nouns with a demonym's ending: "la Banque Populaire", "la Caisse ..."
_NOT_DEMONYMS = frozenset(
    "banque caisse société compagnie fédération république auberge grange fondation "
    "maison chaîne agence assurance mutuelle coopérative clinique fabrique union".split())
_DEMONYM_BEFORE_RE = re.compile(r"(?:\b[Ll]es?|\b[Ll]a|\b[Ll]['’])[ \t]*$")


def without_demonym(text: str, hit: EntityHit, org_words: frozenset[str]) -> EntityHit:
    """"le Danois Mikkel Sørensen": French writes a nationality used as a noun with a
    capital; before a name of two or more words it is not part of the name."""
    words = hit.name.split()
    first = words[0].lower()
    if not 3 <= len(words) <= 4 or not _DEMONYM_RE.match(words[0]) or first in org_words \
            or first in _NOT_DEMONYMS or not all(w[:1].isupper() for w in words[1:]) \
            or not _DEMONYM_BEFORE_RE.search(text, max(0, hit.start - 4), hit.start):
        return hit  # a person's name after it: two or three capitalised words, no particle
    start = hit.start + hit.name.index(words[1], len(words[0]))
    return EntityHit(start, hit.end, text[start:hit.end], hit.type, hit.confidence)
