"""An earnings summary: a company's reported results, each number backed by the article.

    llmextract summarize articles/ --schema schemas/examples/earnings.py:EarningsSummary
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from llmextract import Name, Stated, Verbatim


class Metric(BaseModel):
    """One reported financial figure."""

    text: Annotated[str, Verbatim] = Field(
        description="The article's exact phrase stating it, e.g. '$1.7 billion'.")
    value: Annotated[float, Stated] = Field(
        description="The number in full: '$1.7 billion' is 1700000000, '7 percent' is 7.")
    name: str = Field(description="What it measures: revenue, net income, EPS, guidance...")


class EarningsSummary(BaseModel):
    """A company's reported results, using only what the article states."""

    company: Annotated[str, Name] = Field(description="The company, as named in the article.")
    period: str | None = Field(default=None, description="The reporting period, if stated.")
    metrics: list[Metric] = Field(default_factory=list, description="Every reported figure.")
    ceo_quote: Annotated[str | None, Verbatim] = Field(
        default=None, description="A direct quotation from the chief executive, verbatim.")
