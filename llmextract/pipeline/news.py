"""The news summary's finisher (`ArticleSummary`): the rule engine, grounding, reconciliation
with the rules (llmextract.check.reconcile) and the prose check, into a `Result`."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import TYPE_CHECKING

from llmextract.check.clean import clean_model
from llmextract.check.grounding import Locator, ground
from llmextract.check.prose import ArticleIndex, ground_summary
from llmextract.check.reconcile import reconcile
from llmextract.check.review import ITEM_FIELDS, item_trust, review_reason
from llmextract.rules import digest as rules_digest
from llmextract.rules import extract as rules_extract
from llmextract.schemas.news import ArticleSummary
from llmextract.schemas.record import ErrorInfo, Result, Summary, Usage
from llmextract.schemas.user import register_rules

if TYPE_CHECKING:
    from llmextract.call.client import LazyModelClient, ModelAnswer
    from llmextract.config import Settings
    from llmextract.errors import ModelError
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
        loc = Locator(text, rules.language)
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
        return result
