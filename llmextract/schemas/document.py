"""What a long document's final summary request asks for (llmextract.pipeline.long): the
summary, key points and topics of the whole document, written from the summaries of its
parts. Field descriptions are prompt text."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["DocumentSummary"]


class DocumentSummary(BaseModel):
    """A neutral summary of one long document, written from the summaries of its parts."""

    model_config = ConfigDict(extra="ignore")

    summary: str = Field(
        description=(
            "Two to four neutral sentences on the whole document, stating only facts the "
            "part summaries state. No opinion, no outside knowledge."
        )
    )
    key_points: list[str] = Field(
        default_factory=list,
        description="Three to six short factual statements, the most important of the "
                    "whole document, from any part.",
    )
    topics: list[str] = Field(
        default_factory=list, description="Two to five short lowercase topic labels."
    )
