"""The English words and name patterns quotation attribution is built from: speech verbs,
roles, a capitalised name, a speaker phrase (llmextract.rules.quotes)."""

from __future__ import annotations

from llmextract.text.numpatterns import letter_tree

__all__ = ["CAP_SEQ", "NAME", "PRE_ROLE", "ROLE", "ROLE_NAME", "SPEECH_VERBS", "SUBJECT",
           "letter_tree"]

SPEECH_VERBS = (
    r"said|says|say|told|tells|added|adds|noted|notes|stated|states|explained|explains|"
    r"replied|wrote|writes|warned|warns|insisted|argued|asked|asks|announced|declared|"
    r"continued|remarked|recalled|acknowledged|confirmed|claimed|commented|observed|"
    r"tweeted|posted|concluded|admitted|urged|stressed|emphasized|emphasised|cautioned|"
    r"predicted|described|called|quipped|exclaimed|shouted|testified|conceded|"
    r"pointed\s+out|went\s+on|reiterated|maintained|responded|answered|mentioned|"
    r"indicated|suggested|vowed|promised|boasted|complained|lamented|joked|conceded|"
    r"hailed|welcomed|affirmed|assured|revealed|disclosed|reported|announced"
)
NAME = (
    r"(?:[A-Z][\w'’.\-]*|al-|(?:bin|bint|ibn|de|da|del|der|van|von|di|du|la|le|of|the|for|and)\b|&)"
)
CAP_SEQ = rf"[A-Z][\w'’.\-]*(?:[ \t]+{NAME})*"
ROLE = (
    r"military|company|ministry|agency|government|police|army|spokesman|spokeswoman|"
    r"spokesperson|official|officials|authorities|department|office|president|minister|"
    r"court|judge|statement|report|group|organisation|organization|council|commission|"
    r"firm|bank|team|club|union|committee|board|service|embassy|prosecutors|prosecutor|"
    r"coach|chief|source|sources|witnesses|residents|experts|analysts|lawmakers|"
    r"researchers|scientists|doctors|officers|leaders|leader|governor|mayor|party|officer|"
    r"head|director|manager|chairman|chairwoman|executive|secretary|commissioner|ambassador|"
    r"lawyer|attorney|captain|commander|founder|retailer|operator|airline|regulator|"
    r"authority|watchdog|institute|centre|center|charity"
)
# A person's role in front of the name: "Rangers coach Dan Holt", "lead researcher Dr. Ann Li".
PRE_ROLE = (
    rf"(?:{ROLE}|researcher|scientist|professor|economist|analyst|engineer|author|"
    r"midfielder|forward|striker|defender|goalkeeper|winger|player|physician|strategist|"
    r"owner|resident|neighbour|neighbor|worker|teacher|nurse|farmer|student|shopkeeper|"
    r"landlord|tenant|parent|volunteer|survivor|witness|supporter|campaigner|activist|"
    r"chair|treasurer|principal|sheriff|headteacher|councillor|pastor)"
)
ROLE_NAME = rf"(?:{CAP_SEQ}[ \t]+)?(?:[a-z][\w\-]*[ \t]+)?{PRE_ROLE}[ \t]+{CAP_SEQ}"
SUBJECT = (
    rf"(?:(?:[Tt]he|[Aa]n?|[Ii]ts|[Hh]is|[Hh]er|[Tt]heir)\s+(?:[\w'’\-]+\s+){{0,3}}(?:{ROLE})"
    rf"|[Tt]he\s+\d+-year-old|{CAP_SEQ}|[Hh]e|[Ss]he|[Ii]t|[Tt]hey|[Ww]e|I)"
)
