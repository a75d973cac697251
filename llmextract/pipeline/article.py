"""One article through the pipeline: read -> rules -> model -> ground -> reconcile -> Result.

Failures become records, never exceptions: an unusable input is status "error", a model that
cannot be used or fails after its retries gives the rule engine's summary (status
"fallback"), and only a request missing from a replayed cassette (or a bug) is an "error".
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from llmextract import __version__
from llmextract.call.prompts import Prompt
from llmextract.check.clean import clean_model
from llmextract.check.grounding import Locator, ground
from llmextract.check.prose import ArticleIndex, ground_summary
from llmextract.check.reconcile import reconcile
from llmextract.check.review import ITEM_FIELDS, item_trust, review_reason
from llmextract.config import Settings
from llmextract.errors import CassetteMissError, ModelError
from llmextract.pipeline.cache import ResultCache, as_cached, cache_key, key_parts
from llmextract.pipeline.custom_run import custom_result, reask_until_grounded
from llmextract.pipeline.result import ResultBuilder
from llmextract.read.inputs import Article
from llmextract.rules import digest as rules_digest
from llmextract.rules import extract as rules_extract
from llmextract.schemas.news import ArticleSummary
from llmextract.schemas.record import ErrorInfo, Result, Summary, Usage
from llmextract.schemas.user import schema_hash_of

if TYPE_CHECKING:
    from llmextract.call.client import LazyModelClient, ModelAnswer

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


def fill_page_meta(summary: Summary, meta: dict[str, str] | None) -> None:
    """Fill the rules' title, authors, date, publisher and URL from an HTML page's metadata
    where the text itself says nothing (the text wins; the page fills its silence)."""
    if not meta:
        return
    for name in ("title", "publisher", "url"):
        if not getattr(summary, name) and meta.get(name):
            setattr(summary, name, meta[name])
    if not summary.authors and meta.get("authors"):
        summary.authors = [a.strip() for a in meta["authors"].split(";") if a.strip()]
    if summary.published is None and meta.get("published"):
        with contextlib.suppress(ValueError):
            summary.published = dt.date.fromisoformat(meta["published"])


def schema_hash() -> str:
    """sha256 of the canonical JSON Schema of `ArticleSummary` (changes when the schema does)."""
    return schema_hash_of(ArticleSummary)


class Pipeline:
    """Turns Articles into Results with one settings object and (optionally) a model client."""

    def __init__(self, settings: Settings, prompt: Prompt, client: LazyModelClient | None,
                 cache: ResultCache | None = None) -> None:
        self.settings = settings
        self.prompt = prompt
        self.client = client
        self.cache = cache
        self.schema = settings.schema or ArticleSummary
        self.custom = settings.custom_schema  # decided once, read for every article
        self._schema_hash = schema_hash_of(self.schema)
        self._key_parts = key_parts(
            version=__version__, model=settings.model, base_url=settings.base_url,
            mode=settings.mode, prompt=prompt.id, prompt_sha=prompt.sha256,
            schema=self._schema_hash, on_ungrounded=settings.on_ungrounded)

    def _record(self, article: Article) -> ResultBuilder:
        """The builder of this article's records (its shared fields given once)."""
        return ResultBuilder(
            id=article.id,
            input=article.input,
            text_sha256=article.text_sha256,
            prompt_version=self.prompt.id,
            schema_hash=self._schema_hash,
            schema_name=self.schema.__name__,
            model=self.settings.model if self.client is not None else None,
            warnings=list(article.warnings),
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
        if self.cache is not None:
            meta = json.dumps(article.meta, sort_keys=True) if article.meta else ""
            fetched.key = cache_key(article.text, *self._key_parts, meta)
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
        try:
            fetched.answer = await self.client.extract(article.text)
            if self.custom and self.settings.on_ungrounded == "reask":
                fetched.answer = await reask_until_grounded(
                    self.client, article.text, fetched.answer, self.settings)
        except CassetteMissError as exc:
            fetched.result = self._record(article).error("CassetteMissError", str(exc))
        except ModelError as exc:
            fetched.failure = exc

    def _finish_custom(self, fetched: Fetched) -> Result:
        exc = fetched.failure
        failure = ErrorInfo(type=type(exc).__name__, message=str(exc)) if exc else None
        usage = fetched.answer.usage if fetched.answer else (
            (exc.usage or Usage(requests=exc.attempts)) if exc else Usage())
        result = custom_result(self.settings, fetched.article.text or "", fetched.answer,
                               failure, usage, self._record(fetched.article))
        if self.cache is not None and fetched.key and result.status == "ok":
            self.cache.put(fetched.key, result)
        return result

    def _finish(self, fetched: Fetched) -> Result:
        if self.custom:
            return self._finish_custom(fetched)
        article, answer = fetched.article, fetched.answer
        record = self._record(article)
        text = article.text or ""
        rules = rules_extract(text, digest=answer is None)  # the model's prose is used
        fill_page_meta(rules.summary, article.meta)
        if answer is None:
            exc = fetched.failure
            if exc is None:  # no model in this run
                return record.fallback(summary=rules.summary)
            return record.fallback(summary=rules.summary,
                                   usage=exc.usage or Usage(requests=exc.attempts),
                                   error=ErrorInfo(type=type(exc).__name__, message=str(exc)))
        loc = Locator(text)
        assert isinstance(answer.summary, ArticleSummary)
        model = clean_model(answer.summary)  # markup and HTML entities out, before anything
        grounded = ground(
            model, text, loc,
            quote_regions=[q.span for q in rules.summary.quotes if q.span is not None],
            figure_regions=[f.span for f in rules.summary.figures if f.span is not None])
        summary, dropped, engine = reconcile(model, grounded, rules, loc)
        idx = ArticleIndex(loc, rules.sentences, rules.numbers)
        prose = ground_summary(
            model.summary, model.key_points, idx,
            lambda: rules_digest(text)[:2], (summary.summary, summary.key_points))
        trust = item_trust(model, summary, sum(1 for d in dropped if d.field in ITEM_FIELDS))
        trust.prose_kept, trust.prose_dropped = prose.kept, len(prose.dropped)
        trust.prose_from_rules = prose.from_rules
        summary.summary, summary.key_points = prose.summary, prose.key_points
        result = record.ok(engine, summary=summary, dropped=[*dropped, *prose.dropped],
                           usage=answer.usage, summary_support=prose.support, trust=trust)
        result.warnings.extend(prose.warnings)
        result.review = review_reason(result)
        if self.cache is not None and fetched.key:
            self.cache.put(fetched.key, result)
        return result
