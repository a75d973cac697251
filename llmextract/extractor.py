"""The public Python API: `summarize`, `asummarize` and `Extractor` (CONTRACT section 4)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import queue
import threading
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from llmextract.call.cassette import use_cassette
from llmextract.call.pace import Pace
from llmextract.call.prompts import load_prompt
from llmextract.config import Settings, default_cache_dir
from llmextract.pipeline.article import Fetched, Pipeline
from llmextract.pipeline.cache import ResultCache
from llmextract.read.inputs import Article, iter_articles, text_article
from llmextract.schemas.news import ArticleSummary
from llmextract.schemas.record import Result
from llmextract.schemas.user import RulesFn, rules_for

Item = str | os.PathLike[str] | Article | dict[str, Any]

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
        ):
            yield from iter_articles([Path(item)], max_chars)
        else:
            yield text_article(item, max_chars)


class Extractor:
    """Summarises articles with one resolved configuration.

    Cost: one model request per article (more on retries and re-asks), none with
    `engine="rules"`. Thread-safe to construct; each `summarize_many` runs its own event loop.
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
        self.prompt = load_prompt("extract" if settings.custom_schema else "summarize")
        self.pace: Pace | None = None  # the latest run's concurrency controller

    # -- async ---------------------------------------------------------------------------
    async def _open(self, stack: AsyncExitStack) -> Pipeline:
        s = self.settings
        stack.enter_context(use_cassette(record=s.record, replay=s.replay))
        client = None
        if s.use_model:
            from llmextract.call.client import LazyModelClient

            self.pace = Pace.for_settings(s)
            client = LazyModelClient(s, self.prompt, s.schema or ArticleSummary, self.pace)
            stack.push_async_callback(client.aclose)
        cache = None
        if s.cache_enabled:
            cache = ResultCache(s.cache_dir or default_cache_dir(os.environ))
            stack.callback(cache.close)
        return Pipeline(s, self.prompt, client, cache)

    async def asummarize(self, text: Item, *, id: str | None = None) -> Result:
        """Summarise one article (text, path or {"id", "text"})."""
        async with AsyncExitStack() as stack:
            pipeline = await self._open(stack)
            article = next(iter(_as_articles([text], self.settings.max_chars)))
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
        async with AsyncExitStack() as stack:
            pipeline = await self._open(stack)
            articles = _as_articles(items, self.settings.max_chars)
            n = self.settings.max_in_flight
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
                    # Let answers that arrived meanwhile move on (parsing an answer and
                    # sending the next request takes several loop turns): a finish costs
                    # milliseconds, a turn of the loop with nothing to do costs microseconds.
                    for _ in range(_TURNS_BETWEEN_FINISHES):
                        await asyncio.sleep(0)
            finally:
                for task in workers:
                    task.cancel()
                await asyncio.gather(*workers, return_exceptions=True)

    # -- sync ----------------------------------------------------------------------------
    def summarize(self, text: Item, *, id: str | None = None) -> Result:
        """Summarise one article; runs its own event loop (use `asummarize` inside one)."""
        return asyncio.run(self.asummarize(text, id=id))

    def summarize_many(self, items: Iterable[Item]) -> Iterator[Result]:
        """Stream results in completion order; runs the event loop in a helper thread so
        this works from any synchronous code. Closing the iterator early stops the work."""
        out: queue.Queue[Result | BaseException | None] = queue.Queue(
            self.settings.max_in_flight * 2)
        stop = threading.Event()

        async def run() -> None:
            async for result in self.asummarize_many(items):
                if stop.is_set():
                    return
                await asyncio.to_thread(out.put, result)  # waits for a slow consumer

        def thread_main() -> None:
            try:
                asyncio.run(run())
                out.put(None)
            except BaseException as exc:  # handed to the consumer, re-raised there
                out.put(exc)

        thread = threading.Thread(target=thread_main, name="llmextract-run", daemon=True)
        thread.start()
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
            while thread.is_alive():  # unblock a pending put, then let the loop wind down
                with contextlib.suppress(queue.Empty):
                    out.get(timeout=0.05)


def summarize(text: Item, **options: Any) -> Result:
    """Summarise one article with settings from `options` and the environment."""
    return Extractor(**options).summarize(text)


async def asummarize(text: Item, **options: Any) -> Result:
    """Async `summarize`."""
    return await Extractor(**options).asummarize(text)
