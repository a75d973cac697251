"""The result record (CONTRACT section 2): one per input article.

The summary inside a record is the model-facing `ArticleSummary` whose figures, quotes and
entities also carry `span` (character offsets into the article text as read, so that
`text[start:end]` is the item's verbatim words) and `source` (which engine found them).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from llmextract.schemas.news import ArticleSummary, Entity, Figure, Quote

Source = Literal["llm", "rules", "both"]
Status = Literal["ok", "fallback", "error"]
Engine = Literal["llm", "rules", "llm+rules"]
Span = tuple[int, int]

__all__ = [
    "ChunkInfo",
    "Dropped",
    "Engine",
    "ErrorInfo",
    "Evidence",
    "FetchInfo",
    "GroundedEntity",
    "GroundedFigure",
    "GroundedQuote",
    "Result",
    "Source",
    "Span",
    "Status",
    "Summary",
    "Support",
    "Trust",
    "Usage",
]


class GroundedFigure(Figure):
    span: Span | None = None
    source: Source = "llm"


class GroundedQuote(Quote):
    span: Span | None = None
    source: Source = "llm"


class GroundedEntity(Entity):
    span: Span | None = None
    source: Source = "llm"


class Summary(ArticleSummary):
    """`ArticleSummary` after grounding and reconciliation: every item located in the text."""

    figures: list[GroundedFigure] = Field(default_factory=list)  # type: ignore[assignment]
    quotes: list[GroundedQuote] = Field(default_factory=list)  # type: ignore[assignment]
    entities: list[GroundedEntity] = Field(default_factory=list)  # type: ignore[assignment]


class Dropped(BaseModel):
    """An item of the model's answer that the pipeline refused, and why."""

    field: str
    item: dict[str, Any]
    reason: str


class Usage(BaseModel):
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    # of prompt_tokens, those the provider served from its prompt cache (billed lower)
    cached_prompt_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            requests=self.requests + other.requests,
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            cached_prompt_tokens=self.cached_prompt_tokens + other.cached_prompt_tokens,
        )


class Evidence(BaseModel):
    """Where a checked value of a user schema stands in the article (llmextract.check.fields)."""

    path: str
    kind: str
    span: Span
    text: str


class Support(BaseModel):
    """A kept prose sentence (`field` "summary" or "key_points", or a user schema's
    `Supported` field path) and the spans of the article sentences that support it."""

    field: str
    index: int
    text: str
    spans: list[Span] = Field(default_factory=list)


class Trust(BaseModel):
    """What the model gave and what survived (see docs/grounding.md)."""

    model_items: int = 0  # figures, quotes and entities (or checked values) the model gave
    kept: int = 0  # of those, kept (source llm or both)
    dropped: int = 0  # of those, refused (listed in `dropped`)
    confirmed_by_rules: int = 0  # kept items the rules found too (source both)
    added_by_rules: int = 0  # items only the rules found (source rules)
    prose_kept: int = 0  # the model's summary sentences and key points kept
    prose_dropped: int = 0  # ... refused (listed in `dropped`)
    prose_from_rules: int = 0  # prose fields (summary, key points) the rules' digest filled


class FetchInfo(BaseModel):
    """How a web page was fetched (see docs/web.md)."""

    status: int | None = None  # HTTP status of the last response (304: not modified)
    source: str = "network"  # network, not_modified (stored page, 304) or page_store
    content_type: str | None = None
    bytes: int | None = None  # body size
    requests: int = 0  # HTTP requests made for it (robots.txt, redirects, retries)


class ChunkInfo(BaseModel):
    """How a long article was sent in chunks (docs/long-documents.md)."""

    count: int = Field(description="chunks the article was sent in (after any further "
                       "split), each one request and its retries")
    max_input_tokens: int = Field(description="the input budget: most estimated tokens of "
                                  "article text per request (`--max-input-tokens`)")
    overlap_tokens: int = Field(description="most estimated tokens a chunk repeats of the "
                                "one before it")
    split_on_context: int = Field(default=0, description="chunks split further because the "
                                  "server said the prompt was over the model's context")
    failed: int = Field(default=0, description="chunks whose request failed: their items are "
                        "missing (listed in `warnings`)")
    merged: int = Field(default=0, description="items found by more than one chunk (in an "
                        "overlap, or an entity named again) and kept once")
    summary_request: bool = Field(default=False, description="whether `summary` and "
                                  "`key_points` came from a final request over the chunks' "
                                  "summaries (else from the first chunk's answer)")


class ErrorInfo(BaseModel):
    type: str
    message: str


class Result(BaseModel):
    """One article's outcome. Serialise with `to_json()`; field meanings are in the README."""

    model_config = ConfigDict(extra="forbid")

    id: str
    input: str | None = None
    text_sha256: str | None = Field(
        default=None, description='"sha256:" and the hex sha256 of the article text as read '
        "(its UTF-8 bytes); null when the input could not be read")
    language: str | None = Field(
        default=None, description="ISO 639-1 code of the article's language (`--lang`, or "
        "detected from its words); null when the input could not be read")
    status: Status
    engine: Engine | None = None
    summary: Summary | None = None
    dropped: list[Dropped] = Field(default_factory=list)
    model: str | None = None
    prompt_version: str | None = None
    schema_hash: str | None = None
    cached: bool = False
    usage: Usage = Field(default_factory=Usage)
    error: ErrorInfo | None = None
    warnings: list[str] = Field(default_factory=list)
    elapsed_ms: float = 0.0
    schema_name: str = "ArticleSummary"
    data: dict[str, Any] | None = None
    evidence: list[Evidence] = Field(default_factory=list)
    summary_support: list[Support] = Field(default_factory=list)
    trust: Trust | None = None
    review: str | None = None
    text: str | None = Field(default=None, description="the article text, with --include-text")
    url: str | None = Field(default=None, description="the page's URL, for a web page")
    final_url: str | None = Field(default=None, description="the URL after redirects")
    fetch: FetchInfo | None = None
    chunks: ChunkInfo | None = Field(
        default=None, description="how an article over the input budget was split and "
        "merged; null when it went to the model whole")

    def to_json(self) -> str:
        """One line of JSON, as written to JSONL output (`text` only when it was asked for)."""
        return self.model_dump_json(exclude={"text"} if self.text is None else None)
