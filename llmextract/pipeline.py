"""One article through the pipeline: read -> rules -> model -> ground -> reconcile -> Result.

Failures become records, never exceptions: an unusable input is status "error", a model that
cannot be used or fails after its retries gives the rule engine's summary (status
"fallback"), and only a request missing from a replayed cassette (or a bug) is an "error".
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from llmextract import __version__
from llmextract.cache import ResultCache, as_cached, cache_key, key_parts
from llmextract.config import Settings
from llmextract.errors import CassetteMissError, ModelError
from llmextract.grounding import Locator, ground
from llmextract.inputs import Article
from llmextract.prompts import Prompt
from llmextract.reconcile import reconcile
from llmextract.record import ErrorInfo, Result, Usage
from llmextract.rules import extract as rules_extract
from llmextract.schema import ArticleSummary

if TYPE_CHECKING:
    from llmextract.llm import ModelClient

log = logging.getLogger("llmextract")

__all__ = ["Pipeline", "schema_hash"]


@lru_cache(maxsize=1)
def schema_hash() -> str:
    """sha256 of the canonical JSON Schema of `ArticleSummary` (changes when the schema does)."""
    blob = json.dumps(ArticleSummary.model_json_schema(), sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(blob.encode()).hexdigest()


class Pipeline:
    """Turns Articles into Results with one settings object and (optionally) a model client."""

    def __init__(self, settings: Settings, prompt: Prompt, client: ModelClient | None,
                 cache: ResultCache | None = None) -> None:
        self.settings = settings
        self.prompt = prompt
        self.client = client
        self.cache = cache
        self._key_parts = key_parts(
            version=__version__, model=settings.model, base_url=settings.base_url,
            mode=settings.mode, prompt=prompt.id, prompt_sha=prompt.sha256,
            schema=schema_hash())

    def _base(self, article: Article) -> dict[str, Any]:
        return {
            "id": article.id,
            "input": article.input,
            "prompt_version": self.prompt.id,
            "schema_hash": schema_hash(),
            "model": self.settings.model if self.client is not None else None,
            "warnings": list(article.warnings),
        }

    async def process(self, article: Article) -> Result:
        start = time.perf_counter()
        try:
            result = await self._process(article)
        except Exception as exc:  # a bug must cost one record, not the batch
            log.debug("internal error on %s", article.id, exc_info=True)
            result = Result(status="error", error=ErrorInfo(
                type="InternalError", message=f"{type(exc).__name__}: {exc}"[:500]),
                **self._base(article))
        result.elapsed_ms = round((time.perf_counter() - start) * 1000, 1)
        return result

    async def _process(self, article: Article) -> Result:
        base = self._base(article)
        if article.error is not None or article.text is None:
            return Result(status="error", error=ErrorInfo(
                type=article.error_type, message=article.error or "no text"), **base)
        text = article.text
        key = cache_key(text, *self._key_parts) if self.cache is not None else ""
        if self.cache is not None:
            hit = self.cache.get(key)
            if hit is not None:
                return as_cached(hit, id=article.id, input=article.input,
                                 warnings=list(article.warnings))
        rules = rules_extract(text)
        if self.client is None:
            return Result(status="fallback", engine="rules", summary=rules.summary, **base)
        try:
            answer = await self.client.extract(text)
        except CassetteMissError as exc:
            return Result(status="error", error=ErrorInfo(type="CassetteMissError",
                                                          message=str(exc)), **base)
        except ModelError as exc:
            return Result(status="fallback", engine="rules", summary=rules.summary,
                          usage=exc.usage or Usage(requests=exc.attempts),
                          error=ErrorInfo(type=type(exc).__name__, message=str(exc)), **base)
        loc = Locator(text)
        grounded = ground(
            answer.summary, text, loc,
            quote_regions=[q.span for q in rules.summary.quotes if q.span is not None],
            figure_regions=[f.span for f in rules.summary.figures if f.span is not None])
        summary, dropped, engine = reconcile(answer.summary, grounded, rules, loc)
        result = Result(status="ok", engine=engine, summary=summary, dropped=dropped,
                        usage=answer.usage, **base)
        if self.cache is not None:
            self.cache.put(key, result)
        return result
