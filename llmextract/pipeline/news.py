"""The news summary's finisher (`ArticleSummary`): the rule engine's record when there is no
model answer; a model answer is grounded, reconciled with the rules and its prose checked by
llmextract.pipeline.news_answer, imported with the first answer (a rules run never loads the
checks)."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import TYPE_CHECKING

from llmextract.rules import extract as rules_extract
from llmextract.schemas.news import ArticleSummary
from llmextract.schemas.record import ErrorInfo, Result, Summary, Usage
from llmextract.schemas.user import register_rules

if TYPE_CHECKING:
    from llmextract.call.client import LazyModelClient, ModelAnswer
    from llmextract.config import Settings
    from llmextract.errors import ModelError
    from llmextract.pipeline.long import LongAnswer
    from llmextract.pipeline.result import ResultBuilder
    from llmextract.read.inputs import Article

__all__ = ["NewsFinisher", "fill_page_meta", "news_rules"]


@register_rules(ArticleSummary)
def news_rules(text: str) -> Summary:
    """The news summary's registered rules (`rules_for(ArticleSummary)`, as for any schema):
    the rule engine's summary of `text`. `NewsFinisher` reads the engine's whole output (its
    confidences, sentences and numbers too), not only this summary."""
    return rules_extract(text).summary


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


class NewsFinisher:
    """`ArticleSummary`'s finisher: its rule engine is both the fallback and the other side
    of the reconciliation."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def refine(self, client: LazyModelClient, text: str,
                     answer: ModelAnswer) -> ModelAnswer:
        """The news summary is not re-asked: what is not grounded is dropped."""
        return answer

    def finish(self, article: Article, answer: ModelAnswer | None, failure: ModelError | None,
               record: ResultBuilder) -> Result:
        text = article.text or ""
        rules = rules_extract(text, digest=answer is None,  # the model's prose is used
                              lang=self.settings.language_of(text))
        fill_page_meta(rules.summary, article.meta)
        if answer is None:
            if failure is None:  # no model in this run
                return record.fallback(summary=rules.summary)
            return record.fallback(summary=rules.summary,
                                   usage=failure.usage or Usage(requests=failure.attempts),
                                   error=ErrorInfo(type=type(failure).__name__,
                                                   message=str(failure)))
        from llmextract.pipeline.news_answer import checked_answer

        return checked_answer(text, answer, rules, record)

    async def refine_long(self, client: LazyModelClient, text: str,
                          long: LongAnswer) -> LongAnswer:
        """A long article's summary and key points: one short request over the chunks'
        summaries (llmextract.pipeline.long), when more than one chunk answered."""
        from llmextract.pipeline.news_answer import combine_parts

        return await combine_parts(self.settings, client, long)

    def finish_long(self, article: Article, long: LongAnswer, record: ResultBuilder) -> Result:
        """A long article's record: every chunk's answer grounded against the whole text
        (global spans) and merged (llmextract.check.chunked), then reconciled and checked
        as one answer."""
        if not long.answered:
            return long.mark(self.finish(article, None, long.first_failure(), record))
        from llmextract.pipeline.news_answer import checked_parts

        text = article.text or ""
        rules = rules_extract(text, digest=False, lang=self.settings.language_of(text))
        fill_page_meta(rules.summary, article.meta)
        return long.mark(*checked_parts(text, long, rules, record))
