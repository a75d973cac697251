"""Settings of page fetching (`Settings.web`): decided once, before any request."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from llmextract import __version__

__all__ = ["DEFAULT_USER_AGENT", "WebOptions", "parse_since"]

PROJECT_URL = "https://github.com/llmextract/llmextract"
DEFAULT_USER_AGENT = f"llmextract/{__version__} (+{PROJECT_URL})"
ROBOTS_TOKEN = "llmextract"  # the name robots.txt rules are matched against


@dataclass(frozen=True)
class WebOptions:
    """How pages, feeds and sitemaps are fetched (see docs/web.md)."""

    user_agent: str = DEFAULT_USER_AGENT
    per_host: int = 2  # requests in flight at once per host (host:port)
    host_delay: float = 0.25  # seconds between the starts of two requests to one host
    ignore_robots: bool = False
    offline: bool = False  # serve pages from the page store only, never the network
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_redirects: int = 10
    max_bytes: int = 10_000_000  # a body over this is not read further
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    since: dt.datetime | None = None  # keep only feed/sitemap items at or after this (UTC)
    max_crawl_delay: float = 10.0  # a robots.txt Crawl-delay is honoured up to this

    def __post_init__(self) -> None:
        from llmextract.errors import UsageError

        if self.per_host < 1:
            raise UsageError("--per-host must be at least 1")
        if self.host_delay < 0 or self.connect_timeout <= 0 or self.read_timeout <= 0:
            raise UsageError("--host-delay cannot be negative and timeouts must be positive")
        if self.max_bytes < 1 or self.max_redirects < 0:
            raise UsageError("--max-page-bytes must be positive")


def parse_since(raw: str) -> dt.datetime:
    """`--since`: an ISO date (`2025-03-01`) or date and time; naive times are UTC."""
    from llmextract.errors import UsageError

    try:
        value = dt.datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"--since: not an ISO date: {raw!r} (e.g. 2025-03-01)") from None
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
