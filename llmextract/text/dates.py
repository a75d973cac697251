"""Full dates written in words or digits ("Dec. 23, 2024", "23 December 2024", "2024-12-23").

Used by the rules (publication dates) and by the schema's validator (a model answering a date
in words), so it lives below both.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from llmextract.text.langs import conventions

__all__ = ["DATE_LABELS", "MONTH_RE", "parse_date"]

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
    keys = {m.rstrip(".") for m in conv.months}  # "nov." is also written "nov"
    names = "|".join(re.escape(m) for m in sorted(keys, key=len, reverse=True))
    return re.compile(
        rf"(?<!\d)(?P<d>\d{{1,2}})(?:\.|er|º|°)?\s+(?:de\s+)?(?P<m>{names})(?!\w)\.?,?\s+"
        rf"(?:de\s+|del\s+)?(?P<y>(?:19|20)\d\d)\b"
        # day first with slashes, as every one of these languages writes it: "12/03/2025"
        rf"|(?<![\d/])(?P<d2>\d{{1,2}})/(?P<mn>\d{{1,2}})/(?P<y2>(?:19|20)\d\d)\b",
        re.IGNORECASE)
_YEAR_RE = re.compile(r"(?:19|20)\d\d")


def _date_of(gd: dict[str, str | None], months: dict[str, int]) -> dt.date:
    """The date a match's groups name (raises ValueError or KeyError when they name none)."""
    if gd.get("d2"):  # "12/03/2025", day first
        return dt.date(int(gd["y2"] or 0), int(gd["mn"] or 0), int(gd["d2"] or 0))
    name = (gd.get("m") or "").lower()
    if name and months:  # a national month name ("nov" stands for "nov.")
        month = months.get(name) or months[name + "."]
    elif name:
        month = _MONTHS[name[:3]]
    else:
        month = int(gd["mn"] or 0)
    return dt.date(int(gd["y"] or 0), month, int(gd["d"] or 0))


def parse_date(s: str, lang: str | None = None) -> tuple[dt.date, int, int] | None:
    """The first full date (with a year) in s, with its offsets; month names in English
    and, with `lang`, in that language."""
    best: tuple[dt.date, int, int] | None = None
    if _YEAR_RE.search(s) is None:
        return None
    conv = conventions(lang) if lang and lang != "en" else None
    national = _national(conv.code) if conv is not None else None
    for rx in (*_DATE_RES, *((national,) if national is not None else ())):
        for m in rx.finditer(s):
            try:
                d = _date_of(m.groupdict(), conv.months if rx is national and conv else {})
            except (ValueError, KeyError):
                continue
            if best is None or m.start() < best[1]:
                best = (d, m.start(), m.end())
            break
    return best


# words that label a byline's date ("Publié le 18 mars", "Actualizado: 09/08/2025")
DATE_LABELS = frozenset(
    "publié publiée mis actualisé actualizado actualizada publicado publicada pubblicato "
    "aggiornato atualizado veröffentlicht aktualisiert aktualisierung stand".split())
