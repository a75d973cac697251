"""The pipeline's steps for a user schema (`Extractor(schema=...)`, `--schema`).

The model's answer is grounded field by field (`llmextract.check.fields.ground_model`). What
happens to values the article does not support is the user's choice (`on_ungrounded`):

- `drop` (default): list items and optional fields are dropped with their field paths; a
  required field that fails makes the answer unusable (the registered rules, else `error`);
- `reask`: the model is asked again (up to `max_reasks` times) with the failures listed, then
  as `drop`;
- `fail`: any failure makes the answer unusable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from llmextract.check.chunked import ChunkLocator
from llmextract.check.chunked_fields import merge_groundings
from llmextract.check.fields import Grounding, ground_model
from llmextract.check.grounding import Locator
from llmextract.check.recover import recover
from llmextract.pipeline.result import ResultBuilder
from llmextract.schemas.record import Engine, ErrorInfo, Result, Trust, Usage

if TYPE_CHECKING:
    from llmextract.call.client import LazyModelClient, ModelAnswer
    from llmextract.config import Settings
    from llmextract.errors import ModelError
    from llmextract.pipeline.long import LongAnswer
    from llmextract.read.inputs import Article

__all__ = ["FieldsFinisher", "custom_result", "grounded_result", "reask_until_grounded"]


def _followup(answer: BaseModel, grounding: Grounding) -> list[dict[str, str]]:
    problems = "\n".join(f"- {d.field}: {d.reason}" for d in grounding.dropped)
    return [
        {"role": "assistant", "content": answer.model_dump_json()},
        {"role": "user", "content": (
            "These parts of your answer are not supported by the article:\n" + problems
            + "\nAnswer again. Copy words, names and numbers exactly as the article prints "
            "them, and leave out what it does not state.")},
    ]


async def reask_until_grounded(client: LazyModelClient, text: str, answer: ModelAnswer,
                               settings: Settings) -> ModelAnswer:
    """Re-ask while the answer has values the article does not support (`reask` mode)."""
    from llmextract.call.client import ModelAnswer
    from llmextract.errors import ModelError

    usage = answer.usage
    for _ in range(settings.max_reasks):
        grounding = ground_model(answer.summary, text)
        if not grounding.dropped:
            break
        try:
            again = await client.extract(text, _followup(answer.summary, grounding))
        except ModelError:
            break  # keep the answer we have; its failures are dropped below
        usage = usage + again.usage
        answer = again
    return ModelAnswer(summary=answer.summary, usage=usage, model=answer.model)


def _rules_failed(schema: type[BaseModel], exc: Exception) -> str:
    return (f"the registered rules for {schema.__name__} failed: "
            f"{type(exc).__name__}: {exc}")[:500]


def _run_rules(settings: Settings, text: str) -> Grounding:
    """The registered rules' answer, grounded like the model's (raises what they raise)."""
    schema, fn = settings.schema, settings.rules_fn
    assert schema is not None and fn is not None
    raw = fn(text)
    data = raw if isinstance(raw, schema) else schema.model_validate(raw)
    return ground_model(data, text, Locator(text, settings.language_of(text)))


def _rules_result(settings: Settings, text: str, record: ResultBuilder, why: ErrorInfo,
                  usage: Usage, dropped: list[Any]) -> Result:
    schema = settings.schema
    assert schema is not None
    fn = settings.rules_fn
    if fn is None:
        return record.error(why.type, f"{why.message}; no rule-based fallback is registered "
                            f"for {schema.__name__} (see README, 'Your own schema')",
                            usage=usage, dropped=dropped)
    try:
        grounding = _run_rules(settings, text)
    except Exception as exc:
        return record.error("RulesError", _rules_failed(schema, exc), usage=usage,
                            dropped=dropped)
    return record.fallback(data=grounding.data, usage=usage, error=why,
                           dropped=[*dropped, *grounding.dropped],
                           evidence=grounding.evidence, summary_support=grounding.support)


def custom_result(settings: Settings, text: str, answer: ModelAnswer | None,
                  failure: ErrorInfo | None, usage: Usage, record: ResultBuilder) -> Result:
    """The record for one article under a user schema."""
    if answer is None:
        why = failure or ErrorInfo(type="NoModel", message="no model in this run")
        return _rules_result(settings, text, record, why, usage, [])
    grounding = ground_model(answer.summary, text, Locator(text, settings.language_of(text)))
    return grounded_result(settings, text, grounding, usage, record)


def grounded_result(settings: Settings, text: str, grounding: Grounding, usage: Usage,
                    record: ResultBuilder) -> Result:
    """The record of a grounded answer (one article's, or a long article's chunks' merged):
    unusable -> the registered rules; else reconciled with them."""
    unusable = grounding.failed_required or (
        settings.on_ungrounded == "fail" and grounding.dropped)
    if unusable:
        paths = ", ".join(grounding.failed_required or [d.field for d in grounding.dropped])
        why = ErrorInfo(type="Ungrounded", message=f"the model's answer is not supported by "
                        f"the article at {paths}")
        return _rules_result(settings, text, record, why, usage, grounding.dropped)
    return _reconciled(settings, text, grounding, usage, record)


def _reconciled(settings: Settings, text: str, grounding: Grounding, usage: Usage,
                record: ResultBuilder) -> Result:
    """The model's usable answer, reconciled with the registered rules when there are any:
    items carry `source`, and what only the rules found is added (llmextract.check.recover)."""
    trust = _trust(grounding)
    data, evidence, warnings = grounding.data, grounding.evidence, []
    engine: Engine = "llm"
    if settings.rules_fn is not None and settings.schema is not None:
        try:
            rules = _run_rules(settings, text)
        except Exception as exc:  # the model's answer stands; say why nothing was added
            warnings.append(_rules_failed(settings.schema, exc))
        else:
            got = recover(settings.schema, grounding, rules)
            data, evidence = got.data, got.evidence
            trust.confirmed_by_rules, trust.added_by_rules = got.confirmed, got.added
            engine = "llm+rules" if got.added else "llm"
    result = record.ok(engine, data=data, dropped=grounding.dropped, evidence=evidence,
                       usage=usage, summary_support=grounding.support, trust=trust)
    result.warnings.extend(warnings)
    return result


def _trust(grounding: Grounding) -> Trust:
    """A user schema's counts: checked values stand for items, Supported sentences for
    prose."""
    return Trust(model_items=grounding.values_kept + grounding.values_dropped,
                 kept=grounding.values_kept, dropped=grounding.values_dropped,
                 prose_kept=grounding.prose_kept, prose_dropped=grounding.prose_dropped)


class FieldsFinisher:
    """Any schema's finisher: its marked fields grounded (llmextract.check.fields), then
    reconciled with its registered rules (llmextract.check.recover), which also stand in
    when the model's answer cannot be used."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def refine(self, client: LazyModelClient, text: str,
                     answer: ModelAnswer) -> ModelAnswer:
        """`on_ungrounded="reask"`: ask again while the answer has unsupported values."""
        if self.settings.on_ungrounded != "reask":
            return answer
        return await reask_until_grounded(client, text, answer, self.settings)

    def finish(self, article: Article, answer: ModelAnswer | None, failure: ModelError | None,
               record: ResultBuilder) -> Result:
        why = ErrorInfo(type=type(failure).__name__, message=str(failure)) if failure else None
        usage = answer.usage if answer else (
            (failure.usage or Usage(requests=failure.attempts)) if failure else Usage())
        return custom_result(self.settings, article.text or "", answer, why, usage, record)

    def finish_long(self, article: Article, long: LongAnswer, record: ResultBuilder) -> Result:
        """A long article's record: each chunk's answer grounded against the whole text
        (global spans), merged field by field (llmextract.check.chunked_fields)."""
        text = article.text or ""
        if not long.answered:
            return long.mark(self.finish(article, None, long.first_failure(), record))
        loc = Locator(text, self.settings.language_of(text))
        parts = [ground_model(p.answer.summary, text,
                              ChunkLocator(loc, p.chunk.start, p.chunk.end))
                 for p in long.answered if p.answer is not None]
        assert self.settings.schema is not None
        grounding, merged = merge_groundings(self.settings.schema, parts)
        result = grounded_result(self.settings, text, grounding, long.usage, record)
        return long.mark(result, merged)
