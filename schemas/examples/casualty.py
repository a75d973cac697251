"""A casualty report: who was killed or hurt where, each number backed by the article.

    llmextract summarize articles/ --schema schemas/examples/casualty.py:CasualtyReport
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from llmextract.custom import Name, Stated, Verbatim


class CasualtyCount(BaseModel):
    """One casualty figure the article states."""

    text: Annotated[str, Verbatim] = Field(
        description="The article's exact phrase stating the number, e.g. 'at least 87 people'.")
    count: Annotated[int, Stated] = Field(description="The number as a plain integer.")
    kind: str = Field(description="killed, injured, missing or displaced.")


class Witness(BaseModel):
    """A direct quotation from someone at the scene or in charge."""

    quote: Annotated[str, Verbatim] = Field(
        description="The quoted words exactly as printed, without quotation marks.")
    speaker: str | None = Field(default=None, description="Who said it, as named.")


class CasualtyReport(BaseModel):
    """The human toll of an event reported in a news article, using only what it states."""

    event: str = Field(description="What happened, in a few words (e.g. 'earthquake').")
    place: Annotated[str, Name] = Field(description="Where it happened, as written.")
    counts: list[CasualtyCount] = Field(default_factory=list,
                                        description="Every casualty figure stated.")
    witnesses: list[Witness] = Field(default_factory=list,
                                     description="Direct quotations about the event.")
