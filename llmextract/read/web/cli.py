"""The `summarize` options for pages, feeds and sitemaps (see docs/web.md)."""

from __future__ import annotations

import argparse
from typing import Any

from llmextract.config import DEFAULT_USER_AGENT, WebOptions, parse_since

__all__ = ["add_web_arguments", "web_options"]


def add_web_arguments(parser: Any) -> None:
    g = parser.add_argument_group(
        "web pages", "PATH may also be an http(s):// URL or a file of URLs (one a line, a "
        ".urls file, or a CSV/JSONL with a url column); see docs/web.md")
    g.add_argument("--feed", action="append", default=[], metavar="URL|FILE",
                   help="summarise every item of an RSS or Atom feed (repeatable)")
    g.add_argument("--sitemap", action="append", default=[], metavar="URL|FILE",
                   help="summarise every page of a sitemap, sitemap index or news sitemap "
                        "(repeatable)")
    g.add_argument("--since", metavar="DATE",
                   help="only feed and sitemap items dated on or after DATE (ISO, e.g. "
                        "2025-03-01); undated items are kept")
    g.add_argument("--per-host", type=int, default=2, metavar="N",
                   help="at most N requests in flight per host (default: 2)")
    g.add_argument("--host-delay", type=float, default=0.25, metavar="S",
                   help="seconds between the starts of two requests to one host (default: "
                        "0.25; a robots.txt Crawl-delay raises it, up to 10)")
    g.add_argument("--user-agent", default=DEFAULT_USER_AGENT, metavar="UA",
                   help=f"User-Agent of page requests (default: {DEFAULT_USER_AGENT})")
    g.add_argument("--ignore-robots", action="store_true",
                   help="fetch pages that robots.txt asks crawlers not to (said loudly)")
    g.add_argument("--offline", action="store_true",
                   help="no page requests: serve pages from the page store only")
    g.add_argument("--fetch-timeout", type=float, default=30.0, metavar="S",
                   help="read timeout of a page request, seconds (default: 30; connect: 10)")
    g.add_argument("--max-page-bytes", type=int, default=10_000_000, metavar="N",
                   help="largest page body read (default: 10000000)")


def web_options(args: argparse.Namespace) -> WebOptions:
    return WebOptions(
        user_agent=args.user_agent, per_host=args.per_host, host_delay=args.host_delay,
        ignore_robots=args.ignore_robots, offline=args.offline,
        read_timeout=args.fetch_timeout, connect_timeout=min(10.0, args.fetch_timeout),
        max_bytes=args.max_page_bytes, feeds=tuple(args.feed), sitemaps=tuple(args.sitemap),
        since=parse_since(args.since) if args.since else None)
