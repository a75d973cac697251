"""Writing results: one whole, flushed line (or row/section) per record as it completes."""

from __future__ import annotations

import json
from typing import IO, Literal

from llmextract.record import Result

Format = Literal["jsonl", "json"]
FORMATS: tuple[Format, ...] = ("jsonl", "json")

__all__ = ["FORMATS", "Format", "Writer"]


class Writer:
    """Writes records to a text stream in one of `FORMATS`; `close()` finishes the document."""

    def __init__(self, stream: IO[str], fmt: Format = "jsonl") -> None:
        self.stream = stream
        self.fmt = fmt
        self.count = 0

    def write(self, result: Result) -> None:
        line = result.to_json()
        if self.fmt == "json":
            line = ("[\n" if self.count == 0 else ",\n") + line
        else:
            line += "\n"
        self.stream.write(line)  # one write per record: a line is never split
        self.stream.flush()
        self.count += 1

    def close(self) -> None:
        if self.fmt == "json":
            self.stream.write("[]\n" if self.count == 0 else "\n]\n")
            self.stream.flush()


def dumps_schema(*, result: bool = False) -> str:
    """The JSON Schema of ArticleSummary (or of the result record), as `schemas/` holds it."""
    from llmextract.schema import ArticleSummary

    model = Result if result else ArticleSummary
    return json.dumps(model.model_json_schema(), indent=2, ensure_ascii=False) + "\n"
