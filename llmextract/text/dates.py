"""Full dates written in words or digits ("Dec. 23, 2024", "23 December 2024", "2024-12-23").

Used by the rules (publication dates) and by the schema's validator (a model answering a date
in words), so it lives below both.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from llmextract.text.langs import conventions

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
    # day first with dots, as Europe writes it: "22.06.2008"
    re.compile(r"(?<![\d.])(?P<d>\d{1,2})\.(?P<mn>\d{1,2})\.(?P<y>(?:19|20)\d\d)\b"),
)


@lru_cache(maxsize=8)
def _national(lang: str) -> re.Pattern[str] | None:
    """"3. März 2025", "3 décembre 2024", "23 de diciembre de 2024", "5 maggio 2024"."""
    conv = conventions(lang)
    if conv is None:
        return None
    names = "|".join(re.escape(m) for m in sorted(conv.months, key=len, reverse=True))
    return re.compile(
        rf"(?<!\d)(?P<d>\d{{1,2}})(?:\.|er|º|°)?\s+(?:de\s+)?(?P<m>{names})(?!\w)\.?,?\s+"
        rf"(?:de\s+|del\s+)?(?P<y>(?:19|20)\d\d)\b", re.IGNORECASE)
_YEAR_RE = re.compile(r"(?:19|20)\d\d")


def parse_date(s: str, lang: str | None = None) -> tuple[dt.date, int, int] | None:
    """The first full date (with a year) in s, with its offsets; month names in English
    and, with `lang`, in that language."""
    best: tuple[dt.date, int, int] | None = None
    if _YEAR_RE.search(s) is None:
        return None
    national = _national(lang) if lang and lang != "en" else None
    months = conventions(lang).months if national is not None else {}  # type: ignore[union-attr]
    for rx in (*_DATE_RES, *((national,) if national is not None else ())):
        for m in rx.finditer(s):
            gd = m.groupdict()
            try:
                if rx is national:
                    month = months[gd["m"].lower()]
                else:
                    month = (_MONTHS[gd["m"][:3].lower()] if gd.get("m") else int(gd["mn"]))
                d = dt.date(int(gd["y"]), month, int(gd["d"]))
            except (ValueError, KeyError):
                continue
            if best is None or m.start() < best[1]:
                best = (d, m.start(), m.end())
            break
    return best
