"""The one typed reader of result records (JSONL lines, a JSON array, or dicts).

Every consumer of written records (`llmextract report`, `llmextract eval`, the output
formats) reads them through here, as `Result`s, so a renamed field fails loudly in one place
instead of silently reading as missing in many.

Lenient about records from older (or newer) versions of llmextract:

- keys `Result` does not know are dropped, with a note (not a failure);
- fields added since (`text_sha256`, `summary_support`, `trust`, `review`, ...) take their
  defaults when missing;
- a line that is not JSON, not an object, or not a valid record becomes a `BadLine` with its
  line number (1-based; for a JSON array, the element's position) and the reason. Reading
  never raises for bad content.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from llmextract.schemas.record import Result

__all__ = ["BadLine", "RecordError", "read_records", "record_from_dict"]

_ITEM_NAMES = {"figures": "figure", "quotes": "quote", "entities": "entity"}


@dataclass(frozen=True)
class BadLine:
    """A line (or array element) of a results file that is not a result record."""

    line: int
    reason: str


class RecordError(ValueError):
    """A JSON object that is not a valid result record (the message says why)."""


def _where(loc: tuple[int | str, ...]) -> str:
    """A readable place for a validation error: ('summary', 'figures', 0, 'value') ->
    "figure 1 of the summary: value"."""
    parts = list(loc)
    if len(parts) >= 3 and parts[0] == "summary" and parts[1] in _ITEM_NAMES \
            and isinstance(parts[2], int):
        rest = ".".join(str(p) for p in parts[3:])
        head = f"{_ITEM_NAMES[str(parts[1])]} {parts[2] + 1} of the summary"
        return f"{head}: {rest}" if rest else head
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "record"


def record_from_dict(data: Mapping[str, Any], notes: list[str] | None = None) -> Result:
    """`data` (a parsed record) as a `Result`: unknown keys dropped (named in `notes` when
    given), missing fields defaulted. RecordError when it still is not a valid record."""
    if not isinstance(data, Mapping):
        raise RecordError(f"not a JSON object ({type(data).__name__})")
    known = Result.model_fields
    unknown = sorted(str(k) for k in data if k not in known)
    try:
        result = Result.model_validate({k: v for k, v in data.items() if k in known})
    except ValidationError as exc:
        first = exc.errors()[0]
        more = exc.error_count() - 1
        raise RecordError(f"{_where(tuple(first['loc']))}: {first['msg']}"
                          + (f" (and {more} more)" if more else "")) from None
    if unknown and notes is not None:
        notes.append(f"record {result.id!r}: unknown field(s) ignored: " + ", ".join(unknown))
    return result


def _parsed(text: str) -> Iterator[tuple[int, object]]:
    """(number, parsed JSON or the JSONDecodeError) per non-blank line, or per element of a
    file holding one JSON array."""
    if text.lstrip().startswith("["):
        try:
            whole = json.loads(text)
        except ValueError:
            whole = None
        if isinstance(whole, list):
            yield from enumerate(whole, start=1)
            return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except ValueError as exc:
            yield number, exc


def read_records(source: Path | str | Iterable[str],
                 notes: list[str] | None = None) -> Iterator[Result | BadLine]:
    """The records of a results file (JSONL, or one JSON array) or of lines of JSONL text.

    `source`: a path (a `str` names a file too), or an iterable of lines. Yields a `Result`
    per record and a `BadLine` per line that is not one; notes about records that loaded
    leniently (unknown fields) go to `notes`. OSError from reading the file propagates.
    """
    if isinstance(source, (str, Path)):
        text = Path(source).read_text(encoding="utf-8", errors="replace")
    else:
        text = "\n".join(line.rstrip("\r\n") for line in source)
    for number, obj in _parsed(text):
        if isinstance(obj, ValueError):
            yield BadLine(number, f"not valid JSON: {obj}")
            continue
        try:
            yield record_from_dict(obj, notes) if isinstance(obj, Mapping) else BadLine(
                number, f"not a JSON object ({type(obj).__name__})")
        except RecordError as exc:
            yield BadLine(number, str(exc))
