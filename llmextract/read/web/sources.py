"""Turning URLs, files of URLs, feeds and sitemaps into articles, lazily.

Each URL becomes a *pending* `Article` (no text, no error, `web` set to a `PageRef`); the
pipeline fetches it inside the async batch (`resolve`), so `-j` pages are fetched at once
and each is summarised as soon as it arrives. A feed or sitemap is read when the iterator
reaches it, and a sitemap index's child sitemaps one at a time as their URLs are needed.
"""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import functools
import hashlib
import re
from collections.abc import Container, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from llmextract.read.article import Article, check_text
from llmextract.read.web.fetch import WebSession
from llmextract.read.web.response import TEXT_TYPES, PageResponse, charset_of, media_type
from llmextract.read.web.urls import is_url, looks_like_url_list

if TYPE_CHECKING:
    import datetime as dt

__all__ = ["PageRef", "is_url", "iter_sources", "iter_url_file", "looks_like_url_list",
           "pending_article", "resolve", "url_articles", "url_id"]

_MAX_SITEMAP_DEPTH = 4


def url_id(url: str) -> str:
    """A stable, readable id for a URL: its host and path as a slug and a short hash."""
    parts = urlsplit(url)
    slug = re.sub(r"[^A-Za-z0-9]+", "-", f"{parts.hostname or ''}{parts.path}").strip("-")
    return f"{slug[:60] or 'url'}_{hashlib.sha256(url.encode('utf-8')).hexdigest()[:8]}"


@dataclass(frozen=True)
class PageRef:
    """A page to fetch (`page` None) or fetched: the record's `url`, `final_url`, `fetch`."""

    url: str
    session: WebSession = field(repr=False, compare=False)
    meta: dict[str, str] = field(default_factory=dict, compare=False)  # from a feed/sitemap
    page: PageResponse | None = field(default=None, compare=False)

    @property
    def pending(self) -> bool:
        return self.page is None

    def record_fields(self) -> dict[str, Any]:
        from llmextract.schemas.record import FetchInfo

        page = self.page
        return {"url": self.url, "final_url": page.final_url if page else None,
                "fetch": FetchInfo(**page.info()) if page else None}


def pending_article(url: str, session: WebSession, *, id: str | None = None,
                    meta: dict[str, str] | None = None, input: str | None = None) -> Article:
    return Article(id or url_id(url), input or url, web=PageRef(url, session, meta or {}))


