"""A news model answer made into a record: grounded in the article (llmextract.check.grounding),
reconciled with the rule engine (llmextract.check.reconcile), its prose checked
(llmextract.check.prose); for a long article, every chunk's answer grounded against the whole
text and merged first. Imported by `NewsFinisher` with the first model answer."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from llmextract.call.prompts import load_prompt
from llmextract.check.chunked import ChunkLocator, merge_answers, merge_grounded
from llmextract.check.clean import clean_model
from llmextract.check.grounding import Grounded, Locator, ground
from llmextract.check.prose import ArticleIndex, ground_summary, split_prose
from llmextract.check.reconcile import reconcile
from llmextract.check.review import ITEM_FIELDS, item_trust, review_reason
from llmextract.errors import ModelError
from llmextract.pipeline.long import input_budget
from llmextract.rules import RulesOutput
from llmextract.rules import digest as rules_digest
from llmextract.schemas.document import DocumentSummary
from llmextract.schemas.news import ArticleSummary
from llmextract.schemas.record import Result, Span, Usage
from llmextract.text.tokens import estimate_tokens

if TYPE_CHECKING:
    from llmextract.call.client import LazyModelClient, ModelAnswer
    from llmextract.config import Settings
    from llmextract.pipeline.long import LongAnswer
    from llmextract.pipeline.result import ResultBuilder

__all__ = ["checked_answer", "checked_parts", "combine_parts", "parts_digest"]


def checked_answer(text: str, answer: ModelAnswer, rules: RulesOutput,
                   record: ResultBuilder) -> Result:
    """The record of one answer for the whole article."""
    loc = Locator(text, rules.language)
    assert isinstance(answer.summary, ArticleSummary)
    model = clean_model(answer.summary)  # markup and HTML entities out, before anything
    grounded = ground(model, text, loc, *_regions(rules))
    return _checked(model, grounded, rules, loc, answer.usage, record)


def checked_parts(text: str, long: LongAnswer, rules: RulesOutput,
                  record: ResultBuilder) -> tuple[Result, int]:
    """The record of a long article's answered chunks, and how many items were merged."""
    loc = Locator(text, rules.language)
    regions = _regions(rules)
    models, parts = [], []
    for part in long.answered:
        assert part.answer is not None and isinstance(part.answer.summary, ArticleSummary)
        model = clean_model(part.answer.summary)
        models.append(model)
        parts.append(ground(model, text, ChunkLocator(loc, part.chunk.start,
                                                      part.chunk.end), *regions))
    grounded, merged = merge_grounded(parts)
    model = merge_answers(models, *_long_prose(long, models))
    return _checked(model, grounded, rules, loc, long.usage, record, merged), merged


async def combine_parts(settings: Settings, client: LazyModelClient,
                        long: LongAnswer) -> LongAnswer:
    """One short request over the chunks' summaries, when more than one chunk answered."""
    if len(long.answered) < 2:
        return long
    prompt = load_prompt("combine")
    digest = parts_digest(long, input_budget(settings, prompt, DocumentSummary))
    try:
        long.combined = await client.extract(digest, task=(prompt, DocumentSummary))
    except ModelError as exc:  # the first chunk's prose stands in (`_long_prose`)
        long.combine_failure = exc
    return long


def _regions(rules: RulesOutput) -> tuple[list[Span], list[Span]]:
    """The rules' quotation and figure spans (see `ground`)."""
    s = rules.summary
    return ([q.span for q in s.quotes if q.span is not None],
            [f.span for f in s.figures if f.span is not None])


def _checked(model: ArticleSummary, grounded: Grounded, rules: RulesOutput, loc: Locator,
             usage: Usage, record: ResultBuilder, merged: int = 0) -> Result:
    """The record of a grounded answer: reconciled with the rules, its prose checked.
    `merged`: items of a long article's chunks kept once (not counted as the model's)."""
    text = loc.text
    summary, dropped, engine = reconcile(model, grounded, rules, loc)
    idx = ArticleIndex(loc, rules.sentences, rules.numbers)
    prose = ground_summary(
        model.summary, model.key_points, idx,
        lambda: rules_digest(text)[:2], (summary.summary, summary.key_points))
    trust = item_trust(model, summary, sum(1 for d in dropped if d.field in ITEM_FIELDS))
    trust.model_items -= merged
    trust.prose_kept, trust.prose_dropped = prose.kept, len(prose.dropped)
    trust.prose_from_rules = prose.from_rules
    summary.summary, summary.key_points = prose.summary, prose.key_points
    result = record.ok(engine, summary=summary, dropped=[*dropped, *prose.dropped],
                       usage=usage, summary_support=prose.support, trust=trust)
    result.warnings.extend(prose.warnings)
    result.review = review_reason(result)
    return result


def parts_digest(long: LongAnswer, budget: int) -> str:
    """The text of the final summary request: each answered chunk's summary and key
    points, in order, within `budget` tokens as far as it goes (key points left out first,
    then all but each summary's first sentence)."""
    answers = [clean_model(p.answer.summary) for p in long.answered
               if p.answer is not None and isinstance(p.answer.summary, ArticleSummary)]
    n = len(answers)
    digest = ""
    for level in ("points", "summaries", "first sentences"):
        blocks = []
        for i, answer in enumerate(answers, 1):
            prose = answer.summary.strip()
            if level == "first sentences":
                prose = (split_prose(prose) or [prose])[0]
            points = "".join(f"\n{p}" for p in answer.key_points) if level == "points" else ""
            blocks.append(f"Part {i} of {n}:\n{prose}{points}")
        digest = "\n\n".join(blocks)
        if estimate_tokens(digest) <= budget:
            break
    return digest


def _long_prose(long: LongAnswer, models: list[ArticleSummary]
                ) -> tuple[str, list[str], list[str]]:
    """Summary, key points and topics of a long article: the final request's, else the
    first chunk's summary, key points taken from each chunk in turn, and the topics most
    chunks give."""
    combined = long.combined.summary if long.combined is not None else None
    if isinstance(combined, DocumentSummary):
        return combined.summary, list(combined.key_points), list(combined.topics)
    points: list[str] = []
    for i in range(max((len(m.key_points) for m in models), default=0)):
        points.extend(m.key_points[i] for m in models if i < len(m.key_points))
    votes = Counter(t.strip().lower() for m in models for t in m.topics if t.strip())
    return models[0].summary, points[:6], [t for t, _ in votes.most_common(5)]
