"""One article through the pipeline: read -> rules -> model -> ground -> reconcile -> Result.

Failures become records, never exceptions: an unusable input is status "error", a model that
cannot be used or fails after its retries gives the rule engine's summary (status
"fallback"), and only a request missing from a replayed cassette (or a bug) is an "error".
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from llmextract import __version__
from llmextract.call.prompts import Prompt
from llmextract.check.review import review_reason
from llmextract.config import Settings
from llmextract.errors import CassetteMissError, ContextLengthError, ModelError
from llmextract.pipeline.cache import ResultCache, as_cached, cache_key, key_parts
from llmextract.pipeline.finish import finisher_for
from llmextract.pipeline.result import ResultBuilder
from llmextract.read.inputs import Article
from llmextract.schemas.news import ArticleSummary
from llmextract.schemas.record import Result
from llmextract.schemas.user import schema_hash_of
from llmextract.text.langs import SUPPORTED

if TYPE_CHECKING:
    from llmextract.call.client import LazyModelClient, ModelAnswer
    from llmextract.pipeline.long import Chunking, LongAnswer
    from llmextract.text.chunks import Chunk

log = logging.getLogger("llmextract")

__all__ = ["Fetched", "Pipeline", "schema_hash"]


@dataclass
class Fetched:
    """An article after its I/O: a final record already, or the model's answer (or why
    there is none) waiting for `Pipeline.finish`."""

    article: Article
    started: float
    result: Result | None = None
    answer: ModelAnswer | None = None
    failure: ModelError | None = None
    key: str = ""
    chunks: list[Chunk] | None = None  # the article's chunks (None: it goes whole)
    long: LongAnswer | None = None  # the chunks' answers, for a long article


def schema_hash() -> str:
    """sha256 of the canonical JSON Schema of `ArticleSummary` (changes when the schema does)."""
    return schema_hash_of(ArticleSummary)


class Pipeline:
    """Turns Articles into Results with one settings object and (optionally) a model client."""

    def __init__(self, settings: Settings, prompt: Prompt | str, client: LazyModelClient | None,
                 cache: ResultCache | None = None) -> None:
        """`prompt`: the prompt the client sends; a run without a model sends none and passes
        only the id its records name (`prompt_id`), so its file is never read."""
        self.settings = settings
        self.client = client
        self.cache = cache
        self.schema = settings.schema or ArticleSummary
        self.finisher = finisher_for(self.schema, settings)  # decided once per run
        self._schema_hash = schema_hash_of(self.schema)
        self.prompt_id = prompt if isinstance(prompt, str) else prompt.id
        self._key_parts: tuple[str, ...] = ()
        self._chunking: Chunking | None = None
        if isinstance(prompt, str):
            if client is not None or cache is not None:
                raise ValueError("a run with a model (or a cache) needs the Prompt, not its id")
        else:  # long articles: imported only by a run that sends requests
            from llmextract.pipeline.long import Chunking

            self._chunking = Chunking(settings, prompt, self.schema)
            self._key_parts = key_parts(
                version=__version__, model=settings.model, base_url=settings.base_url,
                mode=settings.mode, prompt=prompt.id, prompt_sha=prompt.sha256,
                schema=self._schema_hash, on_ungrounded=settings.on_ungrounded)

    @property
    def chunking(self) -> Chunking:
        """How articles are split into requests (a run with a model)."""
        if self._chunking is None:
            raise ValueError("this pipeline calls no model: it sends no chunks")
        return self._chunking

    def _record(self, article: Article) -> ResultBuilder:
        """The builder of this article's records (its shared fields given once)."""
        language = self.settings.language_of(article.text) if article.text else None
        warnings = list(article.warnings)
        if language is not None and language not in SUPPORTED:
            warnings.append(f"language {language!r}: the rule engine reads numbers, quotations "
                            f"and names in {', '.join(SUPPORTED)} only; here it gives the "
                            f"title and dates, and model items are located by characters")
        return ResultBuilder(
            id=article.id,
            input=article.input,
            text_sha256=article.text_sha256,
            language=language,
            prompt_version=self.prompt_id,
            schema_hash=self._schema_hash,
            schema_name=self.schema.__name__,
            model=self.settings.model if self.client is not None else None,
            warnings=warnings,
            **(article.web.record_fields() if article.web is not None else {}),
        )

    async def process(self, article: Article) -> Result:
        """One article, start to finish."""
        return self.finish(await self.fetch(article))

    async def fetch(self, article: Article) -> Fetched:
        """The I/O half: the cache and the model call. Cheap on the CPU, so a batch sends
        its next request as soon as an answer arrives (`finish` runs when the loop is idle).
        """
        fetched = Fetched(article, time.perf_counter())
        try:
            await self._fetch(fetched)
        except Exception as exc:  # a bug must cost one record, not the batch
            fetched.result = self._internal_error(article, exc)
        return fetched

    def fetch_local(self, article: Article) -> Fetched:
        """`fetch` for a pipeline without a model client, of an article that is no pending
        web page: nothing to wait for, so no event loop (llmextract.run.local)."""
        if self.client is not None or (article.web is not None and article.web.pending):
            raise ValueError("fetch_local is for a run without a model over local inputs")
        fetched = Fetched(article, time.perf_counter())
        try:
            self.prefetch(fetched)
        except Exception as exc:  # a bug must cost one record, not the batch
            fetched.result = self._internal_error(article, exc)
        return fetched

    def finish(self, fetched: Fetched) -> Result:
        """The CPU half: rules, grounding, reconciliation, the cache write."""
        try:
            result = fetched.result or self._finish(fetched)
        except Exception as exc:
            result = self._internal_error(fetched.article, exc)
        if result.review is None:
            result.review = review_reason(result)
        if self.settings.include_text and fetched.article.text is not None:
            result.text = fetched.article.text
        result.elapsed_ms = round((time.perf_counter() - fetched.started) * 1000, 1)
        return result

    def _internal_error(self, article: Article, exc: Exception) -> Result:
        log.debug("internal error on %s", article.id, exc_info=True)
        return self._record(article).error("InternalError",
                                           f"{type(exc).__name__}: {exc}"[:500])

    def prefetch(self, fetched: Fetched) -> bool:
        """What needs no model: an unusable input's record or a cache hit (into
        `fetched.result`), and the cache key. True when the article still needs an answer
        (a batch job writes its request instead of calling the model)."""
        article = fetched.article
        if article.error is not None or article.text is None:
            fetched.result = self._record(article).error(article.error_type,
                                                         article.error or "no text")
            return False
        if self.client is not None:  # chunks are what is sent: the rule engine reads it whole
            fetched.chunks = self.chunking.plan(article.text)
        if self.cache is not None:
            meta = json.dumps(article.meta, sort_keys=True) if article.meta else ""
            parts = (*self._key_parts, meta)
            if fetched.chunks is not None:  # articles sent whole keep their keys
                parts = (*parts, self.chunking.key(fetched.chunks))
            fetched.key = cache_key(article.text, *parts)
            hit = self.cache.get(fetched.key)
            if hit is not None:
                fetched.result = as_cached(hit, id=article.id, input=article.input,
                                           text_sha256=article.text_sha256,
                                           warnings=list(article.warnings))
                if article.web is not None:
                    fetched.result = fetched.result.model_copy(
                        update=article.web.record_fields())
                return False
        return True

    async def _fetch(self, fetched: Fetched) -> None:
        article = fetched.article
        if article.web is not None and article.web.pending:  # a web page: fetch it first
            from llmextract.read.web.sources import resolve

            fetched.article = article = await resolve(article, self.settings.max_chars)
        if not self.prefetch(fetched) or self.client is None or article.text is None:
            return
        from llmextract.pipeline.long import fetch_long
        from llmextract.text.chunks import Chunk

        try:
            if fetched.chunks is not None:
                fetched.long = await fetch_long(self.client, self.finisher, article.text,
                                                fetched.chunks, self.chunking)
                return
            try:
                fetched.answer = await self.client.extract(article.text)
            except ContextLengthError as exc:  # over the server's context: split it
                whole = [Chunk(0, len(article.text), 0)]
                fetched.long = await fetch_long(self.client, self.finisher, article.text,
                                                whole, self.chunking, refused=exc)
                return
            fetched.answer = await self.finisher.refine(self.client, article.text,
                                                        fetched.answer)
        except CassetteMissError as exc:
            fetched.result = self._record(article).error("CassetteMissError", str(exc))
        except ModelError as exc:
            fetched.failure = exc

    def _finish(self, fetched: Fetched) -> Result:
        record = self._record(fetched.article)
        if fetched.long is not None:
            finish_long = getattr(self.finisher, "finish_long", None)
            if finish_long is None:
                return record.error("UsageError", f"the finisher of {self.schema.__name__} "
                                    "cannot finish an article sent in chunks (it has no "
                                    "finish_long); raise --max-input-tokens")
            result: Result = finish_long(fetched.article, fetched.long, record)
        else:
            result = self.finisher.finish(fetched.article, fetched.answer, fetched.failure,
                                          record)
        if self.cache is not None and fetched.key and result.status == "ok":
            self.cache.put(fetched.key, result)
        return result