# -- files of URLs -------------------------------------------------------------------------
def _csv_urls(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
        reader = csv.DictReader(fh)
        names = {(n or "").strip().lower(): n for n in reader.fieldnames or ()}
        if "url" not in names:
            raise ValueError("a CSV file of URLs needs a column named url")
        for number, row in enumerate(reader, start=2):
            yield number, {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}


def iter_url_file(path: Path, session: WebSession,
                  skip: Container[str] = frozenset()) -> Iterator[Article]:
    """The pages named by a file of URLs: one a line (`#` comments), or a CSV `url` column
    (an `id` column names the records)."""
    shown = str(path)
    try:
        if path.suffix.lower() == ".csv":
            for number, row in _csv_urls(path):
                url = row.get("url", "")
                if not url:
                    continue
                yield from url_articles(url, session, skip, f"{shown}:{number}",
                                        row.get("id") or None)
            return
        with path.open(encoding="utf-8", errors="replace") as fh:
            for number, line in enumerate(fh, start=1):
                url = line.strip()
                if url and not url.startswith("#"):
                    yield from url_articles(url, session, skip, f"{shown}:{number}", None)
    except (OSError, ValueError) as exc:
        yield Article(path.stem, shown, error=f"cannot read the list of URLs: {exc}")


def url_articles(url: str, session: WebSession, skip: Container[str], where: str,
                 art_id: str | None) -> Iterator[Article]:
    """The pending page of one URL (none when its id is in `skip`), or an error article
    when it is not an http(s) URL (`where` names the line it came from)."""
    if not is_url(url):
        yield Article(art_id or f"line_{where.rsplit(':', 1)[-1]}", where,
                      error=f"not an http(s) URL: {url[:200]!r}")
        return
    art_id = art_id or url_id(url)
    if art_id not in skip:
        yield pending_article(url, session, id=art_id)


def jsonl_page(obj: dict[str, Any], where: str, session: WebSession) -> Article:
    """A JSONL line `{"url": ...}` (no "text" or "html"): that page."""
    url = obj.get("url")
    if not is_url(url):
        return Article(str(obj.get("id") or where), where, error=f"not an http(s) URL: {url!r}")
    return pending_article(str(url), session, id=str(obj["id"]) if obj.get("id") else None)


# -- feeds and sitemaps --------------------------------------------------------------------
def iter_sources(session: WebSession, skip: Container[str] = frozenset()) -> Iterator[Article]:
    """The pages of `--feed` and `--sitemap` sources (URLs or files), newest-first order
    kept as the source gives it, `--since` applied, each URL once per run."""
    seen: set[str] = set()
    for source in (*session.opts.feeds, *session.opts.sitemaps):
        yield from _iter_document(source, session, skip, seen, 0)


def _read_source(source: str, session: WebSession) -> tuple[bytes | None, str | None]:
    if is_url(source):
        page = session.fetch_document(source)
        return page.body, page.error
    try:
        return Path(source).read_bytes(), None
    except OSError as exc:
        return None, f"cannot read the file: {exc.strerror or exc}"


def _too_old(date: dt.datetime | None, since: dt.datetime | None) -> bool:
    return since is not None and date is not None and date < since


def _iter_document(source: str, session: WebSession, skip: Container[str], seen: set[str],
                   depth: int) -> Iterator[Article]:
    from llmextract.read.web.feeds import parse_document

    body, error = _read_source(source, session)
    parsed = None
    if body is not None:
        try:
            parsed = parse_document(body)
        except ValueError as exc:
            error = str(exc)
        except ImportError:  # lxml comes with the html extra
            error = "reading feeds and sitemaps needs the web extra: pip install 'llmextract[web]'"
    if parsed is None:
        yield Article(url_id(source) if is_url(source) else Path(source).stem, source,
                      error=f"feed or sitemap {source}: {error}", error_type="FetchError")
        return
    since = session.opts.since
    for link in parsed.links:
        if _too_old(link.date, since) or not is_url(link.url):
            continue
        if parsed.kind == "sitemapindex":
            if depth < _MAX_SITEMAP_DEPTH and link.url not in seen:
                seen.add(link.url)
                yield from _iter_document(link.url, session, skip, seen, depth + 1)
            continue
        if link.url in seen:
            continue
        seen.add(link.url)
        art_id = url_id(link.url)
        if art_id not in skip:
            yield pending_article(link.url, session, id=art_id, meta=dict(link.meta))


# -- fetching a pending article --------------------------------------------------------------
def decode_page(body: bytes, charset: str | None) -> tuple[str, tuple[str, ...]]:
    """A page's text: the charset of the Content-Type header when the bytes fit it, else
    the page's own declaration (`<meta charset>`) or UTF-8 (`llmextract.html.decode_html`)."""
    from llmextract.read.html import decode_html

    if charset and not body.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        try:
            return body.decode(charset), ()
        except LookupError:
            warning = f"unknown charset {charset!r} in the Content-Type header"
        except UnicodeDecodeError as exc:
            warning = (f"the bytes are not valid {charset} as the Content-Type header says "
                       f"(first bad byte at offset {exc.start})")
        text, warnings = decode_html(body)
        return text, (f"{warning}: decoded by the page's own declaration or as UTF-8",
                      *warnings)
    return decode_html(body)


def _looks_like_html(text: str) -> bool:
    head = text[:2048].lstrip().lower()
    return head.startswith(("<!doctype html", "<html", "<?xml")) or "<body" in head \
        or "<p" in head or "<div" in head


async def resolve(article: Article, max_chars: int) -> Article:
    """Fetch a pending article's page and read it: the page's main text and metadata (the
    feed's or sitemap's fill what the page does not say), or an `error` article."""
    ref: PageRef = article.web
    session = ref.session
    page = await session.fetch(ref.url)
    done = dataclasses.replace(ref, page=page)
    if page.error is not None or page.body is None:
        return Article(article.id, article.input, error=page.error or "no page",
                       error_type=page.error_type, web=done)
    body, media = page.body, media_type(page.content_type)
    text, warnings = decode_page(body, charset_of(page.content_type))
    if media in TEXT_TYPES:
        checked, error, warns = check_text(text, max_chars, warnings)
        read = Article(article.id, article.input, text=checked, error=error, warnings=warns)
    elif not media and not _looks_like_html(text):
        read = Article(article.id, article.input, error="not an article: the server gave no "
                       "content type and the body is not HTML", error_type="NotAnArticle")
    else:
        from llmextract.read.article import html_article

        work = functools.partial(html_article, article.id, article.input, text, max_chars,
                                 url=page.final_url or ref.url, warnings=warnings)
        pool = session.extractor_pool()
        read = (await asyncio.get_running_loop().run_in_executor(pool, work) if pool
                else work())
    meta = dict(read.meta or {})
    for key, value in ref.meta.items():  # the page's own metadata first; the feed fills in
        if key == "publisher":  # a feed's or news sitemap's publication name is explicit;
            meta[key] = value  # a page's site name may be guessed from its host
        else:
            meta.setdefault(key, value)
    read = dataclasses.replace(read, meta=meta or None, web=done)
    store = session.store
    if store is not None and read.text is not None and read.text_sha256:
        store.put_text(read.text_sha256, read.text)
    return read
