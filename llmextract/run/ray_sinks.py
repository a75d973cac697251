"""Writing the Ray stage's rows as parts of a folder: JSONL (one record a line, what
`summarize -o x.jsonl` writes) or Parquet (columns `id`, `status`, `record`). Imports Ray:
load it only with the `ray` extra (llmextract.run.ray_stage.require_ray first).

Both are Ray's own block file writers (`BlockBasedFileDatasink`): one part per write task,
named after the write and the task's index, so a task Ray runs again after its worker died
rewrites the same part instead of adding one; a part is never shared by two tasks. Each
task also returns how many records it wrote of each status, for the closing report.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

import pyarrow.parquet as pq
from ray.data.datasource import BlockBasedFileDatasink

__all__ = ["RecordSink", "sink_for"]


class RecordSink(BlockBasedFileDatasink):  # type: ignore[misc]  # Ray is untyped here
    """Writes the `record` column (JSONL) or the whole rows (Parquet) of each block."""

    def __init__(self, path: str, fmt: str) -> None:
        super().__init__(path, file_format="parquet" if fmt == "parquet" else "jsonl")
        self.fmt = fmt
        self.counts: Counter[str] = Counter()
        self.parts = 0

    def write_block_to_file(self, block: Any, file: Any) -> None:
        table = block.to_arrow()
        if self.fmt == "parquet":
            pq.write_table(table, file)
            return
        records = table.column("record").to_pylist()
        file.write("".join(f"{record}\n" for record in records).encode("utf-8"))

    def write(self, blocks: Iterable[Any], ctx: Any) -> dict[str, int]:
        """Write one task's blocks into its part; the count of each status written."""
        from ray.data.block import BlockAccessor

        blocks = list(blocks)
        super().write(blocks, ctx)
        counts: Counter[str] = Counter()
        for block in blocks:
            counts.update(BlockAccessor.for_block(block).to_arrow().column("status").to_pylist())
        return dict(counts)

    def on_write_complete(self, write_result: Any) -> None:
        super().on_write_complete(write_result)
        for counts in write_result.write_returns:
            if counts:
                self.counts.update(counts)
                self.parts += 1


def sink_for(path: str, fmt: str) -> RecordSink:
    """The datasink writing `fmt` ("jsonl" or "parquet") parts into the folder `path`."""
    if fmt not in ("jsonl", "parquet"):
        raise ValueError(f"--ray writes jsonl or parquet parts, not {fmt!r}")
    return RecordSink(path, fmt)
