"""Finishers: how a schema's model answer (or its absence) becomes a `Result`.

Every schema has one, chosen once per run by `finisher_for`. The news `ArticleSummary`
registers its own (llmextract.pipeline.news: rule engine, grounding, reconciliation, prose);
any other schema gets the generic one (llmextract.pipeline.custom_run: marked fields grounded,
then reconciled with the schema's registered rules).

An article over the input budget goes in chunks (llmextract.pipeline.long): each chunk's
answer passes through `refine`, then a finisher may add `refine_long(client, text, long)`
(the news finisher's final summary request) and must have `finish_long(article, long,
record)` to make the record; both built-in finishers do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from pydantic import BaseModel

from llmextract.pipeline.news import NewsFinisher
from llmextract.schemas.news import ArticleSummary

if TYPE_CHECKING:
    from llmextract.call.client import LazyModelClient, ModelAnswer
    from llmextract.config import Settings
    from llmextract.errors import ModelError
    from llmextract.pipeline.result import ResultBuilder
    from llmextract.read.inputs import Article
    from llmextract.schemas.record import Result

__all__ = ["Finisher", "finisher_for", "register_finisher"]


class Finisher(Protocol):
    async def refine(self, client: LazyModelClient, text: str,
                     answer: ModelAnswer) -> ModelAnswer:
        """The I/O half's follow-up to the first answer (e.g. re-asking); may return it."""
        ...

    def finish(self, article: Article, answer: ModelAnswer | None, failure: ModelError | None,
               record: ResultBuilder) -> Result:
        """The record: from the answer, or (`answer` None) without one, `failure` saying why
        (None: no model in this run)."""
        ...


FinisherFactory = Callable[["Settings"], Finisher]

_FINISHERS: dict[type[BaseModel], FinisherFactory] = {ArticleSummary: NewsFinisher}


def register_finisher(schema: type[BaseModel]) -> Callable[[FinisherFactory],
                                                           FinisherFactory]:
    """Decorator: `factory(settings) -> Finisher` finishes `schema`'s answers."""

    def decorate(factory: FinisherFactory) -> FinisherFactory:
        _FINISHERS[schema] = factory
        return factory

    return decorate


def finisher_for(schema: type[BaseModel], settings: Settings) -> Finisher:
    """`schema`'s registered finisher, else the generic one (fields, then recover)."""
    factory = _FINISHERS.get(schema)
    if factory is None:  # imported here: a news run never loads the generic checks
        from llmextract.pipeline.custom_run import FieldsFinisher

        factory = FieldsFinisher
    return factory(settings)
