"""HTML pages: main text and page metadata, with trafilatura (the optional `html` extra).

`read_html` turns a page into an `HtmlDoc`: the article's main text (the headline first, as a
markdown `## Headline` line, then the body blocks separated by blank lines) and the page's
metadata (title, authors, full publication date, site name, canonical URL). Page chrome stays
out: `<nav>`, `<footer>`, `<aside>` and the page-level `<header>` are pruned before extraction,
and comment sections are left out.

trafilatura is imported on first use: without it `read_html` raises `InputError` naming the
extra to install.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from llmextract.errors import InputError

__all__ = ["MISSING_EXTRA", "HtmlDoc", "decode_html", "read_html"]

MISSING_EXTRA = "HTML input needs the html extra: pip install 'llmextract[html]'"
NO_TEXT = "no article text found in the HTML page"

# Page chrome that never holds the article. A <header> inside <article> often holds the
# headline and byline, so only page-level ones go.
_PRUNE = " | ".join((
    "//nav", "//footer", "//aside", "//header[not(ancestor::article)]",
    '//*[@role="navigation" or @role="contentinfo" or @role="banner" or @role="complementary"]',
))
_FULL_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")

_CHARSET_RE = re.compile(rb"""<meta\s[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""",
                         re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))


@dataclass(frozen=True)
class HtmlDoc:
    """A page's main text and metadata (None or empty where the page does not say)."""

    text: str
    title: str | None = None
    authors: tuple[str, ...] = ()
    date: str | None = None  # ISO YYYY-MM-DD, only for a full date
    sitename: str | None = None
    url: str | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def author(self) -> str | None:
        return "; ".join(self.authors) or None

    def meta(self) -> dict[str, str]:
        """The metadata as `Article.meta` carries it (authors joined by "; ")."""
        pairs = {"title": self.title, "authors": self.author, "published": self.date,
                 "publisher": self.sitename, "url": self.url}
        return {k: v for k, v in pairs.items() if v}


def decode_html(data: bytes) -> tuple[str, tuple[str, ...]]:
    """(text, warnings): a byte-order mark, else the `<meta charset>` or http-equiv
    Content-Type declaration in the first 4 KiB, else UTF-8; bad bytes become U+FFFD."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data.decode(codec, errors="replace"), ()
    declared: str | None = None
    m = _CHARSET_RE.search(data[:4096])
    if m is not None:
        declared = m.group(1).decode("ascii", "replace").lower()
    codec = declared or "utf-8"
    warnings: tuple[str, ...] = ()
    try:
        codecs.lookup(codec)
    except LookupError:
        warnings = (f"unknown charset {declared!r} declared: decoded as UTF-8",)
        codec = "utf-8"
    if codec in ("utf-16", "utf-32", "utf-16le", "utf-16be"):  # a meta tag in ASCII bytes
        codec = "utf-8"  # cannot be UTF-16: the declaration is wrong (as browsers treat it)
    try:
        return data.decode(codec), warnings
    except UnicodeDecodeError as exc:
        where = f"as {declared}" if declared else "as UTF-8"
        return data.decode(codec, errors="replace"), (*warnings, (
            f"not valid {where} (first bad byte at offset {exc.start}): decoded with U+FFFD "
            "replacement characters"))


def broken_extra(exc: ImportError) -> str:
    """The message for an html extra that is installed but cannot be imported (for example
    `lxml.html.clean`, split out of lxml 5.2, missing under an older pip's resolver)."""
    missing = getattr(exc, "name", None)
    detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    fix = (f"pip install {_PIP_NAMES.get(missing.split('.')[0], missing)}" if missing
           else "pip install --upgrade 'llmextract[html]'")
    if "lxml_html_clean" in detail:
        fix = "pip install lxml_html_clean"
    return (f"HTML input: trafilatura is installed but cannot be imported ({detail}); "
            f"fix the environment with: {fix}")


# Import names whose package on the index is named otherwise.
_PIP_NAMES = {"justext": "jusText", "dateutil": "python-dateutil"}


def _load() -> Any:
    try:
        import trafilatura
    except ImportError as exc:  # also when sys.modules["trafilatura"] is None
        if isinstance(exc, ModuleNotFoundError) and exc.name == "trafilatura":
            raise InputError(MISSING_EXTRA) from exc
        raise InputError(broken_extra(exc)) from exc
    return trafilatura


def _date_params(trafilatura: Any) -> dict[str, Any]:
    """Dates only from the page's markup (meta tags, <time>, JSON-LD): the extensive search
    also guesses from free text and copyright lines ("© 2023" became 2023-01-01)."""
    params: dict[str, Any] = trafilatura.settings.set_date_params(False)  # 1.x needs max_date
    return params


def _as_dict(found: Any) -> dict[str, Any]:
    """trafilatura >= 2.0 returns a Document (`as_dict()`); 1.x returns a dict."""
    if found is None:
        return {}
    if isinstance(found, dict):
        return found
    as_dict = getattr(found, "as_dict", None)
    return dict(as_dict()) if callable(as_dict) else dict(vars(found))


def _squash(s: str) -> str:
    return " ".join(s.split())


def _heads(body: Any) -> list[str]:
    """The texts of the headings (`<head>` elements) of the extracted body, in order."""
    if body is None or not hasattr(body, "iter"):
        return []
    return [_squash("".join(h.itertext())) for h in body.iter("head")]


def _compose(raw: str, title: str | None, heads: list[str]) -> tuple[str, str | None]:
    """(main text, headline): the headline as a `## ` line, other headings as `### `,
    every block separated by a blank line."""
    blocks = [_squash(b) for b in raw.splitlines()]
    blocks = [b for b in blocks if b]
    headline = title
    if blocks and heads and blocks[0] == heads[0]:  # the body opens with its own headline
        headline = blocks.pop(0)
        heads = heads[1:]
    elif blocks and title and blocks[0] == _squash(title):
        blocks.pop(0)
    subheads = set(heads)
    out = [f"### {b}" if b in subheads else b for b in blocks]
    if headline:
        out.insert(0, f"## {headline}")
    return "\n\n".join(out), headline


def _date_in_page(date: dt.date, page: str) -> bool:
    """Does the page state this full date? htmldate completes a partial one ("2025-03"
    becomes the 2025-03-<today's day>): such a date is not the page's."""
    y, m, d = date.year, date.month, date.day
    numeric = (f"{y}-{m:02d}-{d:02d}", f"{y}/{m:02d}/{d:02d}", f"{y}{m:02d}{d:02d}",
               f"{d:02d}.{m:02d}.{y}", f"{d}.{m}.{y}", f"{d:02d}/{m:02d}/{y}",
               f"{m:02d}/{d:02d}/{y}", f"{d}/{m}/{y}", f"{m}/{d}/{y}")
    if any(form in page for form in numeric):
        return True
    if str(y) not in page:
        return False
    name = _MONTHS[m - 1]
    sept = r"|sept\.?" if m == 9 else ""
    mon = rf"(?:{name}|{name[:3]}\.?{sept})"
    return re.search(rf"\b(?:{d}(?:st|nd|rd|th)?\s+(?:of\s+)?{mon}|{mon}\s+{d}(?:st|nd|rd|th)?)"
                     r"\b", page, re.IGNORECASE) is not None


def _full_date(value: object, page: str) -> str | None:
    if not isinstance(value, str) or not _FULL_DATE.fullmatch(value.strip()):
        return None
    try:
        date = dt.date.fromisoformat(value.strip())
    except ValueError:
        return None
    return date.isoformat() if _date_in_page(date, page) else None


def _clean(value: object) -> str | None:
    return (_squash(value) or None) if isinstance(value, str) else None


def read_html(data: bytes | str, url: str | None = None) -> HtmlDoc:
    """A page's main text and metadata. Raises `InputError` when trafilatura is missing
    or the page has no article text."""
    trafilatura = _load()
    warnings: tuple[str, ...] = ()
    if isinstance(data, bytes):
        data, warnings = decode_html(data)
    if not data.strip():
        raise InputError("empty HTML page")
    try:
        found = trafilatura.bare_extraction(
            data, url=url, with_metadata=True, include_comments=False, include_tables=True,
            include_images=False, include_links=False, prune_xpath=_PRUNE,
            date_extraction_params=_date_params(trafilatura))
    except Exception as exc:  # a malformed page must cost one record
        raise InputError(f"cannot parse the HTML page: {type(exc).__name__}: {exc}") from exc
    doc = _as_dict(found)
    raw = doc.get("text")
    if not isinstance(raw, str) or not raw.strip():
        raise InputError(NO_TEXT)
    text, headline = _compose(raw, _clean(doc.get("title")), _heads(doc.get("body")))
    author = _clean(doc.get("author"))
    authors = tuple(a.strip() for a in author.split(";") if a.strip()) if author else ()
    page_url = _clean(doc.get("url"))
    return HtmlDoc(
        text=text,
        title=headline,
        authors=authors,
        date=_full_date(doc.get("date"), data),
        sitename=_clean(doc.get("sitename")),
        url=page_url if page_url and page_url.startswith(("http://", "https://")) else url,
        warnings=warnings,
    )
