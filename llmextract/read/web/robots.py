"""robots.txt for `WebSession`: fetched once per origin and honoured (RFC 9309: a 4xx means
no rules, an unreachable or 5xx robots.txt means nothing may be fetched), its `Crawl-delay`
too, unless `--ignore-robots`."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

from llmextract.config import ROBOTS_TOKEN
from llmextract.read.web.response import REDIRECTS, Exchange, Robots, host_key, origin_of

if TYPE_CHECKING:
    from llmextract.read.web.fetch import WebSession, _LoopState

__all__ = ["robots_refusal"]


async def robots_refusal(session: WebSession, state: _LoopState, client: Any,
                         url: str) -> str | None:
    if session.opts.ignore_robots:
        return None
    origin = origin_of(url)
    if urlsplit(url).path == "/robots.txt":
        return None
    if origin not in session._robots:
        lock = state.robots_locks.setdefault(origin, asyncio.Lock())
        async with lock:
            if origin not in session._robots:
                session._robots[origin] = await _read_robots(session, state, client, origin)
    rules = session._robots[origin]
    if rules.blocked:
        return rules.blocked
    if rules.parser is not None and not rules.parser.can_fetch(ROBOTS_TOKEN, url):
        return (f"{origin}/robots.txt disallows {url} for {ROBOTS_TOKEN}; not fetched "
                "(--ignore-robots overrides)")
    return None


async def _read_robots(session: WebSession, state: _LoopState, client: Any,
                       origin: str) -> Robots:
    url = origin + "/robots.txt"
    ex: Exchange | None = None
    for _ in range(5):  # robots.txt may redirect (RFC 9309: at least five hops)
        ex = await session._exchange(state, client, url, {}, "robots")
        location = ex.headers.get("location")
        if ex.status in REDIRECTS and location:
            url = urljoin(url, location)
            continue
        break
    assert ex is not None
    if ex.status is not None and 400 <= ex.status < 500:
        return Robots(None)
    if ex.status != 200 or ex.body is None:
        why = f"HTTP {ex.status}" if ex.status else (ex.error or "no answer")
        return Robots(None, f"{origin}/robots.txt could not be read ({why}): nothing is "
                             "fetched from this host (--ignore-robots overrides)")
    parser = RobotFileParser()
    parser.parse(ex.body.decode("utf-8", errors="replace").splitlines())
    delay = parser.crawl_delay(ROBOTS_TOKEN)
    if delay is not None:
        host = host_key(origin)
        session._delay[host] = max(session.opts.host_delay,
                                   min(float(delay), session.opts.max_crawl_delay))
    return Robots(parser)
