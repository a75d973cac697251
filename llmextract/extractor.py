"""The public Python API: `summarize`, `asummarize` and `Extractor` (CONTRACT section 4)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import dataclasses
import os
import queue
import threading
import weakref
from collections.abc import AsyncIterator, Coroutine, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

from llmextract.call.cassette import use_cassette
from llmextract.call.prompts import Prompt, load_prompt, prompt_id
from llmextract.config import Settings, default_cache_dir
from llmextract.errors import UsageError
from llmextract.pipeline.article import Fetched, Pipeline
from llmextract.pipeline.cache import ResultCache
from llmextract.read.inputs import Article, iter_articles, text_article
from llmextract.schemas.news import ArticleSummary
from llmextract.schemas.record import Result
from llmextract.schemas.user import RulesFn, rules_for

if TYPE_CHECKING:
    from llmextract.call.client import LazyModelClient
    from llmextract.call.pace import Pace

Item = str | os.PathLike[str] | Article | dict[str, Any]
T = TypeVar("T")

__all__ = ["Extractor", "asummarize", "summarize"]

_TURNS_BETWEEN_FINISHES = 6


def _as_articles(items: Iterable[Item], max_chars: int) -> Iterator[Article]:
    """Paths (Path objects, or strings naming an existing file/folder) are read; other
    strings are article texts; dicts are {"id", "text"}; Articles pass through."""
    for item in items:
        if isinstance(item, Article):
            yield item
        elif isinstance(item, dict):
            yield text_article(str(item.get("text", "")), max_chars, id=item.get("id"))
        elif isinstance(item, os.PathLike) or (
            "\n" not in item and len(item) < 4096 and os.path.exists(item)
        ) or (item.startswith(("http://", "https://")) and item.split() == [item]):  # a page
            yield from iter_articles([item if isinstance(item, str) else Path(item)], max_chars)
        else:
            yield text_article(item, max_chars)


class _LoopThread:
    """The event loop the synchronous methods run on: one per Extractor, in a daemon
    thread, so the client opened on it serves every call."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="llmextract-loop",
                                       daemon=True)
        self.thread.start()

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        if threading.current_thread() is not self.thread:
            self.thread.join()
            self.loop.close()


@dataclass
class _Owned:
    """What an Extractor owns: one model client (bound to the event loop it was opened
    on), one result cache, the loop of the synchronous methods. Kept apart from the
    Extractor so that a finalizer can release it when an unclosed Extractor is dropped."""

    client: LazyModelClient | None = None
    client_loop: asyncio.AbstractEventLoop | None = None
    cache: ResultCache | None = None
    runner: _LoopThread | None = None
    closed: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def release(self) -> None:
        """Close everything still open (idempotent)."""
        with self.lock:
            self.closed = True
            client, self.client = self.client, None
            cache, self.cache = self.cache, None
            runner, self.runner = self.runner, None
        if client is not None:
            _close_client(client, self.client_loop, runner)
        if runner is not None:
            runner.stop()
        if cache is not None:
            cache.close()


def _close_client(client: LazyModelClient, loop: asyncio.AbstractEventLoop | None,
                  runner: _LoopThread | None) -> None:
    """Close `client` on the loop it was opened on, wherever this is called from."""
    if loop is None or loop.is_closed() or not loop.is_running():
        return  # its loop is gone: nothing can be awaited there any more
    try:
        current = asyncio.get_running_loop()
    except RuntimeError:
        current = None
    if current is loop:  # a synchronous close() inside that loop: finish it there
        loop.create_task(client.aclose())
        return
    future = asyncio.run_coroutine_threadsafe(client.aclose(), loop)
    if runner is None or threading.current_thread() is not runner.thread:
        with contextlib.suppress(Exception):
            future.result(timeout=10)


