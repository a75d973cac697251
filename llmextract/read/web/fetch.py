"""Fetching pages politely, with the project's HTTP client (httpx2, as openai uses it).

Every request goes through `WebSession.fetch`:

- a user agent naming llmextract and its version (`--user-agent` overrides it);
- connect and read timeouts; redirects followed one hop at a time (at most
  `max_redirects`, a loop is named as one), each hop checked against its host's robots.txt
  and its host's limits;
- `robots.txt` fetched once per origin and honoured (RFC 9309: a 4xx means no rules, an
  unreachable or 5xx robots.txt means nothing may be fetched), its `Crawl-delay` too, unless
  `--ignore-robots`;
- at most `per_host` requests in flight per host (host:port) and `host_delay` seconds
  between the starts of two requests to one host;
- 408/429/5xx, timeouts and connection errors retried as the model call is (`--retries`,
  exponential backoff with jitter, `Retry-After` honoured up to the same cap);
- a body over `max_bytes` is not read past the limit (`Content-Length` is checked first);
  a content type that cannot be an article is refused before its body is read;
- the page store: a stored page is asked for with `If-None-Match`/`If-Modified-Since` and a
  304 serves it; `--offline` serves stored pages with no request at all.

Feeds and sitemaps are read synchronously by the input iterator (`fetch_document`): that
runs the same code on a private event loop in a helper thread, sharing the robots.txt
rules, the per-host timing and the page store with the main run.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import random
import sys
import threading
import time
import weakref
from collections import Counter
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urljoin

from llmextract.config import WebOptions
from llmextract.read.web.response import (
    REDIRECTS,
    RETRY_STATUSES,
    ROBOTS_MAX_BYTES,
    Exchange,
    PageResponse,
    RetryHeaders,
    Robots,
    host_key,
    refusal,
    status_error,
)
from llmextract.read.web.robots import robots_refusal

if TYPE_CHECKING:
    from llmextract.config import Settings
    from llmextract.read.web.store import PageStore

__all__ = ["WebSession"]

Want = Literal["page", "document"]
class _LoopState:
    """What is bound to one event loop: the client, the per-host semaphores, locks."""

    def __init__(self) -> None:
        self.client: Any = None
        self.sems: dict[str, asyncio.Semaphore] = {}
        self.robots_locks: dict[str, asyncio.Lock] = {}


class WebSession:
    """Fetches pages for one run. `managed`: the owner calls `aclose()` (the batch does),
    so one connection pool serves the whole run; otherwise each fetch opens its own."""

    def __init__(self, settings: Settings, *, managed: bool = False) -> None:
        self.settings = settings
        self.opts: WebOptions = settings.web
        self.managed = managed
        # The store is written whenever the cache is on; it is read (conditional requests)
        # only outside --record/--replay, so a cassette sees plain requests and stays whole.
        self.store_on = settings.use_cache
        self.read_store = self.store_on and settings.record is None and settings.replay is None
        self._store: PageStore | None = None
        self._robots: dict[str, Robots] = {}
        self._next_start: dict[str, float] = {}
        self._delay: dict[str, float] = {}
        self._active: Counter[str] = Counter()
        self.peak: Counter[str] = Counter()  # most requests in flight at once, per host
        self.counts: Counter[str] = Counter()  # requests, downloads, not_modified, page_store
        # per event loop, by the loop itself (a dead loop's id may be reused by a new one)
        self._states: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopState] = (
            weakref.WeakKeyDictionary())
        self._lock = threading.Lock()
        self._rng = random.Random()
        self._extract_pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._warned = False
        if managed:
            self.warn_robots()

    # -- state ---------------------------------------------------------------------------
    @property
    def store(self) -> PageStore | None:
        if self._store is None and self.store_on:
            import os

            from llmextract.config import default_cache_dir
            from llmextract.read.web.store import PageStore

            folder = (self.settings.cache_dir or default_cache_dir(os.environ)) / "pages"
            try:
                self._store = PageStore(folder)
            except Exception as exc:  # an unusable cache folder costs the store, not the run
                print(f"llmextract: page store {folder} unusable ({exc}); pages are not kept",
                      file=sys.stderr)
                self.store_on = self.read_store = False
        return self._store

    def warn_robots(self) -> None:
        if self.opts.ignore_robots and not self._warned:
            self._warned = True
            print("llmextract: WARNING: --ignore-robots: robots.txt is NOT honoured; every "
                  "page is fetched even where its site asks crawlers to stay away",
                  file=sys.stderr)

    def _state(self) -> _LoopState:
        key = asyncio.get_running_loop()
        with self._lock:
            state = self._states.get(key)
            if state is None:
                state = self._states[key] = _LoopState()
        return state

    def _new_client(self) -> Any:
        import httpx2

        o = self.opts
        return httpx2.AsyncClient(
            follow_redirects=False, headers={"User-Agent": o.user_agent},
            timeout=httpx2.Timeout(o.read_timeout, connect=o.connect_timeout),
            limits=httpx2.Limits(max_connections=None, max_keepalive_connections=64))

    def extractor_pool(self) -> concurrent.futures.ThreadPoolExecutor | None:
        """One helper thread for page extraction (trafilatura), off the event loop."""
        if self.managed and self._extract_pool is None:
            self._extract_pool = concurrent.futures.ThreadPoolExecutor(
                1, thread_name_prefix="llmextract-pages")
        return self._extract_pool

    async def aclose(self) -> None:
        state = self._states.pop(asyncio.get_running_loop(), None)
        if state is not None and state.client is not None:
            await state.client.aclose()
        if self._extract_pool is not None:
            self._extract_pool.shutdown(wait=False)
        if self._store is not None:
            self._store.close()
            self._store = None

    # -- per host ------------------------------------------------------------------------
    async def _acquire(self, state: _LoopState, host: str) -> None:
        sem = state.sems.get(host)
        if sem is None:
            sem = state.sems[host] = asyncio.Semaphore(self.opts.per_host)
        await sem.acquire()
        with self._lock:  # the start times are shared with the feed reader's thread
            now = time.monotonic()
            start = max(now, self._next_start.get(host, 0.0))
            self._next_start[host] = start + self._delay.get(host, self.opts.host_delay)
        if start > now:
            await asyncio.sleep(start - now)
        self._active[host] += 1
        self.peak[host] = max(self.peak[host], self._active[host])

    def _release(self, state: _LoopState, host: str) -> None:
        self._active[host] -= 1
        state.sems[host].release()

    # -- one request, with retries ---------------------------------------------------------
    def _wait(self, attempt: int, headers: Any) -> float:
        from llmextract.call.retry import retry_after_seconds

        s = self.settings
        asked = retry_after_seconds(RetryHeaders(headers))
        if asked is not None:
            return min(asked, s.retry_after_cap)
        ceiling = min(s.backoff_cap, s.backoff_base * 2 ** attempt)
        return self._rng.uniform(ceiling / 2, ceiling)

    async def _exchange(self, state: _LoopState, client: Any, url: str,
                        headers: dict[str, str], want: Want | Literal["robots"]) -> Exchange:
        tries = [0]
        ex = await self._exchange_once(state, client, url, headers, want, tries)
        ex.attempts = tries[0]
        return ex

    async def _exchange_once(self, state: _LoopState, client: Any, url: str,
                             headers: dict[str, str], want: Want | Literal["robots"],
                             tries: list[int]) -> Exchange:
        import httpx2

        from llmextract.call.retry import cassette_miss

        host = host_key(url)
        retries = self.settings.max_transport_retries
        attempt = 0
        while True:
            await self._acquire(state, host)
            wait = 0.0
            try:
                self.counts["requests"] += 1
                tries[0] += 1
                async with client.stream("GET", url, headers=headers) as r:
                    out_headers = {k.lower(): v for k, v in r.headers.items()}
                    if r.status_code in RETRY_STATUSES and attempt < retries:
                        wait = self._wait(attempt, r.headers)
                    elif r.status_code != 200:
                        return Exchange(r.status_code, out_headers)
                    else:
                        reason = refusal(r.headers.get("content-type")) if want == "page" \
                            else None
                        if reason:
                            return Exchange(200, out_headers, None, reason, "NotAnArticle")
                        body, error = await self._read(r, ROBOTS_MAX_BYTES
                                                       if want == "robots" else None)
                        return Exchange(200, out_headers, body, error,
                                         "PageTooLarge" if error else "FetchError")
            except (httpx2.TimeoutException, httpx2.TransportError) as exc:
                if attempt >= retries:
                    kind = "timed out" if isinstance(exc, httpx2.TimeoutException) else \
                        "failed"
                    return Exchange(None, {}, error=(
                        f"request {kind} ({type(exc).__name__}"
                        + (f": {exc}" if str(exc) else "") + f") after {attempt + 1} "
                        f"attempt{'s' if attempt else ''}"))
                wait = self._wait(attempt, {})
            except Exception as exc:
                if cassette_miss(exc):
                    return Exchange(None, {}, error=f"GET {url} is not in the replayed "
                                     "cassette", error_type="CassetteMissError")
                raise
            finally:
                self._release(state, host)
            attempt += 1
            await asyncio.sleep(wait)

    async def _read(self, r: Any, limit: int | None) -> tuple[bytes | None, str | None]:
        limit = limit or self.opts.max_bytes
        declared = r.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            return None, (f"page is {int(declared):,} bytes, over the limit of {limit:,} "
                          "bytes (--max-page-bytes); not downloaded")
        buf = bytearray()
        async for chunk in r.aiter_bytes():
            buf += chunk
            if len(buf) > limit:
                return None, (f"page is over the limit of {limit:,} bytes "
                              "(--max-page-bytes); not read further")
        return bytes(buf), None

    # -- one URL -------------------------------------------------------------------------
    async def fetch(self, url: str, want: Want = "page", *,
                    own_client: bool = False) -> PageResponse:
        """Fetch `url` (following redirects) into a `PageResponse`; never raises for
        network or HTTP trouble."""
        page = PageResponse(url)
        store = self.store
        if self.opts.offline:
            if store is None:
                page.error = "--offline needs the page store (it is off with --no-cache)"
                return page
            return self._from_store(page, "page_store")
        stored = store.lookup(url) if store is not None and self.read_store else None
        state = self._state()
        if self.managed and not own_client:
            if state.client is None:
                state.client = self._new_client()
            client = state.client
        else:  # nobody closes a shared pool: this fetch opens and closes its own
            client = self._new_client()
        try:
            await self._follow(state, client, page, stored, want)
        finally:
            if client is not state.client:
                await client.aclose()
        return page

    async def _follow(self, state: _LoopState, client: Any, page: PageResponse,
                      stored: Any, want: Want) -> None:
        current = page.url
        for hop in range(self.opts.max_redirects + 1):
            refused = await robots_refusal(self, state, client, current)
            if refused:
                page.error, page.error_type = refused, "RobotsDisallowed"
                return
            headers: dict[str, str] = {}
            if hop == 0 and stored is not None:
                if stored.etag:
                    headers["If-None-Match"] = stored.etag
                if stored.last_modified:
                    headers["If-Modified-Since"] = stored.last_modified
            ex = await self._exchange(state, client, current, headers, want)
            page.requests += ex.attempts
            page.status, page.final_url = ex.status, current
            page.content_type = ex.headers.get("content-type")
            if ex.status == 304 and stored is not None:
                self._from_store(page, "not_modified", stored)
                return
            location = ex.headers.get("location")
            if ex.status in REDIRECTS and location:
                target = urljoin(current, location)
                page.redirects.append(current)
                if target in page.redirects:
                    chain = " -> ".join([*page.redirects[page.redirects.index(target):],
                                         target])
                    page.error = f"redirect loop: {chain}"
                    return
                current = target
                continue
            if ex.error is not None:
                page.error, page.error_type = ex.error, ex.error_type
                return
            if ex.status != 200 or ex.body is None:
                page.error = status_error(ex.status, self.settings.max_transport_retries)
                return
            page.body = ex.body
            self.counts["downloads"] += 1
            if self.store is not None:
                self.store.put(page.url, ex.body, final_url=current, status=ex.status,
                               content_type=page.content_type, etag=ex.headers.get("etag"),
                               last_modified=ex.headers.get("last-modified"))
            return
        page.error = (f"too many redirects (more than {self.opts.max_redirects}); stopped "
                      f"before {current}")

    def _from_store(self, page: PageResponse, source: str, stored: Any = None) -> PageResponse:
        store = self.store
        assert store is not None
        stored = stored or store.lookup(page.url)
        body = store.body(stored) if stored is not None else None
        if stored is None or body is None:
            page.error = ("not in the page store (--offline fetches nothing); run once "
                          "without --offline first")
            page.error_type = "FetchError"
            return page
        page.body, page.source = body, source
        page.final_url = stored.final_url or page.url
        page.content_type = stored.content_type
        if source == "page_store":
            page.status = stored.status
        self.counts[source] += 1
        return page

    # -- feeds and sitemaps, from the synchronous input iterator ----------------------------
    def fetch_document(self, url: str) -> PageResponse:
        """`fetch(url, "document")` for synchronous code (the input iterator): runs on a
        private event loop in a helper thread and waits for it."""
        box: list[PageResponse | BaseException] = []

        def work() -> None:
            async def run() -> PageResponse:
                try:
                    return await self.fetch(url, "document", own_client=True)
                finally:
                    self._states.pop(asyncio.get_running_loop(), None)
            try:
                box.append(asyncio.run(run()))
            except BaseException as exc:
                box.append(exc)

        thread = threading.Thread(target=work, name="llmextract-feed", daemon=True)
        thread.start()
        thread.join()
        result = box[0]
        if isinstance(result, BaseException):
            raise result
        return result
