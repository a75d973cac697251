"""Articles from where they live: URLs, files of URLs, RSS/Atom feeds and sitemaps, fetched
politely (robots.txt, per-host limits, retries, size limits, conditional requests) and kept
in a content-addressed page store beside the result cache. See docs/web.md.

- `fetch`: `WebSession`, the HTTP side (httpx2, the client openai is built on);
- `sources`: URLs, files of URLs, feeds and sitemaps into (pending) articles;
- `feeds`: RSS, Atom and sitemap parsing; `store`: the page store (`WebOptions` is in
  `llmextract.config`);
- `cli`: the `summarize` options.
"""

from __future__ import annotations

from llmextract.config import DEFAULT_USER_AGENT, WebOptions

__all__ = ["DEFAULT_USER_AGENT", "WebOptions"]
