"""One finisher per schema, one Result builder, one Evidence (issue 12, item 1)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel

from llmextract.check.fields import Evidence as FieldsEvidence
from llmextract.check.fields import Verbatim, ground_model
from llmextract.config import OnUngrounded, Settings
from llmextract.pipeline.custom_run import FieldsFinisher
from llmextract.pipeline.finish import finisher_for, register_finisher
from llmextract.pipeline.news import NewsFinisher
from llmextract.pipeline.result import ResultBuilder
from llmextract.read.inputs import Article
from llmextract.schemas.news import ArticleSummary
from llmextract.schemas.record import Evidence, Summary
from llmextract.schemas.user import rules_for

TEXT = "The mayor said the bridge would reopen on Monday after repairs."


class Said(BaseModel):
    quote: Annotated[str, Verbatim]


def test_the_news_summary_has_its_finisher_and_its_registered_rules() -> None:
    assert isinstance(finisher_for(ArticleSummary, Settings()), NewsFinisher)
    fn = rules_for(ArticleSummary)
    assert fn is not None and isinstance(fn(TEXT), Summary)


def test_any_other_schema_gets_the_generic_finisher_unless_one_is_registered() -> None:
    assert isinstance(finisher_for(Said, Settings(schema=Said)), FieldsFinisher)

    class Mine(BaseModel):
        x: int = 0

    @register_finisher(Mine)
    def mine(settings: Settings) -> NewsFinisher:
        return NewsFinisher(settings)

    assert isinstance(finisher_for(Mine, Settings(schema=Mine)), NewsFinisher)


def test_the_generic_finisher_without_a_model_and_without_rules_is_an_error() -> None:
    article = Article(id="a", input=None, text=TEXT)
    result = FieldsFinisher(Settings(schema=Said)).finish(
        article, None, None, ResultBuilder(id="a", schema_name="Said"))
    assert result.status == "error" and result.error is not None
    assert result.error.type == "NoModel" and "no rule-based fallback" in result.error.message


def test_the_builder_gives_each_record_its_own_warnings() -> None:
    record = ResultBuilder(id="a", warnings=["w"])
    one, two = record.ok("llm"), record.fallback()
    one.warnings.append("more")
    assert two.warnings == ["w"] and record.base["warnings"] == ["w"]
    assert (one.status, two.status, two.engine) == ("ok", "fallback", "rules")
    err = record.error("X", "why")
    assert err.status == "error" and err.error is not None and err.error.message == "why"


def test_one_evidence_and_one_setting_type() -> None:
    assert FieldsEvidence is Evidence
    grounding = ground_model(Said(quote="the bridge would reopen"), TEXT)
    assert grounding.evidence and all(isinstance(e, Evidence) for e in grounding.evidence)
    assert grounding.evidence[0].text == "the bridge would reopen"
    from llmextract.check import fields

    assert fields.OnUngrounded is OnUngrounded
