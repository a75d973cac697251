"""Full dates written in words or digits ("Dec. 23, 2024", "23 December 2024", "2024-12-23").

Used by the rules (publication dates) and by the schema's validator (a model answering a date
in words), so it lives below both.
"""

from __future__ import annotations

import datetime as dt
import re

__all__ = ["MONTH_RE", "parse_date"]

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "oct": 10, "nov": 11, "dec": 12,
}
MONTH_RE = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
        r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_DATE_RES = (
    re.compile(rf"\b(?P<m>{MONTH_RE})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d\d)\b"),
    re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m>{MONTH_RE}),?\s+(?P<y>(?:19|20)\d\d)\b"),
    re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<mn>\d\d)-(?P<d>\d\d)\b"),
    re.compile(r"\b(?P<y>(?:19|20)\d\d)/(?P<mn>\d\d)/(?P<d>\d\d)\b"),
)
_YEAR_RE = re.compile(r"(?:19|20)\d\d")


def parse_date(s: str) -> tuple[dt.date, int, int] | None:
    """The first full date (with a year) in s, with its offsets."""
    best: tuple[dt.date, int, int] | None = None
    if _YEAR_RE.search(s) is None:
        return None
    for rx in _DATE_RES:
        for m in rx.finditer(s):
            gd = m.groupdict()
            try:
                month = (_MONTHS[gd["m"][:3].lower()] if gd.get("m") else int(gd["mn"]))
                d = dt.date(int(gd["y"]), month, int(gd["d"]))
            except (ValueError, KeyError):
                continue
            if best is None or m.start() < best[1]:
                best = (d, m.start(), m.end())
            break
    return best
