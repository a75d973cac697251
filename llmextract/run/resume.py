"""--resume: find what an earlier, interrupted run of the same command already wrote.

A run killed in the middle of a write can leave a last line that is not whole JSON; it is
cut off here (and its article done again), so the output file stays one whole record a line.
"""

from __future__ import annotations

import json
from pathlib import Path

from llmextract.errors import UsageError

__all__ = ["done_ids"]


def done_ids(output: Path) -> set[str]:
    """Ids of the whole records in a JSONL output file, after trimming a torn last line."""
    if not output.exists():
        return set()
    ids: set[str] = set()
    good_end = 0
    with output.open("rb") as fh:
        for raw in fh:
            if not raw.endswith(b"\n"):
                break  # torn last line
            try:
                record = json.loads(raw)
            except ValueError:
                if raw.strip():
                    break
                good_end += len(raw)
                continue
            if not isinstance(record, dict) or "id" not in record:
                raise UsageError(f"--resume: {output} is not an llmextract JSONL output "
                                 "(a line without an id)")
            ids.add(str(record["id"]))
            good_end += len(raw)
    if good_end < output.stat().st_size:
        with output.open("r+b") as fh:
            fh.truncate(good_end)
    return ids
