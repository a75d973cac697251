"""Long documents: an article over the input budget goes to the model in chunks.

`Chunking.plan` decides once per article: within the budget (`--max-input-tokens`, else
llmextract.call.context's default for the model) the article goes whole, exactly as it
always did; over it, it is split (llmextract.text.chunks) and `fetch_long` sends every chunk
concurrently (the run's pace admits each request, so `-j` holds), each answer refined by
the schema's finisher as a whole article's would be. A chunk the server refuses as over the
model's context (`ContextLengthError`) is split in halves and sent again, at most
`MAX_SPLIT_DEPTH` times; an article sent whole that gets that refusal starts the same way.
The finisher then grounds every chunk's answer against the whole article and merges them
(llmextract.check.chunked); the news finisher also asks one short final request for the
summary and key points (`refine_long`). See docs/long-documents.md.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

from pydantic import BaseModel

from llmextract.call.prompts import Prompt
from llmextract.check.review import review_reason
from llmextract.config import Settings
from llmextract.errors import CassetteMissError, ContextLengthError, ModelError
from llmextract.schemas.record import ChunkInfo, Result, Usage
from llmextract.text.chunks import CHUNKER_VERSION, Chunk, default_overlap, split_text
from llmextract.text.tokens import estimate_tokens

if TYPE_CHECKING:
    from llmextract.call.client import LazyModelClient, ModelAnswer

__all__ = ["MAX_SPLIT_DEPTH", "Chunking", "LongAnswer", "Part", "fetch_long", "input_budget"]

MAX_SPLIT_DEPTH = 3
"""How many times one chunk may be halved after context-length refusals (8 pieces)."""
_SMALLEST_SPLIT = 64  # tokens: a piece this small that is still refused is a failure


class PartRefiner(Protocol):
    async def refine(self, client: LazyModelClient, text: str,
                     answer: ModelAnswer) -> ModelAnswer: ...


@dataclass
class Part:
    """One chunk and its answer, or why it has none."""

    chunk: Chunk
    answer: ModelAnswer | None = None
    failure: ModelError | None = None
    miss: CassetteMissError | None = None  # a replayed cassette lacks its request


@dataclass
class LongAnswer:
    """What the model said about a long article: one `Part` per chunk, in text order."""

    parts: list[Part]
    budget: int
    overlap: int
    splits: int = 0  # chunks split after a context-length refusal
    spent: Usage = field(default_factory=Usage)  # the refused requests
    combined: ModelAnswer | None = None  # the final summary request's answer (news)
    combine_failure: ModelError | None = None

    @property
    def answered(self) -> list[Part]:
        """The parts with an answer, in text order."""
        return [p for p in self.parts if p.answer is not None]

    @property
    def usage(self) -> Usage:
        total = self.spent
        for part in self.parts:
            if part.answer is not None:
                total = total + part.answer.usage
            elif part.failure is not None:
                total = total + (part.failure.usage or Usage(requests=part.failure.attempts))
        for extra in (self.combined, self.combine_failure):
            if isinstance(extra, ModelError):
                total = total + (extra.usage or Usage(requests=extra.attempts))
            elif extra is not None:
                total = total + extra.usage
        return total

    def first_failure(self) -> ModelError:
        """Why no chunk was answered: the first chunk's failure, with what all cost."""
        failures = [p.failure for p in self.parts if p.failure is not None]
        first = failures[0] if failures else ModelError("no chunk was answered")
        usage = self.usage
        more = f" (and the other {len(self.parts) - 1} chunks)" if len(self.parts) > 1 else ""
        return type(first)(f"{first}{more}", attempts=usage.requests, usage=usage)

    def info(self, merged: int = 0) -> ChunkInfo:
        return ChunkInfo(count=len(self.parts), max_input_tokens=self.budget,
                         overlap_tokens=self.overlap, split_on_context=self.splits,
                         failed=sum(1 for p in self.parts if p.answer is None),
                         merged=merged, summary_request=self.combined is not None)

    def mark(self, result: Result, merged: int = 0) -> Result:
        """`result` with `chunks` filled in; a chunk that failed (its items are missing) gets
        a line in `warnings` and a reason in `review`."""
        n = len(self.parts)
        failed = [f"chunk {i} of {n} (characters {p.chunk.start}-{p.chunk.end}) failed, its "
                  f"items are missing: {p.failure}"[:500]
                  for i, p in enumerate(self.parts, 1) if p.failure is not None]
        result.chunks = self.info(merged)
        if failed and self.answered:
            result.warnings.extend(failed)
            result.review = "; ".join(filter(None, [
                f"{len(failed)} of {n} chunks failed: their items are missing",
                result.review or review_reason(result)]))
        return result