class Extractor:
    """Summarises articles with one resolved configuration.

    Cost: one model request per article (more on retries and re-asks; an article over
    `max_input_tokens`: one per chunk and one for its summary), none with
    `engine="rules"`. An Extractor owns one model client and one result cache, opened on
    first use and kept for every call until `close()` (or the end of a `with` / `async
    with` block); the synchronous methods run on one event loop of its own. The client is
    bound to the event loop it was opened on: used from another loop, a new one is opened.
    """

    def __init__(self, model: str | None = None, base_url: str | None = None,
                 concurrency: int | str | None = None, *, schema: type[BaseModel] | None = None,
                 rules: RulesFn | None = None, settings: Settings | None = None,
                 **options: Any) -> None:
        """`schema`: any Pydantic model to extract instead of the news `ArticleSummary`
        (mark evidence fields with `Verbatim`, `Stated`, `Name`); `rules`: a function
        `text -> instance or dict` used when the model cannot be (else the one registered
        with `register_rules`, else such articles end in "error"). `concurrency`: "auto"
        (the default: the server's pace, docs/concurrency.md) or N (adapts within 1..N)."""
        if settings is None:
            if schema is not None:
                options["schema"] = schema
                options["rules_fn"] = rules or rules_for(schema)
            settings = Settings.resolve(model=model, base_url=base_url,
                                        concurrency=concurrency, **options)
        self.settings = settings
        self._prompt_name = "extract" if settings.custom_schema else "summarize"
        # read now when a model is used (a broken prompt file fails here, not at the first
        # article); a run of the rules alone never reads it (`prompt` reads it on demand)
        self._prompt = load_prompt(self._prompt_name) if settings.use_model else None
        # the concurrency controller of the model client (made with it; None without one)
        self.pace: Pace | None = None
        self._owned = _Owned()
        self._finalizer = weakref.finalize(self, self._owned.release)

    @property
    def prompt(self) -> Prompt:
        """The prompt file the model is sent (`prompts/NAME.vN.yaml`)."""
        if self._prompt is None:
            self._prompt = load_prompt(self._prompt_name)
        return self._prompt

    # -- lifetime ------------------------------------------------------------------------
    def __enter__(self) -> Extractor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> Extractor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def close(self) -> None:
        """Close the model client and the cache; the Extractor cannot be used after."""
        self._finalizer()

    async def aclose(self) -> None:
        """`close()` from inside the event loop the client was opened on."""
        owned = self._owned
        client = owned.client
        if client is not None and owned.client_loop is asyncio.get_running_loop():
            owned.client = None
            await client.aclose()
        self.close()

    def _pipeline(self) -> Pipeline:
        """A pipeline over the owned client (opened on the running loop) and cache."""
        s, owned = self.settings, self._owned
        loop = asyncio.get_running_loop()
        with owned.lock:
            if owned.closed:
                raise UsageError("this Extractor is closed")
            if s.cache_enabled and owned.cache is None:
                owned.cache = ResultCache(s.cache_dir or default_cache_dir(os.environ))
            stale, stale_loop = None, owned.client_loop
            if s.use_model and (owned.client is None or owned.client_loop is not loop):
                from llmextract.call.client import LazyModelClient

                stale, owned.client_loop = owned.client, loop
                from llmextract.call.pace import Pace  # (a run of the rules alone has none)

                self.pace = Pace.for_settings(s)  # its primitives belong to this loop too
                owned.client = LazyModelClient(s, self.prompt, s.schema or ArticleSummary,
                                               self.pace)
            client, cache = owned.client, owned.cache
        if stale is not None:  # opened on another loop: closed there, if it still runs
            _close_client(stale, stale_loop, owned.runner)
        return Pipeline(s, self.prompt if client is not None else prompt_id(self._prompt_name),
                        client, cache)

    def _runner(self) -> _LoopThread:
        owned = self._owned
        with owned.lock:
            if owned.closed:
                raise UsageError("this Extractor is closed")
            if owned.runner is None:
                owned.runner = _LoopThread()
            return owned.runner

    # -- async ---------------------------------------------------------------------------
    async def asummarize(self, text: Item, *, id: str | None = None) -> Result:
        """Summarise one article (text, path or {"id", "text"})."""
        s = self.settings
        with use_cassette(record=s.record, replay=s.replay):
            pipeline = self._pipeline()
            article = next(iter(_as_articles([text], s.max_chars)))
            if id is not None:
                article = dataclasses.replace(article, id=id)
            return await pipeline.process(article)

    async def asummarize_many(self, items: Iterable[Item]) -> AsyncIterator[Result]:
        """Results as they complete, at most `concurrency` articles in flight (model
        requests are paced by `self.pace` within that); inputs are read lazily.

        `concurrency` fetchers do the I/O (cache, model call) and hand each answer to one
        finisher that does the CPU work (rules, grounding, reconciliation) between I/O
        events, so a slot's next request never waits behind another article's CPU work.
        """
        s = self.settings
        with use_cassette(record=s.record, replay=s.replay):
            pipeline = self._pipeline()
            async for result in _run_many(pipeline, _as_articles(items, s.max_chars),
                                          s.max_in_flight):
                yield result

    # -- sync ----------------------------------------------------------------------------
    def summarize(self, text: Item, *, id: str | None = None) -> Result:
        """Summarise one article; runs on the Extractor's own event loop, so it works from
        any synchronous code (inside a running loop, prefer `asummarize`)."""
        return self._runner().submit(self.asummarize(text, id=id)).result()

    def summarize_many(self, items: Iterable[Item]) -> Iterator[Result]:
        """Stream results in completion order, from the Extractor's own event loop (works
        from any synchronous code). Closing the iterator early stops the work."""
        out: queue.Queue[Result | BaseException | None] = queue.Queue(
            self.settings.max_in_flight * 2)
        stop = threading.Event()

        async def run() -> None:
            try:
                async for result in self.asummarize_many(items):
                    if stop.is_set():
                        return
                    await asyncio.to_thread(out.put, result)  # waits for a slow consumer
                out.put(None)
            except BaseException as exc:  # handed to the consumer, re-raised there
                out.put(exc)

        done = self._runner().submit(run())
        try:
            while True:
                got = out.get()
                if got is None:
                    return
                if isinstance(got, BaseException):
                    raise got
                yield got
        finally:
            stop.set()
            while not done.done():  # unblock a pending put, then let the run wind down
                with contextlib.suppress(queue.Empty):
                    out.get(timeout=0.05)


async def _run_many(pipeline: Pipeline, articles: Iterator[Article], n: int
                    ) -> AsyncIterator[Result]:
    fetched: asyncio.Queue[Fetched | None] = asyncio.Queue(n * 2)

    async def fetcher() -> None:
        for article in articles:  # shared iterator: each article taken once
            await fetched.put(await pipeline.fetch(article))
        await fetched.put(None)

    workers = [asyncio.create_task(fetcher()) for _ in range(n)]
    try:
        finished = 0
        while finished < n:
            item = await fetched.get()
            if item is None:
                finished += 1
                continue
            yield pipeline.finish(item)
            # Let answers that arrived meanwhile move on (parsing an answer and sending
            # the next request takes several loop turns): a finish costs milliseconds, a
            # turn of the loop with nothing to do costs microseconds.
            for _ in range(_TURNS_BETWEEN_FINISHES):
                await asyncio.sleep(0)
    finally:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)


def summarize(text: Item, **options: Any) -> Result:
    """Summarise one article with settings from `options` and the environment."""
    with Extractor(**options) as extractor:
        return extractor.summarize(text)


async def asummarize(text: Item, **options: Any) -> Result:
    """Async `summarize`."""
    async with Extractor(**options) as extractor:
        return await extractor.asummarize(text)
