"""Reading RSS, Atom and sitemap XML into links (with the item's metadata).

- RSS 2.0 and RSS 1.0 (RDF): each `<item>`'s `<link>` (or a permalink `<guid>`), with its
  `<title>`, `<pubDate>`/`<dc:date>` and `<author>`/`<dc:creator>`; the channel's title is
  the publisher.
- Atom: each `<entry>`'s alternate `<link href>`, `<title>`, `<published>`/`<updated>` and
  `<author><name>`.
- Sitemaps: a `<urlset>` gives its `<loc>`s (with `<lastmod>`, and a news sitemap's
  `<news:title>`, `<news:publication_date>`, `<news:publication><news:name>`); a
  `<sitemapindex>` gives child sitemaps to read in turn. Gzipped sitemaps are unpacked.

The XML parser never resolves entities or reaches the network.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import gzip
import io
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Link", "Parsed", "parse_document"]


@dataclass(frozen=True)
class Link:
    url: str
    date: dt.datetime | None = None
    meta: dict[str, str] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Parsed:
    kind: Literal["feed", "sitemap", "sitemapindex"]
    links: list[Link]


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _child(el: Any, *names: str) -> Any:
    for child in el:
        if _local(child.tag) in names:
            return child
    return None


def _text(el: Any, *names: str) -> str | None:
    child = _child(el, *names)
    if child is None:
        return None
    value = " ".join("".join(child.itertext()).split())
    return value or None


def parse_date(raw: str | None) -> dt.datetime | None:
    """An RFC 822 (RSS) or ISO 8601 (Atom, sitemaps) date; naive ones are UTC."""
    if not raw:
        return None
    raw = raw.strip()
    value: dt.datetime | None = None
    try:
        value = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        try:
            value = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            return None
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def _meta(title: str | None, date: dt.datetime | None, author: str | None,
          publisher: str | None) -> dict[str, str]:
    pairs = {"title": title, "published": date.date().isoformat() if date else None,
             "authors": author, "publisher": publisher}
    return {k: v for k, v in pairs.items() if v}


def _rss_link(item: Any) -> str | None:
    link = _text(item, "link")
    if link:
        return link
    guid = _child(item, "guid")
    if guid is not None and (guid.get("isPermaLink") or "true").lower() == "true":
        return _text(item, "guid")
    about = item.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
    return str(about) if about else None


def _atom_link(entry: Any) -> str | None:
    first = None
    for child in entry:
        if _local(child.tag) == "link" and child.get("href"):
            if (child.get("rel") or "alternate") == "alternate":
                return str(child.get("href"))
            first = first or str(child.get("href"))
    return first


def _feed(root: Any) -> list[Link]:
    kind = _local(root.tag)
    links: list[Link] = []
    if kind == "feed":  # Atom
        publisher = _text(root, "title")
        for entry in root:
            if _local(entry.tag) != "entry":
                continue
            url = _atom_link(entry)
            if not url:
                continue
            date = parse_date(_text(entry, "published") or _text(entry, "updated"))
            author_el = _child(entry, "author")
            author = _text(author_el, "name") if author_el is not None else None
            links.append(Link(url, date, _meta(_text(entry, "title"), date, author, publisher)))
        return links
    channel = _child(root, "channel")
    publisher = _text(channel, "title") if channel is not None else None
    items = [el for el in root.iter() if _local(el.tag) == "item"]
    for item in items:
        url = _rss_link(item)
        if not url:
            continue
        date = parse_date(_text(item, "pubdate") or _text(item, "date"))
        author = _text(item, "creator") or _text(item, "author")
        links.append(Link(url, date, _meta(_text(item, "title"), date, author, publisher)))
    return links


def _sitemap(root: Any) -> list[Link]:
    links: list[Link] = []
    for entry in root:
        if _local(entry.tag) not in ("url", "sitemap"):
            continue
        loc = _text(entry, "loc")
        if not loc:
            continue
        date = parse_date(_text(entry, "lastmod"))
        news = _child(entry, "news")
        meta: dict[str, str] = {}
        if news is not None:
            published = parse_date(_text(news, "publication_date"))
            date = published or date
            publication = _child(news, "publication")
            meta = _meta(_text(news, "title"), published, None,
                         _text(publication, "name") if publication is not None else None)
        links.append(Link(loc, date, meta))
    return links


def parse_document(data: bytes, max_bytes: int = 50_000_000) -> Parsed:
    """A feed or sitemap's links. Raises ValueError when `data` is neither."""
    from lxml import etree  # type: ignore[import-untyped]

    if data[:2] == b"\x1f\x8b":  # a gzipped sitemap
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as gz:
            data = gz.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise ValueError(f"unpacked sitemap is over {max_bytes:,} bytes")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True,
                             huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"not XML: {exc}") from None
    if root is None:
        raise ValueError("not XML")
    kind = _local(root.tag)
    if kind in ("rss", "rdf", "feed"):
        return Parsed("feed", _feed(root))
    if kind == "urlset":
        return Parsed("sitemap", _sitemap(root))
    if kind == "sitemapindex":
        return Parsed("sitemapindex", _sitemap(root))
    raise ValueError(f"neither a feed nor a sitemap (root element <{kind}>)")
