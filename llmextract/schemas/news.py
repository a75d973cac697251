"""The model-facing schema: what the language model fills and the rule engine produces.

Field descriptions and class docstrings are sent to the model as part of the prompt
(instructor puts them into the tool/JSON schema): they are written as instructions.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Qualifier = Literal["exact", "approximately", "at_least", "more_than", "less_than", "up_to"]
EntityType = Literal["person", "organization", "location", "other"]
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}$")

__all__ = ["ArticleSummary", "Entity", "EntityType", "Figure", "Qualifier", "Quote"]


class Figure(BaseModel):
    """A newsworthy number stated in the article."""

    model_config = ConfigDict(extra="ignore")

    text: str = Field(
        description=(
            "The exact phrase of the article that states the number, copied character for "
            'character, e.g. "around 1,100 casualties" or "$1.7 billion". Never rephrase.'
        )
    )
    value: int | float | None = Field(
        description=(
            "The number as a plain numeral: '$1.7 billion' is 1700000000, '7 percent' is 7, "
            "'1,100' is 1100, 'seven' is 7. Null for ranges and scores."
        )
    )
    unit: str | None = Field(
        default=None,
        description="Unit or currency of the value, e.g. 'USD', 'percent', 'people', 'km'.",
    )
    describes: str = Field(description="What is counted or measured, in a few words.")
    qualifier: Qualifier = Field(
        default="exact",
        description=(
            "How the article qualifies the number: 'around 1,100' is approximately, "
            "'at least 100' is at_least, 'more than 1,000' is more_than, 'fewer than' is "
            "less_than, 'up to' is up_to, otherwise exact."
        ),
    )
    attributed_to: str | None = Field(
        default=None,
        description="Who states the number, as the article names them, or null.",
    )

    @field_validator("value", mode="before")
    @classmethod
    def _number_from_words(cls, value: Any) -> Any:
        """Models sometimes answer "1,100" or "$1.7 billion" for a number: read it."""
        if isinstance(value, str):
            from llmextract.text.numbers import parse_value

            parsed = parse_value(value)
            if parsed is not None:
                return int(parsed) if parsed.is_integer() and abs(parsed) < 1e15 else parsed
        return value


class Quote(BaseModel):
    """A direct quotation printed in the article between quotation marks."""

    model_config = ConfigDict(extra="ignore")

    text: str = Field(
        description=(
            "The quoted words exactly as printed, without the surrounding quotation marks. "
            "Copy them verbatim; do not paraphrase, shorten inside, or fix grammar."
        )
    )
    speaker: str | None = Field(
        default=None,
        description="Who says it, as the article names them (full name if given), or null.",
    )


class Entity(BaseModel):
    """A main person, organisation or place the article is about."""

    model_config = ConfigDict(extra="ignore")

    name: str = Field(description="The name exactly as written in the article.")
    type: EntityType = Field(description="person, organization, location or other.")


class ArticleSummary(BaseModel):
    """A structured, neutral summary of one news article, using only what the article states."""

    model_config = ConfigDict(extra="ignore")

    title: str | None = Field(default=None, description="The headline as printed, or null.")
    publisher: str | None = Field(
        default=None,
        description="The outlet or wire service named in the text (AFP, Reuters, ...), or null.",
    )
    authors: list[str] = Field(default_factory=list, description="Bylines: names of the authors.")
    published: dt.date | None = Field(
        default=None,
        description=(
            "Publication date stated in the text, as YYYY-MM-DD. Null if the text gives no "
            "full date; never guess."
        ),
    )
    url: str | None = Field(default=None, description="Source URL if the text gives one.")

    @field_validator("published", mode="before")
    @classmethod
    def _date_from_words(cls, value: Any) -> Any:
        """Models sometimes answer "December 23, 2024" for 2024-12-23: read it."""
        if not isinstance(value, str):
            return value
        if _ISO_DATE.match(value.strip()):  # a date object also passes strict validation
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                return value
        from llmextract.text.dates import parse_date

        found = parse_date(value)
        return found[0] if found is not None else value
    summary: str = Field(
        description=(
            "Two to four neutral sentences stating only facts the article states. No opinion, "
            "no outside knowledge."
        )
    )
    key_points: list[str] = Field(
        default_factory=list, description="Three to six short factual statements from the article."
    )
    figures: list[Figure] = Field(
        default_factory=list, description="Every newsworthy number the article states."
    )
    quotes: list[Quote] = Field(
        default_factory=list, description="Every direct quotation in the article."
    )
    entities: list[Entity] = Field(
        default_factory=list,
        description="The main people, organisations and places, each once.",
    )
    topics: list[str] = Field(
        default_factory=list, description="Two to five short lowercase topic labels."
    )