@lru_cache(maxsize=32)
def _default_budget(model: str, max_tokens: int | None, prompt: Prompt,
                    schema: type[BaseModel]) -> int:
    from llmextract.call.context import default_input_budget, prompt_overhead
    from llmextract.call.modes import max_tokens_for

    output = max_tokens or max_tokens_for(schema, model)
    return default_input_budget(model, output, prompt_overhead(prompt, schema))


def input_budget(settings: Settings, prompt: Prompt, schema: type[BaseModel]) -> int:
    """The most text (estimated tokens) one request of `schema` with `prompt` carries:
    `--max-input-tokens`, else llmextract.call.context's default for the model."""
    if settings.max_input_tokens is not None:
        return settings.max_input_tokens
    return _default_budget(settings.model, settings.max_tokens, prompt, schema)


class Chunking:
    """The run's chunking settings: the input budget and the overlap."""

    def __init__(self, settings: Settings, prompt: Prompt, schema: type[BaseModel]) -> None:
        self.settings = settings
        self.prompt = prompt
        self.schema = schema

    @property
    def budget(self) -> int:
        return input_budget(self.settings, self.prompt, self.schema)

    @property
    def overlap(self) -> int:
        return default_overlap(self.budget)

    def plan(self, text: str) -> list[Chunk] | None:
        """The chunks of `text`, or None when it goes whole (within the budget). Cheap for
        short texts: a text of N characters holds at most N tokens."""
        if len(text) <= 1024 or len(text) <= self.budget:
            return None
        chunks = split_text(text, self.budget, self.overlap)
        return chunks if len(chunks) > 1 else None

    def key(self, chunks: list[Chunk] | None) -> str:
        """The cache key's part for the chunking ("" for an article sent whole)."""
        if chunks is None:
            return ""
        return f"chunks/{CHUNKER_VERSION}:{self.budget}:{self.overlap}"


class _Run:
    """One long article's requests."""

    def __init__(self, client: LazyModelClient, refiner: PartRefiner, text: str,
                 long: LongAnswer) -> None:
        self.client = client
        self.refiner = refiner
        self.text = text
        self.long = long

    async def many(self, chunks: list[Chunk], depth: int) -> list[Part]:
        done = await asyncio.gather(*(self.one(c, depth) for c in chunks))
        return [part for parts in done for part in parts]

    async def one(self, chunk: Chunk, depth: int) -> list[Part]:
        piece = self.text[chunk.start:chunk.end]
        try:
            answer = await self.client.extract(piece)
            answer = await self.refiner.refine(self.client, piece, answer)
        except ContextLengthError as exc:
            return await self.split(chunk, depth, exc)
        except ModelError as exc:
            return [Part(chunk, failure=exc)]
        except CassetteMissError as exc:  # the other chunks finish first; raised after
            return [Part(chunk, miss=exc)]
        return [Part(chunk, answer=answer)]

    async def split(self, chunk: Chunk, depth: int, exc: ContextLengthError) -> list[Part]:
        """`chunk` in halves (with a little overlap), after the server refused it whole."""
        piece = self.text[chunk.start:chunk.end]
        tokens = estimate_tokens(piece)
        half = max(_SMALLEST_SPLIT, -(-tokens // 2))
        if depth >= MAX_SPLIT_DEPTH or tokens <= _SMALLEST_SPLIT:
            return [Part(chunk, failure=exc)]
        self.long.splits += 1
        self.long.spent = self.long.spent + (exc.usage or Usage(requests=exc.attempts))
        pieces = split_text(piece, half, min(self.long.overlap, (half - 1) // 4))
        if len(pieces) < 2:
            return [Part(chunk, failure=exc)]
        shifted = [Chunk(chunk.start + c.start, chunk.start + c.end, c.tokens) for c in pieces]
        return await self.many(shifted, depth + 1)


async def fetch_long(client: LazyModelClient, refiner: PartRefiner, text: str,
                     chunks: list[Chunk], chunking: Chunking,
                     refused: ContextLengthError | None = None) -> LongAnswer:
    """Every chunk's answer (see the module docstring). `refused`: the article was sent
    whole (`chunks` is that one chunk) and refused as over the context: split it first.
    Raises `CassetteMissError` when a replayed cassette lacks a request."""
    long = LongAnswer(parts=[], budget=chunking.budget, overlap=chunking.overlap)
    run = _Run(client, refiner, text, long)
    if refused is not None:
        long.parts = await run.split(chunks[0], 0, refused)
    else:
        long.parts = await run.many(chunks, 0)
    missed = [p.miss for p in long.parts if p.miss is not None]
    if missed:
        raise missed[0]
    follow = getattr(refiner, "refine_long", None)
    if follow is not None and long.answered:
        long = await follow(client, text, long)
    return long
